/**
 * <crowd-bounding-box>: draw labeled boxes on an image, after Ground Truth's crowd element.
 * Drag to draw a box with the current label (Shift+drag draws inside another box); click a
 * box to select it, drag it to move it, drag its handles to resize it; Delete removes it;
 * picking a label while a box is selected relabels it; Z undoes. The wheel and +/- zoom,
 * Space+drag, the middle button and the arrow keys pan. The image is an <img> moved by a
 * CSS transform and the boxes are painted on a canvas overlay, once per animation frame,
 * so a 4000x3000 image stays responsive.
 *
 * Attributes (and properties): `labels` (JSON array), `header`, `name`, `src`,
 * `initial-value` (JSON [{label, left, top, width, height}]: boxes to start from, for
 * adjustment) and `readonly` (show boxes, only zoom and pan). `value` is the answer in
 * natural image pixels: {boundingBoxes: [{label, left, top, width, height}],
 * inputImageProperties: {width, height}}, plus `initialValueModified` when an initial
 * value was given. `applyTask(task)` configures it from a worker-portal task; the portal
 * sends keys through `onKey(event)` and lists `shortcuts`.
 */

import { BoxEditor } from "./box-editor.js";
import { boxKey, shortcuts, ZOOM_STEP } from "./box-keys.js";
import { paint } from "./box-paint.js";
import { BoxPointer } from "./box-pointer.js";
import { BoxToolbar } from "./box-toolbar.js";
import { BoxView } from "./box-view.js";

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

function node(tag, attributes = {}, text = "") {
  const made = document.createElement(tag);
  for (const [key, value] of Object.entries(attributes)) made.setAttribute(key, value);
  if (text) made.textContent = text;
  return made;
}

export class CrowdBoundingBox extends HTMLElement {
  static get observedAttributes() {
    return ["labels", "header", "src", "initial-value", "readonly"];
  }

