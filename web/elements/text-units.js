/**
 * A text cut into what a person selects: graphemes (user-perceived characters, so an emoji
 * or a letter with its accents is one unit) and words, with offsets in Unicode code
 * points, the unit of Ground Truth's entity offsets. JavaScript strings index UTF-16 code
 * units, where a character outside the Basic Multilingual Plane (most emoji) counts twice;
 * everything here converts once, so callers only see code points and grapheme indices.
 */

/** The graphemes of `text`: [{text, start, end}], `start`/`end` in code points. */
export function graphemes(text) {
  const units = [];
  let at = 0;
  for (const { segment } of new Intl.Segmenter(undefined, { granularity: "grapheme" }).segment(
    text,
  )) {
    const length = [...segment].length;
    units.push({ text: segment, start: at, end: at + length });
    at += length;
  }
  return units;
}

/** The words of `text` as grapheme index ranges [[first, end), ...] (end exclusive). */
export function words(text, units) {
  const byUtf16 = new Map();
  let offset = 0;
  units.forEach((unit, index) => {
    byUtf16.set(offset, index);
    offset += unit.text.length;
  });
  byUtf16.set(offset, units.length);
  const found = [];
  for (const { segment, index, isWordLike } of new Intl.Segmenter(undefined, {
    granularity: "word",
  }).segment(text)) {
    const first = byUtf16.get(index);
    const end = byUtf16.get(index + segment.length);
    if (isWordLike && first !== undefined && end !== undefined) found.push([first, end]);
  }
  return found;
}

/** Whether a grapheme is white space (trimmed off the ends of a selection). */
export function isSpace(unit) {
  return /^\s+$/u.test(unit.text);
}
