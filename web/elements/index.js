/**
 * Every labeling element the worker portal knows, defined on import. A task type names
 * its element (TaskType.element); the portal looks it up with customElements.get.
 */

import "./crowd-classifier.js";
import "./crowd-classifier-multi-select.js";
import "./crowd-image-classifier.js";
import "./crowd-image-classifier-multi-select.js";
import "./crowd-bounding-box.js";
import "./quorum-label-verification.js";
import "./crowd-semantic-segmentation.js";
import "./crowd-entity-annotation.js";
