/**
 * <quorum-label-verification>: is a previous job's label right? Shows the image with that
 * label (its boxes drawn read-only in a <crowd-bounding-box>, which zooms and pans, or its
 * class names in a caption), the verification categories (the job's labels, e.g. valid /
 * invalid: click, number keys, Tab) and an optional comment. `value` is the answer of the
 * label-verification task type, {label, comment}. Ground Truth renders this with
 * crowd-image-classifier and an overlay; the worker portal uses this element for it.
 *
 * Properties: `categories`, `src`, `previousLabel` ({kind: "class", label} |
 * {kind: "classes", labels} | {kind: "boxes", boundingBoxes}), `labelKeys` (the key caps,
 * crowd-attributes.js), `applyTask(task)`, `onKey(event)`, `undo()` (of the category),
 * `shortcuts`, `valid`, `value`, and `draft` / `restore(draft)` (the category and the
 * comment, to keep across a reload).
 */

import { el } from "../shared/dom.js";
import "./crowd-bounding-box.js";
import {
  fireChange,
  keyOf,
  labelAt,
  labelKeysText,
} from "./crowd-attributes.js";

const STYLESHEET = new URL("./verification.css", import.meta.url).href;

/** What the caption says of the previous label. */
function describe(previous) {
  if (!previous) return "No previous label was given.";
  if (previous.kind === "class") return `Previous label: ${previous.label}`;
  if (previous.kind === "classes") {
    const names = previous.labels ?? [];
    return names.length ? `Previous labels: ${names.join(", ")}` : "Previous labels: none";
  }
  const boxes = previous.boundingBoxes ?? [];
  const counts = new Map();
  for (const box of boxes) counts.set(box.label, (counts.get(box.label) ?? 0) + 1);
  const parts = [...counts].map(([label, count]) => `${count} × ${label}`);
  return `Previous boxes: ${boxes.length ? parts.join(", ") : "none"}`;
}

export class QuorumLabelVerification extends HTMLElement {
  #categories = [];
  #chosen = -1;
  #history = []; // the category chosen before each change, for undo
  #keys = null;
  #previous = null;
  #parts;

  constructor() {
    super();
    this.attachShadow({ mode: "open" });
    this.#build();
    this.addEventListener("keydown", (event) => {
      const typing = event.composedPath()[0]?.tagName === "TEXTAREA";
      if (typing || event.key === "Tab" || event.defaultPrevented) return;
      if (this.onKey(event)) {
        event.preventDefault();
        event.stopPropagation();
      }
    });
  }

  applyTask(task) {
    this.categories = task.job.labels;
    this.previousLabel = task.input?.previousLabel ?? null;
    this.src = String(task.input?.taskObject ?? "");
  }

  get categories() {
    return [...this.#categories];
  }

  set categories(list) {
    this.#categories = Array.isArray(list) ? list.map(String) : [];
    this.#chosen = -1;
    this.#history = [];
    this.#renderChoices();
  }

  get labelKeys() {
    return this.#keys;
  }

  set labelKeys(keys) {
    this.#keys = keys;
    this.#renderChoices();
  }

  get previousLabel() {
    return this.#previous;
  }

  set previousLabel(previous) {
    this.#previous = previous;
    const { viewer, caption } = this.#parts;
    const boxes = previous?.kind === "boxes" ? (previous.boundingBoxes ?? []) : [];
    viewer.labels = [...new Set(boxes.map((box) => String(box.label)))];
    viewer.initialValue = boxes;
    caption.textContent = describe(previous);
  }

  get src() {
    return this.#parts.viewer.src;
  }

  set src(url) {
    this.#parts.viewer.src = url;
  }

  /** The comment typed so far. */
  get comment() {
    return this.#parts.comment.value;
  }

  set comment(text) {
    this.#parts.comment.value = text;
  }

  get valid() {
    return this.#chosen >= 0;
  }

  get value() {
    if (!this.valid) return null;
    return { label: this.#categories[this.#chosen], comment: this.comment.trim() };
  }

  /** Pick the category at `index`. */
  choose(index) {
    if (index < 0 || index >= this.#categories.length) return false;
    if (index !== this.#chosen) this.#history.push(this.#chosen);
    this.#set(index);
    return true;
  }

  /** Take back the last change of the category. */
  undo() {
    if (!this.#history.length) return false;
    this.#set(this.#history.pop());
    return true;
  }

  /** The category and the comment, as `restore` takes them back (JSON). */
  get draft() {
    return { label: this.#categories[this.#chosen] ?? null, comment: this.comment };
  }

  restore(draft) {
    this.comment = String(draft?.comment ?? "");
    this.#history = [];
    this.#set(this.#categories.indexOf(draft?.label));
  }

  #set(index) {
    this.#chosen = index;
    this.#updateChoices();
    fireChange(this);
  }

  cycle(step) {
    const count = this.#categories.length;
    if (!count) return false;
    const from = this.#chosen >= 0 ? this.#chosen : step > 0 ? -1 : count;
    return this.choose((((from + step) % count) + count) % count);
  }

  focusComment() {
    this.#parts.comment.focus();
    return true;
  }

  get shortcuts() {
    const keys = labelKeysText(this, this.#categories.length);
    return [
      ...(keys ? [[keys, "Pick the category with that key"]] : []),
      ["Tab / Shift+Tab", "Next / previous category"],
      ["Z", "Undo the choice of category"],
      ["C", "Write a comment (Tab leaves the comment box)"],
      ...this.#parts.viewer.shortcuts,
    ];
  }

  onKey(event) {
    if (event.ctrlKey || event.metaKey || event.altKey) return false;
    const label = labelAt(this, event);
    if (label >= 0) return this.choose(label);
    if (event.key === "Tab") return this.cycle(event.shiftKey ? -1 : 1);
    if (event.key === "z" || event.key === "Z") return this.undo();
    if (event.key === "c" || event.key === "C") return this.focusComment();
    return this.#parts.viewer.onKey(event);
  }

  #build() {
    const viewer = el("crowd-bounding-box", { readonly: "", part: "viewer" });
    const caption = el("p", { class: "previous", part: "previous" });
    const heading = el("p", { class: "header", id: "header", text: "Is the label right?" });
    const list = el("div", { class: "list", role: "radiogroup", "aria-labelledby": "header" });
    const comment = el("textarea", { id: "comment", rows: "3", maxlength: "1000" });
    const commentLabel = el("label", { for: "comment", text: "Comment (optional)" });
    this.#parts = { viewer, caption, list, comment, buttons: [] };
    const figure = el("div", { class: "figure" }, caption, viewer);
    const panel = el("div", { class: "panel" }, heading, list, commentLabel, comment);
    const layout = el("div", { class: "layout" }, figure, panel);
    this.shadowRoot.append(el("link", { rel: "stylesheet", href: STYLESHEET }), layout);
  }

  #renderChoices() {
    this.#parts.buttons = this.#categories.map((category, index) => {
      return el(
        "button",
        { type: "button", role: "radio", part: "category", onclick: () => this.choose(index) },
        el("kbd", { "aria-hidden": "true", text: keyOf(this, index) }),
        el("span", { text: category }),
      );
    });
    this.#parts.list.replaceChildren(...this.#parts.buttons);
    this.#updateChoices();
  }

  #updateChoices() {
    this.#parts.buttons.forEach((button, index) => {
      button.setAttribute("aria-checked", String(index === this.#chosen));
      button.tabIndex = index === Math.max(this.#chosen, 0) ? 0 : -1;
    });
  }
}

if (!customElements.get("quorum-label-verification")) {
  customElements.define("quorum-label-verification", QuorumLabelVerification);
}
