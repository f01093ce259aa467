/**
 * <crowd-form> and Ground Truth's generic inputs, inside a custom template's sandboxed frame.
 *
 * <crowd-form> collects the values of the named elements inside it (Ground Truth: "the
 * submitted answer is {<element name>: <element output>, ...other inputs by name}") and
 * posts them to the worker portal (web/work/template-frame.js): on load and on every change
 * ("quorum:answer"), and when the worker submits from inside the form ("quorum:submit": its
 * Submit button, which is added when the template has none, as Ground Truth does; or Enter
 * outside a text area). A submit waits until every required field is filled in (the
 * browser points at the first one missing); each message says whether the form is complete
 * (`valid`). It also posts its height ("quorum:height") so that the frame fits.
 *
 * Values by element:
 * - an element with a `value` property object (crowd-classifier, crowd-bounding-box, ...):
 *   that object; <crowd-input> and <crowd-text-area>: their text (a number for
 *   type="number", null when empty); <crowd-checkbox>, <crowd-toggle-button> and
 *   <crowd-radio-button>: {"on": true|false}, as Ground Truth reports them;
 * - plain inputs: checkbox -> true/false, radio -> the checked one's value (null if none),
 *   number -> a number or null, select/textarea/others -> their text.
 */

const FIELD_TAGS = new Set(["INPUT", "SELECT", "TEXTAREA"]);

function plainValue(field) {
  if (field.type === "checkbox") return field.checked;
  if (field.type === "number" || field.type === "range") {
    return field.value === "" ? null : Number(field.value);
  }
  return field.value;
}

/** True the first time `element` is connected: it builds its content once, not again
 * when it is moved. */
function firstConnection(element) {
  if (element.dataset.ready) return false;
  element.dataset.ready = "true";
  return true;
}

function collect(form) {
  const answer = {};
  for (const node of form.querySelectorAll("[name]")) {
    const name = node.getAttribute("name");
    if (!name || node.closest("crowd-form") !== form) continue;
    if (FIELD_TAGS.has(node.tagName)) {
      if (node.parentElement?.closest("[data-crowd-inner]")) continue; // a crowd element's own
      if (node.type === "radio") {
        if (!(name in answer)) answer[name] = null;
        if (node.checked) answer[name] = node.value;
      } else {
        answer[name] = plainValue(node);
      }
    } else if ("crowdValue" in node) {
      answer[name] = node.crowdValue;
    } else if (node.value !== undefined && typeof node.value === "object") {
      answer[name] = node.value;
    }
  }
  return answer;
}

