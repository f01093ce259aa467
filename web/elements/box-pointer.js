/**
 * The mouse, pen and touch on <crowd-bounding-box>'s canvas: a drag draws a box (Shift:
 * even inside another one), moves the box pressed or resizes the selected box by a handle;
 * the middle button, a drag with Space held and any drag on a read-only element pan; the
 * wheel zooms at the pointer. Moves only record where the pointer is and ask for a frame;
 * the change lands in the editor when the button is released.
 *
 * `host` gives: view (BoxView), editor (BoxEditor), canvas, viewport, imageSize (null
 * until the image loaded), readOnly, panning (Space held), and refresh(), changed(),
 * schedule() to call after a selection, a change, or anything that needs a new frame.
 */

import { boxFrom, contains, handlePoints, moved, resized } from "./box-geometry.js";
import { HANDLE_SIZE } from "./box-paint.js";

const CLICK = 3; // CSS pixels a press may move and still be a click
const CURSORS = { n: "ns", s: "ns", e: "ew", w: "ew", nw: "nwse", se: "nwse", ne: "nesw", sw: "nesw" };

export class BoxPointer {
  #host;
  #drag = null;

  constructor(host) {
    this.#host = host;
    const { canvas, viewport } = host;
    canvas.addEventListener("pointerdown", (event) => this.#press(event));
    canvas.addEventListener("pointermove", (event) => this.#move(event));
    canvas.addEventListener("pointerup", (event) => this.#release(event));
    canvas.addEventListener("pointercancel", () => {
      this.#drag = null;
      host.schedule();
    });
    canvas.addEventListener("mousedown", (event) => {
      if (event.button === 1) event.preventDefault(); // no autoscroll
    });
    viewport.addEventListener("wheel", (event) => this.#wheel(event), { passive: false });
  }

  get dragging() {
    return this.#drag !== null;
  }

  /** The box at `index` as the drag in progress shows it. */
  shown(index) {
    const drag = this.#drag;
    const box = this.#host.editor.boxes[index];
    return drag && drag.index === index && drag.preview ? drag.preview : box;
  }

  /** The box being drawn, or null. */
  get draft() {
    return this.#drag?.kind === "draw" ? this.#drag.preview : null;
  }

  #local(event) {
    const rect = this.#drag?.rect ?? this.#host.canvas.getBoundingClientRect();
    return { x: event.clientX - rect.left, y: event.clientY - rect.top };
  }

  #press(event) {
    const host = this.#host;
    if (!host.view.ready || this.#drag) return;
    const rect = host.canvas.getBoundingClientRect();
    const p = { x: event.clientX - rect.left, y: event.clientY - rect.top };
    const pan = event.button === 1 || (event.button === 0 && (host.panning || host.readOnly));
    if (!pan && event.button !== 0) return;
    event.preventDefault();
    host.canvas.setPointerCapture(event.pointerId);
    const base = { rect, from: p, start: host.view.toImage(p.x, p.y), preview: null, index: -1 };
    if (pan) {
      this.#drag = { ...base, kind: "pan", last: p };
      host.canvas.style.cursor = "grabbing";
      return;
    }
    const hit = event.shiftKey ? null : this.#hit(p);
    if (hit?.handle) {
      this.#drag = { ...base, kind: "resize", index: hit.index, handle: hit.handle };
    } else if (hit) {
      host.editor.select(hit.index);
      this.#drag = { ...base, kind: "move", index: hit.index };
    } else {
      host.editor.select(-1);
      this.#drag = { ...base, kind: "draw" };
    }
    host.refresh();
  }

  #move(event) {
    const drag = this.#drag;
    if (!drag) {
      this.#hover(event);
      return;
    }
    const p = this.#local(event);
    if (drag.kind === "pan") {
      this.#host.view.panBy(p.x - drag.last.x, p.y - drag.last.y);
      drag.last = p;
    } else {
      drag.preview = this.#result(drag, p);
    }
    this.#host.schedule();
  }

  #release(event) {
    const drag = this.#drag;
    if (!drag) return;
    const host = this.#host;
    const p = this.#local(event);
    this.#drag = null;
    host.canvas.style.cursor = "";
    if (drag.kind === "pan") {
      host.schedule();
      return;
    }
    const click = Math.hypot(p.x - drag.from.x, p.y - drag.from.y) < CLICK;
    const result = click ? null : this.#result(drag, p);
    const changed =
      result !== null &&
      (drag.kind === "draw" ? host.editor.add(result) : host.editor.replace(drag.index, result));
    if (changed) host.changed();
    else host.refresh();
  }

  #wheel(event) {
    const view = this.#host.view;
    if (!view.ready) return;
    event.preventDefault();
    const lines = event.deltaMode === 1 ? 16 : event.deltaMode === 2 ? 400 : 1;
    const delta = Math.max(-200, Math.min(200, event.deltaY * lines));
    const p = this.#local(event);
    view.zoomBy(Math.exp(-delta * 0.002), p.x, p.y);
    this.#host.schedule();
  }

  /** What the drag makes at viewport point `p`: a box in image pixels, or null. */
  #result(drag, p) {
    const { view, editor, imageSize } = this.#host;
    const { width, height } = imageSize;
    const at = view.toImage(p.x, p.y);
    if (drag.kind === "draw") return boxFrom(drag.start, at, editor.label, width, height);
    const dx = at.x - drag.start.x;
    const dy = at.y - drag.start.y;
    const box = editor.boxes[drag.index];
    if (drag.kind === "move") return moved(box, dx, dy, width, height);
    return resized(box, drag.handle, dx, dy, width, height);
  }

  /** The handle of the selected box, or else the smallest box, at viewport point `p`. */
  #hit(p) {
    const { view, editor } = this.#host;
    const selected = editor.boxes[editor.selected];
    if (selected) {
      const reach = HANDLE_SIZE + 3;
      for (const [handle, x, y] of handlePoints(selected)) {
        const q = view.toViewport(x, y);
        if (Math.abs(q.x - p.x) <= reach && Math.abs(q.y - p.y) <= reach) {
          return { index: editor.selected, handle };
        }
      }
    }
    const at = view.toImage(p.x, p.y);
    const margin = 3 / view.scale;
    let best = null;
    editor.boxes.forEach((box, index) => {
      const area = box.width * box.height;
      if (contains(box, at.x, at.y, margin) && (!best || area <= best.area)) {
        best = { index, area };
      }
    });
    return best && { index: best.index, handle: null };
  }

  #hover(event) {
    const host = this.#host;
    if (!host.view.ready) return;
    let cursor = "crosshair";
    if (host.panning || host.readOnly) cursor = "grab";
    else {
      const hit = this.#hit(this.#local(event));
      if (hit?.handle) cursor = `${CURSORS[hit.handle]}-resize`;
      else if (hit && !event.shiftKey) cursor = "move";
    }
    if (host.canvas.style.cursor !== cursor) host.canvas.style.cursor = cursor;
  }
}
