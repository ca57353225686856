// SPDX-License-Identifier: AGPL-3.0-or-later
// DOM helpers, formats and the messages area shared by every screen.
import { t, tEnum, locale } from "./i18n.js";

// h("div", {class: "x", onclick: f}, child, "text", [children]...)
export function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  if (attrs) {
    for (const [k, v] of Object.entries(attrs)) {
      if (v === undefined || v === null || v === false) continue;
      if (k.startsWith("on") && typeof v === "function") el.addEventListener(k.slice(2), v);
      else if (k === "class") el.className = v;
      else if (k === "dataset") Object.assign(el.dataset, v);
      else if (k === "value") el.value = v;
      else if (k === "checked") el.checked = !!v;
      else if (k === "text") el.textContent = v;
      else if (k === "style") el.style.cssText = v; // CSSOM: allowed by the CSP, a style attribute is not
      else el.setAttribute(k, v === true ? "" : v);
    }
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const c of children) {
    if (c === undefined || c === null || c === false) continue;
    if (Array.isArray(c)) append(el, c);
    else if (c instanceof Node) el.appendChild(c);
    else el.appendChild(document.createTextNode(String(c)));
  }
}

export function clear(el) {
  while (el.firstChild) el.removeChild(el.firstChild);
  return el;
}

let uid = 0;
export function nextId(prefix) {
  uid += 1;
  return (prefix || "f") + "-" + uid;
}

// A labelled control: field(t("x"), h("input", {...})) -> <div><label for>…
export function field(label, control, hint) {
  if (!control.id) control.id = nextId("c");
  const parts = [h("label", { for: control.id }, label), control];
  if (hint) {
    const hid = nextId("hint");
    control.setAttribute("aria-describedby", hid);
    parts.push(h("small", { id: hid, class: "hint" }, hint));
  }
  return h("div", { class: "field" }, parts);
}

export function select(options, value, attrs) {
  const s = h("select", attrs || {});
  for (const o of options) {
    const [v, label] = Array.isArray(o) ? o : [o, o];
    const opt = h("option", { value: v }, label);
    if (String(v) === String(value)) opt.selected = true;
    s.appendChild(opt);
  }
  return s;
}

export function button(label, onclick, attrs) {
  return h("button", Object.assign({ type: "button", onclick }, attrs || {}), label);
}

export function section(title, ...children) {
  const id = nextId("s");
  return h("section", { class: "card", "aria-labelledby": id }, h("h2", { id }, title), children);
}

// A table from rows: cols = [[header, row => cell], ...].
export function table(cols, rows, attrs) {
  if (!rows || rows.length === 0) return h("p", { class: "empty" }, t("common.none"));
  return h(
    "div",
    { class: "table-wrap" },
    h(
      "table",
      attrs || {},
      h("thead", null, h("tr", null, cols.map((c) => h("th", { scope: "col" }, c[0])))),
      h(
        "tbody",
        null,
        rows.map((r) => {
          const tr = h("tr", null, cols.map((c) => h("td", null, c[1](r))));
          return tr;
        })
      )
    )
  );
}

export function badge(name) {
  const kind = String(name || "").toLowerCase();
  return h("span", { class: "badge " + kind.replace(/[^a-z_]/g, "") }, tEnum(name));
}

// ---- formats ----

// Seconds since the epoch (a number or a proto3 JSON string) -> Date.
export function toDate(s) {
  const n = Number(s || 0);
  return n > 0 ? new Date(n * 1000) : null;
}

export function fmtTime(s) {
  const d = toDate(s);
  return d ? d.toLocaleTimeString(locale(), { hour: "2-digit", minute: "2-digit" }) : "—";
}

export function fmtDateTime(s) {
  const d = toDate(s);
  return d
    ? d.toLocaleString(locale(), { day: "2-digit", month: "2-digit", hour: "2-digit", minute: "2-digit" })
    : "—";
}

export function fmtDay(s) {
  const d = toDate(s);
  return d ? d.toLocaleDateString(locale(), { day: "2-digit", month: "2-digit", year: "numeric" }) : "—";
}

export function fmtWindow(w) {
  if (!w || !w.start) return "—";
  return fmtTime(w.start) + "–" + fmtTime(w.end);
}

export function fmtNum(n, digits) {
  return Number(n || 0).toLocaleString(locale(), { maximumFractionDigits: digits || 0 });
}

export function fmtKg(grams) {
  return t("unit.kg", { n: fmtNum(Number(grams || 0) / 1000, 1) });
}

export function fmtKm(metres) {
  return t("unit.km", { n: fmtNum(Number(metres || 0) / 1000, 1) });
}

export function fmtEuro(cents) {
  return (Number(cents || 0) / 100).toLocaleString(locale(), { style: "currency", currency: "EUR" });
}

export function fmtPermille(p) {
  return fmtNum(Number(p || 0) / 10, 1) + " %";
}

// Today's local date, YYYY-MM-DD.
export function today() {
  const d = new Date();
  return d.getFullYear() + "-" + String(d.getMonth() + 1).padStart(2, "0") + "-" + String(d.getDate()).padStart(2, "0");
}

// "YYYY-MM-DD" and "HH:MM" (local) -> seconds since the epoch.
export function localSeconds(date, time) {
  const [y, m, d] = date.split("-").map(Number);
  const [hh, mm] = (time || "00:00").split(":").map(Number);
  return Math.floor(new Date(y, m - 1, d, hh, mm).getTime() / 1000);
}

// ---- messages ----

// say(text, kind): a line in the messages area (role=status, polite; an
// error is role=alert).  Kept a while, the last few only.
export function say(text, kind) {
  const box = document.getElementById("messages");
  if (!box) return;
  const line = h("p", { class: "msg " + (kind || "info"), role: kind === "error" ? "alert" : "status" }, text);
  box.prepend(line);
  while (box.children.length > 4) box.removeChild(box.lastChild);
  setTimeout(() => line.remove(), kind === "error" ? 20000 : 8000);
}

// The reason a refused Ack or HTTP error gives, in the user's language.
export function ackText(res) {
  if (!res) return t("err.network");
  const a = res.ack || {};
  if (a.errorCode) return t("err.rejected", { code: tEnum(a.errorCode), msg: a.message || "" });
  return t("err.http", { status: res.status });
}

// Renders EL again with RENDER() keeping what the user was doing: the
// report forms left open (by id) and every value typed (by id), and the
// focus.  A background refresh (an event, the queue) never wipes a form.
export function rerender(el, render) {
  const open = Array.from(el.querySelectorAll("form[id]")).filter((f) => !f.hidden).map((f) => f.id);
  const values = {};
  for (const c of el.querySelectorAll("input[id], select[id], textarea[id]")) values[c.id] = c.type === "checkbox" ? c.checked : c.value;
  const focus = document.activeElement && el.contains(document.activeElement) ? document.activeElement.id : "";
  render();
  for (const id of open) {
    const f = document.getElementById(id);
    if (f) f.hidden = false;
  }
  for (const [id, v] of Object.entries(values)) {
    const c = document.getElementById(id);
    if (!c || !el.contains(c)) continue;
    if (c.type === "checkbox") c.checked = v;
    else if (c.tagName !== "SELECT" || Array.from(c.options).some((o) => o.value === v)) c.value = v;
  }
  if (focus) {
    const f = document.getElementById(focus);
    if (f) f.focus();
  }
}
