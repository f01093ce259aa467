/**
 * <quorum-audit-trail job-id="..">: a job's audit trail (auditEvents(jobId)), oldest
 * first as the API pages it, 25 events a page behind "Show more". Once the last page is
 * shown, refresh() appends the events recorded since. learnNames([[user id, name]]) puts
 * names in the actor column, also in rows already shown; setTotal(items) names the items
 * of item and task events as every screen does ("item 3 of 6", by manifest position). The
 * "#" column numbers the job's events in order (1, 2, 3, ...): the chain's own sequence
 * number comes only once the runner seals an event, so it is in the cell's title, with the
 * hash. Fires `signed-out` when the session ended.
 */

import { graphql } from "/static/shared/api.js";
import { el } from "/static/shared/dom.js";
import { describeError, sessionEnded } from "/static/shared/messages.js";
import { itemName, json, when } from "./format.js";
import { AUDIT_EVENTS } from "./queries.js";

const PAGE = 25;
const COLUMNS = ["#", "When", "Action", "Actor", "Entity", "Data"];

export class AuditTrail extends HTMLElement {
  #names = new Map();
  #total = null;
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
      COLUMNS.map((title) => el("th", { scope: "col", text: title })),
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

  /** The job's item count, to name items "item 3 of 6" (also in rows already shown). */
  setTotal(total) {
    if (total === this.#total) return;
    this.#total = total;
    for (const cell of this.querySelectorAll("td[data-item-position]")) {
      cell.textContent = this.#entity(cell.dataset.entityType, Number(cell.dataset.itemPosition));
    }
  }

  /** An event's entity as a person reads it: "item 3 of 6", "task of item 3 of 6". */
  #entity(type, position) {
    const item = itemName(position, this.#total);
    return type === "task" ? `task of ${item}` : item;
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

  #entityCell(event) {
    if (event.itemPosition === null || event.itemPosition === undefined) {
      const text = event.entityId === null ? event.entityType : `${event.entityType} ${event.entityId}`;
      return el("td", { class: "entity", text });
    }
    return el("td", {
      class: "entity",
      "data-entity-type": event.entityType,
      "data-item-position": event.itemPosition,
      title: `${event.entityType} ${event.entityId}`,
      text: this.#entity(event.entityType, event.itemPosition),
    });
  }

  #append(events) {
    for (const event of events) {
      const data = json(event.data);
      const number = this.#parts.body.children.length + 1;
      const sealed = event.seq === null ? "not sealed yet" : `sealed: chain #${event.seq}, ${event.hash}`;
      const row = this.#parts.body.appendChild(
        el(
          "tr",
          { "data-action": event.action, "data-event-id": event.id },
          el("td", { class: "num", title: `Event ${number} of this job (${sealed})`, text: String(number) }),
          el("td", { class: "nowrap", text: when(event.createdAt) }),
          el("td", {}, el("code", { text: event.action })),
          event.actorId === null
            ? el("td", { text: "system" })
            : el("td", { "data-actor-id": event.actorId, text: this.#actor(event.actorId) }),
          this.#entityCell(event),
          el("td", { class: "data", title: data, text: data === "{}" ? "" : data }),
        ),
      );
      row.querySelectorAll("td").forEach((cell, index) => cell.setAttribute("data-title", COLUMNS[index]));
    }
  }
}

customElements.define("quorum-audit-trail", AuditTrail);
