/**
 * <crowd-entity-annotation>: mark the named entities of a text, as Ground Truth's element
 * of that name. The worker selects a span (drag with the mouse, double-click a word, or
 * the keyboard: arrows move a caret, Shift+arrows extend the selection, W / B select the
 * next / previous word and Shift+W / Shift+B extend by a word), then picks its label (a
 * number key, a click on the label, or Enter for the label Tab moved to). Spaces at the
 * ends of a selection are left out. An entity is removed by clicking it (or moving the
 * caret onto it) and pressing Delete, or with its Remove button. A span that overlaps an
 * entity is refused with a message (role=alert) saying which one.
 *
 * `value` is the answer submitTask takes: {entities: [{label, startOffset, endOffset}]}
 * in Unicode code points, endOffset exclusive, by start offset. Attributes (also
 * properties): `labels` (JSON: strings or {label, shortDisplayName, fullDisplayName}),
 * `header`, `name`, `text`, `initial-value` (JSON [{label, startOffset, endOffset}]).
 * `label-keys` (crowd-attributes.js). applyTask(task) configures it from a worker-portal
 * task; keys come through onKey(event) and `shortcuts` lists them; undo() takes back the
 * last change of the entities. Fires `change`. `draft` / `restore(draft)`: the entities,
 * to keep across a reload.
 */

import {
  applyJob,
  fireChange,
  keyOf,
  labelAt,
  labelKeysText,
  reflectAttributes,
  reflectLabelKeys,
} from "./crowd-attributes.js";
import { EntityView } from "./entity-view.js";
import { labelSet, parseLabels } from "./label-colors.js";
import { graphemes, isSpace, words } from "./text-units.js";

export class CrowdEntityAnnotation extends HTMLElement {
  static get observedAttributes() {
    return ["labels", "header", "text", "initial-value", "label-keys"];
  }

  #labels = [];
  #colors = [];
  #active = 0; // the label Tab moves through and Enter applies
  #text = "";
  #codePoints = [];
  #units = [];
  #words = [];
  #entities = []; // [{label, start, end}] in code points, by start
  #history = []; // the entities before each change, for undo
  #anchor = 0; // the selection: grapheme boundaries anchor..focus (a caret when equal)
  #focus = 0;
  #focused = null; // the entity outlined (click or caret), which Delete removes
  #alert = "";
  #status = "";
  #view;

