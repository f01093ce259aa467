/**
 * <quorum-shortcut-help>: the dialog `?` opens, listing the keyboard shortcuts of the
 * current screen. show(groups) takes [{title, keys: [[key, what it does], ...]}].
 */

import { el } from "../shared/dom.js";

export class ShortcutHelp extends HTMLElement {
  #dialog = null;

  connectedCallback() {
    if (this.#dialog) return;
    this.#dialog = el("dialog", { class: "help", "aria-labelledby": "help-title" });
    this.append(this.#dialog);
  }

  get open() {
    return Boolean(this.#dialog?.open);
  }

  show(groups) {
    const sections = groups.map(({ title, keys }) =>
      el(
        "section",
        {},
        el("h3", { text: title }),
        el(
          "dl",
          {},
          keys.map(([key, what]) => [el("dt", {}, el("kbd", { text: key })), el("dd", { text: what })]),
        ),
      ),
    );
    const close = el("button", { type: "button", text: "Close", onclick: () => this.close() });
    this.#dialog.replaceChildren(
      el("h2", { id: "help-title", text: "Keyboard shortcuts" }),
      ...sections,
      el("form", { method: "dialog", class: "actions" }, close),
    );
    this.#dialog.showModal();
    close.focus();
  }

  close() {
    this.#dialog?.close();
  }
}

customElements.define("quorum-shortcut-help", ShortcutHelp);
