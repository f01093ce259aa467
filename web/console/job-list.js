/**
 * <quorum-console-jobs>: the signed-in requester's jobs (all jobs for an admin), newest
 * first, with status and counters, refreshed every 10 seconds while shown. Each name links
 * to the job's page. Fires `signed-out` when the session ended.
 */

import { graphql } from "/static/shared/api.js";
import { el } from "/static/shared/dom.js";
import { describeError, sessionEnded } from "/static/shared/messages.js";
import { count, status, when } from "./format.js";
import { JOBS } from "./queries.js";
import { table } from "./table.js";

const REFRESH_MS = 10_000;

/** Every job, following the connection's pages (the API lists them oldest first). */
async function allJobs() {
  const jobs = [];
  let after = null;
  for (;;) {
    const page = (await graphql(JOBS, { after })).jobs;
    jobs.push(...page.edges.map((edge) => edge.node));
    if (!page.pageInfo.hasNextPage) return jobs;
    after = page.pageInfo.endCursor;
  }
}

/** "12 / 40 labeled" with a progress bar. */
export function progressCell(counters) {
  const done = counters.humanLabeled + counters.machineLabeled;
  const settled = done + counters.failed + counters.skipped;
  return el(
    "span",
    { class: "progress-cell" },
    el("progress", { max: Math.max(counters.total, 1), value: settled, "aria-hidden": "true" }),
    el("span", { text: `${count(done)} / ${count(counters.total)} labeled` }),
  );
}

export class ConsoleJobs extends HTMLElement {
  #timer = null;
  #parts = null;

  connectedCallback() {
    if (!this.#parts) {
      this.#parts = {
        status: el("p", { class: "muted", role: "status", text: "Loading…" }),
        body: el("div", { class: "jobs-body" }),
      };
      this.append(
        el(
          "div",
          { class: "screen-head" },
          el("h2", { text: "Jobs" }),
          el("a", { class: "button primary", href: "#/new", text: "New job" }),
          el("button", { type: "button", text: "Refresh", onclick: () => this.load() }),
        ),
        this.#parts.status,
        this.#parts.body,
      );
    }
    this.load();
  }

  disconnectedCallback() {
    clearTimeout(this.#timer);
  }

  async load() {
    clearTimeout(this.#timer);
    this.setAttribute("aria-busy", "true");
    try {
      this.#render((await allJobs()).reverse());
    } catch (error) {
      if (sessionEnded(this, error)) return;
      this.#parts.status.textContent = "";
      this.#parts.body.replaceChildren(el("p", { class: "error", role: "alert", text: describeError(error) }));
    } finally {
      this.removeAttribute("aria-busy");
    }
    if (this.isConnected) this.#timer = setTimeout(() => this.load(), REFRESH_MS);
  }

  #render(jobs) {
    this.#parts.status.textContent = jobs.length === 1 ? "1 job" : `${count(jobs.length)} jobs`;
    const columns = [
      {
        title: "Name",
        cell: (job) => el("a", { href: `#/jobs/${encodeURIComponent(job.id)}`, text: job.name }),
      },
      { title: "Task type", cell: (job) => job.taskType },
      {
        title: "Status",
        cell: (job) => el("span", { class: `status status-${job.status.toLowerCase()}`, text: status(job.status) }),
      },
      { title: "Progress", cell: (job) => progressCell(job.counters) },
      { title: "Human", numeric: true, cell: (job) => count(job.counters.humanLabeled) },
      { title: "Machine", numeric: true, cell: (job) => count(job.counters.machineLabeled) },
      { title: "In progress", numeric: true, cell: (job) => count(job.counters.inProgress) },
      { title: "Failed", numeric: true, cell: (job) => count(job.counters.failed) },
      { title: "Created", cell: (job) => when(job.createdAt) },
    ];
    const focused = this.#parts.body.contains(document.activeElement)
      ? document.activeElement.getAttribute("href")
      : null;
    this.#parts.body.replaceChildren(
      table(columns, jobs, {
        caption: "Your labeling jobs, newest first",
        empty: "No jobs yet. Create one with “New job”.",
        key: (job) => job.id,
      }),
    );
    if (focused) {
      const again = [...this.#parts.body.querySelectorAll("a")].find((a) => a.getAttribute("href") === focused);
      again?.focus(); // a refresh keeps the keyboard's place
    }
  }
}

customElements.define("quorum-console-jobs", ConsoleJobs);
