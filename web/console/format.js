/**
 * How the console writes numbers, money, shares, durations and server times, one way
 * everywhere. Every helper returns plain text (shown through textContent).
 */

import { itemOf } from "/static/shared/numbering.js";
import { serverTime } from "/static/shared/timer.js";

export { capitalized } from "/static/shared/numbering.js";

const COUNT = new Intl.NumberFormat("en", { maximumFractionDigits: 0 });
const MONEY = new Map();
const SHARE = new Intl.NumberFormat("en", { style: "percent", maximumFractionDigits: 1 });
const DATE = new Intl.DateTimeFormat("en", { dateStyle: "medium", timeStyle: "medium" });

/** A count: 1,234. */
export function count(value) {
  return value === null || value === undefined ? "–" : COUNT.format(value);
}

/** An amount in `currency` (an ISO 4217 code, the server's QUORUM_CURRENCY): $0.012,
 * €1.50. */
export function money(value, currency = "USD") {
  if (value === null || value === undefined) return "–";
  if (!MONEY.has(currency)) {
    const options = { style: "currency", currency, minimumFractionDigits: 2, maximumFractionDigits: 4 };
    MONEY.set(currency, new Intl.NumberFormat("en", options));
  }
  return MONEY.get(currency).format(value);
}

/** An item by its manifest position (Item.position, 0-based) among the job's `total`
 * items: "item 3 of 6", the one numbering every screen uses ("gold item 2" for a gold
 * manifest's items, which come after the dataset's). */
export function itemName(position, total) {
  if (position === null || position === undefined) return "an item";
  if (total && position >= total) return `gold item ${count(position - total + 1)}`;
  return itemOf(position, total);
}

/** A share (0..1) as a percentage; "–" when unknown. */
export function share(value) {
  return value === null || value === undefined ? "–" : SHARE.format(value);
}

/** Seconds as "4.2 s", "3 min 5 s". */
export function seconds(value) {
  if (value === null || value === undefined) return "–";
  if (value < 60) return `${value.toFixed(1)} s`;
  const minutes = Math.floor(value / 60);
  return `${minutes} min ${Math.round(value % 60)} s`;
}

/** A server DateTime (UTC when it has no zone) in the reader's time zone. */
export function when(text) {
  if (!text) return "–";
  const date = serverTime(text);
  return Number.isNaN(date.getTime()) ? String(text) : DATE.format(date);
}

/** A job or item status as words: IN_PROGRESS → "in progress". */
export function status(value) {
  return String(value ?? "").toLowerCase().replaceAll("_", " ");
}

/** Compact JSON for a table cell. */
export function json(value) {
  return value === null || value === undefined ? "" : JSON.stringify(value);
}
