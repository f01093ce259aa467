/**
 * Painting <crowd-bounding-box>'s overlay: the boxes, their label tags, the selected box's
 * resize handles and the box being drawn, onto a canvas the size of the viewport. Boxes
 * are in image pixels and go through the view (box-view.js); canvas text is never markup.
 */

import { labelColor } from "../shared/palette.js";
import { handlePoints } from "./box-geometry.js";

/** Half the side of a resize handle, in CSS pixels. */
export const HANDLE_SIZE = 5;

/**
 * Paint the overlay. `scene`: {view, boxes, labels, selected (index or -1), draft (a box
 * being drawn or null), width and height (CSS pixels), ratio (device pixels per CSS pixel)}.
 */
export function paint(context, scene) {
  const { view, boxes, labels, selected, draft, width, height, ratio } = scene;
  context.setTransform(ratio, 0, 0, ratio, 0, 0);
  context.clearRect(0, 0, width, height);
  context.font = "12px system-ui, sans-serif";
  context.textBaseline = "top";
  boxes.forEach((box, index) => {
    if (index !== selected) paintBox(context, view, box, labelColor(labels.indexOf(box.label)));
  });
  const chosen = boxes[selected];
  if (chosen) {
    const color = labelColor(labels.indexOf(chosen.label));
    paintBox(context, view, chosen, color, true);
    paintHandles(context, view, chosen, color);
  }
  if (draft) {
    context.setLineDash([6, 4]);
    paintBox(context, view, draft, labelColor(labels.indexOf(draft.label)));
    context.setLineDash([]);
  }
}

function paintBox(context, view, box, color, selected = false) {
  const a = view.toViewport(box.left, box.top);
  const b = view.toViewport(box.left + box.width, box.top + box.height);
  context.lineWidth = selected ? 3 : 2;
  context.strokeStyle = "rgba(0, 0, 0, 0.55)";
  context.strokeRect(a.x - 1, a.y - 1, b.x - a.x + 2, b.y - a.y + 2);
  context.strokeStyle = color;
  context.strokeRect(a.x, a.y, b.x - a.x, b.y - a.y);
  if (selected) {
    context.fillStyle = "rgba(255, 255, 255, 0.12)";
    context.fillRect(a.x, a.y, b.x - a.x, b.y - a.y);
  }
  const text = box.label;
  const tagWidth = context.measureText(text).width + 8;
  const tagY = a.y >= 16 ? a.y - 16 : a.y;
  context.fillStyle = color;
  context.fillRect(a.x, tagY, tagWidth, 16);
  context.fillStyle = "#fff";
  context.fillText(text, a.x + 4, tagY + 2);
}

function paintHandles(context, view, box, color) {
  context.lineWidth = 1.5;
  for (const [, x, y] of handlePoints(box)) {
    const p = view.toViewport(x, y);
    context.fillStyle = "#fff";
    context.strokeStyle = color;
    const size = HANDLE_SIZE * 2;
    context.fillRect(p.x - HANDLE_SIZE, p.y - HANDLE_SIZE, size, size);
    context.strokeRect(p.x - HANDLE_SIZE, p.y - HANDLE_SIZE, size, size);
  }
}
