/**
 * The pixel geometry of a segmentation mask, in whole image pixels and without
 * anti-aliasing: the mask is a class map (a Uint8Array, one byte per pixel: 0 nothing,
 * i + 1 the i-th label) that these functions write into, so a pixel is always exactly one
 * label or nothing. Every write grows a dirty rectangle (a Rect) that the caller redraws.
 *
 * - A brush of odd diameter d = 2r + 1 covers the pixels (x, y) with
 *   dx² + dy² <= r² + r around its centre pixel (a round disc; d 1 is one pixel, 3 a 3x3).
 * - A stroke stamps the brush on every pixel of the Bresenham line between two points.
 * - A polygon (vertices on pixel centres) covers the pixels whose centre lies inside it
 *   (scanline, even-odd) plus the pixels of its outline, so every clicked corner is in.
 */

/** A dirty rectangle, inclusive bounds; empty until something is written. */
export class Rect {
  x0 = Infinity;
  y0 = Infinity;
  x1 = -Infinity;
  y1 = -Infinity;

  get empty() {
    return this.x0 > this.x1;
  }

  add(x0, y0, x1, y1) {
    this.x0 = Math.min(this.x0, x0);
    this.y0 = Math.min(this.y0, y0);
    this.x1 = Math.max(this.x1, x1);
    this.y1 = Math.max(this.y1, y1);
  }
}

/** A class map of `width` x `height` pixels and the writes on it. */
export class ClassMap {
  constructor(width, height) {
    this.width = width;
    this.height = height;
    this.data = new Uint8Array(width * height);
  }

  /** Set pixels x0..x1 of row y (clipped) to `value`. */
  row(y, x0, x1, value, dirty) {
    if (y < 0 || y >= this.height) return;
    const from = Math.max(0, x0);
    const to = Math.min(this.width - 1, x1);
    if (from > to) return;
    const start = y * this.width;
    this.data.fill(value, start + from, start + to + 1);
    dirty.add(from, y, to, y);
  }

  /** Stamp a round brush of odd `diameter` centred on pixel (cx, cy). */
  disc(cx, cy, diameter, value, dirty) {
    const r = (diameter - 1) / 2;
    for (let dy = -r; dy <= r; dy += 1) {
      const half = Math.floor(Math.sqrt(r * r + r - dy * dy));
      this.row(cy + dy, cx - half, cx + half, value, dirty);
    }
  }

  /** A brush stroke from pixel (x0, y0) to (x1, y1), both ends included. */
  stroke(x0, y0, x1, y1, diameter, value, dirty) {
    for (const [x, y] of linePixels(x0, y0, x1, y1)) this.disc(x, y, diameter, value, dirty);
  }

  /** Fill the polygon of integer `points` ([[x, y], ...], at least one). */
  polygon(points, value, dirty) {
    const count = points.length;
    const ys = points.map(([, y]) => y);
    const top = Math.max(0, Math.min(...ys));
    const bottom = Math.min(this.height - 1, Math.max(...ys));
    for (let y = top; y <= bottom; y += 1) {
      const crossings = [];
      for (let i = 0; i < count; i += 1) {
        const [ax, ay] = points[i];
        const [bx, by] = points[(i + 1) % count];
        if (ay === by || y < Math.min(ay, by) || y >= Math.max(ay, by)) continue;
        crossings.push(ax + ((y - ay) * (bx - ax)) / (by - ay));
      }
      crossings.sort((a, b) => a - b);
      for (let i = 0; i + 1 < crossings.length; i += 2) {
        this.row(y, Math.ceil(crossings[i]), Math.floor(crossings[i + 1]), value, dirty);
      }
    }
    for (let i = 0; i < count; i += 1) {
      const [ax, ay] = points[i];
      const [bx, by] = points[(i + 1) % count];
      for (const [x, y] of linePixels(ax, ay, bx, by)) this.row(y, x, x, value, dirty);
    }
  }

  /** A copy of the pixels of `rect` (inclusive bounds). */
  copyRect(rect) {
    const width = rect.x1 - rect.x0 + 1;
    const out = new Uint8Array(width * (rect.y1 - rect.y0 + 1));
    for (let y = rect.y0; y <= rect.y1; y += 1) {
      const start = y * this.width + rect.x0;
      out.set(this.data.subarray(start, start + width), (y - rect.y0) * width);
    }
    return out;
  }

  /** The pixels as runs, [value, count, value, count, ...] row by row (JSON-sized). */
  runs() {
    const runs = [];
    for (let at = 0; at < this.data.length; ) {
      let end = at + 1;
      while (end < this.data.length && this.data[end] === this.data[at]) end += 1;
      runs.push(this.data[at], end - at);
      at = end;
    }
    return runs;
  }

  /** Set the pixels from `runs` (from runs() of a map of this size). */
  setRuns(runs) {
    let at = 0;
    for (let i = 0; i + 1 < runs.length && at < this.data.length; i += 2) {
      this.data.fill(runs[i], at, Math.min(at + runs[i + 1], this.data.length));
      at += runs[i + 1];
    }
  }

  /** Write `pixels` (from copyRect of `rect`) back into `rect`. */
  pasteRect(rect, pixels) {
    const width = rect.x1 - rect.x0 + 1;
    for (let y = rect.y0; y <= rect.y1; y += 1) {
      const from = (y - rect.y0) * width;
      this.data.set(pixels.subarray(from, from + width), y * this.width + rect.x0);
    }
  }
}

/** The pixels of the Bresenham line from (x0, y0) to (x1, y1), both ends included. */
export function* linePixels(x0, y0, x1, y1) {
  const dx = Math.abs(x1 - x0);
  const dy = -Math.abs(y1 - y0);
  const sx = x0 < x1 ? 1 : -1;
  const sy = y0 < y1 ? 1 : -1;
  let error = dx + dy;
  let x = x0;
  let y = y0;
  for (;;) {
    yield [x, y];
    if (x === x1 && y === y1) return;
    const twice = 2 * error;
    if (twice >= dy) {
      error += dy;
      x += sx;
    }
    if (twice <= dx) {
      error += dx;
      y += sy;
    }
  }
}
