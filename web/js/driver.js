// SPDX-License-Identifier: AGPL-3.0-or-later
// The driver's phone: today's tour stop by stop (address, a geo: link to
// navigate, window, what to unload and to collect), arrived / delivered
// (quantities, containers back) / failed with a reason, the odometer at
// the start and the end.  Every report goes through the phone's queue
// (queue.js): made without network, it waits with its Idempotency-Key and
// is sent in order when the gateway answers again.
import { get } from "./api.js";
import * as live from "./live.js";
import * as queue from "./queue.js";
import * as data from "./data.js";
import { t, tEnum } from "./i18n.js";
import { h, clear, field, select, button, badge, say, fmtTime, fmtWindow, fmtKg, fmtNum, today, rerender } from "./ui.js";
import { refusals, debounce } from "./common.js";

const FAIL = ["FAIL_REASON_CLOSED", "FAIL_REASON_ABSENT", "FAIL_REASON_REFUSED", "FAIL_REASON_DAMAGED", "FAIL_REASON_OTHER"];
const CLASSES = ["TEMPERATURE_CLASS_AMBIENT", "TEMPERATURE_CLASS_CHILLED", "TEMPERATURE_CLASS_FROZEN"];

export function geoLink(loc, name) {
  if (!loc || (!loc.lat && !loc.lon)) return null;
  const ll = loc.lat + "," + loc.lon;
  return h("a", { href: "geo:" + ll + "?q=" + ll + "(" + encodeURIComponent(name || "") + ")", class: "geo" }, t("driver.navigate"));
}

// What this phone reported on a tour, waiting or sent: {stops: {i: status},
// started, completed}.
function localMarks(tourId) {
  const m = { stops: {}, started: false, completed: false, pending: {} };
  const apply = (it, pending) => {
    const p = it.payload || {};
    if (p.tourId !== tourId) return;
    const ty = it.type.split(".").pop();
    if (ty === "TourStarted") m.started = true;
    else if (ty === "TourCompleted") m.completed = true;
    else if (ty === "StopArrived") m.stops[p.stopIndex] = m.stops[p.stopIndex] || "STOP_STATUS_ARRIVED";
    else if (ty === "StopCompleted") m.stops[p.stopIndex] = "STOP_STATUS_COMPLETED";
    else if (ty === "StopFailed") m.stops[p.stopIndex] = "STOP_STATUS_FAILED";
    if (pending && p.stopIndex !== undefined) m.pending[p.stopIndex] = true;
    if (pending && (ty === "TourStarted" || ty === "TourCompleted")) m.pending[ty] = true;
  };
  for (const it of queue.reported().reverse()) apply(it, false);
  for (const it of queue.pending()) apply(it, true);
  return m;
}

const RANK = { STOP_STATUS_PLANNED: 0, STOP_STATUS_ARRIVED: 1, STOP_STATUS_COMPLETED: 2, STOP_STATUS_FAILED: 2 };

function stopStatus(s, marks) {
  const server = s.status || "STOP_STATUS_PLANNED";
  const mine = marks.stops[s.index];
  return mine && RANK[mine] > RANK[server] ? mine : server;
}

function report(type, payload, label) {
  queue.enqueue("lz.tours.v1." + type, payload, label);
}

function containersField(types, n) {
  const rows = h("div", { class: "containers" });
  const add = () => {
    const i = rows.children.length;
    const ty = select(types.map((c) => [c.containerType, c.name || c.containerType]), "", { id: "back-type-" + n + "-" + i, class: "back-type" });
    const ct = h("input", { id: "back-count-" + n + "-" + i, class: "back-count", type: "number", min: 0, max: 10000, value: 0, inputmode: "numeric" });
    rows.appendChild(h("div", { class: "grid" }, field(t("driver.containerType"), ty), field(t("driver.containerCount"), ct)));
  };
  if (types.length) add();
  const box = h("div", null, rows, types.length ? button(t("driver.moreContainers"), add, { class: "secondary" }) : h("p", { class: "hint" }, t("driver.noContainerTypes")));
  box.value = () =>
    Array.from(rows.children)
      .map((r) => ({ containerType: r.querySelector("select").value, count: Number(r.querySelector("input").value) }))
      .filter((c) => c.containerType && c.count > 0);
  return box;
}

