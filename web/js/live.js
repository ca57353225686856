// SPDX-License-Identifier: AGPL-3.0-or-later
// The event stream (GET /v1/events, Server-Sent Events): one EventSource
// for the page, its events handed to the screens that subscribe.  The
// browser reconnects by itself; the screens read their models again when
// it does (events published meanwhile are not sent again).
import { TYPES } from "./types.js";

let source = null;
const subscribers = new Set();
const statusListeners = new Set();
let connected = false;

function dispatch(ev) {
  let e;
  try {
    e = JSON.parse(ev.data);
  } catch (x) {
    return;
  }
  if (!e.type && ev.type && ev.type !== "message") e.type = ev.type;
  if (!e.id && ev.lastEventId) e.id = ev.lastEventId;
  for (const f of subscribers) {
    try {
      f(e);
    } catch (x) {
      console.error(x);
    }
  }
}

function setConnected(v) {
  if (v === connected) return;
  connected = v;
  for (const f of statusListeners) f(v);
}

export function start() {
  if (source) return;
  source = new EventSource("/v1/events", { withCredentials: true });
  source.onmessage = dispatch;
  for (const type of TYPES) source.addEventListener(type, dispatch);
  source.onopen = () => {
    const was = connected;
    setConnected(true);
    if (!was) for (const f of subscribers) if (f.reconnected) f.reconnected();
  };
  source.onerror = () => setConnected(false);
}

export function stop() {
  if (source) source.close();
  source = null;
  setConnected(false);
}

export function isConnected() {
  return connected;
}

// subscribe(f): f(event) for every event; f.reconnected() after a
// reconnection if set.  Returns the function that unsubscribes.
export function subscribe(f, reconnected) {
  if (reconnected) f.reconnected = reconnected;
  subscribers.add(f);
  return () => subscribers.delete(f);
}

export function onStatus(f) {
  statusListeners.add(f);
  return () => statusListeners.delete(f);
}
