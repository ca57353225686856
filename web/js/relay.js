// SPDX-License-Identifier: AGPL-3.0-or-later
// Relay points and processors.  A relay point sees the parcels of its
// member's relay points: expected (on their way by bike), received (left
// there by a rider: it confirms), handed over (to the customer).  A
// processor sees the reverse flows assigned to its outlets and confirms
// what it received and processed (ConfirmProcessing, actual kg).
import * as live from "./live.js";
import * as data from "./data.js";
import { t, tEnum } from "./i18n.js";
import { h, field, button, section, table, badge, fmtKg, fmtWindow, fmtDateTime } from "./ui.js";
import { submit, refusals, debounce, fill, balancesView } from "./common.js";

// The relay commands of lz-bikes (proto/lz/bikes/v1/bikes.proto).
export const CONFIRM = "lz.bikes.v1.ConfirmAtRelayPoint";
export const HAND_OVER = "lz.bikes.v1.HandOverParcel";

const EXPECTED = ["PARCEL_STATUS_EXPECTED", "PARCEL_STATUS_AT_RELAY", "PARCEL_STATUS_PLANNED", "PARCEL_STATUS_ON_BIKE", "PARCEL_STATUS_FAILED"];
// left there by a rider, or delivered there as its destination: to confirm
const RECEIVED = ["PARCEL_STATUS_AT_RELAY_POINT", "PARCEL_STATUS_DELIVERED"];
const CONFIRMED = ["PARCEL_STATUS_RECEIVED_AT_RELAY_POINT"];
const HANDED = ["PARCEL_STATUS_HANDED_OVER"];

function slug(id) {
  return String(id).replace(/[^A-Za-z0-9]/g, "-");
}

function parcelsTab(main) {
  const exp = h("div", { id: "parcels-expected" });
  const rec = h("div", { id: "parcels-received" });
  const done = h("div", { id: "parcels-handed" });
  main.appendChild(section(t("relay.expected"), exp));
  main.appendChild(section(t("relay.received"), rec));
  main.appendChild(section(t("relay.handed"), done));
  let names = {};
  const cols = [
    [t("relay.parcel"), (p) => p.parcelId],
    [t("relay.order"), (p) => p.orderId],
    [t("relay.point"), (p) => names[p.relayPointId || p.siteId] || p.relayPointId || p.siteId],
    [t("common.window"), (p) => fmtWindow(p.window)],
    [t("stock.weight"), (p) => fmtKg(p.grams)],
    [t("common.status"), (p) => badge(p.status)],
  ];
  const load = async () => {
    names = data.siteNames(await data.sites());
    await fill(exp, "/v1/parcels", (r) => {
      const ps = r.parcels || [];
      const confirmBtn = (p) =>
        button(t("relay.confirm"), (e) => submit(e.target, CONFIRM, { parcelId: p.parcelId }, t("relay.confirmed", { p: p.parcelId })), { id: "confirm-" + slug(p.parcelId), class: "ok" });
      const handBtn = (p) =>
        button(t("relay.handOver"), (e) => submit(e.target, HAND_OVER, { parcelId: p.parcelId }, t("relay.handedOver", { p: p.parcelId })), { id: "hand-" + slug(p.parcelId) });
      rec.replaceChildren(
        table(
          cols.concat([[t("common.actions"), (p) => (RECEIVED.includes(p.status) ? confirmBtn(p) : handBtn(p))]]),
          ps.filter((p) => RECEIVED.includes(p.status) || CONFIRMED.includes(p.status)),
          { id: "received-table" }
        )
      );
      done.replaceChildren(table(cols.concat([[t("relay.at"), (p) => fmtDateTime(p.handedOverAt || p.updatedAt)]]), ps.filter((p) => HANDED.includes(p.status)), { id: "handed-table" }));
      return table(cols, ps.filter((p) => EXPECTED.includes(p.status)), { id: "expected-table" });
    });
  };
  load();
  const reload = debounce(load, 400);
  return live.subscribe((e) => {
    if (/^lz\.bikes\.v1\.(ParcelStatusChanged|CommandRefused)$/.test(e.type || "")) reload();
  }, load);
}

function flowsTab(main) {
  const out = h("div", { id: "processor-flows" });
  main.appendChild(section(t("processor.flows"), out, h("p", { class: "hint" }, t("processor.hint"))));
  let names = {};
  const confirmForm = (f) => {
    const s = slug(f.flowId);
    const kg = h("input", { id: "actual-" + s, type: "number", min: 0, step: "0.1", value: (Number(f.grams || 0) / 1000).toString(), required: true, inputmode: "decimal" });
    const note = h("input", { id: "pnote-" + s, maxlength: 500 });
    const form = h(
      "form",
      {
        class: "inline",
        id: "process-form-" + s,
        onsubmit: async (e) => {
          e.preventDefault();
          const p = { flowId: f.flowId, actualGrams: String(Math.round(Number(kg.value) * 1000)) };
          if (note.value.trim()) p.note = note.value.trim();
          await submit(form, "lz.returns.v1.ConfirmProcessing", p, t("processor.sent", { f: f.flowId }));
        },
      },
      field(t("processor.actual"), kg),
      field(t("driver.note"), note),
      h("button", { type: "submit", id: "process-" + s }, t("processor.confirm"))
    );
    return form;
  };
  const load = async () => {
    names = data.siteNames(await data.sites());
    await fill(out, "/v1/flows", (r) =>
      table(
        [
          [t("flows.flow"), (f) => f.flowId],
          [t("flows.kind"), (f) => tEnum(f.kind) + (f.category ? " · " + f.category : "")],
          [t("flows.outlet"), (f) => f.outletId],
          [t("common.site"), (f) => names[f.siteId] || f.siteId],
          [t("stock.weight"), (f) => fmtKg(f.grams)],
          [t("common.status"), (f) => badge(f.status)],
          [t("common.actions"), (f) => (f.status === "FLOW_STATUS_ASSIGNED" || f.status === "FLOW_STATUS_COLLECTED" ? confirmForm(f) : "")],
        ],
        r.flows || [],
        { id: "flows-table" }
      )
    );
  };
  load();
  const reload = debounce(load, 400);
  return live.subscribe((e) => {
    if (/^lz\.returns\.v1\.(FlowStatusChanged|CommandRefused)$/.test(e.type || "")) reload();
  }, load);
}

export const relayScreen = {
  tabs: [
    ["parcels", "tab.parcels"],
    ["balance", "tab.balance"],
  ],
  render(tab, main, ctx) {
    const offs = [refusals(ctx.session)];
    if (tab === "parcels") offs.push(parcelsTab(main));
    else {
      const out = h("div");
      main.appendChild(section(t("tab.balance"), out));
      fill(out, "/v1/balances", balancesView);
    }
    return () => offs.forEach((o) => typeof o === "function" && o());
  },
};

export const processorScreen = {
  tabs: [["flows", "tab.processorFlows"]],
  render(tab, main, ctx) {
    const offs = [refusals(ctx.session), flowsTab(main)];
    return () => offs.forEach((o) => typeof o === "function" && o());
  },
};
