/**
 * The shadow DOM of <crowd-entity-annotation>: the text, one span per grapheme (so a
 * selection, a caret and the entities' highlights are drawn by classes, never by the
 * browser's own selection), a refusal line (role=alert) and a status line under it, and
 * the panel: the labels and the list of entities with their Remove buttons. Mouse gestures
 * become grapheme indices for the element through the `on` callbacks. Text goes through
 * textContent only.
 */

const STYLESHEET = new URL("./entity-annotation.css", import.meta.url).href;
/** A press that moves this far (CSS pixels) inside one character selects it. */
const DRAG_PIXELS = 4;

function html(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attributes)) {
    if (key === "text") node.textContent = value;
    else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
    else node.setAttribute(key, value);
  }
  node.append(...children);
  return node;
}

export class EntityView {
  #root;
  #on;
  #parts;
  #spans = [];
  #end;
  #labelsKey = "";
  #labelButtons = [];
  #drag = null;

  constructor(root, on) {
    this.#root = root;
    this.#on = on;
    this.#end = html("span", { class: "end", "aria-hidden": "true" });
    this.#parts = {
      text: html("div", { class: "text", part: "text", "aria-label": "The text to annotate" }),
      alert: html("p", { class: "alert", role: "alert", hidden: "" }),
      status: html("p", { class: "status", role: "status" }),
      header: html("p", { class: "header", id: "header" }),
      labels: html("div", { class: "labels", role: "radiogroup", "aria-labelledby": "header" }),
      count: html("h3", { class: "count" }),
      entities: html("ul", { class: "entities", "aria-label": "Entities" }),
    };
    const { text, alert, status, header, labels, count, entities } = this.#parts;
    root.replaceChildren(
      html("link", { rel: "stylesheet", href: STYLESHEET }),
      html(
        "div",
        { class: "layout" },
        html("div", { class: "main" }, text, alert, status),
        html("div", { class: "panel" }, header, labels, count, entities),
      ),
    );
    this.#listen(text);
  }

  /** Show `units` (graphemes), one span each. */
  setText(units) {
    this.#spans = units.map((unit, index) =>
      html("span", {
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
    this.#renderLabels(state);
    this.#renderText(state);
    this.#renderList(state);
    alert.textContent = state.alert;
    alert.hidden = !state.alert;
    status.textContent = state.status;
    count.textContent = `Entities (${state.entities.length})`;
  }

  #renderLabels(state) {
    const key = JSON.stringify([state.labels, state.colors]);
    if (key !== this.#labelsKey) {
      this.#labelsKey = key;
      this.#labelButtons = state.labels.map((entry, index) =>
        html(
          "button",
          {
            type: "button",
            role: "radio",
            part: "label",
            title: entry.full,
            onclick: () => this.#on.pickLabel(index),
          },
          html("kbd", { "aria-hidden": "true", text: index < 9 ? String(index + 1) : "" }),
          html("span", { class: "swatch", style: `background: ${state.colors[index]}` }),
          html("span", { class: "name", text: entry.short }),
        ),
      );
      this.#parts.labels.replaceChildren(...this.#labelButtons);
    }
    this.#labelButtons.forEach((button, index) => {
      button.setAttribute("aria-checked", String(index === state.active));
      button.tabIndex = index === state.active ? 0 : -1;
    });
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
        const look = looks.get(inside.label) ?? { color: "#7f7f7f", short: inside.label };
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
        const look = looks.get(entity.label) ?? { color: "#7f7f7f", short: entity.label };
        const text = state.slice(entity);
        const item = html(
          "li",
          { class: entity === state.focused ? "focused" : "" },
          html("mark", { style: `--c: ${look.color}`, text }),
          html("span", { class: "tag", text: look.short }),
          html("button", {
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
