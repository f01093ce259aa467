/**
 * <crowd-bounding-box>: draw labeled boxes on an image, after Ground Truth's crowd element.
 * Drag to draw a box with the current label (Shift+drag draws inside another box); click a
 * box to select it, drag it to move it, drag its handles to resize it; Delete removes it;
 * picking a label while a box is selected relabels it; Z undoes. The wheel and +/- zoom,
 * Space+drag, the middle button and the arrow keys pan. The image is an <img> moved by a
 * CSS transform and the boxes are painted on a canvas overlay, once per animation frame,
 * so a 4000x3000 image stays responsive (box-stage.js; box-*.js hold the other parts).
 *
 * Attributes (and properties): `labels` (JSON array), `header`, `name`, `src`,
 * `initial-value` (JSON [{label, left, top, width, height}]: boxes to start from, for
 * adjustment) and `readonly` (show boxes, only zoom and pan). `value` is the answer in
 * natural image pixels: {boundingBoxes: [{label, left, top, width, height}],
 * inputImageProperties: {width, height}}, plus `initialValueModified` when an initial
 * value was given. `applyTask(task)` configures it from a worker-portal task; the portal
 * sends keys through `onKey(event)`, sets the label keys (`label-keys`, crowd-attributes.js)
 * and lists `shortcuts`. `draft` / `restore(draft)`: the boxes, to keep across a reload.
 */

import { el } from "../shared/dom.js";
import { BoxEditor } from "./box-editor.js";
import { boxKey, shortcuts, ZOOM_STEP } from "./box-keys.js";
import { BoxStage } from "./box-stage.js";
import { BoxToolbar } from "./box-toolbar.js";
import { BoxView } from "./box-view.js";
import {
  applyJob,
  fireChange,
  keyOf,
  reflectAttributes,
  reflectLabelKeys,
} from "./crowd-attributes.js";

const STYLESHEET = new URL("./bounding-box.css", import.meta.url).href;

function parseJson(text, fallback) {
  try {
    return JSON.parse(text);
  } catch {
    return fallback;
  }
}

/** A `labels` attribute: JSON, or the single-quoted list Ground Truth's examples write
 * (labels="['Bird', 'Cat']"). */
function parseLabels(text) {
  return parseJson(text, null) ?? parseJson(text.replaceAll("'", '"'), []);
}

export class CrowdBoundingBox extends HTMLElement {
  static get observedAttributes() {
    return ["labels", "header", "src", "initial-value", "readonly", "label-keys"];
  }

