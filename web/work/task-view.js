/**
 * Which labeling element renders a task, and building it: the task type names its element
 * (taskTypes { name element }, asked once per page) and a plugin's element (served at
 * /elements/<task type>.js) is imported when first needed. Every element follows the one
 * element convention (server/tasktypes.py, TaskType.element_module): it gets the job's key
 * caps as `labelKeys` when it shows them, then configures itself in `applyTask(task)`.
 */

import { graphql } from "../shared/api.js";
import { TASK_TYPES } from "./queries.js";

let elementNames = null;

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

/** The element `elementName` for `task`, configured, with the key caps of `keymap` (the
 * job's keys: keymap.js) when it shows them (`labelKeys`); null when this portal does not
 * define it. */
export function buildElement(elementName, task, keymap) {
  if (!customElements.get(elementName)) return null;
  const element = document.createElement(elementName);
  if ("labelKeys" in element) element.labelKeys = keymap.labelKeys;
  element.applyTask(task);
  return element;
}
