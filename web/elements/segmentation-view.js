/**
 * The shadow DOM of <crowd-semantic-segmentation>: the image with the mask canvas (the
 * image's natural size, scaled by CSS without smoothing) and an SVG overlay (brush outline,
 * polygon being drawn) on top, and the panel (labels, tools, brush size, undo, a status
 * line). It turns pointer positions into image pixels and reports them to the element
 * through the `on` callbacks; it never decides what a gesture means. Text goes through
 * textContent only.
 */

import { el, svg } from "../shared/dom.js";
import { keyBadge, LabelChoices, stylesheets } from "./choices.js";

/** The share of the window's height the image may take. */
const HEIGHT_SHARE = 0.58;

export class SegmentationView {
  #on;
  #parts;
  #size = null; // [width, height] once the image loaded
  #context = null;
  #pixels = null; // ImageData of the whole mask
  #pixels32 = null;
  #palette32 = new Uint32Array(256);
  #labels;
  #src = "";
  #unit = 1; // image pixels per CSS pixel
  #observer;
  #failed = false; // the image did not load

  constructor(root, on) {
    this.#on = on;
    this.#labels = new LabelChoices((index) => on.pickLabel(index));
    const image = el("img", { part: "image", alt: "The image to label", draggable: "false" });
    const canvas = el("canvas", { class: "mask", part: "mask", "aria-label": "Painted mask" });
    const overlay = svg("svg", { class: "overlay", "aria-hidden": "true" });
    const outline = svg("polyline", { class: "outline" });
    const corners = svg("g", { class: "corners" });
    const cursor = svg("circle", { class: "cursor", r: "0" });
    overlay.append(outline, corners, cursor);
    const frame = el("div", { class: "frame" }, image, canvas, overlay);
    const box = el("div", { class: "box" }, frame);
    const tool = (name, key, text) =>
      el("button", { type: "button", "aria-pressed": "false" }, keyBadge(key), text);
    this.#parts = {
      image,
      canvas,
      overlay,
      outline,
      corners,
      cursor,
      frame,
      box,
      header: el("p", { class: "header", id: "header" }),
      labels: this.#labels.element,
      tools: {
        brush: tool("brush", "B", "Brush"),
        eraser: tool("eraser", "E", "Eraser"),
        polygon: tool("polygon", "P", "Polygon"),
      },
      size: el("output", { class: "size-value" }),
      undo: el("button", { type: "button", class: "undo" }, keyBadge("Z"), "Undo"),
      message: el("p", { class: "message", role: "status" }),
    };
    const { tools, size, undo, header, labels, message } = this.#parts;
    for (const [name, button] of Object.entries(tools)) {
      button.addEventListener("click", () => on.pickTool(name));
    }
    undo.addEventListener("click", () => on.undo());
    const sizer = (label, key, text, step) =>
      el(
        "button",
        { type: "button", "aria-label": label, onclick: () => on.resize(step) },
        keyBadge(key),
        text,
      );
    const smaller = sizer("Smaller brush", "[", "−", -1);
    const larger = sizer("Larger brush", "]", "+", 1);
    const panel = el(
      "div",
      { class: "panel" },
      header,
      labels,
      el("div", { class: "tools", role: "group", "aria-label": "Tools" }, ...Object.values(tools)),
      el("div", { class: "size", role: "group", "aria-label": "Brush size" }, smaller, size, larger),
      undo,
      message,
    );
    root.replaceChildren(
      ...stylesheets("./segmentation.css"),
      el("div", { class: "layout" }, box, panel),
    );
    image.addEventListener("load", () => on.loaded(image));
    image.addEventListener("error", () => {
      this.#failed = Boolean(this.#src);
      if (this.#failed) this.#parts.message.textContent = this.#hint(null);
    });
    this.#listen(frame);
    this.#observer = new ResizeObserver(() => this.#fit());
  }

  /** Refit the image whenever its box changes size (while the element is in the page). */
  observe(on) {
    if (on) this.#observer.observe(this.#parts.box);
    else this.#observer.disconnect();
  }

  /** The mask canvas (its pixels are the answer's PNG). */
  get canvas() {
    return this.#parts.canvas;
  }

