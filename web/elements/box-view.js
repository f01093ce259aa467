/**
 * The zoom and pan of <crowd-bounding-box>: which part of the image the viewport shows.
 * A point of the image (x, y) in natural pixels is at (x * scale + offsetX,
 * y * scale + offsetY) in the viewport's CSS pixels. Zoom stays between half the size that
 * fits and 8x (more for huge images); panning keeps the viewport's centre on the image.
 */

const MAX_SCALE = 8;

export class BoxView {
  scale = 1;
  offsetX = 0;
  offsetY = 0;
  #viewport = { width: 0, height: 0 };
  #image = { width: 0, height: 0 };
  #fit = 1;

  /** Whether both the viewport and the image have a size yet. */
  get ready() {
    const { width, height } = this.#image;
    return width > 0 && height > 0 && this.#viewport.width > 0 && this.#viewport.height > 0;
  }

  /** The zoom relative to the size that fits (1: the whole image fits). */
  get zoom() {
    return this.scale / this.#fit;
  }

  /** New sizes: keeps the view when only the viewport changed, fits a new image. */
  setSizes(viewport, image) {
    const newImage = image.width !== this.#image.width || image.height !== this.#image.height;
    this.#viewport = { ...viewport };
    this.#image = { ...image };
    if (!this.ready) return;
    const fit = Math.min(viewport.width / image.width, viewport.height / image.height);
    const keep = !newImage && this.zoom;
    this.#fit = fit;
    if (keep && keep !== 1) {
      this.scale = this.#limit(fit * keep);
      this.#clamp();
    } else {
      this.fit();
    }
  }

  /** Show the whole image, centred. */
  fit() {
    if (!this.ready) return;
    this.scale = this.#fit;
    this.offsetX = (this.#viewport.width - this.#image.width * this.scale) / 2;
    this.offsetY = (this.#viewport.height - this.#image.height * this.scale) / 2;
  }

  /** Zoom by `factor` keeping the viewport point (x, y) (default: the centre) in place. */
  zoomBy(factor, x = this.#viewport.width / 2, y = this.#viewport.height / 2) {
    if (!this.ready) return;
    const scale = this.#limit(this.scale * factor);
    const ix = (x - this.offsetX) / this.scale;
    const iy = (y - this.offsetY) / this.scale;
    this.scale = scale;
    this.offsetX = x - ix * scale;
    this.offsetY = y - iy * scale;
    this.#clamp();
  }

  /** Move the image by (dx, dy) CSS pixels. */
  panBy(dx, dy) {
    this.offsetX += dx;
    this.offsetY += dy;
    this.#clamp();
  }

  /** The image point under the viewport point (x, y). */
  toImage(x, y) {
    return { x: (x - this.offsetX) / this.scale, y: (y - this.offsetY) / this.scale };
  }

  /** The viewport point of the image point (x, y). */
  toViewport(x, y) {
    return { x: x * this.scale + this.offsetX, y: y * this.scale + this.offsetY };
  }

  #limit(scale) {
    const largest = Math.max(MAX_SCALE, this.#fit * 4);
    return Math.min(Math.max(scale, this.#fit / 2), largest);
  }

  /** Keep the viewport's centre on the image. */
  #clamp() {
    const half = { x: this.#viewport.width / 2, y: this.#viewport.height / 2 };
    const span = { x: this.#image.width * this.scale, y: this.#image.height * this.scale };
    this.offsetX = Math.min(Math.max(this.offsetX, half.x - span.x), half.x);
    this.offsetY = Math.min(Math.max(this.offsetY, half.y - span.y), half.y);
  }
}
