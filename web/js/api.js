// SPDX-License-Identifier: AGPL-3.0-or-later
// The gateway's HTTP API as the browser uses it: a session cookie (set by
// POST /v1/session, HttpOnly: never seen here), the CSRF token of the
// session on every state-changing request, and an Idempotency-Key per user
// action, kept for its retries.
export const state = { session: null };
let expiredHandler = null;

export class ApiError extends Error {
  constructor(status, message) {
    super(message || "HTTP " + status);
    this.status = status;
  }
}

export function onExpired(f) {
  expiredHandler = f;
}

function expired() {
  state.session = null;
  if (expiredHandler) expiredHandler();
}

async function body(res) {
  const text = await res.text();
  if (!text) return null;
  try {
    return JSON.parse(text);
  } catch (e) {
    return { text };
  }
}

// A message id for one user action (Idempotency-Key).  randomUUID needs a
// secure context; a phone on plain HTTP gets the same from getRandomValues.
export function newKey() {
  if (window.crypto && crypto.randomUUID) {
    try {
      return crypto.randomUUID();
    } catch (e) {
      /* not a secure context */
    }
  }
  const b = crypto.getRandomValues(new Uint8Array(16));
  b[6] = (b[6] & 0x0f) | 0x40;
  b[8] = (b[8] & 0x3f) | 0x80;
  const x = Array.from(b, (v) => v.toString(16).padStart(2, "0")).join("");
  return x.slice(0, 8) + "-" + x.slice(8, 12) + "-" + x.slice(12, 16) + "-" + x.slice(16, 20) + "-" + x.slice(20);
}

export async function login(user, password) {
  const res = await fetch("/v1/session", {
    method: "POST",
    credentials: "same-origin",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ user, password }),
  });
  const b = await body(res);
  if (res.status !== 200) throw new ApiError(res.status, b && b.error);
  state.session = b;
  return b;
}

// The session of the cookie, or null.
export async function current() {
  let res;
  try {
    res = await fetch("/v1/session", { credentials: "same-origin", cache: "no-store" });
  } catch (e) {
    return null;
  }
  if (res.status !== 200) return null;
  state.session = await body(res);
  return state.session;
}

export async function logout() {
  const csrf = state.session ? state.session.csrf : "";
  state.session = null;
  try {
    await fetch("/v1/session", { method: "DELETE", credentials: "same-origin", headers: { "X-CSRF-Token": csrf } });
  } catch (e) {
    /* the cookie expires anyway */
  }
}

// GET a read model: its JSON, or an ApiError (401 ends the session).
export async function get(path) {
  const res = await fetch(path, { credentials: "same-origin", cache: "no-store" });
  if (res.status === 401) {
    expired();
    throw new ApiError(401);
  }
  const b = await body(res);
  if (!res.ok) throw new ApiError(res.status, b && b.error);
  return b || {};
}

// The text of a read model (?format=text).
export async function getText(path) {
  const res = await fetch(path, { credentials: "same-origin", cache: "no-store" });
  if (res.status === 401) {
    expired();
    throw new ApiError(401);
  }
  if (!res.ok) throw new ApiError(res.status);
  return res.text();
}

// POST a command: {status, ack, ok}.  A network failure (the gateway down,
// no network) throws a TypeError, as fetch does: the caller may retry with
// the same key.  ok: accepted or duplicate (a retry of an accepted one).
export async function command(type, payload, key) {
  const res = await fetch("/v1/commands/" + encodeURIComponent(type), {
    method: "POST",
    credentials: "same-origin",
    headers: {
      "Content-Type": "application/json",
      "X-CSRF-Token": state.session ? state.session.csrf : "",
      "Idempotency-Key": key,
    },
    body: JSON.stringify(payload),
  });
  const ack = (await body(res)) || {};
  if (res.status === 401) expired();
  const ok =
    res.status >= 200 && res.status < 300 && ack.status !== "ACK_STATUS_REJECTED";
  return { status: res.status, ack, ok };
}

// Sends once from a form: the key is kept while the same payload is sent
// again (a retry after a failure), a new one for a new payload.
const formKeys = new WeakMap();
export async function send(owner, type, payload) {
  const text = type + " " + JSON.stringify(payload);
  let k = formKeys.get(owner);
  if (!k || k.text !== text) {
    k = { text, key: newKey() };
    formKeys.set(owner, k);
  }
  const res = await command(type, payload, k.key);
  if (res.ok) formKeys.delete(owner);
  return res;
}
