/**
 * The geometry of <crowd-bounding-box>, in image pixels and free of the DOM: boxes are
 * {label, left, top, width, height}. Drawing, moving and resizing keep boxes inside the
 * image and snap the edges they change to whole pixels (edges a worker did not touch keep
 * their value, so an initial box left alone is answered exactly as it came).
 */

/** The eight resize handles, by the edges each one moves. */
export const HANDLES = {
  nw: ["left", "top"],
  n: ["top"],
  ne: ["right", "top"],
  e: ["right"],
  se: ["right", "bottom"],
  s: ["bottom"],
  sw: ["left", "bottom"],
  w: ["left"],
};

const clamp = (value, low, high) => Math.min(Math.max(value, low), high);

/** A point clamped into an image of `width` x `height`. */
export function clampPoint(point, width, height) {
  return { x: clamp(point.x, 0, width), y: clamp(point.y, 0, height) };
}

/** The box spanned by two corners (whole pixels), or null when it has no area. */
export function boxFrom(a, b, label, width, height) {
  const p = clampPoint(a, width, height);
  const q = clampPoint(b, width, height);
  const left = Math.round(Math.min(p.x, q.x));
  const top = Math.round(Math.min(p.y, q.y));
  const right = Math.round(Math.max(p.x, q.x));
  const bottom = Math.round(Math.max(p.y, q.y));
  if (right - left < 1 || bottom - top < 1) return null;
  return { label, left, top, width: right - left, height: bottom - top };
}

/** `box` moved by (dx, dy) image pixels, its corner snapped, kept inside the image. */
export function moved(box, dx, dy, width, height) {
  const left = clamp(Math.round(box.left + dx), 0, Math.max(0, width - box.width));
  const top = clamp(Math.round(box.top + dy), 0, Math.max(0, height - box.height));
  return { ...box, left, top };
}

/** `box` with the edges of `handle` moved by (dx, dy), snapped and kept inside the image;
 * an edge dragged past its opposite one flips the box. Null when no area is left. */
export function resized(box, handle, dx, dy, width, height) {
  const edges = {
    left: box.left,
    top: box.top,
    right: box.left + box.width,
    bottom: box.top + box.height,
  };
  for (const edge of HANDLES[handle]) {
    const horizontal = edge === "left" || edge === "right";
    const limit = horizontal ? width : height;
    edges[edge] = clamp(Math.round(edges[edge] + (horizontal ? dx : dy)), 0, limit);
  }
  const left = Math.min(edges.left, edges.right);
  const right = Math.max(edges.left, edges.right);
  const top = Math.min(edges.top, edges.bottom);
  const bottom = Math.max(edges.top, edges.bottom);
  if (right - left < 1 || bottom - top < 1) return null;
  return { ...box, left, top, width: right - left, height: bottom - top };
}

/** Where the handles of `box` are, in image pixels: [[name, x, y], ...]. */
export function handlePoints(box) {
  const { left, top, width, height } = box;
  const cx = left + width / 2;
  const cy = top + height / 2;
  const right = left + width;
  const bottom = top + height;
  return [
    ["nw", left, top],
    ["n", cx, top],
    ["ne", right, top],
    ["e", right, cy],
    ["se", right, bottom],
    ["s", cx, bottom],
    ["sw", left, bottom],
    ["w", left, cy],
  ];
}

/** Whether (x, y) lies in `box`, widened by `margin` on every side. */
export function contains(box, x, y, margin = 0) {
  return (
    x >= box.left - margin &&
    x <= box.left + box.width + margin &&
    y >= box.top - margin &&
    y <= box.top + box.height + margin
  );
}

/** Whether two lists hold the same boxes (label and every coordinate), in any order. */
export function sameBoxes(given, initial) {
  if (given.length !== initial.length) return false;
  const left = [...initial];
  for (const box of given) {
    const index = left.findIndex(
      (other) =>
        other.label === box.label &&
        other.left === box.left &&
        other.top === box.top &&
        other.width === box.width &&
        other.height === box.height,
    );
    if (index < 0) return false;
    left.splice(index, 1);
  }
  return true;
}

/** Boxes as given in `initial-value` or a task: well-formed ones only, as numbers. */
export function readBoxes(list) {
  if (!Array.isArray(list)) return [];
  return list
    .filter((box) => box && typeof box === "object")
    .map((box) => ({
      label: String(box.label ?? ""),
      left: Number(box.left),
      top: Number(box.top),
      width: Number(box.width),
      height: Number(box.height),
    }))
    .filter((box) =>
      [box.left, box.top, box.width, box.height].every((value) => Number.isFinite(value)),
    );
}
