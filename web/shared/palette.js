/**
 * The label palette of every screen: the colour of label `index` of a job is the same while
 * drawing (boxes, segmentation, entities) and in the console's sample.
 *
 * labelColors(count): one distinct "#rrggbb" per label: d3's category10 for the first ten
 * (as Ground Truth's elements use it, and the server's consolidated masks: quorum.colors),
 * then tints and shades of them. No two labels ever share a colour (the
 * semantic-segmentation answer maps each colour back to one label). labelColor(index): the
 * colour of the label at `index` (UNKNOWN_COLOR for a label the job does not have, index -1).
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

/** The colour of a label the job does not have. */
export const UNKNOWN_COLOR = "#868e96";

/** labelColors(n) for the largest n asked so far: a label's colour depends only on the
 * labels before it, so a longer list starts with a shorter one. */
let known = [];

/** The colour of the label at `index`: labelColors(count)[index] for any count > index. */
export function labelColor(index) {
  const at = Number(index);
  if (!Number.isInteger(at) || at < 0) return UNKNOWN_COLOR;
  if (at >= known.length) known = labelColors(at + 1);
  return known[at];
}
