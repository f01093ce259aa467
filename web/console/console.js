/**
 * <quorum-console>: the requester console's shell. It holds the header (Jobs, New job,
 * who is signed in, sign out) and routes between the screens: sign in (the worker
 * portal's <quorum-sign-in>), the list of jobs at #/, the new-job form at #/new and a
 * job's page at #/jobs/<id>, so that a reload returns to the same place. Only requesters
 * and admins get past sign-in; a worker is pointed to /work.
 */

import { el } from "/static/work/dom.js";
import { describeError } from "/static/work/messages.js";
import { currentUser, signOut } from "/static/work/session.js";
import "/static/work/sign-in.js";
import "./job-list.js";
import "./job-page.js";
import "./new-job.js";

const CONSOLE_ROLES = new Set(["ADMIN", "REQUESTER"]);

export class RequesterConsole extends HTMLElement {
  #user = null;
  #parts = null;

  async connectedCallback() {
    if (this.#parts) return;
    const link = (href, text) => el("a", { href, text });
    this.#parts = {
      nav: el("nav", { "aria-label": "Console", hidden: true }, link("#/", "Jobs"), link("#/new", "New job")),
      who: el("span", { class: "who" }),
      main: el("main", { id: "screen", tabindex: "-1" }),
      signOut: el("button", { type: "button", text: "Sign out", hidden: true, onclick: () => this.#signOut() }),
    };
    const { nav, who, main, signOut: signOutButton } = this.#parts;
    this.append(
      el(
        "header",
        { class: "bar" },
        el("a", { class: "brand", href: "#/", text: "Quorum" }),
        nav,
        el("span", { class: "spacer" }),
        who,
        signOutButton,
      ),
      main,
    );
    window.addEventListener("hashchange", () => this.#route());
    this.addEventListener("signed-in", (event) => {
      this.#setUser(event.detail);
      this.#route();
    });
    this.addEventListener("signed-out", (event) => this.#signedOut(event.detail));
    let message = "";
    try {
      this.#setUser(await currentUser());
    } catch (error) {
      message = describeError(error);
    }
    this.#route(message);
  }

  #setUser(user) {
    this.#user = user;
    this.#parts.who.textContent = user ? `${user.name} (${user.role.toLowerCase()})` : "";
    this.#parts.signOut.hidden = !user;
    this.#parts.nav.hidden = !user || !CONSOLE_ROLES.has(user.role);
  }

  #route(message = "") {
    if (!this.#user) {
      this.#mount(el("quorum-sign-in")).show(message);
      return;
    }
    if (!CONSOLE_ROLES.has(this.#user.role)) {
      this.#mount(
        el(
          "section",
          { class: "not-for-you" },
          el("h2", { text: "This console is for requesters" }),
          el("p", {
            text: `You are signed in as ${this.#user.name}, a ${this.#user.role.toLowerCase()}. ` +
              "Requesters and admins create and watch jobs here.",
          }),
          el("p", {}, el("a", { href: "/work", text: "Go to the worker portal" })),
        ),
      );
      return;
    }
    const hash = location.hash || "#/";
    const job = /^#\/jobs\/([^/]+)$/.exec(hash);
    if (job) {
      this.#mount(el("quorum-job-page", { "job-id": decodeURIComponent(job[1]) }));
    } else if (hash === "#/new") {
      this.#mount(el("quorum-new-job"));
    } else {
      this.#mount(el("quorum-console-jobs"));
    }
    for (const anchor of this.#parts.nav.querySelectorAll("a")) {
      const current = anchor.getAttribute("href") === (job ? "#/" : hash);
      if (current) anchor.setAttribute("aria-current", "page");
      else anchor.removeAttribute("aria-current");
    }
  }

  #mount(screen) {
    const { main } = this.#parts;
    const hadFocus = main.contains(document.activeElement);
    main.replaceChildren(screen);
    if (hadFocus) main.focus({ preventScroll: true });
    return screen;
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
    this.#route(message);
  }
}

customElements.define("quorum-console", RequesterConsole);