class CrowdForm extends HTMLElement {
  connectedCallback() {
    if (!firstConnection(this)) return;
    if (!this.querySelector("crowd-button[form-action='submit'], button[type='submit']")) {
      const submit = document.createElement("button");
      submit.type = "submit";
      submit.textContent = "Submit";
      submit.className = "crowd-submit";
      this.append(submit);
    }
    this.addEventListener("click", (event) => {
      const target = event.target.closest("button[type='submit'], crowd-button[form-action='submit']");
      if (target && this.contains(target)) {
        event.preventDefault();
        this.#post("quorum:submit");
      }
    });
    this.addEventListener("keydown", (event) => {
      if (event.key === "Enter" && !event.target.closest("textarea, crowd-text-area, button")) {
        event.preventDefault();
        this.#post("quorum:submit");
      }
    });
    for (const kind of ["input", "change"]) this.addEventListener(kind, () => this.#post("quorum:answer"));
    new ResizeObserver(() => this.#postHeight()).observe(document.documentElement);
    // The crowd elements load as modules: post once they are defined, and again later.
    customElements.whenDefined("crowd-classifier").finally(() => this.#post("quorum:answer"));
    this.#post("quorum:answer");
  }

  /** The form's answer now: {name: value, ...}. */
  get answer() {
    return collect(this);
  }

  /** Whether every field the template marked required (a native field, or the inner
   * field of a crowd input) is filled in, and every crowd element that says whether it is
   * complete (`valid`) is. */
  get complete() {
    const fields = [...this.querySelectorAll("input, select, textarea")];
    const elements = [...this.querySelectorAll("[name]")].filter(
      (node) => !FIELD_TAGS.has(node.tagName) && typeof node.valid === "boolean",
    );
    return fields.every((field) => field.checkValidity()) && elements.every((node) => node.valid);
  }

  #post(type) {
    const valid = this.complete;
    if (type === "quorum:submit" && !valid) {
      // As Ground Truth's crowd-form: point at what is missing, and send nothing.
      this.querySelector("input:invalid, select:invalid, textarea:invalid")?.reportValidity();
      window.parent.postMessage({ type: "quorum:answer", answer: collect(this), valid }, "*");
      return;
    }
    window.parent.postMessage({ type, answer: collect(this), valid }, "*");
  }

  #postHeight() {
    window.parent.postMessage(
      { type: "quorum:height", height: document.documentElement.scrollHeight },
      "*",
    );
  }
}

/** A generic input: builds its own field once, inside a label (its inputs are not
 * collected by name), and reads its value from it. */
class CrowdField extends HTMLElement {
  connectedCallback() {
    if (!firstConnection(this)) return;
    this.dataset.crowdInner = "";
    const label = document.createElement("label");
    this.field = this.build(label);
  }
}

/** A labelled text box: its text, a number for type="number", null when empty. */
class CrowdInput extends CrowdField {
  build(label) {
    label.textContent = this.getAttribute("label") ?? "";
    const input = document.createElement(this.tagName === "CROWD-TEXT-AREA" ? "textarea" : "input");
    if (input.tagName === "INPUT") input.type = this.getAttribute("type") ?? "text";
    input.placeholder = this.getAttribute("placeholder") ?? "";
    input.value = this.getAttribute("value") ?? "";
    if (this.hasAttribute("required")) input.required = true;
    label.append(input);
    this.append(label);
    return input;
  }

  get crowdValue() {
    const text = this.field ? this.field.value : this.getAttribute("value") ?? "";
    if (this.getAttribute("type") === "number") return text === "" ? null : Number(text);
    return text;
  }
}

/** A checkbox, toggle or radio button: {"on": true|false}. */
class CrowdSwitch extends CrowdField {
  build(label) {
    const input = document.createElement("input");
    input.type = this.tagName === "CROWD-RADIO-BUTTON" ? "radio" : "checkbox";
    const group = this.closest("crowd-radio-group");
    if (group) input.name = `crowd-radio-${group.getAttribute("name") ?? "group"}`;
    input.checked = this.hasAttribute("checked");
    label.append(input, document.createTextNode(` ${this.textContent.trim() || this.getAttribute("label") || ""}`));
    this.replaceChildren(label);
    return input;
  }

  get crowdValue() {
    return { on: Boolean(this.field?.checked) };
  }
}

const STYLE = `
  crowd-form { display: block; font: 16px/1.5 system-ui, sans-serif; }
  crowd-input, crowd-text-area, crowd-checkbox, crowd-toggle-button, crowd-radio-group {
    display: block; margin: 0.5rem 0;
  }
  crowd-input input, crowd-text-area textarea { display: block; font: inherit; padding: 0.3rem; }
  crowd-form .crowd-submit { font: inherit; padding: 0.4rem 1.2rem; margin-top: 0.5rem; }
`;
document.head.append(Object.assign(document.createElement("style"), { textContent: STYLE }));

customElements.define("crowd-form", CrowdForm);
customElements.define("crowd-input", CrowdInput);
customElements.define("crowd-text-area", class CrowdTextArea extends CrowdInput {});
customElements.define("crowd-checkbox", CrowdSwitch);
customElements.define("crowd-toggle-button", class CrowdToggle extends CrowdSwitch {});
customElements.define("crowd-radio-button", class CrowdRadio extends CrowdSwitch {});
customElements.define("crowd-radio-group", class CrowdRadioGroup extends HTMLElement {});
