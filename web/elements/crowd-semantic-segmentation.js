/**
 * <crowd-semantic-segmentation>: paint the pixels of an image with the job's labels, as
 * Ground Truth's element of that name. Tools: a round brush of several sizes, an eraser,
 * polygon fill (click the corners; Enter or a double-click fills) and undo of several
 * steps. The mask is a class map at the image's natural size (mask-raster.js: whole
 * pixels, no anti-aliasing) shown on a canvas of that size over the image; `value` is
 * the answer submitTask takes: {labeledImage: {pngImageData: <base64 RGBA PNG of the
 * canvas>}, labelMappings: {<label>: {color}}, inputImageProperties: {width, height}}.
 * A painted pixel is exactly its label's colour, every other pixel transparent.
 *
 * Attributes (also properties): `labels` (JSON: strings or {label}), `header`, `name`,
 * `src`, `label-keys` (crowd-attributes.js). applyTask(task) configures it from a
 * worker-portal task. Keys come from the labeling screen through onKey(event); `shortcuts`
 * lists them. Fires `change`. `draft` / `restore(draft)`: the mask (as runs of pixels), to
 * keep across a reload; a draft restored before the image loaded waits for it.
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
import { labelSet, parseLabels } from "./label-colors.js";
import { ClassMap, Rect } from "./mask-raster.js";
import { SegmentationView } from "./segmentation-view.js";

/** Brush diameters in image pixels (odd: a brush is centred on a pixel). */
export const BRUSH_SIZES = [1, 3, 5, 9, 15, 25, 41, 65, 105, 169];
const UNDO_STEPS = 50;
const TOOLS = ["brush", "eraser", "polygon"];

export class CrowdSemanticSegmentation extends HTMLElement {
  static get observedAttributes() {
    return ["labels", "header", "src", "label-keys"];
  }

  #labels = [];
  #colors = [];
  #label = 0;
  #tool = "brush";
  #size = 3;
  #map = null; // the mask: ClassMap at natural size, null until the image loaded
  #saved = null; // the mask as of the last finished step (for undo)
  #undo = [];
  #stroke = null; // {dirty, x, y, value} while the pointer paints
  #corners = []; // the polygon being drawn: [[x, y], ...]
  #pending = null; // a draft to restore once the image loaded
  #view = null;

