/** The worker portal's entry point: defines the labeling elements and the portal. */

import "../elements/index.js";
import "./portal.js";
