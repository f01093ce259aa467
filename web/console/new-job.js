/**
 * <quorum-new-job>: the form that creates a labeling job. Its choices come from the API
 * (taskTypes, teams, consensusAlgorithms filtered to the chosen task type's label kind,
 * autoLabelers that fit it); the manifest is uploaded (POST /uploads) or named by its
 * storage URL. The server checks everything: its message for a refused createJob is shown
 * next to the Create button, and the field it names is marked and focused. On success
 * the page moves to the new job (#/jobs/<id>).
 */

import { graphql } from "/static/work/api.js";
import { el } from "/static/work/dom.js";
import { describeError } from "/static/work/messages.js";
import { CATALOG, CREATE_JOB } from "./queries.js";
import { uploadManifest } from "./upload.js";

/** The field a server message names: "workersPerItem: must be…" → "workersPerItem";
 * "autoLabeling.model: …" → "autoLabeling.model"; "labels[2]: …" → "labels". */
export function namedField(message) {
  const match = /^([A-Za-z]+)(?:\[\d+\])?(?:\.([A-Za-z]+))?:/.exec(message ?? "");
  if (!match) return [];
  return match[2] ? [`${match[1]}.${match[2]}`, match[1]] : [match[1]];
}

function lines(text) {
  return text.split("\n").map((line) => line.trim()).filter(Boolean);
}

/** A number field's value, or null when it is empty. */
function number(input) {
  return input.value.trim() === "" ? null : Number(input.value);
}

/** A text field's value, or null when it is blank. */
function optional(input) {
  return input.value.trim() === "" ? null : input.value;
}

export class NewJobForm extends HTMLElement {
  #catalog = null;
  #fields = {};
  #parts = null;
  #busy = false;

