/**
 * buildJobForm(catalog, on): the new-job form's DOM, from the API's catalog (taskTypes,
 * teams). Returns {form, fields, parts}: `fields` maps each createJob input field
 * ("name", "teamId", "autoLabeling.model", ...) to its control, so a server message that
 * names a field can mark it; each field has a place for its own error beside it
 * (.field-error) and says when it is required. `parts` holds what the form changes later
 * (the task type's hint, the upload's file input, status and bad lines, the auto-labeling
 * fieldset and model select, the Create button and the error line). `on` is
 * {taskTypeChanged, upload, autoLabelingChanged}. new-job.js fills the choices and submits.
 */

import { el } from "/static/shared/dom.js";

/** The "required" mark beside a label; markRequired(control, on) moves it later. */
function requiredMark(control, required) {
  const mark = el("span", { class: "required", text: "required", hidden: !required });
  if (required) control.setAttribute("aria-required", "true");
  return mark;
}

/** Say whether a field built by buildJobForm is required (the labels of some task types
 * are optional). */
export function markRequired(control, required) {
  const mark = control.closest(".field")?.querySelector(".required");
  if (mark) mark.hidden = !required;
  if (required) control.setAttribute("aria-required", "true");
  else control.removeAttribute("aria-required");
}

export function buildJobForm(catalog, on) {
  const fields = {};

  /** A labelled control: `field` is the createJob input field it fills (for errors);
   * a required one says so beside its label (and to assistive technology). */
  const field = (name, label, control, hint = null, { required = false } = {}) => {
    const id = `job-${name.replace(".", "-")}`;
    control.id = id;
    control.dataset.field = name;
    fields[name] = control;
    const hintNode = hint ? el("small", { id: `${id}-hint`, class: "hint", text: hint }) : null;
    if (hintNode) control.setAttribute("aria-describedby", hintNode.id);
    const errorNode = el("small", { id: `${id}-error`, class: "field-error", hidden: true });
    control.setAttribute("aria-errormessage", errorNode.id);
    const title = el("div", { class: "label-line" }, el("label", { for: id, text: label }), requiredMark(control, required));
    return el("div", { class: "field", "data-for": name }, title, control, errorNode, hintNode);
  };

  const { taskTypes, teams } = catalog;
  const typeSelect = el(
    "select",
    { name: "taskType", onchange: on.taskTypeChanged },
    taskTypes.map((type) => el("option", { value: type.name, text: type.name })),
  );
  const preferred = taskTypes.find((type) => type.name === "text-classification") ?? taskTypes[0];
  if (preferred) typeSelect.value = preferred.name;
  const teamSelect = el(
    "select",
    { name: "teamId" },
    el("option", { value: "", text: teams.length ? "Choose a team…" : "No teams yet (an admin creates them)" }),
    teams.map((team) =>
      el("option", {
        value: team.id,
        text: `${team.name} (${team.members.length} ${team.members.length === 1 ? "worker" : "workers"})`,
      }),
    ),
  );
  if (teams.length === 1) teamSelect.value = teams[0].id;
  const fileInput = el("input", {
    type: "file",
    id: "job-manifest-file",
    accept: ".jsonl,.json,.manifest,.ndjson,.txt,application/x-ndjson,application/json,text/plain",
    "aria-describedby": "job-manifest-file-status",
    onchange: on.upload,
  });
  const uploadStatus = el("small", { id: "job-manifest-file-status", class: "hint", role: "status" });
  const lineErrors = el("ul", { class: "line-errors error-text", "aria-label": "Lines to fix", hidden: true });
  const autoEnabled = el("input", { type: "checkbox", id: "job-autoLabeling", onchange: on.autoLabelingChanged });
  autoEnabled.dataset.field = "autoLabeling";
  fields.autoLabeling = autoEnabled;
  const modelSelect = el("select", { name: "autoLabelingModel" });
  const typeHint = el("small", { id: "job-taskType-hint", class: "hint" });
  const error = el("div", { id: "job-error", class: "error", role: "alert", hidden: true });
  const create = el("button", { type: "submit", class: "primary", text: "Create job" });

  const basics = el(
    "fieldset",
    {},
    el("legend", { text: "The job" }),
    field(
      "name",
      "Name",
      el("input", { type: "text", name: "name", autocomplete: "off", spellcheck: "false" }),
      "1–63 letters, digits and hyphens; it names the output folder.",
      { required: true },
    ),
    field("taskType", "Task type", typeSelect),
    typeHint,
    field(
      "labels",
      "Labels",
      el("textarea", { name: "labels", rows: 3, spellcheck: "false" }),
      "One label category per line, in class-index order.",
      { required: true },
    ),
    field("instructions", "Short instructions", el("textarea", { name: "instructions", rows: 2 })),
    field(
      "fullInstructions",
      "Full instructions",
      el("textarea", { name: "fullInstructions", rows: 3 }),
      "Shown behind a toggle: rules, examples, edge cases.",
    ),
  );
  typeSelect.setAttribute("aria-describedby", typeHint.id);

  const data = el(
    "fieldset",
    {},
    el("legend", { text: "The data" }),
    el(
      "div",
      { class: "field" },
      el("label", { for: fileInput.id, text: "Upload a manifest (JSON Lines)" }),
      fileInput,
      uploadStatus,
      lineErrors,
    ),
    field(
      "inputManifest",
      "…or its storage URL",
      el("input", { type: "text", name: "inputManifest", spellcheck: "false", placeholder: "s3://bucket/path/input.manifest" }),
      "An uploaded file fills this in once its lines are checked.",
      { required: true },
    ),
  );

  const people = el(
    "fieldset",
    {},
    el("legend", { text: "Workers and consensus" }),
    field("teamId", "Team", teamSelect, null, { required: true }),
    el(
      "div",
      { class: "row" },
      field(
        "workersPerItem",
        "Workers per item",
        el("input", { type: "number", name: "workersPerItem", min: 1, max: 9, step: 1, value: 1 }),
      ),
      field(
        "pricePerTask",
        "Price per task",
        el("input", { type: "number", name: "pricePerTask", min: 0, step: "0.001", value: "0", inputmode: "decimal" }),
        "Per worker per task, in the server's currency (the job's cost names it).",
      ),
    ),
    field("consensus", "Consensus", el("select", { name: "consensus" })),
  );

  const auto = el(
    "fieldset",
    { class: "auto-labeling" },
    el("legend", { text: "Auto-labeling" }),
    el(
      "div",
      { class: "row" },
      el(
        "div",
        { class: "field check" },
        autoEnabled,
        el("label", { for: autoEnabled.id, text: "Let a model label the items it is sure of" }),
      ),
      field("autoLabeling.model", "Model", modelSelect),
    ),
  );

  const advanced = el(
    "details",
    { class: "advanced" },
    el("summary", { text: "Advanced" }),
    field(
      "labelAttributeName",
      "Label attribute name",
      el("input", { type: "text", name: "labelAttributeName", spellcheck: "false" }),
      "The output manifest's key for the label (default: the job's name).",
    ),
    field(
      "auditLabelAttributeName",
      "Previous label attribute",
      el("input", { type: "text", name: "auditLabelAttributeName", spellcheck: "false" }),
      "Verification and adjustment jobs: the manifest key of the label to check.",
    ),
    field(
      "taskTimeLimitSeconds",
      "Time limit per task (seconds)",
      el("input", { type: "number", name: "taskTimeLimitSeconds", min: 30, step: 1, placeholder: "3600" }),
    ),
    field(
      "outputPath",
      "Output location",
      el("input", { type: "text", name: "outputPath", spellcheck: "false", placeholder: "the server's default" }),
    ),
    field(
      "template",
      "Worker template (Liquid HTML)",
      el("textarea", { name: "template", rows: 5, spellcheck: "false" }),
      "Custom tasks only, as in Ground Truth's custom templates.",
    ),
  );

  const form = el(
    "form",
    { class: "new-job", novalidate: true },
    el("div", { class: "columns" }, el("div", {}, basics), el("div", {}, data, people, auto, advanced)),
    el("div", { class: "form-actions" }, create, el("a", { href: "#/", text: "Cancel" }), error),
  );
  const parts = { typeHint, error, create, uploadStatus, lineErrors, fileInput, modelSelect, auto, advanced };
  return { form, fields, parts };
}
