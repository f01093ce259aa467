/**
 * One DOM helper: el(tag, attributes, ...children). Text always lands as text nodes or
 * textContent, never as HTML, so data shown through it cannot inject markup. Children may
 * be nested arrays; null and undefined are left out.
 * Attributes: `text` sets textContent, `class` the class name, `on<event>` adds a
 * listener; any other key is set with setAttribute (true: present, false/null: absent).
 * svg(tag, attributes, ...children) does the same for SVG elements (drawings over images).
 */

const SVG_NS = "http://www.w3.org/2000/svg";

export function el(tag, attributes = {}, ...children) {
  return fill(document.createElement(tag), attributes, children);
}

/** An SVG element (in the SVG namespace), built as el() builds HTML ones. */
export function svg(tag, attributes = {}, ...children) {
  return fill(document.createElementNS(SVG_NS, tag), attributes, children);
}

function fill(node, attributes, children) {
  for (const [key, value] of Object.entries(attributes)) {
    if (value === undefined || value === null || value === false) continue;
    if (key === "text") node.textContent = String(value);
    else if (key === "class") node.setAttribute("class", value);
    else if (key.startsWith("on") && typeof value === "function") {
      node.addEventListener(key.slice(2), value);
    } else node.setAttribute(key, value === true ? "" : String(value));
  }
  node.append(...children.flat(Infinity).filter((child) => child !== null && child !== undefined));
  return node;
}
