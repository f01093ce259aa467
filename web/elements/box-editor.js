/**
 * The state of <crowd-bounding-box>, free of the DOM: the labels and the current one, the
 * boxes (image pixels), the selected box, the initial boxes (adjustment) and the undo
 * history. Every operation returns whether it changed something.
 */

import { readBoxes, sameBoxes } from "./box-geometry.js";

const HISTORY = 200;
const copy = (boxes) => boxes.map((box) => ({ ...box }));

export class BoxEditor {
  labels = [];
  current = 0; // the index of the label new boxes get
  boxes = [];
  initial = null; // the boxes to start from, or null (not an adjustment)
  selected = -1;
  #history = [];

  setLabels(list) {
    this.labels = Array.isArray(list) ? list.map(String) : [];
    this.current = 0;
  }

  /** Start over from `list` (null: no initial value). */
  start(list) {
    this.initial = Array.isArray(list) ? readBoxes(list) : null;
    this.boxes = copy(this.initial ?? []);
    this.#history = [];
    this.selected = -1;
  }

  /** Put `list` in place of the boxes (a kept answer); false when it is no list. */
  restore(list) {
    if (!Array.isArray(list)) return false;
    this.boxes = readBoxes(list);
    this.#history = [];
    this.selected = -1;
    return true;
  }

  get canUndo() {
    return this.#history.length > 0;
  }

  /** Whether the boxes differ from the initial ones (false without an initial value). */
  get modified() {
    return this.initial !== null && !sameBoxes(this.boxes, this.initial);
  }

  /** The label new boxes get. */
  get label() {
    return this.labels[this.current] ?? "";
  }

  /** Pick the label at `index` for new boxes; the selected box takes it too. */
  chooseLabel(index) {
    if (index < 0 || index >= this.labels.length) return false;
    this.current = index;
    const box = this.boxes[this.selected];
    if (box && box.label !== this.labels[index]) {
      this.#remember();
      box.label = this.labels[index];
    }
    return true;
  }

  cycleLabel(step) {
    const count = this.labels.length;
    if (!count) return false;
    return this.chooseLabel((((this.current + step) % count) + count) % count);
  }

  /** Select the box at `index` (-1: none); its label becomes the current one. */
  select(index) {
    this.selected = index;
    const label = this.labels.indexOf(this.boxes[index]?.label);
    if (label >= 0) this.current = label;
  }

  add(box) {
    this.#remember();
    this.boxes.push(box);
    return true;
  }

  /** Put `box` in place of the box at `index`, unless it is the same. */
  replace(index, box) {
    if (!this.boxes[index] || sameBoxes([box], [this.boxes[index]])) return false;
    this.#remember();
    this.boxes[index] = box;
    return true;
  }

  deleteSelected() {
    if (this.selected < 0) return false;
    this.#remember();
    this.boxes.splice(this.selected, 1);
    this.selected = -1;
    return true;
  }

  undo() {
    if (!this.#history.length) return false;
    this.boxes = this.#history.pop();
    this.selected = -1;
    return true;
  }

  #remember() {
    this.#history.push(copy(this.boxes));
    if (this.#history.length > HISTORY) this.#history.shift();
  }
}
