// SPDX-License-Identifier: AGPL-3.0-or-later
// The rider's phone: the shift, today's bike runs from the relay, each
// visit's parcels (delivered with the containers taken back, failed with a
// reason, left at a relay point) and pickups (collected, failed), the run
// started and completed.  Reports go through the phone's queue, as the
// driver's.
import { get } from "./api.js";
import * as live from "./live.js";
import * as queue from "./queue.js";
import * as data from "./data.js";
import { t, tEnum } from "./i18n.js";
import { h, clear, field, select, button, badge, say, fmtTime, fmtWindow, fmtKg, fmtKm, today, localSeconds, rerender } from "./ui.js";
import { refusals, debounce } from "./common.js";
import { geoLink } from "./driver.js";

const FAIL = ["FAIL_REASON_ABSENT", "FAIL_REASON_CLOSED", "FAIL_REASON_REFUSED", "FAIL_REASON_DAMAGED", "FAIL_REASON_OTHER"];
const seen = {}; // parcel or pickup id -> status, from the event stream

function report(type, payload, label) {
  queue.enqueue("lz.bikes.v1." + type, payload, label);
}

// What this phone reported: {runs: {id: status}, items: {id: status}, pending: {id}}.
function marks() {
  const m = { runs: {}, items: {}, pending: {}, shift: null };
  const apply = (it, pending) => {
    const p = it.payload || {};
    const ty = it.type.split(".").pop();
    const id = p.parcelId || p.requestId || p.runId;
    if (ty === "StartRun") m.runs[p.runId] = "RUN_STATUS_STARTED";
    else if (ty === "CompleteRun") m.runs[p.runId] = "RUN_STATUS_COMPLETED";
    else if (ty === "DeliverParcel") m.items[id] = "PARCEL_STATUS_DELIVERED";
    else if (ty === "FailParcel") m.items[id] = "PARCEL_STATUS_FAILED";
    else if (ty === "LeaveAtRelayPoint") m.items[id] = "PARCEL_STATUS_AT_RELAY_POINT";
    else if (ty === "CollectPickup") m.items[id] = "PICKUP_STATUS_COLLECTED";
    else if (ty === "FailPickup") m.items[id] = "PICKUP_STATUS_FAILED";
    else if (ty === "StartShift") m.shift = "on";
    else if (ty === "EndShift") m.shift = "off";
    if (pending && id) m.pending[id] = true;
  };
  for (const it of queue.reported().reverse()) apply(it, false);
  for (const it of queue.pending()) apply(it, true);
  return m;
}

function containers(types, id) {
  const ty = select([["", t("order.noContainer")]].concat(types.map((c) => [c.containerType, c.name || c.containerType])), "", { id: "rc-type-" + id });
  const n = h("input", { id: "rc-count-" + id, type: "number", min: 0, max: 10000, value: 0, inputmode: "numeric" });
  const box = h("div", { class: "grid" }, field(t("driver.containerType"), ty), field(t("driver.containerCount"), n));
  box.value = () => (ty.value && Number(n.value) > 0 ? [{ containerType: ty.value, count: Number(n.value) }] : []);
  return box;
}

function slug(id) {
  return String(id).replace(/[^A-Za-z0-9]/g, "-");
}

function parcelItem(run, id, ctx, m) {
  const st = m.items[id] || seen[id] || (run.status === "RUN_STATUS_STARTED" || m.runs[run.runId] ? "PARCEL_STATUS_ON_BIKE" : "PARCEL_STATUS_PLANNED");
  const li = h("li", { class: "parcel", id: "parcel-" + slug(id), dataset: { parcel: id, status: st } }, h("span", null, id + " "), badge(st), m.pending[id] ? h("span", { class: "badge pending" }, t("driver.waiting")) : null);
  if (st !== "PARCEL_STATUS_ON_BIKE") return li;
  const s = slug(id);
  const back = containers(ctx.types, s);
  const reason = select(FAIL.map((r) => [r, tEnum(r)]), FAIL[0], { id: "pf-reason-" + s });
  const rp = select(ctx.relayPoints.map((x) => [x.siteId, x.name || x.siteId]), "", { id: "rp-" + s });
  const deliver = h(
    "form",
    { class: "deliver", id: "pd-form-" + s, hidden: true, onsubmit: (e) => { e.preventDefault(); const p = { parcelId: id }; const c = back.value(); if (c.length) p.containersCollected = c; report("DeliverParcel", p, t("rider.lDelivered", { p: id })); } },
    back,
    h("button", { type: "submit", id: "pd-submit-" + s }, t("driver.confirmDelivered"))
  );
  const fail = h(
    "form",
    { class: "fail", id: "pf-form-" + s, hidden: true, onsubmit: (e) => { e.preventDefault(); report("FailParcel", { parcelId: id, reason: reason.value }, t("rider.lFailed", { p: id, r: tEnum(reason.value) })); } },
    field(t("driver.reason"), reason),
    h("button", { type: "submit", class: "danger", id: "pf-submit-" + s }, t("driver.confirmFailed"))
  );
  const leave = h(
    "form",
    { class: "leave", id: "pl-form-" + s, hidden: true, onsubmit: (e) => { e.preventDefault(); report("LeaveAtRelayPoint", { parcelId: id, relayPointId: rp.value }, t("rider.lLeft", { p: id, rp: rp.value })); } },
    field(t("rider.relayPoint"), rp),
    h("button", { type: "submit", id: "pl-submit-" + s }, t("rider.confirmLeave"))
  );
  const toggle = (f) => () => {
    for (const x of [deliver, fail, leave]) x.hidden = x !== f ? true : !x.hidden;
  };
  li.appendChild(
    h(
      "div",
      { class: "actions" },
      button(t("driver.delivered"), toggle(deliver), { class: "ok", id: "pd-" + s }),
      button(t("driver.failed"), toggle(fail), { class: "danger", id: "pf-" + s }),
      ctx.relayPoints.length ? button(t("rider.leave"), toggle(leave), { class: "secondary", id: "pl-" + s }) : null
    )
  );
  li.append(deliver, fail, leave);
  return li;
}

