/**
 * table(columns, rows, options): a plain data table. Each column is {title, cell(row) →
 * text or Node, numeric?}; text lands through textContent. Options: caption, empty (what
 * to say when there are no rows), key(row) (set as data-key on each row). Each cell carries
 * its column's title (data-title), which a phone shows beside it, a row being a card.
 */

import { el } from "/static/shared/dom.js";

export function table(columns, rows, { caption = null, empty = "Nothing yet.", key = null } = {}) {
  if (!rows.length) return el("p", { class: "empty", text: empty });
  const head = el(
    "tr",
    {},
    columns.map((column) => el("th", { scope: "col", class: column.numeric ? "num" : null, text: column.title })),
  );
  const body = rows.map((row) =>
    el(
      "tr",
      { "data-key": key ? key(row) : null },
      columns.map((column) => {
        const value = column.cell(row);
        const cell = el("td", { class: column.numeric ? "num" : null, "data-title": column.title });
        if (value instanceof Node) cell.append(value);
        else cell.textContent = value === null || value === undefined ? "" : String(value);
        return cell;
      }),
    ),
  );
  return el(
    "div",
    { class: "table-wrap" },
    el("table", {}, caption ? el("caption", { text: caption }) : null, el("thead", {}, head), el("tbody", {}, body)),
  );
}