function stopCard(tour, s, ctx) {
  const { names, sites, picking, types, marks } = ctx;
  const status = stopStatus(s, marks);
  const name = names[s.siteId] || s.siteId;
  const site = sites[s.siteId] || {};
  const started = tour.status === "TOUR_STATUS_STARTED" || marks.started;
  const done = status === "STOP_STATUS_COMPLETED" || status === "STOP_STATUS_FAILED";
  const unload = [];
  for (const c of picking.compartments || []) for (const l of c.lines || []) if ((l.stopIndex || 0) === s.index) unload.push(l);
  const kinds = s.taskKinds || [];
  const ids = s.taskIds || [];
  const collect = ids.filter((id, i) => kinds[i] === "TASK_KIND_PICKUP" || kinds[i] === "TASK_KIND_COLLECTION" || /^(pick|col):/.test(id));
  const deliver = ids.filter((id) => !collect.includes(id));
  const card = h("article", { class: "stop-card " + status.toLowerCase(), id: "stop-" + s.index, dataset: { index: s.index, status }, "aria-labelledby": "stop-h-" + s.index });
  card.appendChild(h("h3", { id: "stop-h-" + s.index }, "#" + s.index + " · " + name, " ", badge(status), marks.pending[s.index] ? h("span", { class: "badge pending" }, t("driver.waiting")) : null));
  card.appendChild(h("p", { class: "addr" }, site.address || "", " ", geoLink(s.location, name)));
  card.appendChild(h("p", null, t("driver.window", { w: fmtWindow(s.window), eta: fmtTime(s.arrival) })));
  if (deliver.length)
    card.appendChild(
      h(
        "div",
        { class: "unload" },
        h("h4", null, t("driver.unload")),
        unload.length ? h("ul", null, unload.map((l) => h("li", null, fmtNum(l.picked !== undefined ? l.picked : l.quantity) + " × " + l.product + " (" + l.orderId + ")"))) : h("ul", null, deliver.map((id) => h("li", null, id)))
      )
    );
  if (collect.length) card.appendChild(h("div", { class: "collect" }, h("h4", null, t("driver.collect")), h("ul", null, collect.map((id) => h("li", null, id)))));
  if (!started || done) return card;
  const label = tour.tourId + " #" + s.index;
  const actions = h("div", { class: "actions" });
  if (status === "STOP_STATUS_PLANNED")
    actions.appendChild(button(t("driver.arrived"), () => report("StopArrived", { tourId: tour.tourId, stopIndex: s.index }, t("driver.lArrived", { s: label })), { class: "arrive", id: "arrive-" + s.index }));
  // delivered: quantities per task (optional), containers back
  const qty = ids.map((id, i) => {
    const kg = h("input", { id: "qty-" + s.index + "-" + i, type: "number", min: 0, step: "0.1", inputmode: "decimal" });
    const cls = select(CLASSES.map((c) => [c, tEnum(c)]), CLASSES[0], { id: "qcls-" + s.index + "-" + i });
    return { id, kind: kinds[i], kg, cls };
  });
  const back = containersField(types, s.index);
  const note = h("input", { id: "note-" + s.index, maxlength: 500 });
  const deliverForm = h(
    "form",
    {
      class: "deliver",
      hidden: true,
      id: "deliver-form-" + s.index,
      onsubmit: (e) => {
        e.preventDefault();
        const p = { tourId: tour.tourId, stopIndex: s.index };
        const q = qty
          .filter((x) => x.kg.value !== "")
          .map((x) => {
            const load = [{ temperatureClass: x.cls.value, grams: String(Math.round(Number(x.kg.value) * 1000)) }];
            const collected = x.kind === "TASK_KIND_PICKUP" || x.kind === "TASK_KIND_COLLECTION";
            return collected ? { taskId: x.id, collected: load } : { taskId: x.id, delivered: load };
          });
        if (q.length) p.quantities = q;
        const c = back.value();
        if (c.length) p.containersCollected = c;
        if (note.value.trim()) p.note = note.value.trim();
        report("StopCompleted", p, t("driver.lDelivered", { s: label }));
      },
    },
    h("h4", null, t("driver.deliveredTitle")),
    qty.map((x) => h("div", { class: "grid" }, field(t("driver.kg", { task: x.id }), x.kg), field(t("common.class"), x.cls))),
    h("h4", null, t("driver.containersBack")),
    back,
    field(t("driver.note"), note),
    h("button", { type: "submit", id: "deliver-submit-" + s.index }, t("driver.confirmDelivered"))
  );
  const reason = select(FAIL.map((r) => [r, tEnum(r)]), FAIL[0], { id: "fail-reason-" + s.index });
  const fnote = h("input", { id: "fail-note-" + s.index, maxlength: 500 });
  const failForm = h(
    "form",
    {
      class: "fail",
      hidden: true,
      id: "fail-form-" + s.index,
      onsubmit: (e) => {
        e.preventDefault();
        const p = { tourId: tour.tourId, stopIndex: s.index, reason: reason.value };
        if (fnote.value.trim()) p.note = fnote.value.trim();
        report("StopFailed", p, t("driver.lFailed", { s: label, r: tEnum(reason.value) }));
      },
    },
    h("h4", null, t("driver.failedTitle")),
    field(t("driver.reason"), reason),
    field(t("driver.note"), fnote),
    h("button", { type: "submit", class: "danger", id: "fail-submit-" + s.index }, t("driver.confirmFailed"))
  );
  actions.appendChild(
    button(t("driver.delivered"), () => {
      deliverForm.hidden = !deliverForm.hidden;
      failForm.hidden = true;
      if (!deliverForm.hidden) deliverForm.querySelector("input,select").focus();
    }, { class: "ok", id: "deliver-" + s.index, "aria-controls": deliverForm.id })
  );
  actions.appendChild(
    button(t("driver.failed"), () => {
      failForm.hidden = !failForm.hidden;
      deliverForm.hidden = true;
      if (!failForm.hidden) reason.focus();
    }, { class: "danger", id: "fail-" + s.index, "aria-controls": failForm.id })
  );
  card.appendChild(actions);
  card.appendChild(deliverForm);
  card.appendChild(failForm);
  return card;
}

