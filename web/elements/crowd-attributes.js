/**
 * What the labeling elements share of Ground Truth's element API.
 *
 * reflectAttributes(ElementClass, names): each name becomes a property that reads its
 * attribute ("" when absent) and writes it (header, name, src...). applyJob(element, task):
 * the label attribute name and the labels of a worker-portal task's job. fireChange(element,
 * detail): the `change` event every element fires, bubbling out of its shadow root.
 */

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
