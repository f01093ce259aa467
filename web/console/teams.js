/**
 * <quorum-console-teams>: the Teams screen at #/teams. Lists the teams with their members;
 * requesters and admins create a team, add members (chosen from the users) and remove
 * them. Below, the users: admins disable or enable one, and list, create (the plain token
 * is shown once, to copy) or revoke their API tokens. A requester sees the users only.
 */

import { graphql } from "/static/shared/api.js";
import { el } from "/static/shared/dom.js";
import { describeError, sessionEnded } from "/static/shared/messages.js";
import { confirmAction } from "./confirm.js";
import { when } from "./format.js";
import {
  ADD_MEMBERS,
  CREATE_TEAM,
  CREATE_TOKEN,
  DISABLE_USER,
  ENABLE_USER,
  MORE_USERS,
  PEOPLE,
  REMOVE_MEMBERS,
  REVOKE_TOKEN,
  TOKENS,
} from "./people-queries.js";
import { table } from "./table.js";

const roleName = (role) => role.toLowerCase();
const userLabel = (user) => `${user.name} (${roleName(user.role)}${user.disabled ? ", disabled" : ""})`;

export class ConsoleTeams extends HTMLElement {
  #parts = null;
  #viewer = null;
  #users = [];
  #tokensOf = null; // the user whose tokens are shown

  connectedCallback() {
    if (!this.#parts) {
      const name = el("input", { type: "text", id: "new-team-name", required: true, autocomplete: "off" });
      this.#parts = {
        status: el("p", { class: "muted", role: "status", text: "Loading…" }),
        error: el("p", { class: "error", role: "alert", hidden: true }),
        name,
        teams: el("div", { class: "teams" }),
        users: el("div", { class: "users" }),
        tokens: el("div", { class: "tokens", "aria-live": "polite" }),
      };
      const create = el(
        "form",
        { class: "new-team", onsubmit: (event) => this.#createTeam(event) },
        el("label", { for: "new-team-name", text: "New team" }),
        name,
        el("button", { type: "submit", class: "primary", text: "Create team" }),
      );
      this.append(
        el("div", { class: "screen-head" }, el("h2", { text: "Teams" })),
        this.#parts.status,
        this.#parts.error,
        create,
        this.#parts.teams,
        el("h2", { class: "users-head", text: "Users" }),
        this.#parts.users,
        this.#parts.tokens,
      );
    }
    this.load();
  }

  /** Read teams and users again and draw them. */
  async load() {
    this.setAttribute("aria-busy", "true");
    try {
      const data = await graphql(PEOPLE, {});
      this.#viewer = data.viewer;
      const users = data.users.edges.map((edge) => edge.node);
      let page = data.users.pageInfo;
      while (page.hasNextPage) {
        const more = (await graphql(MORE_USERS, { after: page.endCursor })).users;
        users.push(...more.edges.map((edge) => edge.node));
        page = more.pageInfo;
      }
      this.#users = users;
      this.#renderTeams(data.teams);
      this.#renderUsers();
      const teams = data.teams.length === 1 ? "1 team" : `${data.teams.length} teams`;
      this.#parts.status.textContent = `${teams}, ${users.length === 1 ? "1 user" : `${users.length} users`}`;
    } catch (error) {
      this.#fail(error);
    } finally {
      this.removeAttribute("aria-busy");
    }
  }

