/**
 * uploadManifest(file): send a manifest file's bytes to POST /uploads?name=<file name>,
 * signed in by the session cookie with its CSRF value, and return {url, bytes}: the
 * storage URL createJob's inputManifest takes. A refusal becomes an ApiError carrying the
 * server's message.
 */

import { ApiError, csrfToken, jsonBody, send } from "/static/work/api.js";

const CODES = { 401: "UNAUTHENTICATED", 403: "FORBIDDEN", 413: "BAD_INPUT" };

export async function uploadManifest(file) {
  const response = await send(`/uploads?name=${encodeURIComponent(file.name)}`, {
    method: "POST",
    headers: { "Content-Type": "application/x-ndjson", "X-CSRF-Token": csrfToken() },
    body: file,
  });
  const body = await jsonBody(response);
  if (response.ok && body?.url) return { url: body.url, bytes: body.bytes ?? file.size };
  const message = body?.error ?? `The server answered ${response.status} ${response.statusText}.`;
  throw new ApiError(body?.code ?? CODES[response.status] ?? "HTTP", message);
}
