/**
 * <quorum-instructions>: the job's short instructions, always shown, and its full
 * instructions with its examples (Job.examples: a label, a text and/or an image, a note)
 * behind a toggle. Everything is shown as plain text; example images come through signed
 * URLs.
 */

import { el } from "../shared/dom.js";

function example({ label, text, note, imageUrl }) {
  return el(
    "figure",
    { class: "example" },
    imageUrl ? el("img", { src: imageUrl, alt: label ? `Example of ${label}` : "Example" }) : null,
    text ? el("blockquote", { text }) : null,
    el(
      "figcaption",
      {},
      label ? el("strong", { text: label }) : null,
      note ? el("span", { text: `${label ? " — " : ""}${note}` }) : null,
    ),
  );
}

export class JobInstructions extends HTMLElement {
  #details = null;

  /** Show `short` and `full` (either may be null) and `examples` (a list, maybe empty). */
  show(short, full, examples = []) {
    const parts = [
      el("p", { class: "short", text: short || "No instructions were given for this job." }),
    ];
    this.#details = null;
    if (full || examples?.length) {
      this.#details = el(
        "details",
        { class: "full" },
        el("summary", { text: "Full instructions and examples" }),
        full ? el("div", { class: "full-text", text: full }) : null,
        examples?.length
          ? el("div", { class: "examples" }, el("h3", { text: "Examples" }), examples.map(example))
          : null,
      );
      parts.push(this.#details);
    }
    this.replaceChildren(...parts);
  }

  /** Whether there are full instructions (or examples) to open. */
  get hasFull() {
    return this.#details !== null;
  }

  /** Open or close the full instructions; false when there are none. */
  toggle() {
    if (!this.#details) return false;
    this.#details.open = !this.#details.open;
    return true;
  }
}

customElements.define("quorum-instructions", JobInstructions);
