/**
 * Which labeling element renders a task, and building it: the task type names its element
 * (taskTypes { name element }, asked once per page); the element gets the job's labels,
 * the task's object (an image URL as `src`, text as its <classification-target>) and, for
 * multi-select, a "None of these" choice that submits an empty list.
 */

import { graphql } from "./api.js";
import { el } from "./dom.js";
import { TASK_TYPES } from "./queries.js";

export const NONE_OF_THESE = "None of these";

let elementNames = null;

/** The element name of `taskType`, or null if the server knows no such task type. */
export async function elementFor(taskType) {
  if (!elementNames) {
    elementNames = graphql(TASK_TYPES).then(
      (data) => new Map(data.taskTypes.map((type) => [type.name, type.element])),
      (error) => {
        elementNames = null;
        throw error;
      },
    );
  }
  return (await elementNames).get(taskType) ?? null;
}

/** The element for `task`, configured; null when this portal does not define it. */
export function buildElement(elementName, task) {
  const Element = customElements.get(elementName);
  if (!Element) return null;
  const element = document.createElement(elementName);
  element.name = task.job.labelAttributeName;
  element.categories = task.job.labels;
  if (Element.multi) element.exclusionCategory = NONE_OF_THESE;
  const object = task.input?.taskObject ?? "";
  if (Element.target === "image") {
    element.src = String(object);
  } else {
    const text = typeof object === "string" ? object : JSON.stringify(object);
    element.append(el("classification-target", { text }));
  }
  return element;
}