  /** Show the image at `src` (the element starts over once it loaded). */
  load(src) {
    if (src === this.#src) return;
    this.#src = src;
    this.#size = null;
    this.#failed = false;
    this.#parts.frame.hidden = !src;
    if (src) this.#parts.image.src = src;
  }

  /** Size the canvas to the loaded image and clear it; `colors` are the labels'. */
  start(width, height, colors) {
    this.#size = [width, height];
    const { canvas, overlay } = this.#parts;
    canvas.width = width;
    canvas.height = height;
    overlay.setAttribute("viewBox", `0 0 ${width} ${height}`);
    overlay.setAttribute("preserveAspectRatio", "none");
    this.#context = canvas.getContext("2d");
    this.#context.imageSmoothingEnabled = false;
    this.#pixels = this.#context.createImageData(width, height);
    this.#pixels32 = new Uint32Array(this.#pixels.data.buffer);
    this.palette(colors);
    this.#context.clearRect(0, 0, width, height);
    this.#fit();
  }

  /** Paint label i + 1 with `colors[i]` from now on (class 0 stays transparent). */
  palette(colors) {
    const bytes = new Uint8Array(this.#palette32.buffer);
    bytes.fill(0);
    colors.forEach((color, index) => {
      const at = 4 * (index + 1);
      for (let channel = 0; channel < 3; channel += 1) {
        bytes[at + channel] = Number.parseInt(color.slice(1 + 2 * channel, 3 + 2 * channel), 16);
      }
      bytes[at + 3] = 255;
    });
  }

  /** Redraw the pixels of `rect` from the class map `map`. */
  paint(map, rect) {
    if (!this.#pixels || rect.empty) return;
    const { data, width } = map;
    for (let y = rect.y0; y <= rect.y1; y += 1) {
      for (let at = y * width + rect.x0, end = y * width + rect.x1; at <= end; at += 1) {
        this.#pixels32[at] = this.#palette32[data[at]];
      }
    }
    const w = rect.x1 - rect.x0 + 1;
    const h = rect.y1 - rect.y0 + 1;
    this.#context.putImageData(this.#pixels, 0, 0, rect.x0, rect.y0, w, h);
  }

  /** Show the brush of `diameter` at pixel (x, y) and the polygon line to it. */
  pointer(x, y, diameter, corners) {
    const { cursor } = this.#parts;
    cursor.setAttribute("cx", String(x + 0.5));
    cursor.setAttribute("cy", String(y + 0.5));
    cursor.setAttribute("r", String(diameter / 2));
    this.#drawCorners(corners, [x, y]);
  }

  /** Bring the panel up to date with the element's `state`. */
  render(state) {
    const { header, tools, size, undo, message, frame } = this.#parts;
    header.textContent = state.header || "Paint each label on the image";
    this.#labels.render(state.labels, state.colors, state.keys, state.label);
    for (const [name, button] of Object.entries(tools)) {
      button.setAttribute("aria-pressed", String(name === state.tool));
    }
    size.textContent = `Brush ${state.size} px`;
    undo.disabled = state.undoSteps === 0 && state.corners.length === 0;
    frame.dataset.tool = state.tool;
    message.textContent = state.message || this.#hint(state);
    this.#drawCorners(state.corners, null);
  }

  #hint(state) {
    if (this.#failed) return "The image could not be loaded: Skip or Release this task.";
    if (!this.#size) return this.#src ? "Loading the image…" : "";
    const label = state.labels[state.label]?.short ?? "";
    if (state.tool === "eraser") return "Drag on the image to erase.";
    if (state.tool === "brush") return `Drag on the image to paint “${label}”.`;
    const count = state.corners.length;
    const fill = `Enter or a double-click fills it with “${label}”`;
    if (!count) return `Click the corners of a polygon; ${fill}.`;
    return `Polygon: ${count} corner${count === 1 ? "" : "s"}. ${fill}; Esc cancels.`;
  }

  #drawCorners(corners, pointer) {
    const { outline, corners: dots } = this.#parts;
    const points = pointer && corners.length ? [...corners, pointer] : corners;
    outline.setAttribute("points", points.map(([x, y]) => `${x + 0.5},${y + 0.5}`).join(" "));
    if (dots.childNodes.length !== corners.length) {
      dots.replaceChildren(
        ...corners.map(([x, y]) => svg("circle", { cx: x + 0.5, cy: y + 0.5, r: 3 * this.#unit })),
      );
    }
  }

  #fit() {
    if (!this.#size) return;
    const [width, height] = this.#size;
    const available = this.#parts.box.clientWidth;
    if (!available) return;
    const scale = Math.min(available / width, (window.innerHeight * HEIGHT_SHARE) / height);
    const { frame } = this.#parts;
    frame.style.width = `${Math.max(1, Math.floor(width * scale))}px`;
    frame.style.height = `${Math.max(1, Math.floor(height * scale))}px`;
    frame.classList.toggle("pixelated", scale >= 2);
    this.#unit = 1 / scale;
  }

  /** The image pixel under a pointer event (may lie outside the image). */
  #pixel(event) {
    const rect = this.#parts.canvas.getBoundingClientRect();
    const [width, height] = this.#size;
    return [
      Math.floor(((event.clientX - rect.left) * width) / rect.width),
      Math.floor(((event.clientY - rect.top) * height) / rect.height),
    ];
  }

  #listen(frame) {
    const on = this.#on;
    let down = false;
    frame.addEventListener("pointerdown", (event) => {
      if (!this.#size || event.button !== 0) return;
      event.preventDefault();
      frame.setPointerCapture(event.pointerId);
      down = true;
      on.pointerDown(...this.#pixel(event));
    });
    frame.addEventListener("pointermove", (event) => {
      if (this.#size) on.pointerMove(...this.#pixel(event));
    });
    const up = () => {
      if (!down) return;
      down = false;
      on.pointerUp();
    };
    frame.addEventListener("pointerup", up);
    frame.addEventListener("pointercancel", up);
    frame.addEventListener("lostpointercapture", up);
    frame.addEventListener("pointerleave", () => this.#parts.cursor.setAttribute("r", "0"));
    frame.addEventListener("click", (event) => {
      if (this.#size) on.click(...this.#pixel(event), event.detail);
    });
    frame.addEventListener("dblclick", () => on.doubleClick());
  }
}
