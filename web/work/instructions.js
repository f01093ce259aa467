/**
 * <quorum-instructions>: the job's short instructions, always shown, and its full
 * instructions (with their examples) behind a toggle. Both are shown as plain text.
 */

import { el } from "./dom.js";

export class JobInstructions extends HTMLElement {
  #details = null;

  /** Show `short` and `full` (either may be null). */
  show(short, full) {
    const parts = [
      el("p", { class: "short", text: short || "No instructions were given for this job." }),
    ];
    this.#details = null;
    if (full) {
      this.#details = el(
        "details",
        { class: "full" },
        el("summary", { text: "Full instructions and examples" }),
        el("div", { class: "full-text", text: full }),
      );
      parts.push(this.#details);
    }
    this.replaceChildren(...parts);
  }

  /** Open or close the full instructions; false when there are none. */
  toggle() {
    if (!this.#details) return false;
    this.#details.open = !this.#details.open;
    return true;
  }
}

customElements.define("quorum-instructions", JobInstructions);
