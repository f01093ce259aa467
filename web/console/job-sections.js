/**
 * The parts of a job's page, each drawn from the job as the API returns it: progress and
 * counters, cost, the output manifest, the job's settings, per-worker stats and model
 * runs. Pure functions that return DOM nodes (text through textContent only). Money is
 * shown in the server's currency (cost.currency); storage URLs break after a slash, never
 * inside a word.
 */

import { el } from "/static/shared/dom.js";
import { count, money, seconds, share, status, when } from "./format.js";
import { table } from "./table.js";

const COUNTERS = [
  ["total", "Items"],
  ["humanLabeled", "Labeled by people"],
  ["machineLabeled", "Labeled by the model"],
  ["inProgress", "In progress"],
  ["unlabeled", "Unlabeled"],
  ["failed", "Failed"],
  ["skipped", "Skipped"],
];

const COSTS = [
  ["workforce", "Workforce"],
  ["service", "Service"],
  ["compute", "Compute"],
  ["total", "Total"],
  ["saved", "Saved by auto-labeling"],
];

/** Labeled (or otherwise settled) share of the items, 0..1. */
export function done(counters) {
  const settled = counters.humanLabeled + counters.machineLabeled + counters.failed + counters.skipped;
  return counters.total ? settled / counters.total : 0;
}

/** A storage URL that a narrow screen breaks after its slashes (and dots, hyphens), never
 * inside a word: its text, with <wbr> after each of them. */
export function breakableUrl(url) {
  return String(url)
    .split(/(?<=[/.\-_?&=])/)
    .flatMap((part, index) => (index ? [el("wbr"), part] : [part]));
}

function facts(rows, attribute) {
  return el(
    "dl",
    { class: "facts" },
    rows.map(([key, label, value]) => [
      el("dt", { text: label }),
      Array.isArray(value) ? el("dd", { [attribute]: key }, value) : el("dd", { [attribute]: key, text: value }),
    ]),
  );
}

export function progressView(counters) {
  const fraction = done(counters);
  const labeled = counters.humanLabeled + counters.machineLabeled;
  return [
    el(
      "div",
      { class: "progress-line" },
      el("progress", {
        max: 1,
        value: fraction,
        "aria-label": "Progress",
        "aria-valuetext": `${share(fraction)} done`,
      }),
      el("strong", { class: "percent", text: share(fraction) }),
      el("span", { text: `${count(labeled)} of ${count(counters.total)} items labeled` }),
    ),
    el(
      "dl",
      { class: "tiles" },
      COUNTERS.map(([key, label]) =>
        el("div", { class: `tile tile-${key}` }, el("dt", { text: label }), el("dd", { "data-counter": key, text: count(counters[key]) })),
      ),
    ),
    waitingView(counters.waitingForWorkers),
  ];
}

/** The items no eligible worker can take, when there are any: what it means, what to do. */
function waitingView(waiting) {
  if (!waiting) return el("p", { class: "waiting", hidden: true });
  const items = waiting === 1 ? "1 item is" : `${count(waiting)} items are`;
  return el(
    "p",
    { class: "waiting", role: "note" },
    el("strong", { "data-counter": "waitingForWorkers", text: `${items} waiting for a worker. ` }),
    "Nobody who may work on this job can take them now: the team has no worker left who " +
      "has not answered or declined them. Add workers to the team; otherwise they fail " +
      "when the task availability time is over.",
  );
}

export function costView(cost, job) {
  return [
    facts(
      COSTS.map(([key, label]) => [key, label, money(cost[key], cost.currency)]),
      "data-cost",
    ),
    el("p", { class: "hint", text: `${money(job.pricePerTask, cost.currency)} per worker per task.` }),
  ];
}

