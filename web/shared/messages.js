/**
 * Turns an error into a sentence a worker can act on: for a reason the server gives
 * (extensions.reason), what happened and what to do; otherwise a headline per error code,
 * then the server's own message (which names what went wrong). sessionEnded(element, error):
 * when the error says the session ended, `element` fires `signed-out` with that sentence,
 * and the shell (shell.js) shows the sign-in screen.
 */

const HEADLINES = {
  UNAUTHENTICATED: "You are signed out",
  FORBIDDEN: "Not allowed",
  NOT_FOUND: "Not found",
  BAD_INPUT: "The server refused this",
  CONFLICT: "This task changed",
  LEASE_EXPIRED: "Your time on this task ran out",
  NETWORK: "No connection",
};

/** What to do, by the reason a claim of a job is refused: no claim of it can work. */
const REASONS = {
  NOT_IN_TEAM:
    "You are not on the team that labels this job. Ask the job's owner to add you, or pick another job.",
  BLOCKED_BY_GOLD:
    "You get no more tasks of this job: too few of your answers to its known-answer questions were right. Pick another job.",
};

/** The sentence of the error's reason, or "Headline: message." for an ApiError (or any
 * Error). */
export function describeError(error) {
  if (REASONS[error?.reason]) return REASONS[error.reason];
  const headline = HEADLINES[error?.code] ?? "Something went wrong";
  const message = error?.message || String(error);
  return `${headline}: ${message}`;
}

/** Fire `signed-out` from `element` if `error` says the session ended; true when it did. */
export function sessionEnded(element, error) {
  if (error?.code !== "UNAUTHENTICATED") return false;
  element.dispatchEvent(new CustomEvent("signed-out", { bubbles: true, detail: describeError(error) }));
  return true;
}
