/**
 * <quorum-new-job>: the form that creates a labeling job (built by job-form.js). Its
 * choices come from the API (taskTypes, teams, consensusAlgorithms filtered to the chosen
 * task type's label kind, autoLabelers that fit it); the manifest is uploaded (POST
 * /uploads) or named by its storage URL; an uploaded file's lines are checked for the
 * chosen task type (again when the type changes), and bad lines are listed by number
 * before any job exists. The server checks everything: a refused createJob names every
 * field at fault at once (extensions.fields); each message is shown beside its field,
 * which is marked, the whole list next to the Create button, and the first field is
 * focused. Required fields say so. With from-job="<id>" ("Run again" on a failed job) the
 * form starts from that job's settings, with a new name and no manifest. On success the
 * page moves to the new job (#/jobs/<id>), which shows the job's warnings.
 */

import { ApiError, csrfToken, graphql, jsonBody, send } from "/static/shared/api.js";
import { el } from "/static/shared/dom.js";
import { describeError, sessionEnded } from "/static/shared/messages.js";
import { count } from "./format.js";
import { buildJobForm, markRequired } from "./job-form.js";
import { CATALOG, CREATE_JOB, JOB_SETTINGS } from "./queries.js";
import { uploadManifest } from "./upload.js";

/** The controls a server field may be shown at: "autoLabeling.model" → itself, then
 * "autoLabeling"; "labels[2]" → "labels"; "examples[0].label" → "examples.label",
 * "examples". */
export function fieldCandidates(field) {
  const plain = String(field ?? "").replace(/\[\d+\]/g, "");
  const first = plain.split(".")[0];
  return plain === first ? [plain] : [plain, first];
}

/** A field's message without the field it begins with: "name: required: …" → "required: …". */
function reason(message) {
  return message.replace(/^[A-Za-z][\w.[\]]*(?: \([^)]*\))?: /, "");
}

/** createJob, keeping what the plain graphql() call drops: each refused field
 * (extensions.fields, [{field, message}]) on the ApiError as `fields`. */
async function createJob(input) {
  const response = await send("/graphql", {
    method: "POST",
    headers: { "Content-Type": "application/json", "X-CSRF-Token": csrfToken() },
    body: JSON.stringify({ query: CREATE_JOB, variables: { input } }),
  });
  const body = await jsonBody(response);
  const first = body?.errors?.[0];
  if (first) {
    const error = new ApiError(first.extensions?.code ?? "ERROR", first.message);
    error.fields = first.extensions?.fields ?? [];
    throw error;
  }
  if (!response.ok || !body?.data) {
    throw new ApiError("HTTP", `The server answered ${response.status} ${response.statusText}.`);
  }
  return body.data.createJob;
}

