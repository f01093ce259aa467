/**
 * <crowd-classifier-multi-select>: multi-label text classification: pick every category that applies to a piece of text.
 * Named after Ground Truth's crowd element; see classifier-base.js for its attributes,
 * `value` and `change` event.
 */

import { ClassifierElement } from "./classifier-base.js";

export class CrowdClassifierMultiSelect extends ClassifierElement {
  static multi = true;
  static target = "text";
}

if (!customElements.get("crowd-classifier-multi-select")) {
  customElements.define("crowd-classifier-multi-select", CrowdClassifierMultiSelect);
}
