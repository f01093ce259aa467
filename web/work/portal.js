/**
 * <quorum-portal>: the worker portal's shell. It holds the header (who is signed in, the
 * shortcuts button, sign out), routes between the screens (sign in, the list of jobs at
 * #/, the labeling screen of a job at #/jobs/<id>, so a reload returns to the same place)
 * and sends key presses to the current screen; `?` opens the list of shortcuts.
 */

import { el } from "./dom.js";
import { isTyping } from "./keys.js";
import { describeError } from "./messages.js";
import { currentUser, signOut } from "./session.js";
import "./instructions.js";
import "./job-list.js";
import "./labeling.js";
import "./shortcut-help.js";
import "./sign-in.js";
import "./timer.js";

const GLOBAL_KEYS = [
  ["?", "Show this list"],
  ["Esc", "Close this list"],
];

export class WorkerPortal extends HTMLElement {
  #user = null;
  #screen = null;
  #notice = "";
  #parts = null;

  async connectedCallback() {
    if (this.#parts) return;
    this.#parts = {
      who: el("span", { class: "who" }),
      help: el("quorum-shortcut-help"),
      main: el("main", { id: "screen" }),
      signOut: el("button", {
        type: "button",
        text: "Sign out",
        hidden: true,
        onclick: () => this.#signOut(),
      }),
    };
    const { who, help, main, signOut: signOutButton } = this.#parts;
    const helpButton = el("button", {
      type: "button",
      text: "?",
      title: "Keyboard shortcuts (?)",
      "aria-label": "Keyboard shortcuts",
      onclick: () => this.#showHelp(),
    });
    this.append(
      el(
        "header",
        { class: "bar" },
        el("a", { class: "brand", href: "#/", text: "Quorum" }),
        el("span", { class: "spacer" }),
        who,
        helpButton,
        signOutButton,
      ),
      main,
      help,
    );
    window.addEventListener("hashchange", () => this.#route());
    document.addEventListener("keydown", (event) => this.#onKey(event));
    this.addEventListener("show-help", () => this.#showHelp()); // a job's own help key
    this.addEventListener("signed-in", (event) => {
      this.#setUser(event.detail);
      this.#route();
    });
    this.addEventListener("signed-out", (event) => this.#signedOut(event.detail));
    this.addEventListener("open-job", (event) => {
      location.hash = `#/jobs/${encodeURIComponent(event.detail.id)}`;
    });
    this.addEventListener("no-work", (event) => {
      const name = event.detail.jobName;
      this.#toList(name ? `No more work in “${name}”.` : "No more work in this job.");
    });
    this.addEventListener("released", (event) => {
      this.#toList(`You released your task in “${event.detail.jobName}”; it goes to someone else.`);
    });
    let message = "";
    try {
      this.#setUser(await currentUser());
    } catch (error) {
      message = describeError(error);
    }
    this.#route(message);
  }

  #setUser(user) {
    this.#user = user;
    this.#parts.who.textContent = user ? `${user.name} (${user.role.toLowerCase()})` : "";
    this.#parts.signOut.hidden = !user;
  }

  #route(message = "") {
    if (!this.#user) {
      this.#mount(el("quorum-sign-in")).show(message);
      return;
    }
    const match = /^#\/jobs\/([^/]+)$/.exec(location.hash);
    if (match) {
      this.#mount(el("quorum-labeling", { "job-id": decodeURIComponent(match[1]) }));
      return;
    }
    const list = this.#mount(el("quorum-job-list"));
    list.load(this.#notice);
    this.#notice = "";
  }

  #mount(screen) {
    this.#screen = screen;
    this.#parts.main.replaceChildren(screen);
    return screen;
  }

  #toList(notice) {
    this.#notice = notice;
    if (location.hash === "#/") this.#route();
    else location.hash = "#/";
  }

  async #signOut() {
    try {
      await signOut();
    } finally {
      this.#signedOut("You signed out.");
    }
  }

  #signedOut(message) {
    this.#setUser(null);
    this.#route(message);
  }

  #showHelp() {
    const screenKeys = this.#screen?.shortcuts ?? [];
    const groups = [{ title: "Everywhere", keys: GLOBAL_KEYS }];
    if (screenKeys.length) groups.push({ title: "On this screen", keys: screenKeys });
    this.#parts.help.show(groups);
  }

  #onKey(event) {
    if (this.#parts.help.open || isTyping(event)) return;
    if (event.key === "?") {
      event.preventDefault();
      this.#showHelp();
      return;
    }
    if (this.#screen?.onKey?.(event)) event.preventDefault();
  }
}

customElements.define("quorum-portal", WorkerPortal);
