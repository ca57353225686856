// SPDX-License-Identifier: AGPL-3.0-or-later
// Pieces several screens share: a command form's submit, refusals from the
// event stream, debounced reloads, printing one block, the impact report
// and the deposit balances.
import { get, send } from "./api.js";
import * as live from "./live.js";
import { t, tEnum } from "./i18n.js";
import { h, clear, say, ackText, table, section, field, fmtKg, fmtKm, fmtNum, fmtPermille, fmtEuro, today, button } from "./ui.js";

// submit(form, type, payload): sends the command; says accepted or why
// not.  True when accepted.
export async function submit(owner, type, payload, okText) {
  let res;
  try {
    res = await send(owner, type, payload);
  } catch (e) {
    say(t("err.network"), "error");
    return false;
  }
  if (res.ok) {
    say(okText || t("cmd.accepted"), "ok");
    return true;
  }
  say(ackText(res), "error");
  return false;
}

// The refusals of the services (CommandRefused, OrderRejected,
// ReceptionRefused) said as they come, for the commands of this user.
export function refusals(session) {
  return live.subscribe((e) => {
    const ty = e.type || "";
    if (!/\.(CommandRefused|OrderRejected|ReceptionRefused)$/.test(ty)) return;
    if (session && e.actor && e.actor !== session.user && session.role !== "operator") return;
    const p = e.payload || {};
    const cmd = (p.command || ty).split(".").pop();
    say(t("refused.line", { cmd, reason: tEnum(p.reason), detail: p.detail || "" }), "error");
  });
}

// A function that calls F at most once per MS (the last call wins).
export function debounce(f, ms) {
  let timer = null;
  return (...a) => {
    clearTimeout(timer);
    timer = setTimeout(() => f(...a), ms || 300);
  };
}

// Prints EL alone (the print stylesheet hides the rest): marks it, asks
// the browser's print (a PDF from its dialog), unmarks after printing.
export function printOnly(el) {
  for (const x of document.querySelectorAll(".print-target")) x.classList.remove("print-target");
  if (el) {
    el.classList.add("print-target");
    document.body.classList.add("print-one");
  } else document.body.classList.remove("print-one");
  const done = () => {
    document.body.classList.remove("print-one");
    if (el) el.classList.remove("print-target");
    window.removeEventListener("afterprint", done);
  };
  window.addEventListener("afterprint", done);
  window.print();
}

// A date field and a "show" button: calls load(date) now and on change.
export function dateBar(id, load, initial) {
  const d = h("input", { type: "date", id, value: initial || today() });
  d.addEventListener("change", () => load(d.value));
  return h("div", { class: "bar no-print" }, field(t("common.date"), d), button(t("common.refresh"), () => load(d.value), { id: id + "-refresh" }));
}

// Loads a read model into EL with F(json); says why not.
export async function fill(el, path, f) {
  clear(el).appendChild(h("p", { class: "loading" }, t("common.loading")));
  try {
    const r = await get(path);
    clear(el);
    const out = f(r);
    if (out) el.appendChild(out);
    return r;
  } catch (e) {
    clear(el).appendChild(h("p", { class: "msg error" }, e.status === 403 ? t("err.forbidden") : t("err.load", { msg: e.message })));
    return null;
  }
}