/** The output manifest: its download link (a signed URL) and its storage URL. */
export function outputView(job) {
  if (!job.outputManifest) {
    return el("p", { class: "muted", text: "Written when the job completes or is stopped." });
  }
  const parts = [];
  if (job.outputManifestUrl) {
    parts.push(
      el(
        "p",
        {},
        el("a", {
          class: "button primary",
          href: job.outputManifestUrl,
          download: "output.manifest",
          text: "Download the output manifest",
        }),
      ),
    );
  }
  parts.push(
    el(
      "p",
      { class: "storage-url" },
      el("span", { text: "Storage URL: " }),
      el("code", { class: "output-manifest" }, breakableUrl(job.outputManifest)),
    ),
  );
  return parts;
}

export function detailsView(job, teamName) {
  const rows = [
    ["taskType", "Task type", job.taskType],
    ["labels", "Labels", job.labels.join(", ") || "–"],
    ["consensus", "Consensus", job.consensus],
    ["workersPerItem", "Workers per item", String(job.workersPerItem)],
    ["team", "Workforce", job.teamId ? `${job.workforce}: ${teamName ?? `team ${job.teamId}`}` : job.workforce],
    ["inputManifest", "Input manifest", breakableUrl(job.inputManifest)],
    ["labelAttributeName", "Label attribute", job.labelAttributeName],
    ["createdAt", "Created", when(job.createdAt)],
    ["startedAt", "Started", when(job.startedAt)],
    ["finishedAt", "Ended", when(job.finishedAt)],
  ];
  const list = facts(rows, "data-detail");
  list.classList.add("wide");
  return list;
}

/** A worker's estimated accuracy with the answers it rests on: "74% (12 answers)". */
function accuracy(row) {
  if (row.accuracy === null || row.answersAssessed === undefined) return share(row.accuracy);
  const answers = row.answersAssessed === 1 ? "1 answer" : `${count(row.answersAssessed)} answers`;
  return `${share(row.accuracy)} (${answers})`;
}

export function workersView(stats) {
  const flags = (row) =>
    [row.blocked ? "blocked" : null, row.spammer ? "looks like spam" : null].filter(Boolean).join(", ");
  return table(
    [
      { title: "Worker", cell: (row) => row.name },
      { title: "Submitted", numeric: true, cell: (row) => count(row.submitted) },
      { title: "Consolidated", numeric: true, cell: (row) => count(row.consolidated) },
      { title: "Agreement", numeric: true, cell: (row) => share(row.agreement) },
      { title: "Accuracy", numeric: true, cell: accuracy },
      { title: "Median time", numeric: true, cell: (row) => seconds(row.medianSeconds) },
      {
        title: "Gold",
        numeric: true,
        cell: (row) => (row.goldAnswers ? `${share(row.goldAccuracy)} of ${count(row.goldAnswers)}` : "–"),
      },
      { title: "Flags", cell: flags },
    ],
    stats,
    { empty: "No answers yet.", key: (row) => row.workerId },
  );
}

export function modelRunsView(runs) {
  return table(
    [
      { title: "#", numeric: true, cell: (run) => run.iteration },
      { title: "Model", cell: (run) => run.model },
      { title: "Status", cell: (run) => status(run.status) },
      { title: "Trained on", numeric: true, cell: (run) => count(run.trainingSize) },
      { title: "Threshold", numeric: true, cell: (run) => (run.threshold === null ? "–" : run.threshold.toFixed(3)) },
      { title: "Est. accuracy", numeric: true, cell: (run) => share(run.estimatedAccuracy) },
      { title: "Lower bound", numeric: true, cell: (run) => share(run.accuracyLowerBound) },
      { title: "Machine-labeled", numeric: true, cell: (run) => count(run.itemsLabeled) },
      { title: "Sent to people", numeric: true, cell: (run) => count(run.itemsSent) },
      { title: "Time", numeric: true, cell: (run) => seconds(run.seconds) },
      { title: "Note", cell: (run) => run.error ?? "" },
    ],
    runs,
    { empty: "No model runs: auto-labeling is off, or its first batch is still with people.", key: (run) => run.id },
  );
}