/** The name a job run again gets: "birds" → "birds-2", "birds-2" → "birds-3". */
export function nextName(name) {
  const numbered = /^(.*)-(\d+)$/.exec(name);
  return numbered ? `${numbered[1]}-${Number(numbered[2]) + 1}` : `${name}-2`;
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

/** "3 lines", "1 line". */
function linesCount(n) {
  return n === 1 ? "1 line" : `${count(n)} lines`;
}

export class NewJobForm extends HTMLElement {
  #catalog = null;
  #fields = {};
  #parts = null;
  #busy = false;
  #uploads = 0;

  get fromJob() {
    return this.getAttribute("from-job");
  }

  async connectedCallback() {
    if (this.#parts) return;
    this.#parts = { status: el("p", { class: "muted", role: "status", text: "Loading the choices…" }) };
    this.replaceChildren(el("h2", { text: "New job" }), this.#parts.status);
    let source = null;
    try {
      this.#catalog = await graphql(CATALOG);
      if (this.fromJob) source = (await graphql(JOB_SETTINGS, { id: this.fromJob })).job;
    } catch (error) {
      if (sessionEnded(this, error)) return;
      this.#parts.status.replaceWith(el("p", { class: "error", role: "alert", text: describeError(error) }));
      return;
    }
    this.#render(source);
  }

  #render(source) {
    const { form, fields, parts } = buildJobForm(this.#catalog, {
      taskTypeChanged: () => this.#taskTypeChanged(true),
      upload: () => this.#upload(),
      autoLabelingChanged: () => this.#syncAutoLabeling(),
    });
    this.#fields = fields;
    this.#parts = { ...this.#parts, ...parts };
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      this.#create();
    });
    form.addEventListener("input", (event) => this.#clearError(event.target));
    form.addEventListener("change", (event) => this.#clearError(event.target));
    const intro = source ? this.#fill(source) : null;
    this.replaceChildren(...[el("h2", { text: "New job" }), intro, form].filter(Boolean));
    this.#taskTypeChanged(false);
    this.#fields.name.focus();
  }

  /** Start from a job's settings ("Run again"): a new name, no manifest. */
  #fill(job) {
    const f = this.#fields;
    const text = (control, value) => {
      if (value !== null && value !== undefined) control.value = String(value);
    };
    text(f.name, nextName(job.name));
    text(f.taskType, job.taskType);
    f.labels.value = job.labels.join("\n");
    text(f.instructions, job.instructions);
    text(f.fullInstructions, job.fullInstructions);
    text(f.teamId, job.teamId);
    text(f.workersPerItem, job.workersPerItem);
    text(f.pricePerTask, job.pricePerTask);
    if (job.labelAttributeName !== job.name) text(f.labelAttributeName, job.labelAttributeName);
    text(f.auditLabelAttributeName, job.auditLabelAttributeName);
    text(f.taskTimeLimitSeconds, job.taskTimeLimitSeconds);
    text(f.outputPath, job.outputPath);
    text(f.template, job.template);
    this.#consensus = job.consensus;
    const failed = job.failureReason ? ` It failed: ${job.failureReason}.` : "";
    return el(
      "p",
      { class: "run-again", role: "note" },
      el("strong", { text: `Run again: the settings of ${job.name}.` }),
      `${failed} Upload a fixed manifest, check the rest, and create the job.`,
    );
  }

  /** The consensus to choose once the task type's algorithms are listed. */
  #consensus = null;

  #taskType() {
    return this.#catalog.taskTypes.find((type) => type.name === this.#fields.taskType.value);
  }

  #taskTypeChanged(byPerson) {
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
    if (this.#consensus && fitting.some((algorithm) => algorithm.name === this.#consensus)) {
      consensus.value = this.#consensus;
    }
    this.#consensus = null;
    const models = autoLabelers.filter((model) => model.taskTypes.includes(type.name));
    this.#parts.modelSelect.replaceChildren(
      ...models.map((model) => el("option", { value: model.name, title: model.description, text: model.name })),
    );
    this.#parts.auto.hidden = models.length === 0;
    if (!models.length) this.#fields.autoLabeling.checked = false;
    this.#fields.auditLabelAttributeName.closest(".field").hidden = !type.auditsLabels;
    markRequired(this.#fields.labels, type.minLabels > 0);
    this.#syncAutoLabeling();
    if (byPerson && this.#parts.fileInput.files?.length) this.#upload(); // checked for this type
  }

  #syncAutoLabeling() {
    this.#parts.modelSelect.disabled = !this.#fields.autoLabeling.checked;
  }

  /** Upload the chosen file, its lines checked for the task type; bad lines are listed
   * (and nothing is stored), a good file fills in the storage URL. */
  async #upload() {
    const file = this.#parts.fileInput.files?.[0];
    const { uploadStatus, lineErrors, create } = this.#parts;
    if (!file) return;
    const attempt = ++this.#uploads;
    const taskType = this.#fields.taskType.value;
    this.#fields.inputManifest.value = "";
    uploadStatus.classList.remove("error-text");
    uploadStatus.textContent = `Checking ${file.name} for ${taskType} and uploading it…`;
    lineErrors.replaceChildren();
    lineErrors.hidden = true;
    create.disabled = true;
    try {
      const stored = await uploadManifest(file, taskType);
      if (attempt !== this.#uploads) return; // a newer upload (another task type) wins
      this.#fields.inputManifest.value = stored.url;
      this.#clearError(this.#fields.inputManifest);
      const checked = stored.checkedAll
        ? `all ${linesCount(stored.checked)} checked`
        : `the first ${linesCount(stored.checked)} checked; the rest when the job starts`;
      uploadStatus.textContent = `Uploaded ${file.name} (${count(stored.bytes)} bytes; ${checked}).`;
    } catch (error) {
      if (attempt !== this.#uploads || sessionEnded(this, error)) return;
      uploadStatus.classList.add("error-text");
      if (error.lines?.length) {
        uploadStatus.textContent =
          `${file.name} was not uploaded: ${linesCount(error.lines.length)} cannot be used for ` +
          `${taskType}. Fix them and choose the file again.`;
        lineErrors.replaceChildren(
          ...error.lines.map((bad) => el("li", { text: `Line ${count(bad.line)}: ${bad.reason}` })),
        );
        lineErrors.hidden = false;
      } else {
        uploadStatus.textContent = `The upload failed: ${describeError(error)}`;
      }
    } finally {
      if (attempt === this.#uploads) create.disabled = false;
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
    for (const control of Object.values(this.#fields)) this.#clearError(control);
    try {
      const job = await createJob(this.#input());
      location.hash = `#/jobs/${encodeURIComponent(job.id)}`;
    } catch (failure) {
      if (sessionEnded(this, failure)) return;
      this.#showErrors(failure);
    } finally {
      this.#busy = false;
      create.disabled = false;
    }
  }

  /** The control a server field is shown at, if the form has one. */
  #control(field) {
    return fieldCandidates(field).map((name) => this.#fields[name]).find(Boolean) ?? null;
  }

  /** Each field the server names marked, with its own message beside it, and the first
   * of them focused; next to the button, the server's message (one field) or how many
   * fields need fixing, with the messages of those the form has no place for. */
  #showErrors(failure) {
    const { error } = this.#parts;
    const fields = failure.fields ?? [];
    const marked = [];
    const elsewhere = [];
    for (const { field, message } of fields) {
      const control = this.#control(field);
      if (!control) {
        elsewhere.push(message);
        continue;
      }
      control.setAttribute("aria-invalid", "true");
      const slot = control.closest(".field")?.querySelector(".field-error");
      if (slot) {
        slot.textContent = slot.hidden ? reason(message) : `${slot.textContent} ${reason(message)}`;
        slot.hidden = false;
      }
      const details = control.closest("details");
      if (details) details.open = true;
      marked.push(control);
    }
    const summary =
      fields.length > 1
        ? [`${fields.length} fields need fixing; each says why beside it.`, el("ul", {}, elsewhere.map((text) => el("li", { text })))]
        : [describeError(failure)];
    error.replaceChildren(el("strong", { text: "The job was not created. " }), ...summary);
    error.hidden = false;
    const first = marked.find((control) => control.closest("[hidden]") === null);
    if (first) first.focus();
  }

  /** A control the requester changed is no longer marked wrong. */
  #clearError(control) {
    if (!control?.dataset?.field) return;
    control.removeAttribute("aria-invalid");
    const slot = control.closest(".field")?.querySelector(".field-error");
    if (slot) {
      slot.hidden = true;
      slot.textContent = "";
    }
  }
}

customElements.define("quorum-new-job", NewJobForm);
