/**
 * <acme-star-rating>: a plugin's own labeling element (quorum_example_plugins/star_rating.py).
 * The worker portal imports it from /elements/star-rating.js; it follows the portal's
 * element convention: applyTask(task), value, valid, onKey(event), shortcuts, `change`.
 */

class StarRating extends HTMLElement {
  shortcuts = [["1 – 5", "Give that many stars"]];
  #labels = [];
  #chosen = null;

  applyTask(task) {
    this.#labels = task.job.labels;
    const text = document.createElement("p");
    text.className = "rated-text";
    text.textContent = String(task.input.taskObject ?? "");
    const stars = document.createElement("div");
    stars.setAttribute("role", "radiogroup");
    stars.setAttribute("aria-label", "Stars");
    this.#labels.forEach((label, index) => {
      const star = document.createElement("button");
      star.type = "button";
      star.setAttribute("role", "radio");
      star.setAttribute("aria-checked", "false");
      star.setAttribute("aria-label", label);
      star.textContent = "☆";
      star.addEventListener("click", () => this.#choose(index));
      stars.append(star);
    });
    this.replaceChildren(text, stars);
  }

  get valid() {
    return this.#chosen !== null;
  }

  get value() {
    return { label: this.#labels[this.#chosen] };
  }

  onKey(event) {
    const index = Number(event.key) - 1;
    if (!Number.isInteger(index) || index < 0 || index >= this.#labels.length) return false;
    this.#choose(index);
    return true;
  }

  #choose(index) {
    this.#chosen = index;
    this.querySelectorAll("[role=radio]").forEach((star, n) => {
      star.setAttribute("aria-checked", String(n === index));
      star.textContent = n <= index ? "★" : "☆";
    });
    this.dispatchEvent(new Event("change", { bubbles: true }));
  }
}

customElements.define("acme-star-rating", StarRating);