function pickupItem(run, id, ctx, m) {
  const st = m.items[id] || seen[id] || (run.status === "RUN_STATUS_STARTED" || m.runs[run.runId] ? "PICKUP_STATUS_ON_BIKE" : "PICKUP_STATUS_PLANNED");
  const li = h("li", { class: "pickup", id: "pickup-" + slug(id), dataset: { pickup: id, status: st } }, h("span", null, t("rider.pickup", { id }) + " "), badge(st));
  if (st !== "PICKUP_STATUS_ON_BIKE") return li;
  const s = slug(id);
  const kg = h("input", { id: "pc-kg-" + s, type: "number", min: 0, step: "0.1", inputmode: "decimal" });
  const back = containers(ctx.types, "p" + s);
  const reason = select(FAIL.map((r) => [r, tEnum(r)]), FAIL[0], { id: "pcf-reason-" + s });
  li.appendChild(
    h(
      "form",
      { class: "collect", onsubmit: (e) => { e.preventDefault(); const p = { requestId: id }; if (kg.value) p.grams = String(Math.round(Number(kg.value) * 1000)); const c = back.value(); if (c.length) p.containersCollected = c; report("CollectPickup", p, t("rider.lCollected", { p: id })); } },
      field(t("rider.kg"), kg),
      back,
      h("button", { type: "submit", id: "pc-submit-" + s }, t("rider.collect"))
    )
  );
  li.appendChild(
    h(
      "form",
      { class: "fail", onsubmit: (e) => { e.preventDefault(); report("FailPickup", { requestId: id, reason: reason.value }, t("rider.lPickupFailed", { p: id })); } },
      field(t("driver.reason"), reason),
      h("button", { type: "submit", class: "danger", id: "pcf-submit-" + s }, t("rider.pickupFailed"))
    )
  );
  return li;
}

function runBlock(run, ctx, m) {
  const status = m.runs[run.runId] && run.status !== "RUN_STATUS_COMPLETED" ? m.runs[run.runId] : run.status;
  const s = slug(run.runId);
  const box = h("section", { class: "card run", id: "run-" + s, dataset: { run: run.runId, status }, "aria-labelledby": "run-h-" + s });
  box.appendChild(h("h2", { id: "run-h-" + s }, t("rider.run", { run: run.runId }), " ", badge(status), m.pending[run.runId] ? h("span", { class: "badge pending" }, t("driver.waiting")) : null));
  box.appendChild(h("p", null, t("rider.summary", { bike: run.bikeId, start: fmtTime(run.start), end: fmtTime(run.end), km: fmtKm(run.distanceM), kg: fmtKg(run.loadGrams) })));
  if (status === "RUN_STATUS_PLANNED") box.appendChild(button(t("rider.startRun"), () => report("StartRun", { runId: run.runId }, t("rider.lStarted", { r: run.runId })), { id: "start-run-" + s, class: "ok" }));
  const visits = (run.stops || []).filter((x) => x.kind === "STOP_KIND_VISIT");
  const ol = h("ol", { class: "visits" });
  for (const v of visits) {
    const name = ctx.names[v.siteId] || v.siteId;
    const site = ctx.sites[v.siteId] || {};
    ol.appendChild(
      h(
        "li",
        { class: "visit" },
        h("h3", null, "#" + v.index + " · " + name),
        h("p", { class: "addr" }, site.address || "", " ", geoLink(v.location, name)),
        h("p", null, t("driver.window", { w: fmtWindow(v.window), eta: fmtTime(v.arrival) })),
        h("ul", { class: "items" }, (v.parcelIds || []).map((p) => parcelItem(Object.assign({}, run, { status }), p, ctx, m)), (v.requestIds || []).map((p) => pickupItem(Object.assign({}, run, { status }), p, ctx, m)))
      )
    );
  }
  box.appendChild(ol);
  if (status === "RUN_STATUS_STARTED") {
    const km = h("input", { id: "run-km-" + s, type: "number", min: 0, step: "0.1", inputmode: "decimal" });
    box.appendChild(
      h(
        "form",
        { class: "odometer", id: "complete-form-" + s, onsubmit: (e) => { e.preventDefault(); const p = { runId: run.runId }; if (km.value) p.distanceM = String(Math.round(Number(km.value) * 1000)); report("CompleteRun", p, t("rider.lCompleted", { r: run.runId })); } },
        field(t("rider.distance"), km),
        h("button", { type: "submit", id: "complete-run-" + s }, t("rider.completeRun"))
      )
    );
  }
  return box;
}

