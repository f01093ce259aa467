/**
 * <quorum-console>: the requester console's shell (the worker portal's AppShell: the
 * header, sign in and out). Its header adds the navigation (Jobs, New job); it routes
 * between the screens: the list of jobs at #/, the new-job form at #/new (#/new?from=<id>:
 * filled from job <id>, to run it again) and a job's page at #/jobs/<id>, so that a reload
 * returns to the same place; the Teams screen (teams, users, tokens) is at #/teams. Only requesters and admins
 * get past sign-in; a worker is pointed to /work.
 */

import { el } from "/static/shared/dom.js";
import { notForYou } from "/static/shared/not-for-you.js";
import { AppShell } from "/static/shared/shell.js";
import "./job-list.js";
import "./job-page.js";
import "./new-job.js";
import "./teams.js";

const CONSOLE_ROLES = new Set(["ADMIN", "REQUESTER"]);

export class RequesterConsole extends AppShell {
  #nav = null;

  layout() {
    const link = (href, text) => el("a", { href, text });
    this.#nav = el("nav", { "aria-label": "Console", hidden: true }, link("#/", "Jobs"), link("#/new", "New job"), link("#/teams", "Teams"));
    return { nav: this.#nav, main: { id: "screen", tabindex: "-1" } };
  }

  userChanged(user) {
    this.#nav.hidden = !user || !CONSOLE_ROLES.has(user.role);
  }

  showScreen() {
    const { user } = this;
    if (!CONSOLE_ROLES.has(user.role)) {
      this.mount(
        notForYou(user, {
          title: "This console is for requesters",
          purpose: "Requesters and admins create and watch jobs here.",
          href: "/work",
          link: "Go to the worker portal",
        }),
      );
      return;
    }
    const hash = location.hash || "#/";
    const job = /^#\/jobs\/([^/]+)$/.exec(hash);
    const again = /^#\/new\?from=([^&]+)$/.exec(hash);
    if (job) {
      this.mount(el("quorum-job-page", { "job-id": decodeURIComponent(job[1]) }));
    } else if (hash === "#/teams") {
      this.mount(el("quorum-console-teams"));
    } else if (hash === "#/new" || again) {
      this.mount(el("quorum-new-job", { "from-job": again ? decodeURIComponent(again[1]) : null }));
    } else {
      this.mount(el("quorum-console-jobs"));
    }
    for (const anchor of this.#nav.querySelectorAll("a")) {
      const current = anchor.getAttribute("href") === (job ? "#/" : again ? "#/new" : hash);
      if (current) anchor.setAttribute("aria-current", "page");
      else anchor.removeAttribute("aria-current");
    }
  }
}

customElements.define("quorum-console", RequesterConsole);
