// SPDX-License-Identifier: AGPL-3.0-or-later
// Every visible string goes through t(): French first (lang/fr.js), English
// (lang/en.js) when chosen.  The choice is kept in localStorage.
import fr from "./lang/fr.js";
import en from "./lang/en.js";

export const TABLES = { fr, en };
const KEY = "lz.lang";
let current = "fr";
try {
  const saved = localStorage.getItem(KEY);
  if (saved && TABLES[saved]) current = saved;
} catch (e) {
  /* no storage: French */
}
const listeners = [];

export function lang() {
  return current;
}

export function setLang(l) {
  if (!TABLES[l] || l === current) return;
  current = l;
  try {
    localStorage.setItem(KEY, l);
  } catch (e) {
    /* not kept */
  }
  document.documentElement.lang = l;
  for (const f of listeners) f(l);
}

export function onLangChange(f) {
  listeners.push(f);
}

// t("key", {n: 3}): the string of the current language, {name} replaced;
// a key missing from the table shows as itself (the test catches it).
export function t(key, vars) {
  let s = TABLES[current][key];
  if (s === undefined) s = TABLES.fr[key];
  if (s === undefined) return key;
  if (vars) s = s.replace(/\{(\w+)\}/g, (m, k) => (k in vars ? String(vars[k]) : m));
  return s;
}

// The label of an enum value (ORDER_STATUS_DELIVERED...): "enum.<NAME>" in
// the table, else the name without its prefix, in lower case.
export function tEnum(name) {
  if (!name) return "—";
  const k = "enum." + name;
  if (TABLES[current][k] !== undefined) return TABLES[current][k];
  const parts = String(name).split("_");
  return parts.slice(Math.min(2, parts.length - 1)).join(" ").toLowerCase();
}

// The locale of dates and numbers.
export function locale() {
  return current === "fr" ? "fr-FR" : "en-GB";
}