function screen(main) {
  const dateIn = h("input", { type: "date", id: "rider-date", value: today() });
  const out = h("div", { id: "rider-runs" });
  // the fleet's bikes as suggestions, and the shift open, from /v1/fleet
  const bikes = h("datalist", { id: "shift-bikes" });
  const bike = h("input", { id: "shift-bike", required: true, autocomplete: "off", list: "shift-bikes" });
  const onShift = h("p", { id: "shift-now", class: "hint" });
  const end = h("input", { id: "shift-end", type: "time" });
  const shift = h(
    "form",
    { class: "card shift", id: "shift-form", onsubmit: (e) => { e.preventDefault(); const p = { bikeId: bike.value.trim() }; if (end.value) p.end = String(localSeconds(today(), end.value)); report("StartShift", p, t("rider.lShift", { b: p.bikeId })); } },
    h("h2", null, t("rider.shift")),
    h("div", { class: "grid" }, field(t("rider.bike"), bike), field(t("rider.shiftEnd"), end, t("rider.shiftEndHint"))),
    bikes,
    onShift,
    h("div", { class: "actions" }, h("button", { type: "submit", id: "shift-start" }, t("rider.startShift")), button(t("rider.endShift"), () => report("EndShift", {}, t("rider.lEndShift")), { class: "danger", id: "shift-end-btn" }))
  );
  const qp = queue.panel();
  let runs = [];
  let ctx = { names: {}, sites: {}, types: [], relayPoints: [] };
  const draw = () => {
    const m = marks();
    clear(out);
    const shown = runs.filter((r) => r.status !== "RUN_STATUS_CANCELLED");
    if (!shown.length) out.appendChild(h("p", { class: "empty", id: "no-run" }, t("rider.noRun")));
    for (const r of shown) out.appendChild(runBlock(r, ctx, m));
  };
  // a report made closes its form; anything else keeps the forms open
  let made = queue.pending().length + queue.reported().length;
  const render = () => {
    const n = queue.pending().length + queue.reported().length;
    if (n !== made) {
      made = n;
      draw();
    } else rerender(out, draw);
  };
  const load = async () => {
    try {
      const [r, sites, types, fleet] = await Promise.all([get("/v1/runs/" + dateIn.value), data.sites(), data.containerTypes(), get("/v1/fleet")]);
      runs = r.runs || [];
      clear(bikes);
      for (const b of fleet.bikes || []) bikes.appendChild(h("option", { value: b.bikeId }, b.name || b.bikeId));
      const open = (fleet.shifts || []).find((x) => !x.end || x.end === "0");
      onShift.textContent = open ? t("rider.onShift", { b: open.bikeId, until: fmtTime(open.plannedEnd) }) : t("rider.offShift");
      ctx = { names: data.siteNames(sites), sites, types, relayPoints: Object.values(sites).filter((x) => x.kind === "SITE_KIND_RELAY_POINT") };
      render();
    } catch (e) {
      if (e.status !== 401) say(t("err.load", { msg: e.message }), "error");
    }
  };
  dateIn.addEventListener("change", load);
  main.appendChild(shift);
  main.appendChild(h("div", { class: "bar" }, field(t("common.date"), dateIn), button(t("common.refresh"), load, { id: "rider-refresh" })));
  main.appendChild(out);
  main.appendChild(qp);
  load();
  const reload = debounce(load, 300);
  const offQ = queue.onChange(render);
  const offE = live.subscribe((e) => {
    const p = e.payload || {};
    if (e.type === "lz.bikes.v1.ParcelStatusChanged" && p.parcel) seen[p.parcel.parcelId] = p.to;
    if (e.type === "lz.bikes.v1.PickupStatusChanged") seen[p.requestId] = p.to;
    if (/^lz\.bikes\.v1\.(RunPlanned|RunStatusChanged|RunsPlanned|ParcelStatusChanged|PickupStatusChanged|ShiftStarted|ShiftEnded)$/.test(e.type || "")) reload();
  }, load);
  return () => {
    offQ();
    offE();
    if (qp.cleanup) qp.cleanup();
  };
}

export default {
  tabs: [["runs", "tab.myRuns"]],
  render(tab, main, ctx) {
    const offs = [refusals(ctx.session), screen(main)];
    return () => offs.forEach((o) => typeof o === "function" && o());
  },
};
