/**
 * Label colours and label lists shared by the drawing and span elements.
 *
 * labelColors(count): one distinct "#rrggbb" per label: d3's category10 for the first ten
 * (as Ground Truth's elements and Quorum's pixel-vote palette use), then tints and shades
 * of them. No two labels ever share a colour (the semantic-segmentation answer maps each
 * colour back to one label). parseLabels(text): Ground Truth's `labels` attribute, a JSON
 * array of strings or of {label, shortDisplayName?, fullDisplayName?}. labelSet(list): such
 * a list as entries, with their colours.
 */

export const CATEGORY10 = [
  "#1f77b4",
  "#ff7f0e",
  "#2ca02c",
  "#d62728",
  "#9467bd",
  "#8c564b",
  "#e377c2",
  "#7f7f7f",
  "#bcbd22",
  "#17becf",
];

const hex = (channels) => `#${channels.map((c) => c.toString(16).padStart(2, "0")).join("")}`;

/** `color` mixed toward white (amount > 0) or black (amount < 0), amount in -1..1. */
function mix(color, amount) {
  const channels = [1, 3, 5].map((at) => Number.parseInt(color.slice(at, at + 2), 16));
  const target = amount > 0 ? 255 : 0;
  const share = Math.abs(amount);
  return channels.map((c) => Math.round(c + (target - c) * share));
}

/** `count` distinct colours, category10 first. */
export function labelColors(count) {
  const colors = [];
  const used = new Set();
  for (let index = 0; index < count; index += 1) {
    const round = Math.floor(index / CATEGORY10.length);
    const base = CATEGORY10[index % CATEGORY10.length];
    // Rounds 1, 2, 3... alternate lighter and darker, a little further each time.
    const step = Math.min(0.9, 0.12 * Math.ceil(round / 2));
    const amount = round === 0 ? 0 : (round % 2 ? 1 : -1) * step;
    let channels = mix(base, amount);
    let color = hex(channels);
    while (used.has(color)) {
      channels = [channels[0], channels[1], (channels[2] + 1) % 256];
      color = hex(channels);
    }
    used.add(color);
    colors.push(color);
  }
  return colors;
}

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
