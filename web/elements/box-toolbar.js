/**
 * The toolbar of <crowd-bounding-box>: the header, the labels (radio buttons with their
 * number key and colour; a plain legend when read-only), the zoom, undo and delete buttons
 * and a status line. update() runs every frame, so it writes only what changed.
 */

import { el } from "../shared/dom.js";
import { labelColor } from "../shared/palette.js";

function setAttribute(item, name, value) {
  if (item.getAttribute(name) !== value) item.setAttribute(name, value);
}

export class BoxToolbar {
  /** The toolbar's element, to put in the page. */
  element = el("div", { class: "toolbar" });
  #parts;
  #readOnly = false;
  #onLabel;

  /** `actions`: {label(index), zoomIn(), zoomOut(), fit(), undo(), remove()}. */
  constructor(actions) {
    const tool = (text, label, action) => {
      const button = el("button", { type: "button", title: label, "aria-label": label, text });
      button.addEventListener("click", action);
      return button;
    };
    this.#onLabel = actions.label;
    this.#parts = {
      header: el("p", { class: "header" }),
      labels: el("div", { class: "labels", role: "radiogroup", "aria-label": "Label" }),
      undo: tool("Undo", "Undo (Z)", actions.undo),
      remove: tool("Delete box", "Delete the selected box (Delete)", actions.remove),
      status: el("p", { class: "status", "aria-live": "polite" }),
    };
    const { header, labels, undo, remove, status } = this.#parts;
    const tools = el("div", { class: "tools" });
    tools.append(
      tool("−", "Zoom out (−)", actions.zoomOut),
      tool("+", "Zoom in (+)", actions.zoomIn),
      tool("Fit", "Show the whole image (0)", actions.fit),
      undo,
      remove,
    );
    this.element.append(header, labels, tools, status);
  }

  /** Build the label list: {header, labels, keys (each label's key cap), readOnly}. */
  render({ header, labels, keys, readOnly }) {
    const parts = this.#parts;
    this.#readOnly = readOnly;
    parts.header.textContent = header;
    parts.header.hidden = !header;
    parts.undo.hidden = readOnly;
    parts.remove.hidden = readOnly;
    parts.labels.setAttribute("role", readOnly ? "list" : "radiogroup");
    parts.labels.replaceChildren(
      ...labels.map((label, index) => {
        const item = el(readOnly ? "span" : "button", { part: "label" });
        if (readOnly) {
          item.setAttribute("role", "listitem");
        } else {
          item.type = "button";
          item.setAttribute("role", "radio");
          item.addEventListener("click", () => this.#onLabel(index));
        }
        const swatch = el("span", { class: "swatch", "aria-hidden": "true" });
        swatch.style.background = labelColor(index);
        const badge = el("kbd", { "aria-hidden": "true", text: keys[index] ?? "" });
        badge.hidden = readOnly;
        item.append(badge, swatch, el("span", { text: label }));
        return item;
      }),
    );
  }

  /** Show the state: {current (label index), canUndo, canDelete, status (text)}. */
  update({ current, canUndo, canDelete, status }) {
    const { labels, undo, remove, status: line } = this.#parts;
    if (!this.#readOnly) {
      [...labels.children].forEach((item, index) => {
        setAttribute(item, "aria-checked", String(index === current));
        setAttribute(item, "tabindex", index === current ? "0" : "-1");
      });
    }
    if (undo.disabled !== !canUndo) undo.disabled = !canUndo;
    if (remove.disabled !== !canDelete) remove.disabled = !canDelete;
    if (line.textContent !== status) line.textContent = status;
  }
}
