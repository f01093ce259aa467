/**
 * <quorum-job-list>: the jobs that have work for the signed-in worker (availableJobs).
 * Fires `open-job` with {id} when one is picked (click, or its number key).
 */

import { graphql } from "../shared/api.js";
import { el } from "../shared/dom.js";
import { describeError, sessionEnded } from "../shared/messages.js";
import { digit } from "./keys.js";
import { AVAILABLE_JOBS } from "./queries.js";

export class JobList extends HTMLElement {
  shortcuts = [
    ["1 – 9", "Open the n-th job"],
    ["R", "Refresh the list"],
  ];

  #jobs = [];
  #notice = "";

  /** Load and show the list; `notice` (say, "no more work in X") is shown above it. */
  async load(notice = this.#notice) {
    this.#notice = notice;
    this.replaceChildren(el("h2", { text: "Jobs with work for you" }), this.#noticeLine());
    this.append(el("p", { class: "muted", text: "Loading…" }));
    this.setAttribute("aria-busy", "true");
    try {
      this.#jobs = (await graphql(AVAILABLE_JOBS)).availableJobs;
    } catch (error) {
      this.#fail(error);
      return;
    } finally {
      this.removeAttribute("aria-busy");
    }
    this.#render();
  }

  onKey(event) {
    const number = digit(event);
    if (number !== null && number >= 1 && this.#jobs[number - 1]) {
      this.#open(this.#jobs[number - 1]);
      return true;
    }
    if (event.key === "r" || event.key === "R") {
      this.load("");
      return true;
    }
    return false;
  }

  #noticeLine() {
    return el("p", { class: "notice", role: "status", text: this.#notice, hidden: !this.#notice });
  }

  #render() {
    const refresh = el("button", { type: "button", text: "Refresh", onclick: () => this.load("") });
    const parts = [el("h2", { text: "Jobs with work for you" }), this.#noticeLine()];
    if (!this.#jobs.length) {
      parts.push(el("p", { class: "empty", text: "No work for you right now. Check back later." }));
    } else {
      const items = this.#jobs.map((job, index) =>
        el(
          "li",
          {},
          el(
            "button",
            { type: "button", class: "job", "data-job-id": job.id, onclick: () => this.#open(job) },
            el("kbd", { text: index < 9 ? String(index + 1) : "", "aria-hidden": "true" }),
            el(
              "span",
              { class: "job-text" },
              el("strong", { class: "job-name", text: job.name }),
              el("span", { class: "job-type", text: `${job.taskType} · ${job.labels.length} labels` }),
              el("span", { class: "job-instructions", text: job.instructions ?? "" }),
            ),
          ),
        ),
      );
      parts.push(el("ol", { class: "jobs" }, items));
    }
    parts.push(el("p", {}, refresh));
    this.replaceChildren(...parts);
  }

  #fail(error) {
    if (sessionEnded(this, error)) return;
    const retry = el("button", { type: "button", text: "Try again", onclick: () => this.load() });
    this.replaceChildren(
      el("h2", { text: "Jobs with work for you" }),
      el("p", { class: "error", role: "alert", text: describeError(error) }),
      el("p", {}, retry),
    );
  }

  #open(job) {
    this.dispatchEvent(new CustomEvent("open-job", { bubbles: true, detail: { id: job.id } }));
  }
}

customElements.define("quorum-job-list", JobList);
