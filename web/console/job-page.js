/**
 * <quorum-job-page job-id="..">: one job, live. The jobProgress subscription (live.js)
 * moves the progress and counters as they change; each change (and a slow poll while the
 * job runs) reloads the rest: status, cost, per-worker stats, model runs, the sample of
 * labeled items and new audit events. Stop job asks first. Once written, the output
 * manifest is offered for download (outputManifestUrl, a signed link) with its storage URL.
 * The job's warnings (Job.warnings: a team smaller than workersPerItem) stand above it
 * all while they hold; a failed job says why and offers "Run again": the new-job form,
 * filled from this job, for a fixed manifest (#/new?from=<id>).
 */

import { graphql } from "/static/shared/api.js";
import { el } from "/static/shared/dom.js";
import { describeError, sessionEnded } from "/static/shared/messages.js";
import "./audit-trail.js";
import { confirmAction } from "./confirm.js";
import { status } from "./format.js";
import {
  costView,
  detailsView,
  modelRunsView,
  outputView,
  progressView,
  workersView,
} from "./job-sections.js";
import { LiveSubscription } from "./live.js";
import { JOB, JOB_PROGRESS, PAGE_CONTEXT, STOP_JOB } from "./queries.js";
import "./sample.js";

const FINAL = new Set(["COMPLETED", "FAILED", "STOPPED"]);
const STOPPABLE = new Set(["INITIALIZING", "IN_PROGRESS"]);
const SAMPLE_SIZE = 6;
const POLL_MS = 15_000;
const SETTLE_MS = 300;

function section(title, className, ...children) {
  const heading = el("h3", { text: title });
  return el("section", { class: `card ${className}`, "aria-label": title }, heading, ...children);
}

export class JobPage extends HTMLElement {
  #job = null;
  #context = null;
  #live = null;
  #parts = null;
  #refreshing = false;
  #again = false;
  #settle = null;
  #poll = null;

  get jobId() {
    return this.getAttribute("job-id");
  }

