/**
 * labelView(item, job, taskType): one labeled item drawn with its label, from the item's
 * output (the label attribute and its -metadata, as in the output manifest):
 * classification shows the class name(s); bounding boxes are drawn as SVG rectangles over
 * the image (in the image's own pixels); a segmentation mask (labelUrl) is laid over the
 * image, its white background multiplied away; named entities are highlighted in the
 * text. Anything else shows its label as JSON. All text lands as text.
 */

import { el, svg } from "/static/shared/dom.js";
import { labelColor } from "/static/shared/palette.js";
import { capitalized, itemName } from "./format.js";

/** Give `node` its label colour (through the CSSOM, which a strict CSP allows). */
function tinted(node, color) {
  node.style.setProperty("--chip", color);
  return node;
}

/** The item's label value and metadata under the job's label attribute. */
function labelOf(item, job) {
  const output = item.output ?? {};
  const name = job.labelAttributeName;
  const value = name in output ? output[name] : output[`${name}-ref`];
  const metadata = output[`${name}-metadata`] ?? output[`${name}-ref-metadata`] ?? {};
  return { value, metadata };
}

function className(job, metadata, index) {
  return metadata["class-map"]?.[String(index)] ?? job.labels[index] ?? `class ${index}`;
}

/** The item's source: the image (sourceUrl) or the inline text under the source key. */
function sourceText(item, taskType) {
  const line = item.manifestLine ?? {};
  const value = line[taskType?.sourceKey ?? "source"] ?? line.source;
  return typeof value === "string" ? value : JSON.stringify(value ?? "");
}

function image(item, alt) {
  return item.sourceUrl ? el("img", { src: item.sourceUrl, alt, loading: "lazy", decoding: "async" }) : null;
}

function chips(names, colored = false) {
  return el(
    "ul",
    { class: "chips" },
    names.map(([name, index]) => {
      const chip = el("li", { class: "chip", "data-label": name, text: name });
      return colored ? tinted(chip, labelColor(index)) : chip;
    }),
  );
}

function classification(item, job, taskType) {
  const { value, metadata } = labelOf(item, job);
  if (value === undefined || value === null) return raw(item, job);
  const indices = Array.isArray(value) ? value : [value];
  const names = Array.isArray(value)
    ? indices.map((index) => [className(job, metadata, index), index])
    : [[metadata["class-name"] ?? className(job, metadata, value), value]];
  const shown = item.sourceUrl
    ? image(item, "The labeled image")
    : el("blockquote", { class: "source-text", text: sourceText(item, taskType) });
  const result = names.length ? chips(names) : el("p", { class: "muted", text: "No category applies." });
  return el("div", { class: "label-classification" }, shown, result);
}

function boxes(item, job) {
  const { value, metadata } = labelOf(item, job);
  const annotations = Array.isArray(value?.annotations) ? value.annotations : [];
  const size = value?.image_size?.[0] ?? {};
  const width = Number(size.width) || 1;
  const height = Number(size.height) || 1;
  const font = Math.max(height / 14, 1);
  const drawing = svg(
    "svg",
    {
      class: "boxes",
      viewBox: `0 0 ${width} ${height}`,
      role: "img",
      "aria-label": `${annotations.length} box${annotations.length === 1 ? "" : "es"} drawn on the image`,
      "data-width": width,
      "data-height": height,
    },
    item.sourceUrl ? svg("image", { href: item.sourceUrl, x: 0, y: 0, width, height, preserveAspectRatio: "none" }) : null,
    annotations.map((box) => {
      const name = className(job, metadata, box.class_id);
      const color = labelColor(box.class_id);
      return svg(
        "g",
        { class: "box", "data-label": name },
        svg(
          "rect",
          { x: box.left, y: box.top, width: box.width, height: box.height, stroke: color, "vector-effect": "non-scaling-stroke" },
          svg("title", { text: `${name}: ${box.width}×${box.height} at (${box.left}, ${box.top})` }),
        ),
        svg("text", { x: box.left, y: Math.max(box.top - font * 0.25, font), fill: color, "font-size": font, text: name }),
      );
    }),
  );
  const names = [...new Map(annotations.map((box) => [className(job, metadata, box.class_id), box.class_id])).entries()];
  return el(
    "div",
    { class: "label-boxes" },
    el("div", { class: "frame" }, drawing),
    annotations.length ? chips(names, true) : el("p", { class: "muted", text: "No boxes." }),
  );
}

function mask(item, job) {
  const { metadata } = labelOf(item, job);
  const legend = Object.entries(metadata["internal-color-map"] ?? {})
    .filter(([index]) => index !== "0")
    .map(([index, entry]) =>
      tinted(el("li", { class: "chip", text: entry["class-name"] ?? index }), entry["hex-color"] ?? labelColor(index)),
    );
  return el(
    "div",
    { class: "label-mask" },
    el(
      "div",
      { class: "frame overlay" },
      image(item, "The labeled image"),
      item.labelUrl ? el("img", { class: "mask", src: item.labelUrl, alt: "The consolidated mask", loading: "lazy" }) : null,
    ),
    el("ul", { class: "chips" }, legend),
  );
}

function spans(item, job, taskType) {
  const { value } = labelOf(item, job);
  const entities = [...(value?.annotations?.entities ?? [])].sort((a, b) => a.startOffset - b.startOffset);
  const labels = job.labels;
  const chars = Array.from(sourceText(item, taskType)); // offsets count code points
  const parts = [];
  let at = 0;
  for (const entity of entities) {
    if (entity.startOffset < at) continue; // overlapping spans are not drawn twice
    parts.push(chars.slice(at, entity.startOffset).join(""));
    const index = labels.indexOf(entity.label);
    const mark = el("mark", {
      "data-label": entity.label, // shown after the span by CSS (attr(), as text)
      title: entity.label,
      text: chars.slice(entity.startOffset, entity.endOffset).join(""),
    });
    parts.push(tinted(mark, labelColor(index)));
    at = entity.endOffset;
  }
  parts.push(chars.slice(at).join(""));
  return el("div", { class: "label-spans" }, el("p", { class: "source-text" }, parts.filter((part) => part !== "")));
}

function raw(item, job) {
  const { value } = labelOf(item, job);
  return el(
    "div",
    { class: "label-raw" },
    image(item, "The labeled item"),
    el("pre", { text: JSON.stringify(value ?? item.output, null, 2) }),
  );
}

const VIEWS = {
  "single-label": classification,
  "multi-label": classification,
  boxes,
  mask,
  spans,
};

export function labelView(item, job, taskType) {
  const view = VIEWS[taskType?.labelKind] ?? raw;
  const { metadata } = labelOf(item, job);
  const human = metadata["human-annotated"] ?? (item.status === "HUMAN_LABELED" ? "yes" : "no");
  const confidence = item.confidence ?? metadata.confidence;
  const caption = [
    capitalized(itemName(item.position, job.counters?.total)),
    human === "yes" ? "labeled by people" : "labeled by the model",
    confidence === null || confidence === undefined ? null : `confidence ${Math.round(confidence * 100)} %`,
  ].filter(Boolean).join(" · ");
  return el(
    "figure",
    { class: "sample-item", "data-item-id": item.id, "data-position": item.position },
    view(item, job, taskType),
    el("figcaption", { text: caption }),
  );
}
