/**
 * <quorum-new-job>: the form that creates a labeling job (built by job-form.js). Its
 * choices come from the API (taskTypes, teams, consensusAlgorithms filtered to the chosen
 * task type's label kind, autoLabelers that fit it); the manifest is uploaded (POST
 * /uploads) or named by its storage URL. The server checks everything: its message for a
 * refused createJob is shown next to the Create button, and the field it names is marked
 * and focused. On success the page moves to the new job (#/jobs/<id>).
 */

import { graphql } from "/static/work/api.js";
import { el } from "/static/work/dom.js";
import { describeError, sessionEnded } from "/static/work/messages.js";
import { buildJobForm } from "./job-form.js";
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
      if (sessionEnded(this, error)) return;
      this.#parts.status.replaceWith(el("p", { class: "error", role: "alert", text: describeError(error) }));
      return;
    }
    this.#render();
  }

  #render() {
    const { form, fields, parts } = buildJobForm(this.#catalog, {
      taskTypeChanged: () => this.#taskTypeChanged(),
      upload: () => this.#upload(),
      autoLabelingChanged: () => this.#syncAutoLabeling(),
    });
    this.#fields = fields;
    this.#parts = { ...this.#parts, ...parts };
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
      if (sessionEnded(this, failure)) return;
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
