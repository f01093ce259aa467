/**
 * Turns an error into a sentence a worker can act on: a headline per error code, then
 * the server's own message (which names what went wrong).
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
