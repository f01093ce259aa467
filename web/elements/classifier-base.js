/**
 * The base of Quorum's four classification elements (crowd-classifier,
 * crowd-image-classifier and their -multi-select variants): shows the object to classify
 * (slotted text, or an image from `src`) and the categories, lets the worker pick one
 * (or, multi-select, several or "none of these"), exposes the answer as `value` in the
 * shape submitTask takes ({label} or {labels}) and fires `change` on every change.
 *
 * Attributes, as Ground Truth's elements: `categories` (a JSON array of strings),
 * `header`, `name`, `src` (image elements) and `exclusion-category` (multi-select: the
 * text of the "none of these" choice, plain or as JSON {"text": ...}). All of them are
 * properties too, and `label-keys` / `labelKeys` (the key caps: the worker portal's
 * Job.shortcuts labels) and `noneKey` (the cap of "none of these", "0" unless set).
 * In the worker portal it follows the element convention as every labeling element does:
 * `applyTask(task)` configures it from the task (the job's labels, the object, for
 * multi-select "None of these" on the key the job leaves free), `valid`, `value`,
 * `shortcuts` (its lines of the `?` list), `invalidMessage`, and `change`. The portal
 * drives its keys through `choose(i)`, `chooseNone()`, `cycle(step)` and `undo()` (each
 * change in turn). `draft` / `restore(draft)`: the choice, to keep across a reload.
 * Everything shown goes through textContent.
 */

import { el } from "../shared/dom.js";
import { Keymap, labelKeysLine } from "../shared/keymap.js";
import { keyBadge, stylesheets } from "./choices.js";
import { fireChange, keyOf, reflectAttributes, reflectLabelKeys } from "./crowd-attributes.js";

/** The multi-select choice that answers an empty list of labels. */
export const NONE_OF_THESE = "None of these";

function parseCategories(text) {
  try {
    const list = JSON.parse(text);
    return Array.isArray(list) ? list.map(String) : [];
  } catch {
    return [];
  }
}

function parseExclusion(text) {
  if (text === null) return null;
  try {
    const parsed = JSON.parse(text);
    if (parsed && typeof parsed.text === "string") return parsed.text;
  } catch {
    // plain text
  }
  return text;
}

export class ClassifierElement extends HTMLElement {
  /** Whether several categories may be chosen (set by the subclass). */
  static multi = false;
  /** "text" (slotted content) or "image" (the `src` attribute). */
  static target = "text";

  static get observedAttributes() {
    return ["categories", "header", "src", "exclusion-category", "label-keys"];
  }

  #categories = [];
  #chosen = new Set();
  #none = false;
  #active = 0;
  #buttons = [];
  #noneKey = "0";
  /** The choices before each change, for undo: [{chosen: [...], none}]. */
  #history = [];

  constructor() {
    super();
    this.attachShadow({ mode: "open" });
  }

  connectedCallback() {
    if (!this.shadowRoot.childElementCount) this.#render();
  }

  attributeChangedCallback(name, _old, value) {
    if (name === "categories") {
      this.categories = parseCategories(value ?? "[]");
    } else {
      this.#render();
    }
  }

  get multi() {
    return this.constructor.multi;
  }

  /** Show the worker-portal task `task`: its job's labels (multi-select: and "None of
   * these", on the key its job leaves free) and its object (an image URL as `src`, text as
   * the slotted <classification-target>). */
  applyTask(task) {
    this.name = task.job.labelAttributeName;
    this.categories = task.job.labels;
    if (this.multi) {
      this.exclusionCategory = NONE_OF_THESE;
      this.noneKey = new Keymap(task.job.shortcuts).noneKey;
    }
    const object = task.input?.taskObject ?? "";
    if (this.constructor.target === "image") {
      this.src = String(object);
    } else {
      const text = typeof object === "string" ? object : JSON.stringify(object);
      this.replaceChildren(el("classification-target", { text }));
    }
  }

