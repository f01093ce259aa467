/**
 * <crowd-classifier>: text classification: pick one category for a piece of text.
 * Named after Ground Truth's crowd element; see classifier-base.js for its attributes,
 * `value` and `change` event.
 */

import { ClassifierElement } from "./classifier-base.js";

export class CrowdClassifier extends ClassifierElement {
  static multi = false;
  static target = "text";
}

if (!customElements.get("crowd-classifier")) {
  customElements.define("crowd-classifier", CrowdClassifier);
}
