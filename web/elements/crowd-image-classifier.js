/**
 * <crowd-image-classifier>: image classification: pick one category for an image.
 * Named after Ground Truth's crowd element; see classifier-base.js for its attributes,
 * `value` and `change` event.
 */

import { ClassifierElement } from "./classifier-base.js";

export class CrowdImageClassifier extends ClassifierElement {
  static multi = false;
  static target = "image";
}

if (!customElements.get("crowd-image-classifier")) {
  customElements.define("crowd-image-classifier", CrowdImageClassifier);
}
