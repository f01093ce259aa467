/**
 * <quorum-sign-in>: the sign-in screen. The worker pastes the API token they were given;
 * POST /session turns it into a session cookie. Fires `signed-in` with the user.
 */

import { el } from "./dom.js";
import { describeError } from "./messages.js";
import { signIn } from "./session.js";

export class SignInScreen extends HTMLElement {
  shortcuts = [["Enter", "Sign in"]];

  /** Render the form, with `message` (say, why the worker was signed out) if any. */
  show(message = "") {
    const input = el("input", {
      id: "token",
      name: "token",
      type: "password",
      autocomplete: "off",
      spellcheck: "false",
      required: true,
    });
    const error = el("p", { class: "error", role: "alert", text: message, hidden: !message });
    const button = el("button", { type: "submit", class: "primary", text: "Sign in" });
    const form = el(
      "form",
      { class: "sign-in" },
      el("h2", { text: "Sign in" }),
      el("p", { text: "Paste the API token your Quorum administrator gave you." }),
      el("label", { for: "token", text: "API token" }),
      input,
      button,
      error,
    );
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      button.disabled = true;
      error.hidden = true;
      try {
        const user = await signIn(input.value.trim());
        this.dispatchEvent(new CustomEvent("signed-in", { bubbles: true, detail: user }));
      } catch (failure) {
        error.textContent =
          failure.code === "UNAUTHENTICATED"
            ? `That token was not accepted: ${failure.message}`
            : describeError(failure);
        error.hidden = false;
        button.disabled = false;
        input.select();
      }
    });
    this.replaceChildren(form);
    input.focus();
  }
}

customElements.define("quorum-sign-in", SignInScreen);
