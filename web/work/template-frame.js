/**
 * <quorum-template-frame>: a job's own worker template (Task.renderedTemplate, rendered by
 * the server with Liquid) shown in a frame sandboxed with `allow-scripts` only. The frame
 * loads /work/frame (template-frame.html), which writes the template posted to it into
 * itself, under a policy of its own (a srcdoc frame would inherit the portal's
 * Content-Security-Policy, which runs no inline script: quorum/security_headers.py). The frame's
 * origin is opaque: it cannot read this page, its cookies or its storage, and cannot call
 * the API as the worker; it sees only its own task's input. Inside it, <crowd-form>
 * (web/crowd/) posts the form's values here on every change ("quorum:answer") and when the
 * worker submits from inside ("quorum:submit"), and its height ("quorum:height"). Messages
 * from any other window are ignored.
 *
 * The answer is what the form's named elements hold, {name: value, ...}, as Ground Truth's
 * crowd-form submits it. For a built-in task type (a job that brings its own template for,
 * say, image classification) the answer is the value of its one named element, unwrapped,
 * so that it has the task type's shape.
 */

import { el } from "../shared/dom.js";

/** The frame's document: it writes the template it is sent into itself. */
const FRAME_URL = "/work/frame";

export class TemplateFrame extends HTMLElement {
  shortcuts = [["Enter", "Submit (when the focus is outside the form)"]];
  invalidMessage = "Fill in the form's required fields first (or wait for it to load).";

  #frame = null;
  #answer = null;
  #unwrap = false;
  #complete = false;
  #onMessage = (event) => this.#receive(event);

  /** Show `html` (the rendered template); `unwrap`: answer with the one element's value. */
  show(html, { unwrap = false } = {}) {
    this.#unwrap = unwrap;
    this.#answer = null;
    this.#complete = false;
    const frame = el("iframe", {
      title: "Task form",
      sandbox: "allow-scripts",
      referrerpolicy: "no-referrer",
      src: FRAME_URL,
    });
    // The frame's origin is opaque, so no target origin can name it: "*" reaches only the
    // document this frame loaded, which is ours (a template cannot navigate it before this).
    frame.addEventListener(
      "load",
      () => frame.contentWindow?.postMessage({ type: "quorum:render", html }, "*"),
      { once: true },
    );
    this.#frame = frame;
    this.replaceChildren(frame);
  }

  connectedCallback() {
    window.addEventListener("message", this.#onMessage);
  }

  disconnectedCallback() {
    window.removeEventListener("message", this.#onMessage);
  }

  get valid() {
    return this.#answer !== null && this.#complete;
  }

  get value() {
    const answer = this.#answer ?? {};
    if (!this.#unwrap) return answer;
    const names = Object.keys(answer);
    return names.length === 1 ? answer[names[0]] : answer;
  }

  /** No label keys: the form's own elements take the keys while they have the focus. */
  labelKeys = [];

  /** The labeling screen's keys for categories do nothing here (see `labelKeys`). */
  onKey() {
    return false;
  }

  #receive(event) {
    if (!this.#frame || event.source !== this.#frame.contentWindow) return;
    const message = event.data;
    if (!message || typeof message !== "object") return;
    if (message.type === "quorum:height" && Number.isFinite(message.height)) {
      this.#frame.style.height = `${Math.min(Math.max(message.height, 120), 5000)}px`;
    } else if (message.type === "quorum:answer" || message.type === "quorum:submit") {
      if (message.answer && typeof message.answer === "object") this.#answer = message.answer;
      this.#complete = message.valid !== false;
      if (message.type === "quorum:submit") {
        this.dispatchEvent(new CustomEvent("submit-answer", { bubbles: true }));
      }
    }
  }
}

customElements.define("quorum-template-frame", TemplateFrame);
