/**
 * <quorum-labeling job-id="..">: the labeling screen of one job. It claims a task
 * (claimTask returns the task the worker already holds, so a reload shows the same one),
 * shows the instructions, the task type's element and a timer, and sends the answer
 * (Submit), hands the task back and takes the next (Skip), or hands it back and leaves
 * (Release). Fires `no-work` {jobName} when nothing is left, `released` {jobName} and
 * `signed-out` (message) when the session ended. API errors are shown, never swallowed.
 */

import { graphql } from "./api.js";
import { el } from "./dom.js";
import { digit, onControl } from "./keys.js";
import { Keymap } from "./keymap.js";
import { describeError } from "./messages.js";
import { CLAIM_TASK, RELEASE_TASK, SUBMIT_TASK } from "./queries.js";
import { buildElement, elementFor, NONE_OF_THESE } from "./task-view.js";
import { TemplateFrame } from "./template-frame.js";
import { serverTime } from "./timer.js";

/** Errors after which taking a(nother) task may work: offer it. */
const TRY_ANOTHER = new Set(["LEASE_EXPIRED", "CONFLICT", "NETWORK", "HTTP"]);

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

  get jobId() {
    return this.getAttribute("job-id");
  }

  get shortcuts() {
    const keymap = this.#keymap;
    if (typeof this.#element?.onKey === "function") {
      // An element with its own keys (applyTask elements) lists them.
      return [...(this.#element.shortcuts ?? []), ...keymap.describe({ elementKeys: true })];
    }
    const keys = [
      ...keymap.describe(),
      ["Space", "Pick the focused category"],
      ["Esc", "Leave the categories (Tab then moves through the buttons)"],
    ];
    if (this.#element?.multi) keys.splice(1, 0, ["0", `Choose “${NONE_OF_THESE}”`]);
    return keys;
  }

  connectedCallback() {
    if (this.#parts) return;
    const button = (text, onclick, className = "") =>
      el("button", { type: "button", class: className, text, onclick });
    this.#parts = {
      title: el("h2", { class: "job-title" }),
      meta: el("span", { class: "task-id" }),
      timer: el("quorum-timer"),
      instructions: el("quorum-instructions"),
      stage: el("div", { class: "stage" }),
      status: el("p", { class: "status", role: "status" }),
      error: el("div", { class: "error", role: "alert", hidden: true }),
      submit: button("Submit", () => this.submit(), "primary"),
      skip: button("Skip", () => this.skip()),
      release: button("Release", () => this.release()),
    };
    this.addEventListener("submit-answer", () => this.submit()); // from a template's own form
    const { title, meta, timer, instructions, stage, status, error, submit, skip, release } =
      this.#parts;
    this.append(
      el("header", { class: "task-head" }, title, el("p", { class: "task-meta" }, meta, timer)),
      instructions,
      stage,
      error,
      el("div", { class: "actions" }, submit, skip, release, status),
    );
    this.next();
  }

  /** A key press on this screen, read through the job's shortcuts (keymap.js); an
   * element with its own keys sees them first, in its default keys. */
  onKey(event) {
    if (!this.#element) return false;
    const keymap = this.#keymap;
    const action = keymap.action(event);
    if (typeof this.#element.onKey === "function") {
      if (this.#element.onKey(keymap.elementEvent(action, event))) return true;
    } else if (typeof action === "number") {
      return this.#element.choose(action);
    } else if ((action === "nextLabel" || action === "previousLabel") && !onControl(event)) {
      this.#element.cycle(action === "nextLabel" ? 1 : -1);
      return true;
    } else if (digit(event) === 0) {
      return this.#element.chooseNone();
    }
    if (action === "submit" && !onControl(event)) {
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

  /** Claim the next task of the job (or the one held) and show it. */
  async next() {
    await this.#run("Loading a task…", async () => {
      const task = (await graphql(CLAIM_TASK, { jobId: this.jobId })).claimTask;
      if (!task) {
        const jobName = this.#task?.job.name ?? "";
        this.#emit("no-work", { jobName });
        return;
      }
      await this.#show(task);
    });
  }

  async submit() {
    if (this.#busy || !this.#task || !this.#element) return;
    if (!this.#element.valid) {
      this.#showError(
        this.#element.invalidMessage ??
          (this.#element.multi
          ? `Choose at least one category, or “${NONE_OF_THESE}” (key 0), then submit.`
          : "Choose a category first (click it, or press its number key), then submit."),
      );
      return;
    }
    const answer = this.#element.value;
    const ok = await this.#run("Submitting…", () =>
      graphql(SUBMIT_TASK, { taskId: this.#task.id, answer }),
    );
    if (ok) await this.next();
  }

  /** Hand the task back and take the next one. */
  async skip() {
    if (this.#busy || !this.#task) return;
    const ok = await this.#run("Skipping…", () =>
      graphql(RELEASE_TASK, { taskId: this.#task.id }),
    );
    if (ok) await this.next();
  }

  /** Hand the task back and go back to the list of jobs. */
  async release() {
    if (this.#busy || !this.#task) return;
    const ok = await this.#run("Releasing…", () =>
      graphql(RELEASE_TASK, { taskId: this.#task.id }),
    );
    if (ok) this.#emit("released", { jobName: this.#task.job.name });
  }

  async #show(task) {
    const elementName = await elementFor(task.job.taskType);
    const element = task.renderedTemplate
      ? templateFrame(task, elementName)
      : elementName && buildElement(elementName, task);
    this.#task = task;
    this.#element = element;
    this.#keymap = new Keymap(task.job.shortcuts);
    const { title, meta, timer, instructions, stage } = this.#parts;
    title.textContent = task.job.name;
    meta.textContent = `Task ${task.id}`;
    this.dataset.taskId = task.id;
    timer.set(serverTime(task.acceptedAt), serverTime(task.leaseExpiresAt));
    instructions.show(task.job.instructions, task.job.fullInstructions, task.job.examples);
    if (element) {
      stage.replaceChildren(element);
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
