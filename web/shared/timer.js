/**
 * <quorum-timer>: time spent on the task (since `start`) and time left before its lease
 * runs out (`deadline`), updated every second; marked when under a minute is left.
 */

function clock(seconds) {
  const whole = Math.max(0, Math.floor(seconds));
  const hours = Math.floor(whole / 3600);
  const minutes = Math.floor((whole % 3600) / 60);
  const rest = String(whole % 60).padStart(2, "0");
  return hours ? `${hours}:${String(minutes).padStart(2, "0")}:${rest}` : `${minutes}:${rest}`;
}

/** A server DateTime as a Date; a value without a zone is UTC. */
export function serverTime(text) {
  return new Date(/(Z|[+-]\d\d:?\d\d)$/.test(text) ? text : `${text}Z`);
}

export class TaskTimer extends HTMLElement {
  #start = null;
  #deadline = null;
  #interval = null;

  connectedCallback() {
    this.setAttribute("role", "timer");
    this.#interval = setInterval(() => this.#tick(), 1000);
    this.#tick();
  }

  disconnectedCallback() {
    clearInterval(this.#interval);
  }

  /** Set both ends at once (Dates). */
  set(start, deadline) {
    this.#start = start;
    this.#deadline = deadline;
    this.#tick();
  }

  #tick() {
    if (!this.#start || !this.#deadline) {
      this.textContent = "";
      return;
    }
    const now = Date.now();
    const left = (this.#deadline.getTime() - now) / 1000;
    const spent = clock((now - this.#start.getTime()) / 1000);
    this.classList.toggle("warn", left < 60);
    this.textContent =
      left > 0 ? `${spent} on this task · ${clock(left)} left` : `${spent} · time is up`;
  }
}

customElements.define("quorum-timer", TaskTimer);