  async connectedCallback() {
    if (this.#parts) return;
    this.#parts = { status: el("p", { class: "muted", role: "status", text: "Loading the choices…" }) };
    this.replaceChildren(el("h2", { text: "New job" }), this.#parts.status);
    try {
      this.#catalog = await graphql(CATALOG);
    } catch (error) {
      if (error.code === "UNAUTHENTICATED") {
        this.dispatchEvent(new CustomEvent("signed-out", { bubbles: true, detail: describeError(error) }));
        return;
      }
      this.#parts.status.replaceWith(el("p", { class: "error", role: "alert", text: describeError(error) }));
      return;
    }
    this.#render();
  }

  /** A labelled control: `field` is the createJob input field it fills (for errors). */
  #field(field, label, control, hint = null) {
    const id = `job-${field.replace(".", "-")}`;
    control.id = id;
    control.dataset.field = field;
    this.#fields[field] = control;
    const hintNode = hint ? el("small", { id: `${id}-hint`, class: "hint", text: hint }) : null;
    if (hintNode) control.setAttribute("aria-describedby", hintNode.id);
    return el("div", { class: "field", "data-for": field }, el("label", { for: id, text: label }), control, hintNode);
  }

  #render() {
    const { taskTypes, teams } = this.#catalog;
    const typeSelect = el(
      "select",
      { name: "taskType", onchange: () => this.#taskTypeChanged() },
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
      onchange: () => this.#upload(),
    });
    const uploadStatus = el("small", { id: "job-manifest-file-status", class: "hint", role: "status" });
    const autoEnabled = el("input", {
      type: "checkbox",
      id: "job-autoLabeling",
      onchange: () => this.#syncAutoLabeling(),
    });
    autoEnabled.dataset.field = "autoLabeling";
    this.#fields.autoLabeling = autoEnabled;
    const modelSelect = el("select", { name: "autoLabelingModel" });
    const typeHint = el("small", { id: "job-taskType-hint", class: "hint" });
    const error = el("div", { id: "job-error", class: "error", role: "alert", hidden: true });
    const create = el("button", { type: "submit", class: "primary", text: "Create job" });
    this.#parts = { ...this.#parts, typeHint, error, create, uploadStatus, fileInput, modelSelect };

    const basics = el(
      "fieldset",
      {},
      el("legend", { text: "The job" }),
      this.#field(
        "name",
        "Name",
        el("input", { type: "text", name: "name", autocomplete: "off", spellcheck: "false" }),
        "1–63 letters, digits and hyphens; it names the output folder.",
      ),
      this.#field("taskType", "Task type", typeSelect),
      typeHint,
      this.#field(
        "labels",
        "Labels",
        el("textarea", { name: "labels", rows: 3, spellcheck: "false" }),
        "One label category per line, in class-index order.",
      ),
      this.#field("instructions", "Short instructions", el("textarea", { name: "instructions", rows: 2 })),
      this.#field(
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
      ),
      this.#field(
        "inputManifest",
        "…or its storage URL",
        el("input", { type: "text", name: "inputManifest", spellcheck: "false", placeholder: "s3://bucket/path/input.manifest" }),
        "An uploaded file fills this in.",
      ),
    );

    const people = el(
      "fieldset",
      {},
      el("legend", { text: "Workers and consensus" }),
      this.#field("teamId", "Team", teamSelect),
      el(
        "div",
        { class: "row" },
        this.#field(
          "workersPerItem",
          "Workers per item",
          el("input", { type: "number", name: "workersPerItem", min: 1, max: 9, step: 1, value: 1 }),
        ),
        this.#field(
          "pricePerTask",
          "Price per task",
          el("input", { type: "number", name: "pricePerTask", min: 0, step: "0.001", value: "0", inputmode: "decimal" }),
          "Per worker per task.",
        ),
      ),
      this.#field("consensus", "Consensus", el("select", { name: "consensus" })),
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
        this.#field("autoLabeling.model", "Model", modelSelect),
      ),
    );
    this.#parts.auto = auto;

    const advanced = el(
      "details",
      { class: "advanced" },
      el("summary", { text: "Advanced" }),
      this.#field(
        "labelAttributeName",
        "Label attribute name",
        el("input", { type: "text", name: "labelAttributeName", spellcheck: "false" }),
        "The output manifest's key for the label (default: the job's name).",
      ),
      this.#field(
        "auditLabelAttributeName",
        "Previous label attribute",
        el("input", { type: "text", name: "auditLabelAttributeName", spellcheck: "false" }),
        "Verification and adjustment jobs: the manifest key of the label to check.",
      ),
      this.#field(
        "taskTimeLimitSeconds",
        "Time limit per task (seconds)",
        el("input", { type: "number", name: "taskTimeLimitSeconds", min: 30, step: 1, placeholder: "3600" }),
      ),
      this.#field(
        "outputPath",
        "Output location",
        el("input", { type: "text", name: "outputPath", spellcheck: "false", placeholder: "the server's default" }),
      ),
      this.#field(
        "template",
        "Worker template (Liquid HTML)",
        el("textarea", { name: "template", rows: 5, spellcheck: "false" }),
        "Custom tasks only, as in Ground Truth's custom templates.",
      ),
    );
    this.#parts.advanced = advanced;

    const form = el(
      "form",
      { class: "new-job", novalidate: true },
      el("div", { class: "columns" }, el("div", {}, basics), el("div", {}, data, people, auto, advanced)),
      el("div", { class: "form-actions" }, create, el("a", { href: "#/", text: "Cancel" }), error),
    );
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      this.#create();
    });
    form.addEventListener("input", (event) => {
      if (event.target.getAttribute("aria-invalid")) event.target.removeAttribute("aria-invalid");
    });
    this.replaceChildren(el("h2", { text: "New job" }), form);
    this.#taskTypeChanged();
    this.#fields.name.focus();
  }

  #taskType() {
    return this.#catalog.taskTypes.find((type) => type.name === this.#fields.taskType.value);
  }

  #taskTypeChanged() {
    const type = this.#taskType();
    if (!type) return;
    const { consensusAlgorithms, autoLabelers } = this.#catalog;
    this.#parts.typeHint.textContent =
      `${type.description} Needs at least ${type.minLabels} label${type.minLabels === 1 ? "" : "s"}; ` +
      `reads the manifest's “${type.sourceKey}”.`;
    const consensus = this.#fields.consensus;
    const fitting = consensusAlgorithms.filter((algorithm) => algorithm.labelKinds.includes(type.labelKind));
    consensus.replaceChildren(
      el("option", { value: "", text: `Default (${type.defaultConsensus})` }),
      ...fitting.map((algorithm) =>
        el("option", { value: algorithm.name, title: algorithm.description, text: algorithm.name }),
      ),
    );
    const models = autoLabelers.filter((model) => model.taskTypes.includes(type.name));
    this.#parts.modelSelect.replaceChildren(
      ...models.map((model) => el("option", { value: model.name, title: model.description, text: model.name })),
    );
    this.#parts.auto.hidden = models.length === 0;
    if (!models.length) this.#fields.autoLabeling.checked = false;
    this.#fields.auditLabelAttributeName.closest(".field").hidden = !type.auditsLabels;
    this.#fields.labels.closest(".field").querySelector("label").textContent =
      type.minLabels ? "Labels" : "Labels (optional)";
    this.#syncAutoLabeling();
  }

  #syncAutoLabeling() {
    this.#parts.modelSelect.disabled = !this.#fields.autoLabeling.checked;
  }

  async #upload() {
    const file = this.#parts.fileInput.files?.[0];
    const { uploadStatus, create } = this.#parts;
    if (!file) return;
    uploadStatus.classList.remove("error-text");
    uploadStatus.textContent = `Uploading ${file.name}…`;
    create.disabled = true;
    try {
      const stored = await uploadManifest(file);
      this.#fields.inputManifest.value = stored.url;
      this.#fields.inputManifest.removeAttribute("aria-invalid");
      uploadStatus.textContent = `Uploaded ${file.name} (${stored.bytes.toLocaleString("en")} bytes).`;
    } catch (error) {
      uploadStatus.classList.add("error-text");
      uploadStatus.textContent = `The upload failed: ${describeError(error)}`;
    } finally {
      create.disabled = false;
    }
  }

  /** createJob's input from the form: blank optional fields are left out. */
  #input() {
    const f = this.#fields;
    const type = this.#taskType();
    const input = {
      name: f.name.value.trim(),
      taskType: f.taskType.value,
      inputManifest: f.inputManifest.value.trim(),
      labels: lines(f.labels.value),
      instructions: optional(f.instructions),
      fullInstructions: optional(f.fullInstructions),
      teamId: f.teamId.value || null,
      workersPerItem: number(f.workersPerItem),
      consensus: f.consensus.value || null,
      pricePerTask: number(f.pricePerTask),
      labelAttributeName: optional(f.labelAttributeName),
      auditLabelAttributeName: type?.auditsLabels ? optional(f.auditLabelAttributeName) : null,
      taskTimeLimitSeconds: number(f.taskTimeLimitSeconds),
      outputPath: optional(f.outputPath),
      template: optional(f.template),
    };
    if (!this.#parts.auto.hidden && f.autoLabeling.checked) {
      input.autoLabeling = { enabled: true, model: this.#parts.modelSelect.value || null };
    }
    return Object.fromEntries(Object.entries(input).filter(([, value]) => value !== null));
  }

  async #create() {
    if (this.#busy) return;
    const { error, create } = this.#parts;
    this.#busy = true;
    create.disabled = true;
    error.hidden = true;
    for (const control of Object.values(this.#fields)) control.removeAttribute("aria-invalid");
    try {
      const job = (await graphql(CREATE_JOB, { input: this.#input() })).createJob;
      location.hash = `#/jobs/${encodeURIComponent(job.id)}`;
    } catch (failure) {
      if (failure.code === "UNAUTHENTICATED") {
        this.dispatchEvent(new CustomEvent("signed-out", { bubbles: true, detail: describeError(failure) }));
        return;
      }
      this.#showError(failure);
    } finally {
      this.#busy = false;
      create.disabled = false;
    }
  }

  /** The server's message next to the button; the field it names marked and focused. */
  #showError(failure) {
    const { error } = this.#parts;
    const control = namedField(failure.message).map((name) => this.#fields[name]).find(Boolean);
    error.replaceChildren(el("strong", { text: "The job was not created. " }), describeError(failure));
    error.hidden = false;
    if (!control) return;
    control.setAttribute("aria-invalid", "true");
    control.setAttribute("aria-errormessage", "job-error");
    const details = control.closest("details");
    if (details) details.open = true;
    if (control.closest("[hidden]") === null) control.focus();
  }
}

customElements.define("quorum-new-job", NewJobForm);