  connectedCallback() {
    if (this.#parts) return;
    const part = (className) => el("div", { class: className });
    this.#parts = {
      title: el("h2", { class: "job-name", tabindex: "-1", text: "Loading…" }),
      status: el("span", { class: "status" }),
      live: el("span", { class: "live", role: "status" }),
      stop: el("button", { type: "button", class: "danger", text: "Stop job", hidden: true, onclick: () => this.#stop() }),
      again: el("a", {
        class: "button primary",
        href: `#/new?from=${encodeURIComponent(this.jobId)}`,
        text: "Run again",
        title: "A new job with these settings and a fixed manifest",
        hidden: true,
      }),
      warnings: el("div", { class: "job-warnings", role: "status", hidden: true }),
      error: el("p", { class: "error", role: "alert", hidden: true }),
      failure: el("p", { class: "error failure", hidden: true }),
      progress: part("progress-body"),
      cost: part("cost-body"),
      output: part("output-body"),
      details: part("details-body"),
      sample: el("quorum-sample"),
      workers: part("workers-body"),
      runs: part("runs-body"),
      audit: el("quorum-audit-trail", { "job-id": this.jobId }),
    };
    const p = this.#parts;
    this.append(
      el(
        "div",
        { class: "screen-head" },
        el("a", { href: "#/", class: "back", text: "← Jobs" }),
        p.title,
        p.status,
        p.live,
        el("span", { class: "spacer" }),
        p.stop,
        p.again,
      ),
      p.error,
      p.warnings,
      p.failure,
      el(
        "div",
        { class: "job-grid" },
        section("Progress", "progress-card", p.progress),
        section("Cost", "cost-card", p.cost),
        section("Output", "output-card", p.output),
      ),
      section("Sample of labeled items", "sample-card", p.sample),
      section("Workers", "workers-card", p.workers),
      section("Model runs", "runs-card", p.runs),
      section("Settings", "details-card", p.details),
      section("Audit trail", "audit-card", p.audit),
    );
    this.#start();
  }

  disconnectedCallback() {
    this.#live?.stop();
    clearTimeout(this.#settle);
    clearInterval(this.#poll);
  }

  async #start() {
    try {
      this.#context = await graphql(PAGE_CONTEXT);
      this.#parts.audit.learnNames([[this.#context.viewer.id, this.#context.viewer.name]]);
      await this.#refresh();
    } catch (error) {
      this.#fail(error);
      return;
    }
    if (!this.#job || !this.isConnected) return;
    if (!FINAL.has(this.#job.status)) {
      this.#subscribe();
      this.#poll = setInterval(() => this.#refreshSoon(0), POLL_MS);
    } else {
      this.#setLive("ended");
    }
  }

  #subscribe() {
    this.#live = new LiveSubscription(JOB_PROGRESS, { jobId: this.jobId }, {
      onData: (data) => {
        this.#showProgress(data.jobProgress);
        this.#refreshSoon();
      },
      onState: (state, detail) => this.#setLive(state, detail),
      onError: (error) => this.#fail(error),
      onComplete: () => {
        clearInterval(this.#poll);
        this.#refreshSoon(0);
      },
    }).start();
  }

  #setLive(state, detail) {
    const text = {
      connecting: "Connecting…",
      live: "Live",
      waiting: detail === null ? "Paused while the page is hidden" : `Reconnecting in ${detail} s…`,
      ended: "Not live",
    }[state];
    this.#parts.live.textContent = text ?? "";
    this.#parts.live.dataset.state = state;
    // A job that is over says so in its status badge; "Finished" beside it says it twice.
    this.#parts.live.hidden = state === "ended" && Boolean(this.#job && FINAL.has(this.#job.status));
  }

  /** Reload the job after the counters settle (several changes, one reload). */
  #refreshSoon(delay = SETTLE_MS) {
    clearTimeout(this.#settle);
    this.#settle = setTimeout(() => this.#refresh().catch((error) => this.#fail(error)), delay);
  }

  async #refresh() {
    if (this.#refreshing) {
      this.#again = true;
      return;
    }
    this.#refreshing = true;
    try {
      const job = (await graphql(JOB, { id: this.jobId, sample: SAMPLE_SIZE })).job;
      if (!job) throw Object.assign(new Error(`There is no job with id ${this.jobId}.`), { code: "NOT_FOUND" });
      this.#show(job);
      this.#parts.audit.refresh();
    } finally {
      this.#refreshing = false;
    }
    if (this.#again) {
      this.#again = false;
      await this.#refresh();
    }
  }

  #show(job) {
    const p = this.#parts;
    this.#job = job;
    this.dataset.status = job.status;
    p.error.hidden = true; // the server answers again
    p.title.textContent = job.name;
    document.title = `${job.name} · Quorum`;
    p.status.textContent = status(job.status);
    p.status.className = `status status-${job.status.toLowerCase()}`;
    p.stop.hidden = !STOPPABLE.has(job.status);
    p.failure.textContent = job.failureReason
      ? `The job failed: ${job.failureReason}. Fix what it names and run the job again (Run again).`
      : "";
    p.failure.hidden = !job.failureReason;
    p.again.hidden = job.status !== "FAILED";
    const warnings = JSON.stringify(job.warnings);
    if (p.warnings.dataset.shown !== warnings) { // a live region: say it again only when it changes
      p.warnings.dataset.shown = warnings;
      p.warnings.replaceChildren(
        el("strong", { text: job.warnings.length === 1 ? "Warning" : "Warnings" }),
        el("ul", {}, job.warnings.map((warning) => el("li", { text: `${warning}.` }))),
      );
      p.warnings.hidden = !job.warnings.length;
    }
    this.#showProgress(job.counters);
    p.cost.replaceChildren(...costView(job.cost, job));
    p.output.replaceChildren(...[outputView(job)].flat());
    const team = this.#context.teams.find((each) => each.id === job.teamId);
    p.details.replaceChildren(detailsView(job, team?.name));
    p.workers.replaceChildren(workersView(job.workerStats));
    p.runs.replaceChildren(modelRunsView(job.modelRuns));
    p.audit.learnNames(job.workerStats.map((worker) => [worker.workerId, worker.name]));
    p.audit.setTotal(job.counters.total);
    const taskType = this.#context.taskTypes.find((type) => type.name === job.taskType);
    const items = [...job.human.edges, ...job.machine.edges].map((edge) => edge.node);
    p.sample.show(items.sort((a, b) => a.position - b.position), job, taskType);
    if (FINAL.has(job.status)) {
      clearInterval(this.#poll);
      if (this.#live === null || this.#parts.live.dataset.state === "ended") this.#setLive("ended");
    }
  }

  #showProgress(counters) {
    this.#parts.progress.replaceChildren(...progressView(counters));
  }

  async #stop() {
    const job = this.#job;
    if (!job) return;
    const sure = await confirmAction({
      title: `Stop “${job.name}”?`,
      message:
        "Workers get no new tasks from it. What is labeled so far goes into the output " +
        "manifest; the rest stays unlabeled. A stopped job cannot be restarted.",
      confirm: "Stop job",
      cancel: "Keep it running",
    });
    if (!sure) {
      this.#parts.stop.focus();
      return;
    }
    this.#parts.stop.disabled = true;
    try {
      const stopped = (await graphql(STOP_JOB, { id: job.id })).stopJob;
      this.#parts.status.textContent = status(stopped.status);
      this.#parts.error.hidden = true;
      this.#parts.title.focus(); // the button goes away with the running job
      await this.#refresh();
    } catch (error) {
      this.#fail(error);
    } finally {
      this.#parts.stop.disabled = false;
    }
  }

  #fail(error) {
    if (sessionEnded(this, error)) return;
    this.#parts.error.textContent = describeError(error);
    this.#parts.error.hidden = false;
    if (!this.#job) this.#parts.title.textContent = `Job ${this.jobId}`;
  }
}

customElements.define("quorum-job-page", JobPage);
