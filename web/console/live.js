/**
 * A small graphql-transport-ws client for one subscription at a time: it opens a websocket
 * to /graphql, sends connection_init with the CSRF value (the session cookie signs the
 * connection in), subscribes, and hands each `next` payload's data to `onData`. `complete`
 * ends it for good (the stream is over); an `error` message ends it with the server's
 * message (a GraphQL error is not retried: asking again gives the same answer). A dropped
 * connection is retried politely: after 1 s, then twice as long each time up to 30 s, with
 * some jitter, at once when the browser comes back online, and not while the page is hidden.
 * Server pings are answered with pongs.
 */

import { ApiError, csrfToken } from "/static/shared/api.js";

const PROTOCOL = "graphql-transport-ws";
const FIRST_DELAY_MS = 1000;
const MAX_DELAY_MS = 30_000;
/** Close codes after which retrying cannot help (graphql-transport-ws: 4400 bad message,
 * 4401 unauthorized, 4403 forbidden). */
const FINAL_CLOSE_CODES = new Set([4400, 4401, 4403]);

function socketUrl() {
  const scheme = location.protocol === "https:" ? "wss:" : "ws:";
  return `${scheme}//${location.host}/graphql`;
}

export class LiveSubscription {
  #query;
  #variables;
  #handlers;
  #socket = null;
  #delay = FIRST_DELAY_MS;
  #timer = null;
  #stopped = false;
  #sequence = 0;
  #onOnline = () => this.#reconnectNow();
  #onVisible = () => {
    if (!document.hidden && !this.#socket && !this.#timer) this.#reconnectNow();
  };

  /**
   * @param query the subscription document
   * @param variables its variables
   * @param handlers {onData(data), onState(state, detail), onError(ApiError), onComplete()};
   *   state is "connecting", "live", "waiting" (detail: seconds until the next try) or "ended".
   */
  constructor(query, variables, handlers) {
    this.#query = query;
    this.#variables = variables;
    this.#handlers = handlers;
  }

  start() {
    window.addEventListener("online", this.#onOnline);
    document.addEventListener("visibilitychange", this.#onVisible);
    this.#connect();
    return this;
  }

  /** Close for good (the page went away). */
  stop() {
    this.#end();
  }

  #connect() {
    if (this.#stopped) return;
    this.#timer = null;
    this.#state("connecting");
    const id = String(++this.#sequence);
    let socket;
    try {
      socket = new WebSocket(socketUrl(), PROTOCOL);
    } catch {
      this.#retry();
      return;
    }
    this.#socket = socket;
    socket.addEventListener("open", () => {
      this.#send({ type: "connection_init", payload: { csrf: csrfToken() } });
    });
    socket.addEventListener("message", (event) => this.#onMessage(socket, id, event.data));
    socket.addEventListener("close", (event) => {
      if (socket !== this.#socket) return;
      this.#socket = null;
      if (this.#stopped) return;
      if (FINAL_CLOSE_CODES.has(event.code)) {
        const code = event.code === 4401 ? "UNAUTHENTICATED" : event.code === 4403 ? "FORBIDDEN" : "ERROR";
        this.#fail(new ApiError(code, event.reason || `The live connection was refused (${event.code}).`));
        return;
      }
      this.#retry();
    });
  }

  #onMessage(socket, id, raw) {
    if (socket !== this.#socket) return;
    let message;
    try {
      message = JSON.parse(raw);
    } catch {
      return;
    }
    switch (message.type) {
      case "connection_ack":
        this.#delay = FIRST_DELAY_MS;
        this.#send({
          id,
          type: "subscribe",
          payload: { query: this.#query, variables: this.#variables },
        });
        this.#state("live");
        break;
      case "ping":
        this.#send({ type: "pong", payload: message.payload });
        break;
      case "next":
        if (message.id !== id) break;
        if (message.payload?.errors?.length) {
          const first = message.payload.errors[0];
          this.#fail(new ApiError(first.extensions?.code ?? "ERROR", first.message));
        } else if (message.payload?.data) {
          this.#handlers.onData?.(message.payload.data);
        }
        break;
      case "error": {
        if (message.id !== id) break;
        const first = Array.isArray(message.payload) ? message.payload[0] : message.payload;
        this.#fail(new ApiError(first?.extensions?.code ?? "ERROR", first?.message ?? "The subscription failed."));
        break;
      }
      case "complete":
        if (message.id !== id) break;
        this.#end();
        this.#handlers.onComplete?.();
        break;
      default:
        break;
    }
  }

  #send(message) {
    if (this.#socket?.readyState === WebSocket.OPEN) this.#socket.send(JSON.stringify(message));
  }

  #retry() {
    if (this.#stopped || this.#timer) return;
    if (document.hidden) {
      this.#state("waiting", null); // the visibilitychange listener reconnects
      return;
    }
    const wait = Math.min(this.#delay, MAX_DELAY_MS) * (0.8 + Math.random() * 0.4);
    this.#delay = Math.min(this.#delay * 2, MAX_DELAY_MS);
    this.#state("waiting", Math.round(wait / 1000));
    this.#timer = setTimeout(() => this.#connect(), wait);
  }

  #reconnectNow() {
    if (this.#stopped || this.#socket) return;
    clearTimeout(this.#timer);
    this.#timer = null;
    this.#connect();
  }

  #fail(error) {
    this.#end();
    this.#handlers.onError?.(error);
  }

  #end() {
    if (this.#stopped) return;
    this.#stopped = true;
    clearTimeout(this.#timer);
    this.#timer = null;
    window.removeEventListener("online", this.#onOnline);
    document.removeEventListener("visibilitychange", this.#onVisible);
    const socket = this.#socket;
    this.#socket = null;
    if (socket && socket.readyState <= WebSocket.OPEN) socket.close(1000, "done");
    this.#state("ended");
  }

  #state(state, detail) {
    this.#handlers.onState?.(state, detail);
  }
}
