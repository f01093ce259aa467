/**
 * <quorum-labeling job-id="..">: the labeling screen of one job. It claims a task
 * (claimTask returns the task the worker already holds, so a reload shows the same one),
 * shows the instructions, the task type's element and a timer, and sends the answer
 * (Submit), hands the task back and takes the next (Skip), or hands it back and leaves
 * (Release). The answer not yet sent survives a reload (drafts.js). Fires `no-work`
 * {jobName} when nothing is left, `released` {jobName} and `signed-out` (message) when the
 * session ended. API errors are shown, never swallowed.
 */

import { graphql } from "../shared/api.js";
import { el } from "../shared/dom.js";
import { Keymap } from "../shared/keymap.js";
import { describeError } from "../shared/messages.js";
import { taskItemName } from "../shared/numbering.js";
import { serverTime } from "../shared/timer.js";
import { dropDraft, restoreDraft, saveDraft } from "./drafts.js";
import { onControl } from "./keys.js";
import { CLAIM_TASK, DECLINE_TASK, RELEASE_TASK, SUBMIT_TASK } from "./queries.js";
import { buildElement, elementFor } from "./task-view.js";
import { TemplateFrame } from "./template-frame.js";

/** Errors after which taking a(nother) task may work: offer it. */
const TRY_ANOTHER = new Set(["LEASE_EXPIRED", "CONFLICT", "NETWORK", "HTTP"]);

/** What Skip and Release do, as their tooltips say it. */
const SKIP_TITLE =
  "Skip: “I can't do this one.” The task goes to other workers and never comes back to you; you get the next one.";
const RELEASE_TITLE =
  "Release: “Not now.” The task goes back to the pool (you may get it again later) and you return to the job list.";
/** How long a first press of Skip or Release waits for the second. */
const CONFIRM_MS = 4000;
/** What Submit says before the answer is complete, for an element that says nothing else
 * (`invalidMessage`). */
const CHOOSE_FIRST = "Choose a category first (click it, or press its number key), then submit.";

/** The job's own template for `task`, in a sandboxed frame (template-frame.js). */
function templateFrame(task, elementName) {
  const frame = new TemplateFrame();
  frame.show(task.renderedTemplate, { unwrap: elementName !== "crowd-form" });
  return frame;
}

function backLink() {
  return el("a", { href: "#/", text: "Back to the list of jobs" });
}

export class LabelingScreen extends HTMLElement {
  #task = null;
  #element = null;
  #busy = false;
  #parts = null;
  #keymap = new Keymap(null);
  /** The hand-back button pressed once and waiting for its second press, and its timer. */
  #armed = null;
  #armedTimer = 0;
  /** Whether the alert says the answer is incomplete (cleared once it is complete). */
  #incomplete = false;

  get jobId() {
    return this.getAttribute("job-id");
  }

