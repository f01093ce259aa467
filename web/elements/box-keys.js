/**
 * The keyboard shortcuts of <crowd-bounding-box>: what each key does (on the element's
 * public operations) and the list the worker portal's `?` dialog shows. The label keys are
 * the element's `labelKeys` (the job's, in the portal); 0 shows the whole image unless a
 * label has it.
 */

import { labelAt, labelKeysText } from "./crowd-attributes.js";

export const ZOOM_STEP = 1.25;
const PAN_STEP = 0.15; // of the viewport, per arrow key press (Shift: three times as far)

const VIEW_KEYS = [
  ["+ / −", "Zoom in / out"],
  ["0", "Show the whole image"],
  ["Wheel", "Zoom at the pointer"],
  ["Arrow keys", "Pan (Shift: further)"],
  ["Space+drag, middle button drag", "Pan"],
];

const EDIT_KEYS = [
  ["Drag", "Draw a box (Shift+drag: draw inside another box)"],
  ["Tab / Shift+Tab", "Next / previous label"],
  ["Click a box", "Select it; drag it to move it, drag a handle to resize it"],
  ["Delete / Backspace", "Delete the selected box"],
  ["Z", "Undo"],
  ["Esc", "Deselect the box"],
];

const ZERO = new KeyboardEvent("keydown", { key: "0" });

/** The shortcuts of `box` (a <crowd-bounding-box>): [[key, what it does], ...]. */
export function shortcuts(box) {
  const view = VIEW_KEYS.filter(([key]) => key !== "0" || labelAt(box, ZERO) < 0);
  if (box.readOnly) return view;
  const keys = labelKeysText(box, box.labels.length);
  const label = keys ? [[keys, "Pick the label for new boxes (and for the selected box)"]] : [];
  return [EDIT_KEYS[0], ...label, ...EDIT_KEYS.slice(1), ...view];
}

/** Do what `event`'s key means on `box` (a <crowd-bounding-box>); true when it was one of
 * its shortcuts and did something. */
export function boxKey(event, box) {
  if (event.ctrlKey || event.metaKey || event.altKey) return false;
  const key = event.key;
  const far = event.shiftKey ? 3 : 1;
  const label = box.readOnly ? -1 : labelAt(box, event);
  if (label >= 0) return box.choose(label);
  switch (key) {
    case "Tab":
      return box.cycleLabel(event.shiftKey ? -1 : 1);
    case "Delete":
    case "Backspace":
      return box.deleteSelected();
    case "z":
    case "Z":
      return box.undo();
    case "+":
    case "=":
      return box.zoomBy(ZOOM_STEP);
    case "-":
    case "_":
      return box.zoomBy(1 / ZOOM_STEP);
    case "0":
      return box.fit();
    case "ArrowLeft":
      return box.pan(-PAN_STEP * far, 0);
    case "ArrowRight":
      return box.pan(PAN_STEP * far, 0);
    case "ArrowUp":
      return box.pan(0, -PAN_STEP * far);
    case "ArrowDown":
      return box.pan(0, PAN_STEP * far);
    case " ":
      box.holdToPan(true);
      return true;
    case "Escape":
      return box.deselect();
    default:
      return false;
  }
}
