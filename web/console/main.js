/** The requester console's entry point: defines the console and its screens. */

import "./console.js";
