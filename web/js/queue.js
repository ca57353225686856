// SPDX-License-Identifier: AGPL-3.0-or-later
// The phone's outbox: every report of a driver or a rider is put here with
// its Idempotency-Key, kept in localStorage (per user), and sent in order.
// Without network, or while the gateway is down, the reports wait and are
// sent when it answers again (a timer, the browser's "online" event, or the
// "send now" button); a report the gateway already has comes back as a
// duplicate of the same key and is not applied twice.  A report refused
// by the gateway (bad payload, wrong role) leaves the queue and is listed.
import { command, newKey, state } from "./api.js";
import { t } from "./i18n.js";
import { h, clear, button, fmtTime, ackText } from "./ui.js";

const RETRY_MS = 3000;
let items = [];
let refused = [];
let sent = []; // the last reports accepted, for the screens' own marks
let user = "";
let flushing = false;
let timer = null;
const listeners = new Set();

function storeKey() {
  return "lz.queue." + user;
}

function save() {
  try {
    localStorage.setItem(storeKey(), JSON.stringify({ items, refused, sent }));
  } catch (e) {
    /* storage full or off: the queue lives in this page only */
  }
  for (const f of listeners) f();
}

export function load(forUser) {
  user = forUser;
  items = [];
  refused = [];
  sent = [];
  try {
    const s = JSON.parse(localStorage.getItem(storeKey()) || "{}");
    items = s.items || [];
    refused = s.refused || [];
    sent = s.sent || [];
  } catch (e) {
    /* start empty */
  }
  for (const f of listeners) f();
  if (items.length) schedule(0);
}

export function pending() {
  return items.slice();
}

// The reports accepted lately (newest first), and those waiting, oldest
// first: what this phone reported, whatever the read models say yet.
export function reported() {
  return sent.slice();
}

export function onChange(f) {
  listeners.add(f);
  return () => listeners.delete(f);
}

// The reports that say when they happened ("at"): a report sent late,
// after the network came back, keeps the time it was made.
const TIMED = new Set([
  "lz.tours.v1.TourStarted", "lz.tours.v1.StopArrived", "lz.tours.v1.StopCompleted",
  "lz.tours.v1.StopFailed", "lz.tours.v1.TourCompleted",
  "lz.bikes.v1.StartRun", "lz.bikes.v1.DeliverParcel", "lz.bikes.v1.FailParcel",
  "lz.bikes.v1.LeaveAtRelayPoint", "lz.bikes.v1.CollectPickup", "lz.bikes.v1.FailPickup",
  "lz.bikes.v1.CompleteRun",
]);

// enqueue(type, payload, label): the report is kept, then sent.  Returns
// its key.
export function enqueue(type, payload, label) {
  const at = Math.floor(Date.now() / 1000);
  if (TIMED.has(type)) payload = { ...payload, at: String(at) };
  const item = { key: newKey(), type, payload, label, at, tries: 0 };
  items.push(item);
  save();
  flush();
  return item.key;
}

function schedule(ms) {
  if (timer) return;
  timer = setTimeout(() => {
    timer = null;
    flush();
  }, ms);
}

// Sends the queue in order; stops at the first report that cannot be sent
// now (network, 5xx, 429, no session) and tries again later.
export async function flush() {
  if (flushing || !items.length) return;
  if (!state.session) return; // after a new login
  flushing = true;
  try {
    while (items.length) {
      const it = items[0];
      let res;
      try {
        it.tries += 1;
        res = await command(it.type, it.payload, it.key);
      } catch (e) {
        it.lastError = t("err.network");
        save();
        schedule(RETRY_MS);
        return;
      }
      if (res.ok) {
        items.shift();
        sent.unshift({ type: it.type, payload: it.payload, at: it.at, key: it.key });
        sent = sent.slice(0, 200);
        save();
        continue;
      }
      if (res.status === 401) {
        it.lastError = t("err.session");
        save();
        return; // the login screen comes; flushed after it
      }
      if (res.status >= 500 || res.status === 429 || res.status === 0) {
        it.lastError = ackText(res);
        save();
        schedule(RETRY_MS);
        return;
      }
      items.shift();
      refused.unshift(Object.assign({}, it, { error: ackText(res) }));
      refused = refused.slice(0, 10);
      save();
    }
  } finally {
    flushing = false;
  }
}

window.addEventListener("online", () => flush());

// The queue as a panel: what waits, what was refused.
export function panel() {
  const box = h("section", { class: "card queue", "aria-labelledby": "queue-title", id: "queue" });
  const render = () => {
    clear(box);
    box.appendChild(h("h2", { id: "queue-title" }, t("queue.title", { n: items.length })));
    if (!items.length) box.appendChild(h("p", { class: "empty", id: "queue-empty" }, t("queue.empty")));
    else {
      box.appendChild(
        h(
          "ol",
          { class: "queue-items" },
          items.map((it) =>
            h(
              "li",
              { class: "queue-item", dataset: { key: it.key } },
              h("span", null, fmtTime(it.at) + " · " + it.label),
              it.lastError ? h("small", { class: "hint" }, " " + it.lastError) : null
            )
          )
        )
      );
      box.appendChild(button(t("queue.send"), () => flush(), { id: "queue-send" }));
    }
    if (refused.length) {
      box.appendChild(h("h3", null, t("queue.refused")));
      box.appendChild(
        h(
          "ul",
          { class: "queue-refused" },
          refused.map((it) => h("li", null, it.label + " — " + it.error))
        )
      );
      box.appendChild(
        button(t("queue.clear"), () => {
          refused = [];
          save();
        })
      );
    }
  };
  render();
  const off = onChange(render);
  box.cleanup = off;
  return box;
}
