/**
 * Turns an error into a sentence a worker can act on: a headline per error code, then
 * the server's own message (which names what went wrong). sessionEnded(element, error):
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

/** "Headline: message." for an ApiError (or any Error). */
export function describeError(error) {
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
