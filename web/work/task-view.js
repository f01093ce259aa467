/**
 * Which labeling element renders a task, and building it: the task type names its element
 * (taskTypes { name element }, asked once per page); the element gets the job's labels,
 * the task's object (an image URL as `src`, text as its <classification-target>) and, for
 * multi-select, a "None of these" choice that submits an empty list. An element that
 * defines `applyTask(task)` configures itself from the task instead; a plugin's element
 * (served at /elements/<task type>.js) is imported when first needed.
 */

import { graphql } from "./api.js";
import { el } from "./dom.js";
import { TASK_TYPES } from "./queries.js";

export const NONE_OF_THESE = "None of these";

let elementNames = null;

/** Task types this portal shows with its own element rather than the one the server
 * names: label verification is Ground Truth's crowd-image-classifier with an overlay of
 * the previous label and a comment, which the portal's classifier does not have. */
const PORTAL_ELEMENTS = new Map([["label-verification", "quorum-label-verification"]]);

/** The element name of `taskType`, or null if the server knows no such task type. When a
 * plugin brings the element (taskTypes { elementUrl }), its module is imported first. */
export async function elementFor(taskType) {
  if (!elementNames) {
    elementNames = graphql(TASK_TYPES).then(
      (data) => new Map(data.taskTypes.map((type) => [type.name, type])),
      (error) => {
        elementNames = null;
        throw error;
      },
    );
  }
  const type = (await elementNames).get(taskType);
  if (!type) return null;
  if (type.elementUrl && !customElements.get(type.element)) await import(type.elementUrl);
  return type.element;
}

/** The element for `task`, configured, with the key caps of `keymap` (the job's keys:
 * keymap.js) when it shows them (`labelKeys`); null when this portal does not define it. */
export function buildElement(elementName, task, keymap) {
  const name = PORTAL_ELEMENTS.get(task.job.taskType) ?? elementName;
  const Element = customElements.get(name);
  if (!Element) return null;
  const element = document.createElement(name);
  if ("labelKeys" in element) element.labelKeys = keymap.labelKeys;
  if (typeof element.applyTask === "function") {
    element.applyTask(task);
    return element;
  }
  element.name = task.job.labelAttributeName;
  element.categories = task.job.labels;
  if (Element.multi) {
    element.exclusionCategory = NONE_OF_THESE;
    element.noneKey = keymap.noneKey;
  }
  const object = task.input?.taskObject ?? "";
  if (Element.target === "image") {
    element.src = String(object);
  } else {
    const text = typeof object === "string" ? object : JSON.stringify(object);
    element.append(el("classification-target", { text }));
  }
  return element;
}