  constructor() {
    super();
    this.attachShadow({ mode: "open" });
    this.#view = new SegmentationView(this.shadowRoot, {
      pickLabel: (index) => this.choose(index),
      pickTool: (tool) => this.setTool(tool),
      resize: (step) => this.resizeBrush(step),
      undo: () => this.undo(),
      loaded: (image) => this.#start(image.naturalWidth, image.naturalHeight),
      pointerDown: (x, y) => this.#pointerDown(x, y),
      click: (x, y, count) => this.#click(x, y, count),
      pointerMove: (x, y) => this.#pointerMove(x, y),
      pointerUp: () => this.#finishStroke(),
      doubleClick: () => {
        if (this.#tool === "polygon") this.closePolygon();
      },
    });
  }

  connectedCallback() {
    this.#view.observe(true);
    this.#view.render(this.#state());
  }

  disconnectedCallback() {
    this.#view.observe(false);
  }

  attributeChangedCallback(name, old, value) {
    if (name === "labels") {
      this.labels = parseLabels(value ?? "[]");
    } else if (name === "src") {
      if (value !== old) {
        this.#map = null; // a new image: a new mask once it loaded
        this.#pending = null;
      }
      this.#view.load(value ?? "");
      this.#view.render(this.#state());
    } else {
      this.#view.render(this.#state());
    }
  }

  /** Configure from a worker-portal task: the job's labels and the task's image URL. */
  applyTask(task) {
    applyJob(this, task);
    this.src = String(task.input?.taskObject ?? "");
  }

  get labels() {
    return this.#labels.map((entry) => entry.label);
  }

  set labels(list) {
    ({ entries: this.#labels, colors: this.#colors } = labelSet(list));
    this.#label = 0;
    this.#view.palette(this.#colors);
    if (this.#map) {
      const all = new Rect();
      all.add(0, 0, this.#map.width - 1, this.#map.height - 1);
      this.#view.paint(this.#map, all);
    }
    this.#view.render(this.#state());
  }

  /** The label colours, in label order ("#rrggbb"). */
  get colors() {
    return [...this.#colors];
  }

  /** The brush diameter in image pixels. */
  get brushSize() {
    return BRUSH_SIZES[this.#size];
  }

  get tool() {
    return this.#tool;
  }

  /** Whether the answer may be submitted: the image (so the mask) is there. */
  get valid() {
    return this.#map !== null;
  }

  get invalidMessage() {
    return "The image has not loaded yet: wait for it (or Skip the task), then submit.";
  }

  /** The answer, or null before the image loaded. */
  get value() {
    if (!this.#map) return null;
    const png = this.#view.canvas.toDataURL("image/png");
    return {
      labeledImage: { pngImageData: png.slice(png.indexOf(",") + 1) },
      labelMappings: Object.fromEntries(
        this.#labels.map((entry, index) => [entry.label, { color: this.#colors[index] }]),
      ),
      inputImageProperties: { width: this.#map.width, height: this.#map.height },
    };
  }

  /** The mask, as `restore` takes it back (JSON); before the image loaded, the draft
   * waiting for it. */
  get draft() {
    if (!this.#map) return this.#pending;
    return { width: this.#map.width, height: this.#map.height, runs: this.#map.runs() };
  }

  /** Take back the mask of a `draft` (of the same image), now or once the image loaded. */
  restore(draft) {
    if (!this.#map) {
      this.#pending = draft;
      return;
    }
    const { width, height } = this.#map;
    if (draft?.width !== width || draft?.height !== height || !Array.isArray(draft.runs)) return;
    this.#map.setRuns(draft.runs);
    this.#saved.setRuns(draft.runs);
    this.#undo = [];
    const all = new Rect();
    all.add(0, 0, width - 1, height - 1);
    this.#view.paint(this.#map, all);
    this.#changed();
  }

  get shortcuts() {
    const keys = labelKeysText(this, this.#labels.length);
    return [
      ...(keys ? [[keys, "Pick the label with that key"]] : []),
      ["Tab / Shift+Tab", "Pick the next / previous label"],
      ["B", "Brush: drag to paint"],
      ["E", "Eraser: drag to erase"],
      ["P", "Polygon: click its corners, then Enter or double-click to fill it"],
      ["[ / ]", "Smaller / larger brush"],
      ["Z", "Undo (again for earlier steps); while drawing a polygon, its last corner"],
      ["Backspace", "Remove the polygon's last corner"],
      ["Esc", "Cancel the polygon being drawn"],
    ];
  }

  /** Handle a key press from the labeling screen; true when it was a shortcut here. */
  onKey(event) {
    const { key, shiftKey } = event;
    const drawing = this.#corners.length > 0;
    const tool = { b: "brush", e: "eraser", p: "polygon" }[key.toLowerCase()];
    const label = labelAt(this, event);
    if (label >= 0) this.choose(label);
    else if (key === "Tab") this.cycle(shiftKey ? -1 : 1);
    else if (key === "Enter" && drawing) this.closePolygon();
    else if (key === "Escape" && drawing) this.cancelPolygon();
    else if ((key === "Backspace" && drawing) || key === "z" || key === "Z") this.undo();
    else if (tool) this.setTool(tool);
    else if (key === "[" || key === "]") this.resizeBrush(key === "]" ? 1 : -1);
    else return false;
    return true;
  }

  /** Paint with the label at `index`; out of range does nothing. */
  choose(index) {
    if (index < 0 || index >= this.#labels.length) return false;
    this.#label = index;
    this.#view.render(this.#state());
    return true;
  }

  /** Pick the next (1) or previous (-1) label. */
  cycle(step) {
    const count = this.#labels.length;
    if (count) this.choose((((this.#label + step) % count) + count) % count);
  }

  setTool(tool) {
    if (!TOOLS.includes(tool)) return;
    if (tool !== "polygon") this.#corners = [];
    this.#tool = tool;
    this.#view.render(this.#state());
  }

  /** One brush size larger (1) or smaller (-1). */
  resizeBrush(step) {
    this.#size = Math.min(BRUSH_SIZES.length - 1, Math.max(0, this.#size + step));
    this.#view.render(this.#state());
  }

  /** Undo the last step (the last polygon corner while a polygon is drawn). */
  undo() {
    if (this.#corners.length) {
      this.#corners.pop();
      this.#view.render(this.#state());
      return;
    }
    if (this.#stroke) return; // not in the middle of a stroke
    const step = this.#undo.pop();
    if (!step || !this.#map) return;
    this.#map.pasteRect(step.rect, step.pixels);
    this.#saved.pasteRect(step.rect, step.pixels);
    this.#view.paint(this.#map, step.rect);
    this.#changed();
  }

  /** Fill the polygon drawn so far with the current label. */
  closePolygon() {
    const corners = this.#corners.filter(
      ([x, y], i, all) => i === 0 || x !== all[i - 1][0] || y !== all[i - 1][1],
    );
    if (corners.length < 3) {
      this.#view.render(this.#state("A polygon needs at least 3 corners: click them first."));
      return;
    }
    this.#corners = [];
    const dirty = new Rect();
    this.#map.polygon(corners, this.#label + 1, dirty);
    this.#commit(dirty);
  }

  cancelPolygon() {
    this.#corners = [];
    this.#view.render(this.#state());
  }

  #start(width, height) {
    this.#map = new ClassMap(width, height);
    this.#saved = new ClassMap(width, height);
    this.#undo = [];
    this.#corners = [];
    const preferred = Math.min(width, height) / 20;
    this.#size = Math.max(0, BRUSH_SIZES.findLastIndex((size) => size <= preferred));
    this.#view.start(width, height, this.#colors);
    this.#view.render(this.#state());
    const pending = this.#pending;
    this.#pending = null;
    if (pending) this.restore(pending);
  }

  /** A click adds a polygon corner (the second click of a double-click closes instead). */
  #click(x, y, count) {
    if (!this.#map || this.#tool !== "polygon" || count > 1) return;
    const clamp = (v, max) => Math.min(max - 1, Math.max(0, v));
    this.#corners.push([clamp(x, this.#map.width), clamp(y, this.#map.height)]);
    this.#view.render(this.#state());
  }

  #pointerDown(x, y) {
    if (!this.#map || this.#tool === "polygon") return;
    const value = this.#tool === "eraser" ? 0 : this.#label + 1;
    this.#stroke = { dirty: new Rect(), x, y, value };
    this.#pointerMove(x, y);
  }

  #pointerMove(x, y) {
    const stroke = this.#stroke;
    if (!stroke) {
      this.#view.pointer(x, y, this.#tool === "polygon" ? 1 : this.brushSize, this.#corners);
      return;
    }
    const segment = new Rect();
    this.#map.stroke(stroke.x, stroke.y, x, y, this.brushSize, stroke.value, segment);
    stroke.x = x;
    stroke.y = y;
    if (segment.empty) return;
    stroke.dirty.add(segment.x0, segment.y0, segment.x1, segment.y1);
    this.#view.paint(this.#map, segment);
    this.#view.pointer(x, y, this.brushSize, []);
  }

  #finishStroke() {
    if (!this.#stroke) return;
    const { dirty } = this.#stroke;
    this.#stroke = null;
    this.#commit(dirty);
  }

  /** Close a step: remember what `dirty` held before it (if anything changed). */
  #commit(dirty) {
    if (dirty.empty) {
      this.#view.render(this.#state());
      return;
    }
    const before = this.#saved.copyRect(dirty);
    const after = this.#map.copyRect(dirty);
    if (!before.every((value, index) => value === after[index])) {
      this.#undo.push({ rect: dirty, pixels: before });
      if (this.#undo.length > UNDO_STEPS) this.#undo.shift();
      this.#saved.pasteRect(dirty, after);
    }
    this.#view.paint(this.#map, dirty);
    this.#changed();
  }

  #changed() {
    this.#view.render(this.#state());
    fireChange(this);
  }

  #state(message = "") {
    return {
      header: this.header,
      labels: this.#labels,
      colors: this.#colors,
      keys: this.#labels.map((_, index) => keyOf(this, index)),
      label: this.#label,
      tool: this.#tool,
      size: this.brushSize,
      undoSteps: this.#undo.length,
      corners: this.#corners,
      message,
    };
  }
}

reflectAttributes(CrowdSemanticSegmentation, ["header", "name", "src"]);
reflectLabelKeys(CrowdSemanticSegmentation);

if (!customElements.get("crowd-semantic-segmentation")) {
  customElements.define("crowd-semantic-segmentation", CrowdSemanticSegmentation);
}
