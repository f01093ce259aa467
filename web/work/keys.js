/**
 * Helpers for keyboard shortcuts: whether a key press belongs to a text field (and so is
 * no shortcut), and which number key was pressed.
 */

/** True when the event comes from a place where keys type text or has a modifier. */
export function isTyping(event) {
  if (event.ctrlKey || event.metaKey || event.altKey) return true;
  const target = event.composedPath()[0];
  if (!(target instanceof HTMLElement)) return false;
  return target.isContentEditable || ["INPUT", "TEXTAREA", "SELECT"].includes(target.tagName);
}

/** True when the key press lands on a link, a button or a summary outside any labeling
 * element, where Enter and Space keep their usual meaning. */
export function onControl(event) {
  const target = event.target;
  return target instanceof HTMLElement && ["A", "BUTTON", "SUMMARY"].includes(target.tagName);
}

/** 0..9 for a number key (top row or keypad), otherwise null. */
export function digit(event) {
  return /^[0-9]$/.test(event.key) ? Number(event.key) : null;
}