function tourBlock(tour, ctx) {
  const marks = localMarks(tour.tourId);
  const c = Object.assign({}, ctx, { marks, picking: ctx.pickings[tour.tourId] || {} });
  const started = tour.status === "TOUR_STATUS_STARTED" || marks.started;
  const completed = tour.status === "TOUR_STATUS_COMPLETED" || marks.completed;
  const box = h("section", { class: "card tour-block", dataset: { tour: tour.tourId }, "aria-labelledby": "tour-h-" + tour.vehicleId });
  box.appendChild(
    h(
      "h2",
      { id: "tour-h-" + tour.vehicleId },
      t("driver.tour", { tour: tour.tourId }),
      " ",
      badge(completed ? "TOUR_STATUS_COMPLETED" : started ? "TOUR_STATUS_STARTED" : tour.status)
    )
  );
  const stops = (tour.stops || []).filter((s) => s.kind === "STOP_KIND_TASK");
  const load = (tour.stops || [])[0] ? ((tour.stops[0].loadAfter || []).filter((l) => Number(l.grams || 0) > 0).map((l) => tEnum(l.temperatureClass) + " " + fmtKg(l.grams)).join(", ")) : "";
  box.appendChild(h("p", null, t("driver.summary", { vehicle: tour.vehicleId, n: stops.length, start: fmtTime(tour.start), end: fmtTime(tour.end) }), load ? " · " + t("driver.load", { l: load }) : ""));
  if (!started && !completed) {
    const odo = h("input", { id: "odo-start-" + tour.vehicleId, type: "number", min: 0, inputmode: "numeric", required: true });
    const f = h(
      "form",
      {
        class: "odometer",
        id: "start-form",
        onsubmit: (e) => {
          e.preventDefault();
          report("TourStarted", { tourId: tour.tourId, odometerKm: String(Number(odo.value)) }, t("driver.lStarted", { tour: tour.tourId }));
        },
      },
      field(t("driver.odoStart"), odo),
      h("button", { type: "submit", id: "start-tour" }, t("driver.start"))
    );
    box.appendChild(f);
  }
  const list = h("div", { class: "stops-list" });
  for (const s of stops) list.appendChild(stopCard(tour, s, c));
  box.appendChild(list);
  if (started && !completed) {
    const odo = h("input", { id: "odo-end-" + tour.vehicleId, type: "number", min: 0, inputmode: "numeric", required: true });
    box.appendChild(
      h(
        "form",
        {
          class: "odometer",
          id: "end-form",
          onsubmit: (e) => {
            e.preventDefault();
            report("TourCompleted", { tourId: tour.tourId, odometerKm: String(Number(odo.value)) }, t("driver.lCompleted", { tour: tour.tourId }));
          },
        },
        field(t("driver.odoEnd"), odo),
        h("button", { type: "submit", id: "end-tour" }, t("driver.end"))
      )
    );
  }
  return box;
}

