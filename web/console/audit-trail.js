/**
 * <quorum-audit-trail job-id="..">: a job's audit trail (auditEvents(jobId)), oldest
 * first as the API pages it, 25 events a page behind "Show more". Once the last page is
 * shown, refresh() appends the events recorded since. learnNames([[user id, name]]) puts
 * names in the actor column, also in rows already shown. Fires `signed-out` when the
 * session ended.
 */

import { graphql } from "/static/work/api.js";
import { el } from "/static/work/dom.js";
import { describeError, sessionEnded } from "/static/work/messages.js";
import { json, when } from "./format.js";
import { AUDIT_EVENTS } from "./queries.js";

const PAGE = 25;

export class AuditTrail extends HTMLElement {
  #names = new Map();
  #cursor = null;
  #more = true;
  #loading = false;
  #parts = null;

  get jobId() {
    return this.getAttribute("job-id");
  }

  connectedCallback() {
    if (this.#parts) return;
    this.#parts = {
      body: el("tbody"),
      empty: el("p", { class: "empty", text: "No events yet." }),
      error: el("p", { class: "error", role: "alert", hidden: true }),
      more: el("button", { type: "button", text: "Show more", hidden: true, onclick: () => this.#page() }),
    };
    const { body, empty, error, more } = this.#parts;
    const head = el(
      "tr",
      {},
      ["#", "When", "Action", "Actor", "Entity", "Data"].map((title) => el("th", { scope: "col", text: title })),
    );
    this.append(
      empty,
      el("div", { class: "table-wrap audit" }, el("table", {}, el("thead", {}, head), body)),
      error,
      more,
    );
    this.#page();
  }

  learnNames(pairs) {
    for (const [id, name] of pairs) this.#names.set(id, name);
    for (const cell of this.querySelectorAll("td[data-actor-id]")) {
      cell.textContent = this.#actor(cell.dataset.actorId);
    }
  }

  #actor(id) {
    return this.#names.get(id) ?? `user ${id}`;
  }

  /** Append what was recorded since, when the last page is on screen. */
  refresh() {
    if (!this.#more && this.#parts) this.#page();
  }

  async #page() {
    if (this.#loading) return;
    this.#loading = true;
    const { error, more } = this.#parts;
    more.disabled = true;
    try {
      const page = (await graphql(AUDIT_EVENTS, { jobId: this.jobId, first: PAGE, after: this.#cursor }))
        .auditEvents;
      this.#append(page.edges.map((edge) => edge.node));
      if (page.pageInfo.endCursor) this.#cursor = page.pageInfo.endCursor;
      this.#more = page.pageInfo.hasNextPage;
      error.hidden = true;
    } catch (failure) {
      if (sessionEnded(this, failure)) return;
      error.textContent = `The audit trail could not be read: ${describeError(failure)}`;
      error.hidden = false;
    } finally {
      this.#loading = false;
      more.disabled = false;
      more.hidden = !this.#more;
      this.#parts.empty.hidden = this.#parts.body.children.length > 0;
      this.dataset.count = String(this.#parts.body.children.length);
    }
  }

  #append(events) {
    for (const event of events) {
      const entity = event.entityId === null ? event.entityType : `${event.entityType} ${event.entityId}`;
      const data = json(event.data);
      this.#parts.body.append(
        el(
          "tr",
          { "data-action": event.action, "data-event-id": event.id },
          el("td", { class: "num", text: event.seq ?? "" }),
          el("td", { class: "nowrap", text: when(event.createdAt) }),
          el("td", {}, el("code", { text: event.action })),
          event.actorId === null
            ? el("td", { text: "system" })
            : el("td", { "data-actor-id": event.actorId, text: this.#actor(event.actorId) }),
          el("td", { text: entity }),
          el("td", { class: "data", title: data, text: data === "{}" ? "" : data }),
        ),
      );
    }
  }
}

customElements.define("quorum-audit-trail", AuditTrail);