  #fail(error) {
    if (sessionEnded(this, error)) return;
    this.#say(describeError(error));
  }

  /** Show one sentence in the screen's alert line. */
  #say(message) {
    this.#parts.error.hidden = false;
    this.#parts.error.textContent = message;
  }

  /** Run a mutation, then show the new state (or the error). */
  async #change(query, variables) {
    this.#parts.error.hidden = true;
    try {
      const data = await graphql(query, variables);
      await this.load();
      return data;
    } catch (error) {
      this.#fail(error);
      return null;
    }
  }

  async #createTeam(event) {
    event.preventDefault();
    const name = this.#parts.name.value.trim();
    if (!name) {
      this.#say("Give the new team a name first.");
      return;
    }
    if (await this.#change(CREATE_TEAM, { input: { name, memberIds: [] } })) this.#parts.name.value = "";
  }

  #renderTeams(teams) {
    if (!teams.length) {
      this.#parts.teams.replaceChildren(el("p", { class: "empty", text: "No teams yet. Create one above." }));
      return;
    }
    this.#parts.teams.replaceChildren(...teams.map((team) => this.#teamCard(team)));
  }

  #teamCard(team) {
    const inTeam = new Set(team.members.map((member) => member.id));
    const candidates = this.#users.filter((user) => user.role === "WORKER" && !inTeam.has(user.id));
    const pick = el(
      "select",
      { id: `add-to-${team.id}`, "aria-label": `User to add to ${team.name}` },
      el("option", { value: "", text: "Choose a user…" }),
      candidates.map((user) => el("option", { value: user.id, text: userLabel(user) })),
    );
    const add = el("button", {
      type: "button",
      text: "Add",
      "aria-label": `Add to ${team.name}`,
      disabled: !candidates.length,
      onclick: () => {
        if (!pick.value) this.#say(`Choose a user to add to ${team.name} first.`);
        else this.#change(ADD_MEMBERS, { teamId: team.id, userIds: [pick.value] });
      },
    });
    const members = team.members.length
      ? el(
          "ul",
          { class: "members" },
          team.members.map((member) =>
            el(
              "li",
              { "data-user": member.id },
              el("span", { text: userLabel(member) }),
              el("button", {
                type: "button",
                text: "Remove",
                "aria-label": `Remove ${member.name} from ${team.name}`,
                onclick: () => this.#change(REMOVE_MEMBERS, { teamId: team.id, userIds: [member.id] }),
              }),
            ),
          ),
        )
      : el("p", { class: "empty", text: "No members yet." });
    return el(
      "section",
      { class: "card team", "data-team": team.id, "aria-label": `Team ${team.name}` },
      el("h3", { text: team.name }),
      members,
      el("div", { class: "add-member" }, pick, add),
      el("p", {
        class: "hint",
        text: "A member who is removed gets no more of the team's tasks; a task in hand may still be answered until its time runs out.",
      }),
    );
  }

  #renderUsers() {
    const admin = this.#viewer?.role === "ADMIN";
    const columns = [
      { title: "Name", cell: (user) => user.name },
      { title: "Role", cell: (user) => roleName(user.role) },
      { title: "Status", cell: (user) => (user.disabled ? "disabled" : "active") },
    ];
    if (admin) {
      columns.push({ title: "Actions", cell: (user) => this.#userActions(user) });
    }
    const users = table(columns, this.#users, { caption: "Everyone who may sign in", empty: "No users.", key: (user) => user.id });
    const hint = el("p", { class: "hint", text: "Admins disable users and manage their tokens." });
    this.#parts.users.replaceChildren(...(admin ? [users] : [users, hint]));
    if (this.#tokensOf) {
      const still = this.#users.find((user) => user.id === this.#tokensOf.id);
      if (still) this.#showTokens(still);
    }
  }

  #userActions(user) {
    const self = user.id === this.#viewer?.id;
    return el(
      "span",
      { class: "row-actions" },
      el("button", {
        type: "button",
        text: user.disabled ? "Enable" : "Disable",
        "aria-label": `${user.disabled ? "Enable" : "Disable"} ${user.name}`,
        disabled: self && !user.disabled,
        title: self ? "You cannot disable yourself" : null,
        onclick: () => this.#toggle(user),
      }),
      el("button", {
        type: "button",
        text: "Tokens",
        "aria-label": `Tokens of ${user.name}`,
        onclick: () => this.#showTokens(user),
      }),
    );
  }

  async #toggle(user) {
    if (user.disabled) {
      await this.#change(ENABLE_USER, { id: user.id });
      return;
    }
    const sure = await confirmAction({
      title: `Disable ${user.name}?`,
      message: `${user.name}'s tokens stop working at once and they get no more tasks. You can enable them again.`,
      confirm: "Disable",
    });
    if (sure) await this.#change(DISABLE_USER, { id: user.id });
  }

  async #showTokens(user, created = null) {
    this.#tokensOf = user;
    const box = this.#parts.tokens;
    try {
      const tokens = (await graphql(TOKENS, { userId: user.id })).tokens;
      const list = table(
        [
          { title: "Token", cell: (token) => (token.last4 ? `…${token.last4}` : "(made before tokens were named)") },
          { title: "Name", cell: (token) => token.name ?? "" },
          { title: "Created", cell: (token) => when(token.createdAt) },
          {
            title: "Revoke",
            cell: (token) =>
              el("button", {
                type: "button",
                class: "danger",
                text: "Revoke",
                "aria-label": `Revoke token ${token.last4 ? `ending ${token.last4}` : token.id}`,
                onclick: () => this.#revoke(user, token),
              }),
          },
        ],
        tokens,
        { caption: `API tokens of ${user.name}`, empty: `${user.name} has no tokens.`, key: (token) => token.id },
      );
      box.replaceChildren(
        el(
          "section",
          { class: "card", "aria-label": `Tokens of ${user.name}` },
          el("h3", { text: `Tokens of ${user.name}` }),
          created ? this.#newToken(created) : null,
          list,
          el("button", {
            type: "button",
            class: "primary",
            text: "New token",
            onclick: () => this.#createToken(user),
          }),
        ),
      );
    } catch (error) {
      this.#fail(error);
    }
  }

  #newToken(token) {
    const field = el("input", { type: "text", readonly: true, value: token, class: "plain-token", "aria-label": "New token" });
    return el(
      "div",
      { class: "new-token", role: "status" },
      el("p", { text: "Copy this token now: it is shown only this once (the server keeps only its hash)." }),
      field,
      el("button", {
        type: "button",
        text: "Copy",
        onclick: async (event) => {
          field.select();
          try {
            await navigator.clipboard.writeText(token);
            event.target.textContent = "Copied";
          } catch {
            event.target.textContent = "Press Ctrl+C to copy";
          }
        },
      }),
    );
  }

  async #createToken(user) {
    this.#parts.error.hidden = true;
    try {
      const made = (await graphql(CREATE_TOKEN, { userId: user.id })).createToken;
      await this.#showTokens(user, made.token);
    } catch (error) {
      this.#fail(error);
    }
  }

  async #revoke(user, token) {
    const sure = await confirmAction({
      title: "Revoke this token?",
      message: `Whoever uses the token ${token.last4 ? `ending ${token.last4}` : ""} is signed out at once. This cannot be undone.`,
      confirm: "Revoke",
    });
    if (!sure) return;
    this.#parts.error.hidden = true;
    try {
      await graphql(REVOKE_TOKEN, { id: token.id });
      await this.#showTokens(user);
    } catch (error) {
      this.#fail(error);
    }
  }
}

customElements.define("quorum-console-teams", ConsoleTeams);
