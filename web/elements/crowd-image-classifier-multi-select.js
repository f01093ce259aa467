/**
 * <crowd-image-classifier-multi-select>: multi-label image classification: pick every category that applies to an image.
 * Named after Ground Truth's crowd element; see classifier-base.js for its attributes,
 * `value` and `change` event.
 */

import { ClassifierElement } from "./classifier-base.js";

export class CrowdImageClassifierMultiSelect extends ClassifierElement {
  static multi = true;
  static target = "image";
}

if (!customElements.get("crowd-image-classifier-multi-select")) {
  customElements.define("crowd-image-classifier-multi-select", CrowdImageClassifierMultiSelect);
}
