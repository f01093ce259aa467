/**
 * The stage of <crowd-bounding-box>: the viewport, where the image is an <img> moved by a
 * CSS transform under a canvas overlay on which the boxes are painted, once per animation
 * frame, so a 4000x3000 image stays responsive. It loads the image, keeps its natural
 * size, follows the viewport's size and hands the pointer to BoxPointer.
 *
 * `host` is what it needs of the element: view (BoxView), editor (BoxEditor), readOnly and
 * panning (Space held), and refresh(), changed() (after a selection or a change: see
 * BoxPointer) and showStatus() (the image loaded, failed or a frame was painted).
 */

import { el } from "../shared/dom.js";
import { paint } from "./box-paint.js";
import { BoxPointer } from "./box-pointer.js";

export class BoxStage {
  #host;
  #size = null; // the image's natural size once loaded
  #frame = 0;
  #parts;
  #pointer;
  #observer;

  constructor(host) {
    this.#host = host;
    const image = el("img", { part: "image", alt: "", draggable: "false" });
    const canvas = el("canvas", { part: "overlay" });
    const viewport = el("div", { class: "viewport", part: "viewport", tabindex: "0" }, image, canvas);
    this.#parts = { image, canvas, viewport };
    image.addEventListener("load", () => this.#loaded());
    image.addEventListener("error", () => this.#failed());
    this.#pointer = new BoxPointer(this.#pointerHost());
    this.#observer = new ResizeObserver(() => this.#resized());
  }

  /** The viewport, to put in the page. */
  get element() {
    return this.#parts.viewport;
  }

  /** The image's natural size, once it has loaded; null before. */
  get imageSize() {
    return this.#size && { ...this.#size };
  }

  /** Whether the image could not be loaded. */
  get failed() {
    return this.#parts.viewport.classList.contains("failed");
  }

  /** Follow the viewport's size (while the element is in the page). */
  observe(on) {
    if (on) this.#observer.observe(this.#parts.viewport);
    else this.#observer.disconnect();
  }

  /** The cursor that says a drag pans (Space held); left alone during a drag. */
  panCursor(on) {
    if (!this.#pointer.dragging) this.#parts.canvas.style.cursor = on ? "grab" : "";
  }

  /** Show the image at `url` ("": none). */
  load(url) {
    this.#size = null;
    this.#parts.viewport.classList.remove("failed");
    if (url) this.#parts.image.src = url;
    else this.#parts.image.removeAttribute("src");
    this.#host.showStatus();
  }

  /** Paint on the next animation frame (once, however many events came before it). */
  schedule() {
    if (this.#frame) return;
    this.#frame = requestAnimationFrame(() => {
      this.#frame = 0;
      this.#draw();
    });
  }

  /** What the pointer handling sees of the element. */
  #pointerHost() {
    const stage = this;
    const host = this.#host;
    const { canvas, viewport } = this.#parts;
    return {
      view: host.view,
      editor: host.editor,
      canvas,
      viewport,
      get imageSize() {
        return stage.imageSize;
      },
      get readOnly() {
        return host.readOnly;
      },
      get panning() {
        return host.panning;
      },
      refresh: () => host.refresh(),
      changed: () => host.changed(),
      schedule: () => this.schedule(),
    };
  }

  #draw() {
    const { image, canvas, viewport } = this.#parts;
    const { view, editor } = this.#host;
    const transform = `translate(${view.offsetX}px, ${view.offsetY}px) scale(${view.scale})`;
    if (image.style.transform !== transform) image.style.transform = transform;
    paint(canvas.getContext("2d"), {
      view,
      boxes: editor.boxes.map((_box, index) => this.#pointer.shown(index)),
      labels: editor.labels,
      selected: editor.selected,
      draft: this.#pointer.draft,
      width: viewport.clientWidth,
      height: viewport.clientHeight,
      ratio: window.devicePixelRatio || 1,
    });
    this.#host.showStatus();
  }

  #loaded() {
    const { naturalWidth: width, naturalHeight: height } = this.#parts.image;
    this.#size = { width, height };
    this.#parts.image.style.width = `${width}px`;
    this.#parts.image.style.height = `${height}px`;
    this.#resized();
    this.#host.changed(); // the answer now has the image's size
  }

  #failed() {
    this.#size = null;
    this.#parts.viewport.classList.add("failed");
    this.#host.showStatus();
  }

  #resized() {
    const { canvas, viewport } = this.#parts;
    const width = viewport.clientWidth;
    const height = viewport.clientHeight;
    const ratio = window.devicePixelRatio || 1;
    canvas.width = Math.round(width * ratio);
    canvas.height = Math.round(height * ratio);
    this.#host.view.setSizes({ width, height }, this.#size ?? { width: 0, height: 0 });
    this.#draw();
  }
}