  /** Its lines of the `?` list: the label keys (its key caps), "None of these" and the
   * keys of a focused choice; the portal adds the job's moves, undo and actions. */
  get shortcuts() {
    const keys = Array.from({ length: this.#categories.length }, (_, index) => keyOf(this, index));
    const lines = [labelKeysLine(keys)].filter(Boolean);
    const none = this.exclusionCategory;
    if (none !== null && this.#noneKey) lines.push([this.#noneKey, `Choose “${none}”`]);
    lines.push(
      ["Space", "Pick the focused category"],
      ["Esc", "Leave the categories (Tab then moves through the buttons)"],
    );
    return lines;
  }

  /** What the portal says when Submit is pressed before the answer is `valid`. */
  get invalidMessage() {
    return this.multi
      ? `Choose at least one category, or “${NONE_OF_THESE}” (key 0), then submit.`
      : "Choose a category first (click it, or press its number key), then submit.";
  }

  /** The categories, in the job's label order. */
  get categories() {
    return [...this.#categories];
  }

  set categories(list) {
    this.#categories = [...list].map(String);
    this.#chosen.clear();
    this.#none = false;
    this.#active = 0;
    this.#history = [];
    this.#render();
  }

  /** The key cap of "none of these" ("" for none). */
  get noneKey() {
    return this.#noneKey;
  }

  set noneKey(key) {
    this.#noneKey = key ?? "";
    this.#render();
  }

  /** The text of the "none of these" choice (multi-select only); null: not offered. */
  get exclusionCategory() {
    return this.multi ? parseExclusion(this.getAttribute("exclusion-category")) : null;
  }

  set exclusionCategory(text) {
    if (text === null) this.removeAttribute("exclusion-category");
    else this.setAttribute("exclusion-category", text);
  }

  /** The answer: {label} (null while nothing is chosen) or {labels: [...]} in label order. */
  get value() {
    const picked = this.#categories.filter((category) => this.#chosen.has(category));
    if (this.multi) return { labels: picked };
    return picked.length ? { label: picked[0] } : null;
  }

  /** Whether the answer may be submitted: a category chosen, or "none of these". */
  get valid() {
    return this.#chosen.size > 0 || (this.multi && this.#none);
  }

  /** Pick the category at `index` (multi-select: toggle it); out of range does nothing. */
  choose(index) {
    const category = this.#categories[index];
    if (category === undefined) return false;
    this.#active = index;
    this.#edit(() => {
      if (this.multi) {
        if (this.#chosen.has(category)) this.#chosen.delete(category);
        else this.#chosen.add(category);
        this.#none = false;
      } else {
        this.#chosen = new Set([category]);
      }
    });
    return true;
  }

  /** Choose "none of these" (multi-select with an exclusion category only). */
  chooseNone() {
    if (this.exclusionCategory === null) return false;
    this.#active = this.#categories.length;
    this.#edit(() => {
      this.#none = !this.#none;
      if (this.#none) this.#chosen.clear();
    });
    return true;
  }

  /** Move to the next (step 1) or previous (-1) choice and focus it; single-select also
   * picks it, as arrow keys do in a radio group. */
  cycle(step) {
    const count = this.#buttons.length;
    if (!count) return;
    const focused = this.#buttons.indexOf(this.shadowRoot.activeElement);
    // Nothing focused: start from the current choice, else from before the first (Tab)
    // or after the last (Shift+Tab) choice.
    const start = this.valid ? this.#active : step > 0 ? -1 : count;
    const from = focused >= 0 ? focused : start;
    this.#active = (((from + step) % count) + count) % count;
    if (!this.multi) this.choose(this.#active);
    this.#update();
    this.#buttons[this.#active].focus();
  }

  /** Undo the last change of the choice; false when there is none. */
  undo() {
    const before = this.#history.pop();
    if (!before) return false;
    this.#set(before);
    return true;
  }

  /** The choice, as `restore` takes it back (JSON). */
  get draft() {
    return { chosen: [...this.#chosen], none: this.#none };
  }

  /** Take back a `draft` (of the same categories); a fresh start for undo. */
  restore(draft) {
    this.#set(draft);
    this.#history = [];
  }

  #set({ chosen = [], none = false }) {
    this.#chosen = new Set(chosen.filter((category) => this.#categories.includes(category)));
    this.#none = this.multi && Boolean(none);
    this.#changed();
  }

  /** Make the change `change`; what it changed can be undone. */
  #edit(change) {
    const before = this.draft;
    change();
    if (JSON.stringify(before) !== JSON.stringify(this.draft)) this.#history.push(before);
    this.#changed();
  }

  /** Focus the current choice. */
  focusChoice() {
    (this.#buttons[this.#active] ?? this.#buttons[0])?.focus();
  }

  #changed() {
    this.#update();
    fireChange(this, this.value);
  }

  #render() {
    const layout = document.createElement("div");
    layout.className = "layout";
    layout.append(this.#renderTarget(), this.#renderChoices());
    this.shadowRoot.replaceChildren(...stylesheets("./classifier.css"), layout);
    this.#update();
  }

  #renderTarget() {
    const box = document.createElement("div");
    box.className = `target ${this.constructor.target}`;
    if (this.constructor.target === "image") {
      const image = document.createElement("img");
      image.alt = "The image to classify";
      image.setAttribute("part", "image");
      if (this.src) image.src = this.src;
      box.append(image);
    } else {
      box.append(document.createElement("slot"));
    }
    return box;
  }

  #renderChoices() {
    const group = document.createElement("div");
    group.className = "choices";
    group.setAttribute("role", this.multi ? "group" : "radiogroup");
    const header = this.header || (this.multi ? "Choose all that apply" : "Choose one");
    const heading = document.createElement("p");
    heading.className = "header";
    heading.id = "header";
    heading.textContent = header;
    group.setAttribute("aria-labelledby", "header");
    const list = document.createElement("div");
    list.className = "list";
    this.#buttons = this.#categories.map((category, index) =>
      this.#button(category, keyOf(this, index), () => this.choose(index)),
    );
    const none = this.exclusionCategory;
    if (none !== null) {
      const button = this.#button(none, this.#noneKey, () => this.chooseNone());
      button.classList.add("none");
      this.#buttons.push(button);
    }
    list.append(...this.#buttons);
    group.append(heading, list);
    return group;
  }

  #button(text, key, pick) {
    const button = document.createElement("button");
    button.type = "button";
    button.setAttribute("role", this.multi ? "checkbox" : "radio");
    button.setAttribute("part", "category");
    const badge = keyBadge(key);
    const label = document.createElement("span");
    label.textContent = text;
    button.append(badge, label);
    button.addEventListener("click", pick);
    return button;
  }

  #update() {
    const none = this.exclusionCategory !== null;
    this.#buttons.forEach((button, index) => {
      const isNone = none && index === this.#categories.length;
      const checked = isNone ? this.#none : this.#chosen.has(this.#categories[index]);
      button.setAttribute("aria-checked", String(checked));
      button.tabIndex = index === this.#active ? 0 : -1;
    });
  }
}

reflectAttributes(ClassifierElement, ["header", "name", "src"]);
reflectLabelKeys(ClassifierElement);
