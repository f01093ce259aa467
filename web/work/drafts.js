/**
 * The worker's unsent answer for a task, kept across a reload of the labeling screen: in
 * sessionStorage (this tab only) under "quorum:draft:<task id>", saved on every change of
 * the element's answer, given back to the element when the same task comes back (claimTask
 * returns the task the worker holds) and dropped once the task is submitted, skipped or
 * released. An element takes part when it has `draft` (its answer state as JSON: the
 * choice, boxes, mask or spans) and `restore(draft)`.
 */

const PREFIX = "quorum:draft:";

function takesPart(element) {
  return Boolean(element) && "draft" in element && typeof element.restore === "function";
}

/** Keep `element`'s unsent answer for the task `taskId`. */
export function saveDraft(taskId, element) {
  if (!takesPart(element)) return;
  try {
    sessionStorage.setItem(PREFIX + taskId, JSON.stringify(element.draft));
  } catch (error) {
    // Storage full or off (private mode): the answer on screen is still there; only a
    // reload would lose it, as it did before drafts.
    console.warn("The answer could not be kept for a reload:", error);
  }
}

/** Give `element` the answer kept for `taskId`, if any; true when there was one. */
export function restoreDraft(taskId, element) {
  const text = takesPart(element) ? sessionStorage.getItem(PREFIX + taskId) : null;
  if (text === null) return false;
  element.restore(JSON.parse(text));
  return true;
}

/** Forget the answer kept for `taskId` (it was sent, or the task handed back). */
export function dropDraft(taskId) {
  sessionStorage.removeItem(PREFIX + taskId);
}
