/**
 * What the labeling elements share of Ground Truth's element API.
 *
 * reflectAttributes(ElementClass, names): each name becomes a property that reads its
 * attribute ("" when absent) and writes it (header, name, src...). applyJob(element, task):
 * the label attribute name and the labels of a worker-portal task's job. fireChange(element,
 * detail): the `change` event every element fires, bubbling out of its shadow root.
 * reflectLabelKeys(ElementClass): the `label-keys` attribute as the `labelKeys` property;
 * keyOf, labelAt and labelKeysText read it.
 */

import { keysText, labelIndex } from "../shared/keymap.js";

export function reflectAttributes(elementClass, names) {
  for (const name of names) {
    Object.defineProperty(elementClass.prototype, name, {
      configurable: true,
      get() {
        return this.getAttribute(name) ?? "";
      },
      set(value) {
        this.setAttribute(name, value);
      },
    });
  }
}

/** Set `name` and `labels` from the job of a worker-portal task. */
export function applyJob(element, task) {
  element.name = task.job.labelAttributeName;
  element.labels = task.job.labels;
}

export function fireChange(element, detail = null) {
  element.dispatchEvent(new CustomEvent("change", { bubbles: true, composed: true, detail }));
}

/** `labelKeys`: the key of each label (null: none), as the worker portal's Job.shortcuts
 * gives them, kept in the `label-keys` attribute (JSON). Unset (outside the portal), labels
 * 1 to 9 have the keys 1 to 9. */
export function reflectLabelKeys(elementClass) {
  Object.defineProperty(elementClass.prototype, "labelKeys", {
    configurable: true,
    get() {
      try {
        const keys = JSON.parse(this.getAttribute("label-keys"));
        return Array.isArray(keys) ? keys : null;
      } catch {
        return null;
      }
    },
    set(keys) {
      if (keys) this.setAttribute("label-keys", JSON.stringify(keys));
      else this.removeAttribute("label-keys");
    },
  });
}

/** The key cap of the label at `index` of `element` ("" for none). */
export function keyOf(element, index) {
  const keys = element.labelKeys;
  if (keys) return keys[index] ?? "";
  return index < 9 ? String(index + 1) : "";
}

/** The index of the label of `element` whose key `event` is, or -1. */
export function labelAt(element, event) {
  const keys = element.labelKeys;
  if (keys) return labelIndex(keys, event);
  return /^[1-9]$/.test(event.key) && !event.ctrlKey && !event.altKey ? Number(event.key) - 1 : -1;
}

/** The label keys of `element`'s `count` labels, as its `?` list writes them ("1 – 4"). */
export function labelKeysText(element, count) {
  return keysText(Array.from({ length: count }, (_, index) => keyOf(element, index)));
}