  #editor = new BoxEditor();
  #view = new BoxView();
  #size = null; // the image's natural size once loaded
  #space = false;
  #frame = 0;
  #parts;
  #pointer;
  #observer;
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
    this.#observer.observe(this.#parts.viewport);
  }

  disconnectedCallback() {
    window.removeEventListener("keyup", this.#onKeyUp);
    window.removeEventListener("blur", this.#onBlur);
    this.#observer.disconnect();
  }

  attributeChangedCallback(name, _old, value) {
    if (name === "labels") this.labels = parseLabels(value ?? "[]");
    else if (name === "initial-value") this.initialValue = parseJson(value ?? "null", null);
    else if (name === "src") this.#load(value ?? "");
    else this.#renderToolbar();
  }

  // -- configuration ------------------------------------------------------------------

  /** Configure from a worker-portal task: the job's labels, the image, previous boxes. */
  applyTask(task) {
    this.name = task.job.labelAttributeName;
    this.labels = task.job.labels;
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
    this.#schedule();
  }

  /** The boxes to start from (null: none given, not an adjustment). */
  get initialValue() {
    return this.#editor.initial && this.#editor.initial.map((box) => ({ ...box }));
  }

  set initialValue(list) {
    this.#editor.start(list);
    this.#changed();
  }

  get header() {
    return this.getAttribute("header") ?? "";
  }

  set header(text) {
    this.setAttribute("header", text);
  }

  get name() {
    return this.getAttribute("name") ?? "";
  }

  set name(text) {
    this.setAttribute("name", text);
  }

  get src() {
    return this.getAttribute("src") ?? "";
  }

  set src(url) {
    this.setAttribute("src", url);
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
    return this.#size && { ...this.#size };
  }

  /** The answer, in natural image pixels. */
  get value() {
    const editor = this.#editor;
    const answer = {
      boundingBoxes: editor.boxes.map(({ label, left, top, width, height }) => ({
        label,
        left,
        top,
        width,
        height,
      })),
      inputImageProperties: { width: this.#size?.width ?? 0, height: this.#size?.height ?? 0 },
    };
    if (editor.initial) answer.initialValueModified = editor.modified;
    return answer;
  }

  /** Why the answer may not be submitted yet (the portal shows it). */
  get invalidMessage() {
    return this.#failedToLoad
      ? "The image could not be loaded: release the task so that it goes to someone else."
      : "The image has not loaded yet: wait for it, then submit.";
  }

  /** Whether the answer may be submitted: the image has loaded (no boxes is an answer). */
  get valid() {
    return this.#size !== null;
  }

  /** The zoom and pan: {scale (CSS pixels per image pixel), offsetX, offsetY}. */
  get view() {
    const { scale, offsetX, offsetY } = this.#view;
    return { scale, offsetX, offsetY };
  }

  // -- operations (also the shortcuts) --------------------------------------------------

  /** Pick the label at `index` for new boxes and the selected one. */
  chooseLabel(index) {
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

  zoomBy(factor) {
    this.#view.zoomBy(factor);
    this.#schedule();
    return true;
  }

  fit() {
    this.#view.fit();
    this.#schedule();
    return true;
  }

  /** Pan by a fraction of the viewport: (1, 0) shows what lies a viewport to the right. */
  pan(x, y) {
    const { clientWidth, clientHeight } = this.#parts.viewport;
    this.#view.panBy(-x * clientWidth, -y * clientHeight);
    this.#schedule();
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
    if (!this.#pointer.dragging) this.#parts.canvas.style.cursor = on ? "grab" : "";
  }

  /** The keyboard shortcuts, for the worker portal's list. */
  get shortcuts() {
    return shortcuts(this.readOnly);
  }

  /** Handle a key press; true when it was a shortcut of this element. */
  onKey(event) {
    return boxKey(event, this);
  }

  // -- rendering ------------------------------------------------------------------------

  #build() {
    const image = node("img", { part: "image", alt: "", draggable: "false" });
    const canvas = node("canvas", { part: "overlay" });
    const viewport = node("div", { class: "viewport", part: "viewport", tabindex: "0" });
    viewport.append(image, canvas);
    const toolbar = new BoxToolbar({
      label: (index) => this.chooseLabel(index),
      zoomIn: () => this.zoomBy(ZOOM_STEP),
      zoomOut: () => this.zoomBy(1 / ZOOM_STEP),
      fit: () => this.fit(),
      undo: () => this.undo(),
      remove: () => this.deleteSelected(),
    });
    this.#parts = { image, canvas, viewport, toolbar };
    const link = node("link", { rel: "stylesheet", href: STYLESHEET });
    this.shadowRoot.append(link, toolbar.element, viewport);
    image.addEventListener("load", () => this.#loaded());
    image.addEventListener("error", () => this.#failed());
    this.#pointer = new BoxPointer(this.#pointerHost());
    // Keys pressed while the focus is inside (its buttons, or in a custom template);
    // Tab keeps moving the focus there.
    this.addEventListener("keydown", (event) => {
      if (event.key === "Tab" || event.defaultPrevented) return;
      if (this.onKey(event)) {
        event.preventDefault();
        event.stopPropagation();
      }
    });
    this.#observer = new ResizeObserver(() => this.#resized());
    this.#renderToolbar();
  }

  #renderToolbar() {
    const { header, readOnly } = this;
    this.#parts.toolbar.render({ header, labels: this.#editor.labels, readOnly });
    this.#updateToolbar();
  }

  #updateToolbar() {
    const editor = this.#editor;
    const count = editor.boxes.length;
    const changed = editor.initial ? ` · ${editor.modified ? "changed" : "unchanged"}` : "";
    const zoom = this.#size ? ` · zoom ${Math.round(this.#view.scale * 100)} %` : "";
    const size = this.#size ? ` · image ${this.#size.width}×${this.#size.height}` : "";
    this.#parts.toolbar.update({
      current: editor.current,
      canUndo: editor.canUndo,
      canDelete: editor.selected >= 0,
      status: this.#failedToLoad
        ? "The image could not be loaded."
        : `${count} box${count === 1 ? "" : "es"}${changed}${zoom}${size}`,
    });
  }

  get #failedToLoad() {
    return this.#parts.viewport.classList.contains("failed");
  }

  /** What the pointer handling sees of this element. */
  #pointerHost() {
    const element = this;
    const parts = this.#parts;
    return {
      view: this.#view,
      editor: this.#editor,
      canvas: parts.canvas,
      viewport: parts.viewport,
      get imageSize() {
        return element.imageSize;
      },
      get readOnly() {
        return element.readOnly;
      },
      get panning() {
        return element.#space;
      },
      refresh: () => this.#refresh(),
      changed: () => this.#changed(),
      schedule: () => this.#schedule(),
    };
  }

  /** After an editor operation: true (and a change event) when it changed something. */
  #edit(done) {
    if (done) this.#changed();
    return done;
  }

  #refresh() {
    this.#updateToolbar();
    this.#schedule();
  }

  #changed() {
    this.#refresh();
    this.dispatchEvent(new CustomEvent("change", { bubbles: true, composed: true }));
  }

  /** Paint on the next animation frame (once, however many events came before it). */
  #schedule() {
    if (this.#frame) return;
    this.#frame = requestAnimationFrame(() => {
      this.#frame = 0;
      this.#draw();
    });
  }

  #draw() {
    const { image, canvas, viewport } = this.#parts;
    const { scale, offsetX, offsetY } = this.#view;
    const transform = `translate(${offsetX}px, ${offsetY}px) scale(${scale})`;
    if (image.style.transform !== transform) image.style.transform = transform;
    const boxes = this.#editor.boxes.map((_box, index) => this.#pointer.shown(index));
    paint(canvas.getContext("2d"), {
      view: this.#view,
      boxes,
      labels: this.#editor.labels,
      selected: this.#editor.selected,
      draft: this.#pointer.draft,
      width: viewport.clientWidth,
      height: viewport.clientHeight,
      ratio: window.devicePixelRatio || 1,
    });
    this.#updateToolbar();
  }

  #load(url) {
    this.#size = null;
    this.#parts.viewport.classList.remove("failed");
    if (url) this.#parts.image.src = url;
    else this.#parts.image.removeAttribute("src");
    this.#updateToolbar();
  }

  #loaded() {
    const { naturalWidth: width, naturalHeight: height } = this.#parts.image;
    this.#size = { width, height };
    this.#parts.image.style.width = `${width}px`;
    this.#parts.image.style.height = `${height}px`;
    this.#resized();
    this.#changed(); // the answer now has the image's size
  }

  #failed() {
    this.#size = null;
    this.#parts.viewport.classList.add("failed");
    this.#updateToolbar();
  }

  #resized() {
    const { canvas, viewport } = this.#parts;
    const width = viewport.clientWidth;
    const height = viewport.clientHeight;
    const ratio = window.devicePixelRatio || 1;
    canvas.width = Math.round(width * ratio);
    canvas.height = Math.round(height * ratio);
    this.#view.setSizes({ width, height }, this.#size ?? { width: 0, height: 0 });
    this.#draw();
  }
}

if (!customElements.get("crowd-bounding-box")) {
  customElements.define("crowd-bounding-box", CrowdBoundingBox);
}
