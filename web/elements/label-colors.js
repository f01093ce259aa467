/**
 * Label lists shared by the drawing and span elements, with their colours (the palette:
 * ../shared/palette.js).
 *
 * parseLabels(text): Ground Truth's `labels` attribute, a JSON array of strings or of
 * {label, shortDisplayName?, fullDisplayName?}. labelSet(list): such a list as entries,
 * with their colours.
 */

import { labelColors } from "../shared/palette.js";

/** Ground Truth's `labels` attribute as [{label, short, full}]; bad JSON gives []. */
export function parseLabels(text) {
  let list;
  try {
    list = JSON.parse(text);
  } catch {
    return [];
  }
  return Array.isArray(list) ? list.map(labelEntry).filter(Boolean) : [];
}

/** One label: a string or {label, shortDisplayName?, fullDisplayName?}. */
export function labelEntry(item) {
  if (typeof item === "string") return { label: item, short: item, full: item };
  if (!item || typeof item.label !== "string") return null;
  const short = typeof item.shortDisplayName === "string" ? item.shortDisplayName : item.label;
  const full = typeof item.fullDisplayName === "string" ? item.fullDisplayName : item.label;
  return { label: item.label, short, full };
}

/** A `labels` list (strings or {label, ...}) as {entries: [{label, short, full}], colors}. */
export function labelSet(list) {
  const entries = [...list].map(labelEntry).filter(Boolean);
  return { entries, colors: labelColors(entries.length) };
}