function screen(main, session) {
  const dateIn = h("input", { type: "date", id: "driver-date", value: today() });
  const out = h("div", { id: "driver-tours" });
  const qp = queue.panel();
  let tours = [];
  let ctx = { names: {}, sites: {}, pickings: {}, types: [] };
  const draw = () => {
    clear(out);
    if (!tours.length) out.appendChild(h("p", { class: "empty", id: "no-tour" }, t("driver.noTour")));
    for (const tour of tours) out.appendChild(tourBlock(tour, ctx));
  };
  // a report sent closes its form; anything else keeps the forms as they are
  let sentKeys = queue.pending().length + queue.reported().length;
  const render = () => {
    const n = queue.pending().length + queue.reported().length;
    if (n !== sentKeys) {
      sentKeys = n;
      draw();
    } else rerender(out, draw);
  };
  const load = async () => {
    try {
      const d = dateIn.value;
      const [r, sites, types, pk] = await Promise.all([
        get("/v1/tours/" + d),
        data.sites(),
        data.containerTypes(),
        get("/v1/picking/" + d).catch(() => ({})),
      ]);
      tours = r.tours || [];
      const pickings = {};
      for (const l of pk.lists || []) pickings[l.tourId] = l;
      ctx = { names: data.siteNames(sites), sites, pickings, types };
      render();
    } catch (e) {
      if (e.status !== 401) say(t("err.load", { msg: e.message }), "error");
      render();
    }
  };
  dateIn.addEventListener("change", load);
  main.appendChild(h("div", { class: "bar" }, field(t("common.date"), dateIn), button(t("common.refresh"), load, { id: "driver-refresh" })));
  main.appendChild(out);
  main.appendChild(qp);
  load();
  const reload = debounce(load, 300);
  const offQ = queue.onChange(render);
  const offE = live.subscribe((e) => {
    if (/^lz\.tours\.v1\.(TourPlanned|TourStatusChanged|StopStatusChanged|DriverAssigned|CommandRefused)$/.test(e.type || "")) reload();
  }, load);
  return () => {
    offQ();
    offE();
    if (qp.cleanup) qp.cleanup();
  };
}

export default {
  tabs: [["tour", "tab.myTour"]],
  render(tab, main, ctx) {
    const offs = [refusals(ctx.session), screen(main, ctx.session)];
    return () => offs.forEach((o) => typeof o === "function" && o());
  },
};