  /** The element's own lines of the `?` list (`shortcuts`), then the job's keys that it
   * does not list: the label keys unless it shows them (`labelKeys`), the moves and undo
   * unless it reads keys itself (`onKey`) and they are its defaults; only what acts on this
   * screen (undo where the element can, the full instructions where there are some). */
  get shortcuts() {
    const element = this.#element;
    const own = this.#keymap.describe({
      elementKeys: typeof element?.onKey === "function",
      elementLabels: Boolean(element) && "labelKeys" in element,
      undo: typeof element?.undo === "function",
      instructions: this.#parts.instructions.hasFull,
    });
    return [...(element?.shortcuts ?? []), ...own];
  }

  connectedCallback() {
    if (this.#parts) return;
    const button = (text, onclick, className = "", title = "") =>
      el("button", { type: "button", class: className, text, onclick, title });
    this.#parts = {
      title: el("h2", { class: "job-title" }),
      meta: el("span", { class: "task-id" }),
      timer: el("quorum-timer"),
      instructions: el("quorum-instructions"),
      stage: el("div", { class: "stage" }),
      status: el("p", { class: "status", role: "status" }),
      error: el("div", { class: "error", role: "alert", hidden: true }),
      submit: button("Submit", () => this.submit(), "primary"),
      skip: button("Skip", () => this.skip(), "", SKIP_TITLE),
      release: button("Release", () => this.release(), "", RELEASE_TITLE),
    };
    this.addEventListener("submit-answer", () => this.submit()); // from a template's own form
    // A choice made with the mouse or the keyboard clears "choose first" once it is valid,
    // and is kept for a reload.
    for (const type of ["click", "keyup", "change", "input", "pointerup"]) {
      this.#parts.stage.addEventListener(type, () => setTimeout(() => this.#changed()));
    }
    // A reload right after a change comes before that timeout: keep the answer as the page goes.
    window.addEventListener("pagehide", () => this.#changed());
    const { title, meta, timer, instructions, stage, status, error, submit, skip, release } =
      this.#parts;
    this.#parts.actions = el("div", { class: "actions" }, submit, skip, release, status);
    this.append(
      el("header", { class: "task-head" }, title, el("p", { class: "task-meta" }, meta, timer)),
      instructions,
      stage,
      error,
      this.#parts.actions,
    );
    this.next();
  }

  /** A key press on this screen, read through the job's shortcuts (keymap.js): a label
   * key picks that label (element.choose), the undo key undoes (element.undo), and an
   * element with its own keys sees the rest first (`#elementAction`). */
  onKey(event) {
    const handled = this.#onKey(event);
    if (handled) setTimeout(() => this.#changed());
    return handled;
  }

  #onKey(event) {
    if (!this.#element) return false;
    const action = this.#keymap.action(event);
    if (this.#elementAction(action, event)) return true;
    // Enter submits, always: even with the focus on Skip or Release, which it would
    // otherwise press.
    const handBack = [this.#parts.skip, this.#parts.release].includes(event.target);
    if (action === "submit" && (handBack || !onControl(event))) {
      this.submit();
      return true;
    }
    if (action === "skip" || action === "release") {
      this[action]();
      return true;
    }
    if (action === "instructions") return this.#parts.instructions.toggle();
    if (action === "help") {
      this.#emit("show-help", {});
      return true;
    }
    if (event.key === "Escape") {
      this.#parts.submit.focus();
      return true;
    }
    return false;
  }

  /** Do what `action` (the keymap's reading of `event`) means to the element: pick a
   * label, undo, "none of these", the next or previous label, or one of its own keys. */
  #elementAction(action, event) {
    const element = this.#element;
    if (typeof action === "number" && typeof element.choose === "function") {
      return element.choose(action);
    }
    if (action === "undo" && typeof element.undo === "function") {
      element.undo();
      return true;
    }
    if (action === "none" && element.chooseNone?.()) return true;
    if (typeof element.onKey === "function") {
      return element.onKey(this.#keymap.elementEvent(action, event));
    }
    if ((action === "nextLabel" || action === "previousLabel") && !onControl(event)) {
      element.cycle(action === "nextLabel" ? 1 : -1);
      return true;
    }
    return false;
  }

  /** Claim the next task of the job (or the one held) and show it; when the claim fails
   * there is no task to answer, so the answer's buttons go. */
  async next() {
    if (this.#busy) return;
    const ok = await this.#run("Loading a task…", async () => {
      const task = (await graphql(CLAIM_TASK, { jobId: this.jobId })).claimTask;
      if (!task) {
        const jobName = this.#task?.job.name ?? "";
        this.#emit("no-work", { jobName });
        return;
      }
      await this.#show(task);
    });
    if (!ok) this.#clear();
  }

  async submit() {
    if (this.#busy || !this.#task || !this.#element) return;
    if (!this.#element.valid) {
      this.#incomplete = true;
      this.#showError(this.#element.invalidMessage ?? CHOOSE_FIRST);
      return;
    }
    const answer = this.#element.value;
    const ok = await this.#send("Submitting…", SUBMIT_TASK, { answer });
    if (ok) await this.next();
  }

  /** Decline the task ("I can't do this one": it never comes back to you) and take the
   * next one; the first press only asks to press again. */
  async skip() {
    if (this.#busy || !this.#task || !this.#confirmed("skip", "Skip this task?")) return;
    const ok = await this.#send("Skipping…", DECLINE_TASK);
    if (ok) await this.next();
  }

  /** Hand the task back ("not now": you may get it again later) and go back to the list of
   * jobs; the first press only asks to press again. */
  async release() {
    if (this.#busy || !this.#task || !this.#confirmed("release", "Release this task?")) return;
    const ok = await this.#send("Releasing…", RELEASE_TASK);
    if (ok) this.#emit("released", { jobName: this.#task.job.name });
  }

  /** Send `mutation` (submit, decline or release) for the task; once it went, the answer
   * kept for a reload goes too. Returns true when it succeeded. */
  async #send(status, mutation, variables = {}) {
    const taskId = this.#task.id;
    const ok = await this.#run(status, () => graphql(mutation, { taskId, ...variables }));
    if (ok) dropDraft(taskId);
    return ok;
  }

  /** Whether the hand-back button ``name`` was pressed a second time within a few seconds;
   * on a first press it says so and waits. */
  #confirmed(name, question) {
    const button = this.#parts[name];
    if (this.#armed === name) {
      this.#disarm();
      return true;
    }
    this.#disarm();
    this.#armed = name;
    button.dataset.label = button.textContent;
    button.textContent = `${question} Press again`;
    button.classList.add("armed");
    this.#armedTimer = setTimeout(() => this.#disarm(), CONFIRM_MS);
    return false;
  }

  #disarm() {
    clearTimeout(this.#armedTimer);
    const button = this.#armed && this.#parts[this.#armed];
    if (button) {
      button.textContent = button.dataset.label;
      button.classList.remove("armed");
    }
    this.#armed = null;
  }

  async #show(task) {
    const elementName = await elementFor(task.job.taskType);
    const keymap = new Keymap(task.job.shortcuts);
    const element = task.renderedTemplate
      ? templateFrame(task, elementName)
      : elementName && buildElement(elementName, task, keymap);
    this.#disarm();
    this.#task = task;
    this.#element = element;
    this.#keymap = keymap;
    const { title, meta, timer, instructions, stage, actions } = this.#parts;
    actions.hidden = false;
    title.textContent = task.job.name;
    meta.textContent = taskItemName(task);
    this.dataset.taskId = task.id;
    timer.set(serverTime(task.acceptedAt), serverTime(task.leaseExpiresAt));
    instructions.show(task.job.instructions, task.job.fullInstructions, task.job.examples);
    if (element) {
      stage.replaceChildren(element);
      restoreDraft(task.id, element);
    } else {
      stage.replaceChildren();
      this.#showError(
        `This portal cannot show “${task.job.taskType}” tasks (element ` +
          `<${elementName ?? "unknown"}>). Release the task so that it goes to someone else.`,
        backLink(),
      );
    }
    if (this.contains(document.activeElement)) document.activeElement.blur();
  }

  /** No task on screen (a claim failed): nothing to answer, so no buttons either. */
  #clear() {
    this.#task = this.#element = null;
    delete this.dataset.taskId;
    const { meta, timer, stage, actions } = this.#parts;
    meta.textContent = "";
    timer.set(null, null);
    stage.replaceChildren();
    actions.hidden = true;
  }

  /** Run an API call with the buttons disabled; returns true when it succeeded. */
  async #run(status, call) {
    if (this.#busy) return false;
    this.#setBusy(true, status);
    try {
      await call();
      return true;
    } catch (error) {
      this.#fail(error);
      return false;
    } finally {
      this.#setBusy(false, "");
    }
  }

  #setBusy(busy, status) {
    this.#busy = busy;
    if (busy) this.#incomplete = false;
    const { submit, skip, release } = this.#parts;
    for (const button of [submit, skip, release]) button.disabled = busy;
    this.#parts.status.textContent = status;
    if (busy) this.#parts.error.hidden = true;
  }

  #fail(error) {
    if (error.code === "UNAUTHENTICATED") {
      this.#emit("signed-out", describeError(error));
      return;
    }
    const retry = TRY_ANOTHER.has(error.code)
      ? el("button", { type: "button", text: "Take another task", onclick: () => this.next() })
      : null;
    this.#showError(describeError(error), retry, backLink());
  }

  /** After a change of the answer: keep it for a reload; clear "choose first". */
  #changed() {
    if (this.#task && !this.#busy) saveDraft(this.#task.id, this.#element);
    this.#clearIncomplete();
  }

  #clearIncomplete() {
    if (this.#incomplete && this.#element?.valid) {
      this.#incomplete = false;
      this.#parts.error.hidden = true;
    }
  }

  /** Show `message` in the alert box, with buttons or links after it. */
  #showError(message, ...actions) {
    const links = actions.filter(Boolean).flatMap((action) => [action, " "]);
    this.#parts.error.replaceChildren(el("p", { text: message }), el("p", {}, links));
    this.#parts.error.hidden = false;
  }

  #emit(name, detail) {
    this.dispatchEvent(new CustomEvent(name, { bubbles: true, detail }));
  }
}

customElements.define("quorum-labeling", LabelingScreen);
