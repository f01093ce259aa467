/**
 * <quorum-portal>: the worker portal's shell (an AppShell, shell.js: the header, sign in
 * and out). Its header adds the shortcuts button; it routes between the screens (the list
 * of jobs at #/, the labeling screen of a job at #/jobs/<id>, so a reload returns to the
 * same place) and sends key presses to the current screen; `?` opens the list of shortcuts.
 * Only workers get past sign-in; a requester or an admin is pointed to the console.
 */

import { el } from "../shared/dom.js";
import { notForYou } from "../shared/not-for-you.js";
import { AppShell } from "../shared/shell.js";
import { isTyping } from "./keys.js";
import "../shared/timer.js";
import "./instructions.js";
import "./job-list.js";
import "./labeling.js";
import "./shortcut-help.js";

const GLOBAL_KEYS = [
  ["?", "Show this list"],
  ["Esc", "Close this list"],
];

export class WorkerPortal extends AppShell {
  #notice = "";
  #help = el("quorum-shortcut-help");

  layout() {
    const helpButton = el("button", {
      type: "button",
      text: "?",
      title: "Keyboard shortcuts (?)",
      "aria-label": "Keyboard shortcuts",
      onclick: () => this.#showHelp(),
    });
    return { controls: [helpButton], after: [this.#help] };
  }

  listen() {
    document.addEventListener("keydown", (event) => this.#onKey(event));
    this.addEventListener("show-help", () => this.#showHelp()); // a job's own help key
    this.addEventListener("open-job", (event) => {
      location.hash = `#/jobs/${encodeURIComponent(event.detail.id)}`;
    });
    this.addEventListener("no-work", (event) => {
      const name = event.detail.jobName;
      this.#toList(name ? `No more work in “${name}”.` : "No more work in this job.");
    });
    this.addEventListener("released", (event) => {
      this.#toList(`You released your task in “${event.detail.jobName}”; it goes back to the pool.`);
    });
  }

  showScreen() {
    if (this.user.role !== "WORKER") {
      this.mount(
        notForYou(this.user, {
          title: "This portal is for workers",
          purpose: "Workers label tasks here; requesters and admins create and watch jobs in the console.",
          href: "/",
          link: "Go to the requester console",
        }),
      );
      return;
    }
    const match = /^#\/jobs\/([^/]+)$/.exec(location.hash);
    if (match) {
      this.mount(el("quorum-labeling", { "job-id": decodeURIComponent(match[1]) }));
      return;
    }
    const list = this.mount(el("quorum-job-list"));
    list.load(this.#notice);
    this.#notice = "";
  }

  #toList(notice) {
    this.#notice = notice;
    if (location.hash === "#/") this.route();
    else location.hash = "#/";
  }

  #showHelp() {
    const screenKeys = this.screen?.shortcuts ?? [];
    const groups = [{ title: "Everywhere", keys: GLOBAL_KEYS }];
    if (screenKeys.length) groups.push({ title: "On this screen", keys: screenKeys });
    this.#help.show(groups);
  }

  #onKey(event) {
    if (this.#help.open || isTyping(event)) return;
    if (event.key === "?") {
      event.preventDefault();
      this.#showHelp();
      return;
    }
    if (this.screen?.onKey?.(event)) event.preventDefault();
  }
}

customElements.define("quorum-portal", WorkerPortal);
