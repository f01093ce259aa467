/**
 * confirmAction({title, message, confirm, cancel}): a modal <dialog> asking to confirm a
 * step that cannot be undone; resolves true when confirmed. The safe choice has the focus,
 * so Enter or Esc never confirms by accident.
 */

import { el } from "/static/shared/dom.js";

export function confirmAction({ title, message, confirm = "Confirm", cancel = "Cancel" }) {
  return new Promise((resolve) => {
    const keep = el("button", { type: "button", text: cancel, autofocus: true });
    const go = el("button", { type: "button", class: "danger", text: confirm });
    const dialog = el(
      "dialog",
      { class: "confirm", "aria-labelledby": "confirm-title", "aria-describedby": "confirm-message" },
      el("h2", { id: "confirm-title", text: title }),
      el("p", { id: "confirm-message", text: message }),
      el("div", { class: "dialog-actions" }, keep, go),
    );
    let answer = false;
    keep.addEventListener("click", () => dialog.close());
    go.addEventListener("click", () => {
      answer = true;
      dialog.close();
    });
    dialog.addEventListener("close", () => {
      dialog.remove();
      resolve(answer);
    });
    document.body.append(dialog);
    dialog.showModal();
    keep.focus();
  });
}