  #editor = new BoxEditor();
  #view = new BoxView();
  #space = false;
  #stage;
  #toolbar;
  #onKeyUp = (event) => {
    if (event.key === " ") this.holdToPan(false);
  };
  #onBlur = () => this.holdToPan(false);

  constructor() {
    super();
    this.attachShadow({ mode: "open" });
    this.#build();
  }

  connectedCallback() {
    window.addEventListener("keyup", this.#onKeyUp);
    window.addEventListener("blur", this.#onBlur);
    this.#stage.observe(true);
  }

  disconnectedCallback() {
    window.removeEventListener("keyup", this.#onKeyUp);
    window.removeEventListener("blur", this.#onBlur);
    this.#stage.observe(false);
  }

  attributeChangedCallback(name, _old, value) {
    if (name === "labels") this.labels = parseLabels(value ?? "[]");
    else if (name === "initial-value") this.initialValue = parseJson(value ?? "null", null);
    else if (name === "src") this.#stage.load(value ?? "");
    else this.#renderToolbar();
  }

  // -- configuration ------------------------------------------------------------------

  /** Configure from a worker-portal task: the job's labels, the image, previous boxes. */
  applyTask(task) {
    applyJob(this, task);
    const input = task.input ?? {};
    if (Array.isArray(input.initialValue)) this.initialValue = input.initialValue;
    this.src = String(input.taskObject ?? "");
  }

  get labels() {
    return [...this.#editor.labels];
  }

  set labels(list) {
    this.#editor.setLabels(list);
    this.#renderToolbar();
    this.#stage.schedule();
  }

  /** The boxes to start from (null: none given, not an adjustment). */
  get initialValue() {
    return this.#editor.initial && this.#editor.initial.map((box) => ({ ...box }));
  }

  set initialValue(list) {
    this.#editor.start(list);
    this.#changed();
  }

  get readOnly() {
    return this.hasAttribute("readonly");
  }

  set readOnly(on) {
    this.toggleAttribute("readonly", Boolean(on));
  }

  // -- the answer -----------------------------------------------------------------------

  /** The image's natural size, once it has loaded; null before. */
  get imageSize() {
    return this.#stage.imageSize;
  }

  /** The answer, in natural image pixels. */
  get value() {
    const editor = this.#editor;
    const size = this.#stage.imageSize;
    const answer = {
      boundingBoxes: editor.boxes.map(({ label, left, top, width, height }) => ({
        label,
        left,
        top,
        width,
        height,
      })),
      inputImageProperties: { width: size?.width ?? 0, height: size?.height ?? 0 },
    };
    if (editor.initial) answer.initialValueModified = editor.modified;
    return answer;
  }

  /** Why the answer may not be submitted yet (the portal shows it). */
  get invalidMessage() {
    return this.#stage.failed
      ? "The image could not be loaded: release the task so that it goes to someone else."
      : "The image has not loaded yet: wait for it, then submit.";
  }

  /** Whether the answer may be submitted: the image has loaded (no boxes is an answer). */
  get valid() {
    return this.#stage.imageSize !== null;
  }

  /** The zoom and pan: {scale (CSS pixels per image pixel), offsetX, offsetY}. */
  get view() {
    const { scale, offsetX, offsetY } = this.#view;
    return { scale, offsetX, offsetY };
  }

  // -- operations (also the shortcuts) --------------------------------------------------

  /** Pick the label at `index` for new boxes and the selected one. */
  choose(index) {
    return !this.readOnly && this.#edit(this.#editor.chooseLabel(index));
  }

  cycleLabel(step) {
    return !this.readOnly && this.#edit(this.#editor.cycleLabel(step));
  }

  /** Delete the selected box. */
  deleteSelected() {
    return !this.readOnly && this.#edit(this.#editor.deleteSelected());
  }

  undo() {
    return !this.readOnly && this.#edit(this.#editor.undo());
  }

  /** The boxes drawn, as `restore` takes them back (JSON). */
  get draft() {
    return { boxes: this.#editor.boxes };
  }

  /** Take back the boxes of a `draft` (over the same initial value). */
  restore(draft) {
    if (this.#editor.restore(draft?.boxes)) this.#changed();
  }

  zoomBy(factor) {
    this.#view.zoomBy(factor);
    this.#stage.schedule();
    return true;
  }

  fit() {
    this.#view.fit();
    this.#stage.schedule();
    return true;
  }

  /** Pan by a fraction of the viewport: (1, 0) shows what lies a viewport to the right. */
  pan(x, y) {
    const { clientWidth, clientHeight } = this.#stage.element;
    this.#view.panBy(-x * clientWidth, -y * clientHeight);
    this.#stage.schedule();
    return true;
  }

  /** Deselect the selected box. */
  deselect() {
    if (this.#editor.selected < 0) return false;
    this.#editor.select(-1);
    this.#refresh();
    return true;
  }

  /** Whether a drag pans (Space held) instead of drawing. */
  holdToPan(on) {
    if (this.#space === on) return;
    this.#space = on;
    this.#stage.panCursor(on);
  }

  /** The keyboard shortcuts, for the worker portal's list. */
  get shortcuts() {
    return shortcuts(this);
  }

  /** Handle a key press; true when it was a shortcut of this element. */
  onKey(event) {
    return boxKey(event, this);
  }

  // -- rendering ------------------------------------------------------------------------

  #build() {
    this.#toolbar = new BoxToolbar({
      label: (index) => this.choose(index),
      zoomIn: () => this.zoomBy(ZOOM_STEP),
      zoomOut: () => this.zoomBy(1 / ZOOM_STEP),
      fit: () => this.fit(),
      undo: () => this.undo(),
      remove: () => this.deleteSelected(),
    });
    const element = this;
    this.#stage = new BoxStage({
      view: this.#view,
      editor: this.#editor,
      get readOnly() {
        return element.readOnly;
      },
      get panning() {
        return element.#space;
      },
      refresh: () => this.#refresh(),
      changed: () => this.#changed(),
      showStatus: () => this.#updateToolbar(),
    });
    const link = el("link", { rel: "stylesheet", href: STYLESHEET });
    this.shadowRoot.append(link, this.#toolbar.element, this.#stage.element);
    // Keys pressed while the focus is inside (its buttons, or in a custom template);
    // Tab keeps moving the focus there.
    this.addEventListener("keydown", (event) => {
      if (event.key === "Tab" || event.defaultPrevented) return;
      if (this.onKey(event)) {
        event.preventDefault();
        event.stopPropagation();
      }
    });
    this.#renderToolbar();
  }

  #renderToolbar() {
    const { header, readOnly } = this;
    const labels = this.#editor.labels;
    const keys = labels.map((_, index) => keyOf(this, index));
    this.#toolbar.render({ header, labels, keys, readOnly });
    this.#updateToolbar();
  }

  #updateToolbar() {
    const editor = this.#editor;
    const size = this.#stage.imageSize;
    const count = editor.boxes.length;
    const changed = editor.initial ? ` · ${editor.modified ? "changed" : "unchanged"}` : "";
    const zoom = size ? ` · zoom ${Math.round(this.#view.scale * 100)} %` : "";
    const image = size ? ` · image ${size.width}×${size.height}` : "";
    this.#toolbar.update({
      current: editor.current,
      canUndo: editor.canUndo,
      canDelete: editor.selected >= 0,
      status: this.#stage.failed
        ? "The image could not be loaded."
        : `${count} box${count === 1 ? "" : "es"}${changed}${zoom}${image}`,
    });
  }

  /** After an editor operation: true (and a change event) when it changed something. */
  #edit(done) {
    if (done) this.#changed();
    return done;
  }

  #refresh() {
    this.#updateToolbar();
    this.#stage.schedule();
  }

  #changed() {
    this.#refresh();
    fireChange(this);
  }
}

reflectAttributes(CrowdBoundingBox, ["header", "name", "src"]);
reflectLabelKeys(CrowdBoundingBox);

if (!customElements.get("crowd-bounding-box")) {
  customElements.define("crowd-bounding-box", CrowdBoundingBox);
}
