/**
 * The browser session: POST /session exchanges an API token for the session cookies,
 * GET /session says who is signed in, DELETE /session signs out.
 */

import { ApiError, jsonBody, send } from "./api.js";

/** The signed-in user ({id, name, role}), or null. */
export async function currentUser() {
  const response = await send("/session", { method: "GET" });
  if (response.status === 401) return null;
  const body = await jsonBody(response);
  if (!response.ok || !body?.user) {
    throw new ApiError("HTTP", `The server answered ${response.status} ${response.statusText}.`);
  }
  return body.user;
}

/** Sign in with an API token; returns the user or throws ApiError. */
export async function signIn(token) {
  const response = await send("/session", {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ token }),
  });
  const body = await jsonBody(response);
  if (response.ok && body?.user) return body.user;
  const reason = body?.error ?? `${response.status} ${response.statusText}`;
  throw new ApiError(response.status === 401 ? "UNAUTHENTICATED" : "HTTP", reason);
}

/** Sign out (clears both cookies). */
export async function signOut() {
  await send("/session", { method: "DELETE" });
}
