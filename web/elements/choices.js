/**
 * What the choosing elements share in their shadow DOM. stylesheets(file): <link>s to
 * choices.css (the layout, buttons, number keys and swatches of the classification,
 * segmentation and entity elements) and then to the element's own stylesheet `file`,
 * which refines it. LabelChoices: the label picker of the segmentation and entity
 * elements, a radio group of buttons, each with its number key, colour swatch and short
 * name (the full name as its title), rebuilt only when the labels or colours change.
 * Text goes through textContent only.
 */

import { el } from "../shared/dom.js";

/** The shared stylesheet's link, then the one of `file` (a name in this folder). */
export function stylesheets(file) {
  return ["./choices.css", file].map((name) =>
    el("link", { rel: "stylesheet", href: new URL(name, import.meta.url).href }),
  );
}

/** A number key's badge ("" past 9: no key). */
export function keyBadge(key) {
  return el("kbd", { "aria-hidden": "true", text: key });
}

export class LabelChoices {
  /** The radio group, to put in the panel (after the element's header, id="header"). */
  element = el("div", { class: "labels", role: "radiogroup", "aria-labelledby": "header" });
  #pick;
  #key = "";
  #buttons = [];

  /** `pick(index)` runs when the label at `index` is clicked. */
  constructor(pick) {
    this.#pick = pick;
  }

  /** Show `labels` ([{label, short, full}]) in `colors` with their key caps `keys`, the
   * one at `active` checked. */
  render(labels, colors, keys, active) {
    const key = JSON.stringify([labels, colors, keys]);
    if (key !== this.#key) {
      this.#key = key;
      this.#buttons = labels.map((entry, index) =>
        el(
          "button",
          {
            type: "button",
            role: "radio",
            part: "label",
            title: entry.full,
            onclick: () => this.#pick(index),
          },
          keyBadge(keys[index] ?? ""),
          el("span", { class: "swatch", style: `background: ${colors[index]}` }),
          el("span", { class: "name", text: entry.short }),
        ),
      );
      this.element.replaceChildren(...this.#buttons);
    }
    this.#buttons.forEach((button, index) => {
      button.setAttribute("aria-checked", String(index === active));
      button.tabIndex = index === active ? 0 : -1;
    });
  }
}
