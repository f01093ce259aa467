/**
 * A job's keyboard shortcuts (Job.shortcuts: the server's defaults with the job's own on
 * top; see quorum/services/shortcuts.py): which action a key press means on the labeling
 * screen. Keys are written as on the server: one character ("a", "?"; letters match
 * either case) or a named key ("Enter", "Tab", "Space", "ArrowUp", "F2"...), optionally
 * after "Shift+", "Alt+" or "Ctrl+". A character that needs Shift to type ("?") matches
 * whatever Shift says.
 *
 * Elements keep their own keys for their tools (Delete, +, arrows...); a job that rebinds
 * the label, next/previous label or undo keys has them translated into the element's
 * defaults (`elementEvent`), so every element follows the job's map.
 */

/** The key names of the server that differ from KeyboardEvent.key. */
const EVENT_KEYS = { Space: " " };

function parse(binding) {
  const parts = binding.split("+");
  const base = parts.length > 1 && parts.at(-1) === "" ? "+" : parts.pop();
  const modifiers = new Set(parts.filter(Boolean));
  return { base: EVENT_KEYS[base] ?? base, modifiers };
}

function matches(binding, event) {
  if (!binding) return false;
  const { base, modifiers } = parse(binding);
  const single = base.length === 1;
  const key = single ? event.key.toLowerCase() : event.key;
  if (key !== (single ? base.toLowerCase() : base)) return false;
  if (modifiers.has("Ctrl") !== event.ctrlKey || modifiers.has("Alt") !== event.altKey) return false;
  return single && !modifiers.has("Shift") ? true : modifiers.has("Shift") === event.shiftKey;
}

/** What a key for the element's own default looks like to the element. */
function synthetic(event, key, shiftKey = false) {
  return new KeyboardEvent("keydown", { key, shiftKey, bubbles: true, cancelable: true });
}

export class Keymap {
  constructor(shortcuts) {
    this.shortcuts = shortcuts ?? {};
  }

  /** "submit", "skip", "release", "undo", "help", "instructions", "nextLabel",
   * "previousLabel", a label's index (a number), or null. */
  action(event) {
    const labels = this.shortcuts.labels ?? [];
    const index = labels.findIndex((binding) => matches(binding, event));
    if (index >= 0) return index;
    for (const name of [
      "submit",
      "skip",
      "release",
      "undo",
      "help",
      "instructions",
      "nextLabel",
      "previousLabel",
    ]) {
      if (matches(this.shortcuts[name], event)) return name;
    }
    return null;
  }

  /** The event an element with its own keys should see for `action`, in its defaults. */
  elementEvent(action, event) {
    if (typeof action === "number") return synthetic(event, String(action + 1));
    if (action === "nextLabel") return synthetic(event, "Tab");
    if (action === "previousLabel") return synthetic(event, "Tab", true);
    if (action === "undo") return synthetic(event, "z");
    return event;
  }

  /** Whether the label keys are the defaults, 1 to 9 in order. */
  get defaultLabels() {
    return (this.shortcuts.labels ?? []).every((binding, index) => binding === String(index + 1));
  }

  /** The lines of the shortcut help for the job's keys; `elementKeys`: the element lists
   * its own label, next/previous and undo keys (so they are left out unless rebound). */
  describe({ elementKeys = false } = {}) {
    const { shortcuts } = this;
    const lines = [];
    const labels = (shortcuts.labels ?? []).filter(Boolean);
    if (labels.length && !(elementKeys && this.defaultLabels)) {
      const keys = this.defaultLabels ? `1 – ${labels.length}` : labels.join(" ");
      lines.push([keys, "Pick the n-th category"]);
    }
    const moves = [shortcuts.nextLabel, shortcuts.previousLabel].filter(Boolean);
    const defaultMoves = shortcuts.nextLabel === "Tab" && shortcuts.previousLabel === "Shift+Tab";
    if (moves.length && !(elementKeys && defaultMoves)) {
      lines.push([moves.join(" / "), "Move to the next / previous category"]);
    }
    if (shortcuts.undo && !(elementKeys && shortcuts.undo === "z")) {
      lines.push([shortcuts.undo, "Undo"]);
    }
    const actions = {
      submit: "Submit the answer",
      skip: "Skip: hand the task back for good and take another (press twice)",
      release: "Release: hand the task back for now and leave (press twice)",
      instructions: "Show or hide the full instructions",
      help: "This list",
    };
    for (const [name, text] of Object.entries(actions)) {
      if (shortcuts[name]) lines.push([shortcuts[name], text]);
    }
    return lines;
  }
}
