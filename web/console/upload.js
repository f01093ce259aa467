/**
 * uploadManifest(file, taskType): send a manifest file's bytes to POST
 * /uploads?name=<file name>&taskType=<task type>, signed in by the session cookie with its
 * CSRF value, and return {url, bytes, checked, checkedAll}: the storage URL createJob's
 * inputManifest takes, and how many of its lines the server checked for that task type
 * (all of a small file, the first ones of a big one). A refusal becomes an ApiError
 * carrying the server's message and, for bad lines, `lines`: [{line, reason}], numbered
 * as the job's ingest numbers them; nothing was stored then.
 */

import { ApiError, csrfToken, jsonBody, send } from "/static/shared/api.js";

const CODES = { 401: "UNAUTHENTICATED", 403: "FORBIDDEN", 413: "BAD_INPUT" };

export async function uploadManifest(file, taskType) {
  const query = new URLSearchParams({ name: file.name, taskType });
  const response = await send(`/uploads?${query}`, {
    method: "POST",
    headers: { "Content-Type": "application/x-ndjson", "X-CSRF-Token": csrfToken() },
    body: file,
  });
  const body = await jsonBody(response);
  if (response.ok && body?.url) {
    return { url: body.url, bytes: body.bytes ?? file.size, checked: body.checked, checkedAll: body.checkedAll };
  }
  const message = body?.error ?? `The server answered ${response.status} ${response.statusText}.`;
  const error = new ApiError(body?.code ?? CODES[response.status] ?? "HTTP", message);
  error.lines = Array.isArray(body?.lines) ? body.lines : [];
  throw error;
}
