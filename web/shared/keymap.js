/**
 * A job's keyboard shortcuts (Job.shortcuts: the server's defaults with the job's own on
 * top; see quorum/services/shortcuts.py): which action a key press means on the labeling
 * screen. Keys are written as on the server: one character ("a", "?"; letters match
 * either case) or a named key ("Enter", "Tab", "Space", "ArrowUp", "F2"...), optionally
 * after "Shift+", "Alt+" or "Ctrl+". A character that needs Shift to type ("?") matches
 * whatever Shift says.
 *
 * The label keys are the server's too (`labels`: one key per label, null for none; a label
 * that is a single letter or digit has that key, see the server's label_keys): this module
 * never deals keys out itself. The element shows them as its key caps (`labelKeys`, set
 * from `labelKeys` here) and matches them with `labelIndex`. The multi-select choice "None
 * of these" has the key 0 unless a label or an action holds it (`noneKey`).
 *
 * Elements keep their own keys for their tools (Delete, +, arrows...); an element without
 * `labelKeys` (a plugin's) has the label, next/previous label and undo keys translated
 * into its defaults (`elementEvent`), so every element follows the job's map.
 */

/** The actions besides the labels, as the server names them. */
const ACTIONS = [
  "submit",
  "skip",
  "release",
  "undo",
  "help",
  "instructions",
  "nextLabel",
  "previousLabel",
];

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

/** The index of the label whose key (in `keys`, as Job.shortcuts gives them) `event` is,
 * or -1. */
export function labelIndex(keys, event) {
  return (keys ?? []).findIndex((binding) => matches(binding, event));
}

/** The label keys as the `?` list writes them: "1 – 4" or "0 – 9" for digits in a row,
 * else the keys one by one ("a s d f"). */
export function keysText(keys) {
  const bound = (keys ?? []).filter(Boolean);
  const run = bound.every((key, index) => /^[0-9]$/.test(key) && Number(key) === Number(bound[0]) + index);
  return run && bound.length > 1 ? `${bound[0]} – ${bound.at(-1)}` : bound.join(" ");
}

/** The `?` list's line for label keys `keys` (one per label, in label order; null for
 * none): [caps, what they do], or null when no label has a key. */
export function labelKeysLine(keys) {
  const bound = (keys ?? []).filter(Boolean);
  if (!bound.length) return null;
  const inOrder = (keys ?? []).every((binding, index) => binding === String(index + 1));
  return [keysText(bound), inOrder ? "Pick the n-th category" : "Pick the category with that key (shown beside it)"];
}

/** What a key for the element's own default looks like to the element. */
function synthetic(event, key, shiftKey = false) {
  return new KeyboardEvent("keydown", { key, shiftKey, bubbles: true, cancelable: true });
}

export class Keymap {
  constructor(shortcuts) {
    this.shortcuts = shortcuts ?? {};
  }

  /** The key of each label, in label order (null: none). */
  get labelKeys() {
    return this.shortcuts.labels ?? [];
  }

  /** The key of "None of these" (multi-select): 0, unless a label or an action has it. */
  get noneKey() {
    const bound = [...this.labelKeys, ...ACTIONS.map((name) => this.shortcuts[name])];
    return bound.some((binding) => binding && parse(binding).base === "0") ? null : "0";
  }

  /** "submit", "skip", "release", "undo", "help", "instructions", "nextLabel",
   * "previousLabel", a label's index (a number), "none" (the key of "None of these"), or
   * null. */
  action(event) {
    const index = labelIndex(this.labelKeys, event);
    if (index >= 0) return index;
    for (const name of ACTIONS) {
      if (matches(this.shortcuts[name], event)) return name;
    }
    return matches(this.noneKey, event) ? "none" : null;
  }

  /** The event an element with its own keys should see for `action`, in its defaults (an
   * element without `labelKeys` knows label keys 1 to 9 only). */
  elementEvent(action, event) {
    if (typeof action === "number") return action < 9 ? synthetic(event, String(action + 1)) : event;
    if (action === "nextLabel") return synthetic(event, "Tab");
    if (action === "previousLabel") return synthetic(event, "Tab", true);
    if (action === "undo") return synthetic(event, "z");
    return event;
  }

  /** Whether the label keys are the defaults, 1 to 9 in order. */
  get defaultLabels() {
    return (this.shortcuts.labels ?? []).every((binding, index) => binding === String(index + 1));
  }

  /** The lines of the shortcut help for the job's keys. `elementKeys`: the element lists
   * its own label, next/previous and undo keys (so they are left out unless rebound);
   * `elementLabels`: it lists the job's label keys (it has `labelKeys`); `undo`: whether
   * the screen can undo; `instructions`: whether there are full instructions to open. */
  describe({ elementKeys = false, elementLabels = false, undo = true, instructions = true } = {}) {
    const { shortcuts } = this;
    const lines = [];
    const labels = labelKeysLine(this.labelKeys);
    if (labels && !elementLabels && !(elementKeys && this.defaultLabels)) lines.push(labels);
    const moves = [shortcuts.nextLabel, shortcuts.previousLabel].filter(Boolean);
    const defaultMoves = shortcuts.nextLabel === "Tab" && shortcuts.previousLabel === "Shift+Tab";
    if (moves.length && !(elementKeys && defaultMoves)) {
      lines.push([moves.join(" / "), "Move to the next / previous category"]);
    }
    if (undo && shortcuts.undo && !(elementKeys && shortcuts.undo === "z")) {
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
      const listedEverywhere = name === "help" && shortcuts.help === "?";
      if (shortcuts[name] && !listedEverywhere && (name !== "instructions" || instructions)) {
        lines.push([shortcuts[name], text]);
      }
    }
    return lines;
  }
}
