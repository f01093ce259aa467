/**
 * <quorum-sample>: a few labeled items of a job drawn with their labels (label-view.js).
 * show(items, job, taskType) keeps the drawing of an item whose label did not change, so
 * a live refresh neither reloads its image nor moves the page.
 */

import { el } from "/static/shared/dom.js";
import { labelView } from "./label-view.js";

export class LabeledSample extends HTMLElement {
  #drawn = new Map();

  connectedCallback() {
    if (!this.childElementCount) this.append(el("p", { class: "empty", text: "Nothing labeled yet." }));
  }

  show(items, job, taskType) {
    const drawn = new Map();
    const nodes = items.map((item) => {
      const key = JSON.stringify([item.status, item.output, Boolean(item.labelUrl)]);
      const kept = this.#drawn.get(item.id);
      const node = kept?.key === key ? kept.node : labelView(item, job, taskType);
      drawn.set(item.id, { key, node });
      return node;
    });
    this.#drawn = drawn;
    this.dataset.count = String(nodes.length);
    if (!nodes.length) {
      this.replaceChildren(el("p", { class: "empty", text: "Nothing labeled yet." }));
      return;
    }
    const grid = this.querySelector(".sample-grid") ?? el("div", { class: "sample-grid" });
    grid.replaceChildren(...nodes);
    if (grid.parentNode !== this) this.replaceChildren(grid);
  }
}

customElements.define("quorum-sample", LabeledSample);
