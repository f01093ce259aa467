/**
 * GraphQL from the page: POST /graphql with the session cookie and the CSRF value (the
 * quorum_csrf cookie echoed in X-CSRF-Token). Every failure becomes an ApiError with a
 * stable `code` (the GraphQL error's extensions.code, or NETWORK / HTTP), its `reason`
 * when the server gives one (extensions.reason, say NOT_IN_TEAM) and the server's message,
 * so the screens can show it instead of swallowing it.
 */

export class ApiError extends Error {
  constructor(code, message, reason = null) {
    super(message);
    this.name = "ApiError";
    this.code = code;
    this.reason = reason;
  }
}

/** The value of the readable CSRF cookie ("" when signed out). */
export function csrfToken() {
  for (const part of document.cookie.split(";")) {
    const [name, ...rest] = part.trim().split("=");
    if (name === "quorum_csrf") return decodeURIComponent(rest.join("="));
  }
  return "";
}

/** Read a JSON body, or null when there is none (or it is not JSON). */
export async function jsonBody(response) {
  try {
    return await response.json();
  } catch {
    return null;
  }
}

/** Send a request; a failed connection becomes ApiError("NETWORK"). */
export async function send(url, options) {
  try {
    return await fetch(url, { credentials: "same-origin", ...options });
  } catch (error) {
    throw new ApiError("NETWORK", `Cannot reach the Quorum server (${error.message}).`);
  }
}

/** Run one GraphQL operation; returns its data or throws ApiError. */
export async function graphql(query, variables = {}) {
  const response = await send("/graphql", {
    method: "POST",
    headers: { "Content-Type": "application/json", "X-CSRF-Token": csrfToken() },
    body: JSON.stringify({ query, variables }),
  });
  const body = await jsonBody(response);
  const first = body?.errors?.[0];
  if (first) {
    const { code = "ERROR", reason = null } = first.extensions ?? {};
    throw new ApiError(code, first.message, reason);
  }
  if (!response.ok || !body?.data) {
    throw new ApiError("HTTP", `The server answered ${response.status} ${response.statusText}.`);
  }
  return body.data;
}