  constructor() {
    super();
    this.attachShadow({ mode: "open" });
    this.#view = new EntityView(this.shadowRoot, {
      pickLabel: (index) => this.choose(index),
      remove: (entity) => this.remove(entity),
      select: (anchor, focus) => this.#select(anchor, focus),
      clickUnit: (index, after) => this.#clickUnit(index, after),
      selectWordAt: (index) => this.#selectWordAt(index),
    });
  }

  connectedCallback() {
    this.#render();
  }

  attributeChangedCallback(name, _old, value) {
    if (name === "labels") this.labels = parseLabels(value ?? "[]");
    else if (name === "text") this.#setText(value ?? "");
    else if (name === "initial-value") this.#setInitial(value);
    else this.#render();
  }

  /** Configure from a worker-portal task: the job's labels and the task's text. */
  applyTask(task) {
    const object = task.input?.taskObject ?? "";
    applyJob(this, task);
    this.text = typeof object === "string" ? object : JSON.stringify(object);
  }

  get labels() {
    return this.#labels.map((entry) => entry.label);
  }

  set labels(list) {
    ({ entries: this.#labels, colors: this.#colors } = labelSet(list));
    this.#active = 0;
    this.#render();
  }

  get text() {
    return this.#text;
  }

  set text(value) {
    this.setAttribute("text", value);
  }

  /** Always submittable: a text may hold no entities. */
  get valid() {
    return true;
  }

  get value() {
    return {
      entities: this.#entities.map(({ label, start, end }) => ({
        label,
        startOffset: start,
        endOffset: end,
      })),
    };
  }

  /** The entities, as `restore` takes them back (JSON). */
  get draft() {
    return this.value;
  }

  /** Take back the entities of a `draft` (of the same text). */
  restore(draft) {
    this.#load(draft?.entities);
    this.#changed();
  }

  /** Take back the last change of the entities (marked, relabelled or removed). */
  undo() {
    const before = this.#history.pop();
    if (!before) return false;
    this.#entities = before;
    this.#focused = null;
    this.#say("", "Undone.");
    this.#changed();
    return true;
  }

  get shortcuts() {
    const keys = labelKeysText(this, this.#labels.length);
    return [
      ["Mouse", "Drag over text (or double-click a word) to select it"],
      ["← / →", "Move the caret one character (onto an entity: outline it)"],
      ["Shift+← / Shift+→", "Extend the selection one character"],
      ["W / B", "Select the next / previous word"],
      ["Shift+W / Shift+B", "Extend the selection by the next / previous word"],
      ["Home / End", "Caret to the start / end of the text"],
      ...(keys ? [[keys, "Label the selection (or the outlined entity) with that key's label"]] : []),
      ["Tab / Shift+Tab", "Move to the next / previous label"],
      ["Enter", "Label the selection with that label (no selection: submit)"],
      ["Delete / Backspace", "Remove the outlined entity (click an entity to outline it)"],
      ["Z", "Undo the last change of the entities"],
      ["Esc", "Clear the selection"],
    ];
  }

  /** Handle a key press from the labeling screen; true when it was a shortcut here. */
  onKey(event) {
    const { key, shiftKey } = event;
    const label = labelAt(this, event);
    if (label >= 0) return this.choose(label);
    const lower = key.toLowerCase();
    if (key === "Tab") this.cycle(shiftKey ? -1 : 1);
    else if (key === "Enter" && this.#anchor !== this.#focus) this.choose(this.#active);
    else if (key === "Escape" && (this.#anchor !== this.#focus || this.#focused)) this.#clear();
    else if ((key === "Delete" || key === "Backspace") && this.#focused) this.remove(this.#focused);
    else if (key === "ArrowLeft") this.#move(-1, shiftKey);
    else if (key === "ArrowRight") this.#move(1, shiftKey);
    else if (key === "Home") this.#moveTo(0, shiftKey);
    else if (key === "End") this.#moveTo(this.#units.length, shiftKey);
    else if (lower === "w") this.#nextWord(shiftKey);
    else if (lower === "b") this.#previousWord(shiftKey);
    else if (lower === "z" && !shiftKey) this.undo();
    else return false;
    return true;
  }

  /** Label the selection with the label at `index` (or relabel the outlined entity). */
  choose(index) {
    if (index < 0 || index >= this.#labels.length) return false;
    this.#active = index;
    const label = this.#labels[index].label;
    if (this.#anchor === this.#focus) {
      if (this.#focused) {
        this.#remember();
        this.#focused.label = label;
        this.#say("", `“${this.#slice(this.#focused)}” is now ${label}.`);
        this.#changed();
      } else {
        this.#say("", `Select some text, then pick its label (${label} is ready for Enter).`);
      }
      return true;
    }
    let [first, end] = this.#range();
    while (first < end && isSpace(this.#units[first])) first += 1;
    while (end > first && isSpace(this.#units[end - 1])) end -= 1;
    if (first === end) {
      this.#say("Only spaces are selected: select a word or more, then pick its label.");
      return true;
    }
    const span = { label, start: this.#units[first].start, end: this.#units[end - 1].end };
    const clash = this.#entities.find((e) => e.start < span.end && e.end > span.start);
    if (clash) {
      this.#say(
        `Not marked: “${this.#slice(span)}” overlaps the entity “${this.#slice(clash)}” ` +
          `(${clash.label}), and entities may not overlap. Remove that entity first ` +
          "(click it, then Delete), or select other text.",
      );
      return true;
    }
    this.#remember();
    this.#entities.push(span);
    this.#entities.sort((a, b) => a.start - b.start);
    this.#anchor = this.#focus = end;
    this.#focused = null;
    this.#say("", `Marked “${this.#slice(span)}” as ${label}.`);
    this.#changed();
    return true;
  }

  /** Move to the next (1) or previous (-1) label. */
  cycle(step) {
    const count = this.#labels.length;
    if (!count) return;
    this.#active = (((this.#active + step) % count) + count) % count;
    const label = this.#labels[this.#active].label;
    this.#say("", `Label: ${label} (Enter applies it to the selection).`);
  }

  /** Remove `entity` (one of this element's entities). */
  remove(entity) {
    const index = this.#entities.indexOf(entity);
    if (index < 0) return;
    this.#remember();
    this.#entities.splice(index, 1);
    if (this.#focused === entity) this.#focused = null;
    this.#say("", `Removed “${this.#slice(entity)}” (${entity.label}).`);
    this.#changed();
  }

  #setText(text) {
    this.#text = text;
    this.#codePoints = [...text];
    this.#units = graphemes(text);
    this.#words = words(text, this.#units);
    this.#entities = [];
    this.#anchor = this.#focus = 0;
    this.#focused = null;
    this.#alert = this.#status = "";
    this.#view.setText(this.#units);
    this.#setInitial(this.getAttribute("initial-value"));
  }

  /** Start from Ground Truth's `initial-value` entities (overlapping ones left out). */
  #setInitial(json) {
    let list = [];
    try {
      list = JSON.parse(json ?? "[]");
    } catch {
      list = [];
    }
    this.#load(list);
    this.#render();
  }

  /** Put the entities of `list` ([{label, startOffset, endOffset}]; overlapping ones left
   * out) in place of the ones marked; a fresh start for undo. */
  #load(list) {
    const ok = (e) =>
      typeof e?.label === "string" &&
      Number.isInteger(e.startOffset) &&
      Number.isInteger(e.endOffset) &&
      e.startOffset < e.endOffset;
    this.#entities = [];
    for (const e of Array.isArray(list) ? list.filter(ok) : []) {
      const span = { label: e.label, start: e.startOffset, end: e.endOffset };
      if (!this.#entities.some((o) => o.start < span.end && o.end > span.start)) {
        this.#entities.push(span);
      }
    }
    this.#entities.sort((a, b) => a.start - b.start);
    this.#history = [];
    this.#focused = null;
  }

  /** Keep the entities as they are before a change, for undo. */
  #remember() {
    this.#history.push(this.#entities.map((entity) => ({ ...entity })));
  }

  /** The selection as grapheme indices [first, end). */
  #range() {
    return [Math.min(this.#anchor, this.#focus), Math.max(this.#anchor, this.#focus)];
  }

  #slice(span) {
    return this.#codePoints.slice(span.start, span.end).join("");
  }

  /** The entity holding grapheme `index`, or null. */
  #entityAt(index) {
    const unit = this.#units[index];
    if (!unit) return null;
    return this.#entities.find((e) => e.start < unit.end && e.end > unit.start) ?? null;
  }

  #select(anchor, focus) {
    this.#anchor = anchor;
    this.#focus = focus;
    this.#focused = null;
    this.#say("", "");
  }

  #clickUnit(index, after) {
    const entity = this.#entityAt(index);
    this.#anchor = this.#focus = after ? index + 1 : index;
    this.#focused = entity;
    this.#say("", entity ? this.#outlined(entity) : "");
  }

  #selectWordAt(index) {
    const word = this.#words.find(([first, end]) => first <= index && index < end);
    if (word) this.#select(word[0], word[1]);
  }

  #clear() {
    this.#anchor = this.#focus;
    this.#focused = null;
    this.#say("", "");
  }

  #move(step, extend) {
    const [first, end] = this.#range();
    if (!extend && first !== end) this.#moveTo(step < 0 ? first : end, false);
    else this.#moveTo(this.#focus + step, extend);
  }

  #moveTo(boundary, extend) {
    this.#focus = Math.min(this.#units.length, Math.max(0, boundary));
    if (!extend) this.#anchor = this.#focus;
    const at = this.#entityAt(this.#focus) ?? this.#entityAt(this.#focus - 1);
    this.#focused = extend ? null : at;
    this.#say("", this.#focused ? this.#outlined(this.#focused) : "");
  }

  #outlined(entity) {
    return `Outlined “${this.#slice(entity)}” (${entity.label}): Delete removes it.`;
  }

  #nextWord(extend) {
    const [first, end] = this.#range();
    if (extend) {
      const word = this.#words.find(([, wordEnd]) => wordEnd > this.#focus);
      if (word) this.#moveTo(word[1], true);
      return;
    }
    const from = first === end ? first : end;
    const word = this.#words.find(([a, b]) => (first === end ? b > from : a >= from));
    if (word) this.#select(word[0], word[1]);
  }

  #previousWord(extend) {
    const [first, end] = this.#range();
    if (extend) {
      const word = this.#words.findLast(([wordStart]) => wordStart < this.#focus);
      if (word) this.#moveTo(word[0], true);
      return;
    }
    const from = first;
    const word = this.#words.findLast(([a, b]) => (first === end ? a < from : b <= from));
    if (word) this.#select(word[1], word[0]);
  }

  /** Set the alert (a refusal; "" clears it) and the status line, and redraw. */
  #say(alert, status = "") {
    this.#alert = alert;
    this.#status = status;
    this.#render();
  }

  #changed() {
    this.#render();
    fireChange(this);
  }

  #render() {
    this.#view.render({
      header: this.header,
      labels: this.#labels,
      colors: this.#colors,
      keys: this.#labels.map((_, index) => keyOf(this, index)),
      active: this.#active,
      units: this.#units,
      entities: this.#entities,
      slice: (span) => this.#slice(span),
      selection: this.#range(),
      caret: this.#focus,
      focused: this.#focused,
      alert: this.#alert,
      status: this.#status,
    });
  }
}

reflectAttributes(CrowdEntityAnnotation, ["header", "name"]);
reflectLabelKeys(CrowdEntityAnnotation);

if (!customElements.get("crowd-entity-annotation")) {
  customElements.define("crowd-entity-annotation", CrowdEntityAnnotation);
}
