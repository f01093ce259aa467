/**
 * The shadow DOM of <crowd-entity-annotation>: the text, one span per grapheme (so a
 * selection, a caret and the entities' highlights are drawn by classes, never by the
 * browser's own selection), a refusal line (role=alert) and a status line under it, and
 * the panel: the labels and the list of entities with their Remove buttons. Mouse gestures
 * become grapheme indices for the element through the `on` callbacks. Text goes through
 * textContent only.
 */

import { el } from "../shared/dom.js";
import { UNKNOWN_COLOR } from "../shared/palette.js";
import { LabelChoices, stylesheets } from "./choices.js";

/** A press that moves this far (CSS pixels) inside one character selects it. */
const DRAG_PIXELS = 4;

export class EntityView {
  #root;
  #on;
  #parts;
  #spans = [];
  #end;
  #labels;
  #drag = null;

  constructor(root, on) {
    this.#root = root;
    this.#on = on;
    this.#end = el("span", { class: "end", "aria-hidden": "true" });
    this.#labels = new LabelChoices((index) => on.pickLabel(index));
    this.#parts = {
      text: el("div", { class: "text", part: "text", "aria-label": "The text to annotate" }),
      alert: el("p", { class: "alert", role: "alert", hidden: "" }),
      status: el("p", { class: "status", role: "status" }),
      header: el("p", { class: "header", id: "header" }),
      labels: this.#labels.element,
      count: el("h3", { class: "count" }),
      entities: el("ul", { class: "entities", "aria-label": "Entities" }),
    };
    const { text, alert, status, header, labels, count, entities } = this.#parts;
    root.replaceChildren(
      ...stylesheets("./entity-annotation.css"),
      el(
        "div",
        { class: "layout" },
        el("div", { class: "main" }, text, alert, status),
        el("div", { class: "panel" }, header, labels, count, entities),
      ),
    );
    this.#listen(text);
  }

  /** Show `units` (graphemes), one span each. */
  setText(units) {
    this.#spans = units.map((unit, index) =>
      el("span", {
        class: "ch",
        "data-index": String(index),
        "data-start": String(unit.start),
        text: unit.text,
      }),
    );
    this.#parts.text.replaceChildren(...this.#spans, this.#end);
  }

  render(state) {
    const { header, alert, status, count } = this.#parts;
    header.textContent = state.header || "Select a span of text, then pick its label";
    this.#labels.render(state.labels, state.colors, state.keys, state.active);
    this.#renderText(state);
    this.#renderList(state);
    alert.textContent = state.alert;
    alert.hidden = !state.alert;
    status.textContent = state.status;
    count.textContent = `Entities (${state.entities.length})`;
  }

  #renderText(state) {
    const [first, end] = state.selection;
    const caret = first === end ? state.caret : -1;
    const looks = this.#looks(state);
    let next = 0; // entities and units are both in offset order
    state.units.forEach((unit, index) => {
      while (next < state.entities.length && state.entities[next].end <= unit.start) next += 1;
      const entity = state.entities[next];
      const inside = entity && entity.start < unit.end ? entity : null;
      const span = this.#spans[index];
      const classes = ["ch"];
      if (index >= first && index < end) classes.push("sel");
      if (index === caret) classes.push("caret");
      span.removeAttribute("data-tag");
      span.style.removeProperty("--c");
      if (inside) {
        const look = looks.get(inside.label) ?? { color: UNKNOWN_COLOR, short: inside.label };
        classes.push("ent");
        span.style.setProperty("--c", look.color);
        if (unit.start <= inside.start) classes.push("ent-start");
        if (unit.end >= inside.end) {
          classes.push("ent-end");
          span.dataset.tag = look.short;
        }
        if (inside === state.focused) classes.push("ent-focus");
      }
      span.className = classes.join(" ");
    });
    this.#end.className = caret === state.units.length ? "end caret" : "end";
  }

  #renderList(state) {
    const looks = this.#looks(state);
    this.#parts.entities.replaceChildren(
      ...state.entities.map((entity) => {
        const look = looks.get(entity.label) ?? { color: UNKNOWN_COLOR, short: entity.label };
        const text = state.slice(entity);
        const item = el(
          "li",
          { class: entity === state.focused ? "focused" : "" },
          el("mark", { style: `--c: ${look.color}`, text }),
          el("span", { class: "tag", text: look.short }),
          el("button", {
            type: "button",
            class: "remove",
            "aria-label": `Remove “${text}” (${entity.label})`,
            text: "Remove",
            onclick: () => this.#on.remove(entity),
          }),
        );
        return item;
      }),
    );
  }

  /** Per label name: its colour and short display name. */
  #looks(state) {
    return new Map(
      state.labels.map((entry, index) => [
        entry.label,
        { color: state.colors[index], short: entry.short },
      ]),
    );
  }

  /** The grapheme index under a point, or null. */
  #indexAt(x, y) {
    const span = this.#root.elementFromPoint(x, y)?.closest?.(".ch");
    return span && this.#parts.text.contains(span) ? Number(span.dataset.index) : null;
  }

  #listen(text) {
    text.addEventListener("pointerdown", (event) => {
      if (event.button !== 0) return;
      const from = this.#indexAt(event.clientX, event.clientY);
      if (from === null) return;
      event.preventDefault();
      text.setPointerCapture(event.pointerId);
      this.#drag = { from, x: event.clientX, moved: false };
    });
    text.addEventListener("pointermove", (event) => {
      const drag = this.#drag;
      if (!drag) return;
      const at = this.#indexAt(event.clientX, event.clientY) ?? drag.from;
      drag.moved ||= at !== drag.from || Math.abs(event.clientX - drag.x) > DRAG_PIXELS;
      if (!drag.moved) return;
      if (at >= drag.from) this.#on.select(drag.from, at + 1);
      else this.#on.select(drag.from + 1, at);
    });
    const up = (event) => {
      const drag = this.#drag;
      this.#drag = null;
      if (!drag || drag.moved || event.type !== "pointerup") return;
      const box = this.#spans[drag.from].getBoundingClientRect();
      this.#on.clickUnit(drag.from, event.clientX > box.left + box.width / 2);
    };
    text.addEventListener("pointerup", up);
    text.addEventListener("pointercancel", up);
    text.addEventListener("dblclick", (event) => {
      const at = this.#indexAt(event.clientX, event.clientY);
      if (at !== null) this.#on.selectWordAt(at);
    });
  }
}
