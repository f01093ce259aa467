/**
 * AppShell: the shell the worker portal (<quorum-portal>) and the requester console
 * (<quorum-console>) share. It builds the header bar (the brand, the app's navigation, who
 * is signed in, the app's controls, Sign out) and the <main> its screens go in, asks the
 * server who is signed in, follows `signed-in` / `signed-out` events from the screens and
 * the hash, and shows the sign-in screen while nobody is signed in.
 *
 * A subclass fills in: layout() (built once: {nav, controls, after, main}: nodes after the
 * brand, before Sign out and after <main>, and <main>'s attributes), listen() (its own
 * listeners, added once), showScreen() (mount the screen for location.hash; someone is
 * signed in) and userChanged(user) (null: signed out). It mounts with mount(screen),
 * reads `user` and `screen`, and calls route(message) to show the right screen again.
 */

import { el } from "./dom.js";
import { describeError } from "./messages.js";
import { currentUser, signOut } from "./session.js";
import "./sign-in.js";

export class AppShell extends HTMLElement {
  #user = null;
  #screen = null;
  #parts = null;

  async connectedCallback() {
    if (this.#parts) return;
    const { nav = null, controls = [], after = [], main = { id: "screen" } } = this.layout();
    this.#parts = {
      who: el("span", { class: "who" }),
      main: el("main", main),
      signOut: el("button", { type: "button", text: "Sign out", hidden: true, onclick: () => this.#signOut() }),
    };
    const { who, signOut: signOutButton } = this.#parts;
    const brand = el("a", { class: "brand", href: "#/", text: "Quorum" });
    const spacer = el("span", { class: "spacer" });
    this.append(
      el("header", { class: "bar" }, brand, nav, spacer, who, controls, signOutButton),
      this.#parts.main,
      ...after,
    );
    window.addEventListener("hashchange", () => this.route());
    this.addEventListener("signed-in", (event) => {
      this.#setUser(event.detail);
      this.route();
    });
    this.addEventListener("signed-out", (event) => this.#signedOut(event.detail));
    this.listen();
    let message = "";
    try {
      this.#setUser(await currentUser());
    } catch (error) {
      message = describeError(error);
    }
    this.route(message);
  }

  /** The app's own parts of the page: {nav, controls, after, main} (see above). */
  layout() {
    return {};
  }

  /** Add the app's own listeners (once, before the first screen). */
  listen() {}

  /** Mount the screen for location.hash (someone is signed in). */
  showScreen() {}

  /** Who is signed in changed (null: nobody). */
  userChanged(_user) {}

  /** Who is signed in ({id, name, role}), or null. */
  get user() {
    return this.#user;
  }

  /** The screen shown now. */
  get screen() {
    return this.#screen;
  }

  /** Show the screen for the hash, or sign-in (with `message`) while nobody is signed in. */
  route(message = "") {
    if (this.#user) this.showScreen();
    else this.mount(el("quorum-sign-in")).show(message);
  }

  /** Show `screen` in <main>; a focusable <main> keeps the focus the old screen had. */
  mount(screen) {
    const { main } = this.#parts;
    const hadFocus = main.contains(document.activeElement);
    this.#screen = screen;
    main.replaceChildren(screen);
    if (hadFocus && main.hasAttribute("tabindex")) main.focus({ preventScroll: true });
    return screen;
  }

  #setUser(user) {
    this.#user = user;
    this.#parts.who.textContent = user ? `${user.name} (${user.role.toLowerCase()})` : "";
    this.#parts.signOut.hidden = !user;
    this.userChanged(user);
  }

  async #signOut() {
    try {
      await signOut();
    } finally {
      this.#signedOut("You signed out.");
    }
  }

  #signedOut(message) {
    this.#setUser(null);
    this.route(message);
  }
}