// ---- the impact report (lz.impact.v1.Report) ----
export function impactView(r) {
  const fig = (label, value, id) => h("div", { class: "figure", id }, h("span", { class: "value" }, value), h("span", { class: "label" }, label));
  const kinds = table(
    [
      [t("impact.kind"), (k) => tEnum(k.kind)],
      [t("impact.trips"), (k) => fmtNum(k.trips)],
      [t("impact.distance"), (k) => fmtKm(k.distanceM)],
      [t("impact.co2"), (k) => fmtKg(k.co2eG)],
    ],
    r.kinds || []
  );
  const fillT = table(
    [
      [t("common.class"), (f) => tEnum(f.temperatureClass)],
      [t("impact.fill"), (f) => fmtPermille(f.fillPermille)],
    ],
    r.fill || []
  );
  const food = table(
    [
      [t("impact.level"), (f) => tEnum(f.level)],
      [t("impact.flows"), (f) => fmtNum(f.flows)],
      [t("impact.weight"), (f) => fmtKg(f.grams)],
    ],
    r.food || []
  );
  const days = table(
    [
      [t("common.date"), (d) => d.date],
      [t("impact.actual"), (d) => fmtKm(d.actualM)],
      [t("impact.counterfactual"), (d) => fmtKm(d.counterfactualM)],
      [t("impact.deliveries"), (d) => fmtNum(d.deliveries)],
      [t("impact.byBike"), (d) => fmtNum(d.bikeDeliveries)],
    ],
    r.days || []
  );
  return h(
    "div",
    { class: "impact", id: "impact-report" },
    h("p", null, t("impact.period", { from: r.from || "", to: r.to || "" }) + (r.memberName || r.memberId ? " · " + (r.memberName || r.memberId) : "")),
    h(
      "div",
      { class: "figures" },
      fig(t("impact.avoidedCo2"), fmtKg(r.avoidedCo2eG), "impact-avoided"),
      fig(t("impact.avoidedKm"), fmtKm(r.avoidedM)),
      fig(t("impact.actualKm"), fmtKm(r.actualM)),
      fig(t("impact.actualCo2"), fmtKg(r.actualCo2eG)),
      fig(t("impact.deliveries"), fmtNum(r.deliveries)),
      fig(t("impact.bikeShare"), fmtPermille(r.bikePermille)),
      fig(t("impact.empty"), fmtPermille(r.emptyPermille)),
      fig(t("impact.diverted"), fmtKg(r.foodDivertedG)),
      fig(t("impact.reused"), fmtNum(r.containersReused))
    ),
    h("h3", null, t("impact.byKind")),
    kinds,
    h("h3", null, t("impact.fillTitle")),
    fillT,
    h("h3", null, t("impact.food")),
    food,
    h("h3", null, t("impact.days")),
    days,
    h("p", { class: "hint" }, r.methodNote || "")
  );
}

export function impactSection(tab) {
  const out = h("div");
  const from = h("input", { type: "date", id: "impact-from", value: today() });
  const to = h("input", { type: "date", id: "impact-to", value: today() });
  const load = () => fill(out, "/v1/impact?from=" + from.value + "&to=" + to.value, impactView);
  const d = new Date();
  d.setDate(d.getDate() - 6);
  from.value = d.toISOString().slice(0, 10);
  const form = h(
    "form",
    {
      class: "bar no-print",
      id: "impact-form",
      onsubmit: (e) => {
        e.preventDefault();
        load();
      },
    },
    field(t("impact.from"), from),
    field(t("impact.to"), to),
    h("button", { type: "submit" }, t("common.show")),
    button(t("common.print"), () => printOnly(out))
  );
  load();
  return section(t(tab || "tab.impact"), form, h("div", { class: "printable" }, out));
}

// ---- deposit balances (lz-returns' BalanceList) ----
export function balancesView(r) {
  const rows = (r.balances || []).filter((b) => Number(b.count || 0) !== 0);
  const sums = r.sums || {};
  const off = Object.entries(sums).filter(([, v]) => Number(v) !== 0);
  const flagged = (b) => b.account === "unaccounted";
  return h(
    "div",
    { id: "balances" },
    h(
      "p",
      { class: r.balanced === false || off.length || Number(r.discrepancies || 0) > 0 ? "msg warn" : "msg ok", id: "balances-summary" },
      r.balanced === false || off.length ? t("balances.unbalanced") : t("balances.balanced"),
      " ",
      t("balances.discrepancies", { n: fmtNum(r.discrepancies || 0) })
    ),
    table(
      [
        [t("balances.account"), (b) => (flagged(b) ? h("strong", { class: "flag" }, "⚠ " + b.account) : b.account)],
        [t("common.member"), (b) => b.memberId || "—"],
        [t("balances.type"), (b) => b.containerType],
        [t("balances.count"), (b) => fmtNum(b.count)],
        [t("balances.deposit"), (b) => fmtEuro(b.depositCents)],
      ],
      rows,
      { id: "balances-table" }
    ),
    h("p", { class: "hint" }, t("balances.help"))
  );
}
