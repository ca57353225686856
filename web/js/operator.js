// SPDX-License-Identifier: AGPL-3.0-or-later
// The hub operator's desk: the day's tours on a map (live), tasks left
// unplanned, planning a wave and binding drivers, stock and lots nearing
// their date, receptions, printable picking lists and delivery notes,
// reverse flows, deposit balances, impact, the daemons' health, the live
// feed of events.
import { get, getText } from "./api.js";
import * as live from "./live.js";
import * as data from "./data.js";
import { t, tEnum } from "./i18n.js";
import { tourMap, legend, stopColour } from "./map.js";
import {
  h, clear, field, select, button, section, table, badge, say,
  fmtTime, fmtWindow, fmtKg, fmtKm, fmtNum, fmtPermille, fmtDateTime, fmtDay, today, localSeconds,
} from "./ui.js";
import { submit, refusals, debounce, printOnly, dateBar, fill, impactSection, balancesView } from "./common.js";

const TABS = [
  ["tours", "tab.tours"],
  ["tasks", "tab.tasks"],
  ["plan", "tab.plan"],
  ["stock", "tab.stock"],
  ["reception", "tab.reception"],
  ["picking", "tab.picking"],
  ["flows", "tab.flows"],
  ["balances", "tab.balances"],
  ["impact", "tab.impact"],
  ["health", "tab.health"],
  ["feed", "tab.feed"],
];

const CLASSES = ["TEMPERATURE_CLASS_AMBIENT", "TEMPERATURE_CLASS_CHILLED", "TEMPERATURE_CLASS_FROZEN"];

function classOptions() {
  return CLASSES.map((c) => [c, tEnum(c)]);
}

// ---- tours on the map ----
function toursTab(main) {
  let date = today();
  let tours = [];
  let names = {};
  const mapEl = h("div", { id: "map", class: "map", role: "region", "aria-label": t("map.label") });
  const list = h("div", { id: "tour-list" });
  const summary = h("p", { id: "tours-summary", class: "hint" });
  let map = null;
  const render = () => {
    clear(list);
    summary.textContent = t("tours.summary", { n: tours.length, date });
    if (!tours.length) {
      list.appendChild(h("p", { class: "empty" }, t("tours.none")));
    }
    for (const tour of tours) {
      const stops = (tour.stops || []).filter((s) => s.kind === "STOP_KIND_TASK");
      list.appendChild(
        h(
          "details",
          { class: "tour", dataset: { tour: tour.tourId }, open: tours.length <= 3 },
          h(
            "summary",
            null,
            h("strong", null, tour.tourId),
            " ",
            badge(tour.status),
            " · " + t("tours.line", { stops: stops.length, km: fmtKm(tour.distanceM), start: fmtTime(tour.start), end: fmtTime(tour.end) }),
            tour.driverId ? " · " + t("tours.driver", { d: tour.driverId }) : ""
          ),
          h(
            "ol",
            { class: "stops" },
            stops.map((s) =>
              h(
                "li",
                { class: "stop", dataset: { index: s.index, status: s.status || "STOP_STATUS_PLANNED" } },
                h("span", { class: "dot", style: "background:" + stopColour(s.status), "aria-hidden": "true" }),
                h("span", null, "#" + s.index + " " + (names[s.siteId] || s.siteId) + " · " + fmtWindow(s.window) + " · "),
                badge(s.status || "STOP_STATUS_PLANNED"),
                s.failReason ? " " + tEnum(s.failReason) : ""
              )
            )
          )
        )
      );
    }
    if (map) map.draw(tours, names);
  };
  const load = async (d) => {
    if (d) date = d;
    try {
      const [r, sites] = await Promise.all([get("/v1/tours/" + date), data.sites()]);
      names = data.siteNames(sites);
      tours = r.tours || [];
      render();
    } catch (e) {
      say(t("err.load", { msg: e.message }), "error");
    }
  };
  const reload = debounce(() => load(), 400);
  main.appendChild(
    section(
      t("tab.tours"),
      dateBar("tours-date", load, date),
      summary,
      h("div", { class: "map-wrap" }, mapEl, legend()),
      list
    )
  );
  map = tourMap(mapEl);
  load();
  const off = live.subscribe(
    (e) => {
      const p = e.payload || {};
      if (e.type === "lz.tours.v1.StopStatusChanged") {
        const tour = tours.find((x) => x.tourId === p.tourId);
        if (!tour) return;
        const s = (tour.stops || []).find((x) => (x.index || 0) === (p.stopIndex || 0));
        if (s) {
          s.status = p.to;
          if (p.failReason) s.failReason = p.failReason;
          render();
        }
      } else if (/^lz\.tours\.v1\.(TourPlanned|TourStatusChanged|WavePlanned|DriverAssigned)/.test(e.type || "")) {
        reload();
      }
    },
    () => load()
  );
  return () => {
    off();
    if (map) map.destroy();
  };
}

// ---- tasks not planned ----
function tasksTab(main) {
  const out = h("div", { id: "tasks" });
  const load = (d) =>
    fill(out, "/v1/tasks/" + d, (r) => {
      const all = r.tasks || [];
      const un = all.filter((x) => x.status === "TASK_STATUS_UNPLANNED" || (x.status === "TASK_STATUS_PENDING" && x.reason));
      return h(
        "div",
        null,
        h("p", { class: "hint", id: "tasks-summary" }, t("tasks.summary", { n: un.length, all: all.length })),
        table(
          [
            [t("tasks.task"), (x) => x.taskId],
            [t("tasks.kind"), (x) => tEnum(x.kind)],
            [t("common.site"), (x) => x.siteId],
            [t("common.window"), (x) => fmtWindow(x.window)],
            [t("tasks.reason"), (x) => h("strong", null, tEnum(x.reason))],
            [t("tasks.attempts"), (x) => fmtNum(x.attempts)],
          ],
          un,
          { id: "tasks-table" }
        )
      );
    });
  main.appendChild(section(t("tab.tasks"), dateBar("tasks-date", load), out));
  load(today());
  const off = live.subscribe((e) => {
    if (e.type === "lz.tours.v1.WavePlanned") load(document.getElementById("tasks-date").value);
  });
  return off;
}

// ---- plan a wave, bind drivers ----
function planTab(main) {
  const date = h("input", { type: "date", id: "wave-date", value: today(), required: true });
  const wave = h("input", { id: "wave-name", value: "am", required: true, pattern: "[A-Za-z0-9._\\-]{1,32}" });
  const vehiclesBox = h("fieldset", { class: "checks", id: "wave-vehicles" }, h("legend", null, t("plan.vehicles")));
  const form = h(
    "form",
    {
      id: "wave-form",
      onsubmit: async (e) => {
        e.preventDefault();
        const ids = Array.from(vehiclesBox.querySelectorAll("input:checked")).map((x) => x.value);
        const payload = { date: date.value, wave: wave.value.trim() };
        if (ids.length) payload.vehicleIds = ids;
        await submit(form, "lz.tours.v1.PlanWave", payload, t("plan.sent", { date: date.value, wave: payload.wave }));
      },
    },
    field(t("common.date"), date),
    field(t("plan.wave"), wave, t("plan.waveHint")),
    vehiclesBox,
    h("button", { type: "submit", id: "wave-submit" }, t("plan.submit"))
  );
  const adate = h("input", { type: "date", id: "assign-date", value: today(), required: true });
  const avehicle = h("select", { id: "assign-vehicle", required: true });
  const adriver = h("input", { id: "assign-driver", required: true, autocomplete: "off" });
  const aform = h(
    "form",
    {
      id: "assign-form",
      onsubmit: async (e) => {
        e.preventDefault();
        await submit(aform, "lz.tours.v1.AssignDriver", { date: adate.value, vehicleId: avehicle.value, driverId: adriver.value.trim() }, t("plan.assigned"));
      },
    },
    field(t("common.date"), adate),
    field(t("plan.vehicle"), avehicle),
    field(t("plan.driver"), adriver, t("plan.driverHint")),
    h("button", { type: "submit", id: "assign-submit" }, t("plan.assign"))
  );
  const vlist = h("div", { id: "vehicles" });
  main.appendChild(section(t("plan.title"), form));
  main.appendChild(section(t("plan.assignTitle"), aform));
  main.appendChild(section(t("plan.fleet"), vlist));
  fill(vlist, "/v1/vehicles", (r) => {
    const vs = r.vehicles || [];
    for (const v of vs) {
      const id = "veh-" + v.vehicleId;
      vehiclesBox.appendChild(h("div", { class: "check" }, h("input", { type: "checkbox", id, value: v.vehicleId }), h("label", { for: id }, v.name ? v.vehicleId + " — " + v.name : v.vehicleId)));
      avehicle.appendChild(h("option", { value: v.vehicleId }, v.vehicleId));
    }
    vehiclesBox.appendChild(h("small", { class: "hint" }, t("plan.vehiclesHint")));
    return table(
      [
        [t("plan.vehicle"), (v) => v.vehicleId],
        [t("common.name"), (v) => v.name || ""],
        [t("plan.kind"), (v) => tEnum(v.kind)],
        [t("plan.capacity"), (v) => (v.compartments || []).map((c) => tEnum(c.temperatureClass) + " " + fmtKg(c.capacityGrams)).join(", ")],
        [t("plan.range"), (v) => (v.rangeKm ? t("unit.km", { n: v.rangeKm }) : "—")],
      ],
      vs
    );
  });
}

// ---- stock ----
function stockTab(main) {
  const zones = h("div", { id: "zones" });
  const stock = h("div", { id: "stock" });
  const lots = h("div", { id: "lots-expiring" });
  const within = select(
    [
      [172800, t("stock.within", { n: 2 })],
      [604800, t("stock.within", { n: 7 })],
      [2592000, t("stock.within", { n: 30 })],
    ],
    604800,
    { id: "lots-within" }
  );
  const loadLots = () =>
    fill(lots, "/v1/lots/expiring?within=" + within.value, (r) =>
      table(
        [
          [t("stock.lot"), (l) => l.lotId],
          [t("stock.product"), (l) => l.product],
          [t("common.member"), (l) => l.ownerMemberId],
          [t("stock.zone"), (l) => l.zoneId],
          [t("stock.units"), (l) => fmtNum(l.quantity) + (Number(l.reserved || 0) ? " (" + t("stock.reservedN", { n: fmtNum(l.reserved) }) + ")" : "")],
          [t("stock.dateKind"), (l) => tEnum(l.dateKind)],
          [t("stock.date"), (l) => h("strong", { class: l.dateKind === "DATE_KIND_USE_BY" ? "flag" : "" }, fmtDay(l.date))],
        ],
        r.lots || [],
        { id: "lots-table" }
      )
    );
  within.addEventListener("change", loadLots);
  main.appendChild(section(t("stock.zones"), zones));
  main.appendChild(section(t("stock.byZone"), stock));
  main.appendChild(section(t("stock.expiring"), h("div", { class: "bar" }, field(t("stock.horizon"), within)), lots));
  fill(zones, "/v1/zones", (r) =>
    table(
      [
        [t("stock.zone"), (z) => (z.zone || {}).zoneId],
        [t("common.class"), (z) => tEnum((z.zone || {}).temperatureClass)],
        [t("stock.weight"), (z) => fmtKg(z.grams) + " / " + fmtKg((z.zone || {}).capacityGrams)],
        [t("stock.fill"), (z) => fmtPermille(z.fillPermille)],
      ],
      r.zones || []
    )
  );
  fill(stock, "/v1/stock?by=zone", (r) =>
    table(
      [
        [t("stock.zone"), (x) => x.key],
        [t("stock.lots"), (x) => fmtNum(x.lots)],
        [t("stock.units"), (x) => fmtNum(x.units)],
        [t("stock.reserved"), (x) => fmtNum(x.reserved)],
        [t("stock.weight"), (x) => fmtKg(x.grams)],
      ],
      r.entries || [],
      { id: "stock-table" }
    )
  );
  loadLots();
}

// ---- receptions ----
function receptionTab(main) {
  const f = {
    lotId: h("input", { id: "lot-id", required: true, pattern: "[A-Za-z0-9._\\-]{1,64}" }),
    owner: h("input", { id: "lot-owner", required: true, list: "members-list" }),
    product: h("input", { id: "lot-product", required: true }),
    quantity: h("input", { id: "lot-quantity", type: "number", min: 1, max: 1000000, required: true }),
    unitGrams: h("input", { id: "lot-grams", type: "number", min: 1, max: 1000000, required: true }),
    unitMl: h("input", { id: "lot-ml", type: "number", min: 0, max: 2000000, value: 0 }),
    cls: select(classOptions(), CLASSES[0], { id: "lot-class" }),
    dateKind: select(
      [
        ["DATE_KIND_UNSPECIFIED", t("enum.DATE_KIND_UNSPECIFIED")],
        ["DATE_KIND_USE_BY", t("enum.DATE_KIND_USE_BY")],
        ["DATE_KIND_BEST_BEFORE", t("enum.DATE_KIND_BEST_BEFORE")],
      ],
      "DATE_KIND_UNSPECIFIED",
      { id: "lot-date-kind" }
    ),
    date: h("input", { id: "lot-date", type: "date" }),
    zone: h("select", { id: "lot-zone", required: true }),
  };
  const members = h("datalist", { id: "members-list" });
  const form = h(
    "form",
    {
      id: "reception-form",
      onsubmit: async (e) => {
        e.preventDefault();
        const p = {
          lotId: f.lotId.value.trim(),
          ownerMemberId: f.owner.value.trim(),
          product: f.product.value.trim(),
          quantity: String(Number(f.quantity.value)),
          unitGrams: String(Number(f.unitGrams.value)),
          unitMillilitres: String(Number(f.unitMl.value || 0)),
          temperatureClass: f.cls.value,
          zoneId: f.zone.value,
        };
        if (f.dateKind.value !== "DATE_KIND_UNSPECIFIED") {
          p.dateKind = f.dateKind.value;
          if (f.date.value) p.date = String(localSeconds(f.date.value, "23:59"));
        }
        if (await submit(form, "lz.inventory.v1.ReceiveLot", p, t("reception.sent", { lot: p.lotId }))) {
          f.lotId.value = "";
          f.quantity.value = "";
        }
      },
    },
    h(
      "div",
      { class: "grid" },
      field(t("stock.lot"), f.lotId),
      field(t("reception.owner"), f.owner),
      field(t("stock.product"), f.product),
      field(t("stock.units"), f.quantity),
      field(t("reception.unitGrams"), f.unitGrams),
      field(t("reception.unitMl"), f.unitMl),
      field(t("common.class"), f.cls),
      field(t("stock.zone"), f.zone),
      field(t("stock.dateKind"), f.dateKind),
      field(t("stock.date"), f.date)
    ),
    members,
    h("button", { type: "submit", id: "reception-submit" }, t("reception.submit"))
  );
  main.appendChild(section(t("reception.title"), form));
  get("/v1/zones")
    .then((r) => {
      for (const z of r.zones || []) {
        const zz = z.zone || {};
        f.zone.appendChild(h("option", { value: zz.zoneId }, zz.zoneId + " (" + tEnum(zz.temperatureClass) + ")"));
      }
    })
    .catch(() => {});
  get("/v1/members")
    .then((r) => (r.members || []).map((m) => [m.memberId, m.name]))
    .catch(() => data.sites().then((s) => Array.from(new Set(Object.values(s).map((x) => x.memberId))).map((m) => [m, ""])))
    .then((ms) => {
      for (const [id, name] of ms) members.appendChild(h("option", { value: id }, name || id));
    });
}

// ---- picking lists and delivery notes ----
function pickingBlock(list, tour, names, sites) {
  const block = h("article", { class: "printable picking", dataset: { tour: list.tourId }, id: "picking-" + list.tourId.replace(/[^A-Za-z0-9]/g, "-") });
  block.appendChild(h("h3", null, t("picking.title", { tour: list.tourId })));
  block.appendChild(
    h(
      "p",
      null,
      t("picking.head", { vehicle: list.vehicleId || "", status: tEnum(list.status), units: fmtNum(list.units), picked: fmtNum(list.pickedUnits) })
    )
  );
  for (const c of list.compartments || []) {
    block.appendChild(h("h4", null, tEnum(c.temperatureClass) + " · " + fmtKg(c.grams) + " · " + t("picking.loadOrder")));
    block.appendChild(
      table(
        [
          [t("picking.stop"), (l) => fmtNum(l.stopIndex)],
          [t("picking.order"), (l) => l.orderId],
          [t("stock.product"), (l) => l.product],
          [t("stock.lot"), (l) => l.lotId],
          [t("stock.zone"), (l) => l.zoneId],
          [t("stock.units"), (l) => fmtNum(l.quantity)],
          [t("picking.picked"), (l) => (l.picked !== undefined ? fmtNum(l.picked) : "☐")],
        ],
        c.lines || []
      )
    );
  }
  const notes = h("div", { class: "notes" });
  const printNotes = button(t("picking.printNotes"), () => printOnly(notes), { class: "no-print", id: "print-notes-" + list.tourId.replace(/[^A-Za-z0-9]/g, "-") });
  const printList = button(t("picking.print"), () => printOnly(block), { class: "no-print print-picking", id: "print-" + list.tourId.replace(/[^A-Za-z0-9]/g, "-") });
  block.prepend(h("div", { class: "bar no-print" }, printList, printNotes));
  if (tour) {
    for (const s of tour.stops || []) {
      if (s.kind !== "STOP_KIND_TASK") continue;
      const lines = [];
      for (const c of list.compartments || []) for (const l of c.lines || []) if ((l.stopIndex || 0) === s.index) lines.push(l);
      const site = sites[s.siteId] || {};
      notes.appendChild(
        h(
          "article",
          { class: "printable note", dataset: { stop: s.index } },
          h("h3", null, t("note.title") + " · " + tour.tourId + " #" + s.index),
          h("p", null, h("strong", null, names[s.siteId] || s.siteId), site.address ? " — " + site.address : ""),
          h("p", null, t("note.window", { w: fmtWindow(s.window), day: tour.date })),
          h("p", null, t("note.tasks", { tasks: (s.taskIds || []).join(", ") })),
          table(
            [
              [t("picking.order"), (l) => l.orderId],
              [t("stock.product"), (l) => l.product],
              [t("stock.lot"), (l) => l.lotId],
              [t("stock.units"), (l) => fmtNum(l.picked !== undefined ? l.picked : l.quantity)],
            ],
            lines
          ),
          h("div", { class: "sign" }, h("p", null, t("note.containers")), h("p", null, t("note.received")), h("p", null, t("note.signature")))
        )
      );
    }
  }
  return h("div", { class: "picking-wrap" }, block, notes);
}

function pickingTab(main) {
  const out = h("div", { id: "picking" });
  const load = async (d) => {
    clear(out).appendChild(h("p", { class: "loading" }, t("common.loading")));
    try {
      const [r, tr, sites] = await Promise.all([get("/v1/picking/" + d), get("/v1/tours/" + d).catch(() => ({})), data.sites()]);
      const names = data.siteNames(sites);
      clear(out);
      const lists = r.lists || [];
      if (!lists.length) out.appendChild(h("p", { class: "empty" }, t("picking.none")));
      for (const l of lists) {
        const tour = (tr.tours || []).find((x) => x.tourId === l.tourId);
        out.appendChild(pickingBlock(l, tour, names, sites));
      }
    } catch (e) {
      clear(out).appendChild(h("p", { class: "msg error" }, t("err.load", { msg: e.message })));
    }
  };
  const textBtn = button(t("picking.text"), async () => {
    const d = document.getElementById("picking-date").value;
    try {
      const txt = await getText("/v1/picking/" + d + "?format=text");
      const pre = h("pre", { class: "printable", id: "picking-text" }, txt);
      const old = document.getElementById("picking-text");
      if (old) old.remove();
      out.prepend(pre);
    } catch (e) {
      say(t("err.load", { msg: e.message }), "error");
    }
  }, { class: "no-print", id: "picking-text-btn" });
  main.appendChild(section(t("tab.picking"), dateBar("picking-date", load), h("div", { class: "bar no-print" }, textBtn, button(t("picking.printAll"), () => printOnly(null), { id: "print-all" })), out));
  load(today());
}

// ---- reverse flows ----
function flowsTab(main) {
  const flows = h("div", { id: "flows" });
  const outlets = h("div", { id: "outlets" });
  const points = h("div", { id: "points" });
  main.appendChild(section(t("flows.open"), flows));
  main.appendChild(section(t("flows.outlets"), outlets));
  main.appendChild(section(t("flows.points"), points));
  fill(flows, "/v1/flows", (r) =>
    table(
      [
        [t("flows.flow"), (f) => f.flowId],
        [t("flows.kind"), (f) => tEnum(f.kind)],
        [t("flows.category"), (f) => f.category || ""],
        [t("common.site"), (f) => f.siteId],
        [t("stock.weight"), (f) => fmtKg(f.grams)],
        [t("common.status"), (f) => badge(f.status)],
        [t("flows.outlet"), (f) => f.outletId || h("em", null, f.reason || "—")],
        [t("flows.level"), (f) => tEnum(f.level)],
      ],
      r.flows || [],
      { id: "flows-table" }
    )
  );
  fill(outlets, "/v1/outlets", (r) =>
    table(
      [
        [t("flows.outlet"), (o) => o.outletId],
        [t("common.name"), (o) => o.name || ""],
        [t("flows.kind"), (o) => tEnum(o.kind)],
        [t("common.member"), (o) => o.memberId],
        [t("common.site"), (o) => o.siteId],
        [t("flows.capacity"), (o) => fmtKg(o.capacityGramsPerDay)],
      ],
      r.outlets || []
    )
  );
  fill(points, "/v1/points", (r) =>
    table(
      [
        [t("common.site"), (p) => p.siteId || (p.point || {}).siteId],
        [t("flows.empties"), (p) => fmtNum(p.containers) + " / " + fmtNum(p.capacityContainers || (p.point || {}).capacityContainers)],
        [t("flows.fullAt"), (p) => fmtDateTime(p.fullAt)],
        [t("flows.request"), (p) => p.requestId || "—"],
      ],
      r.points || []
    )
  );
}

// ---- health ----
function healthRows(r) {
  if (Array.isArray(r)) return r;
  for (const k of ["daemons", "services", "health"]) if (Array.isArray(r[k])) return r[k];
  return Object.entries(r).map(([name, v]) => Object.assign({ name }, typeof v === "object" ? v : { status: v }));
}

function healthTab(main) {
  const out = h("div", { id: "health" });
  const load = () =>
    fill(out, "/v1/health", (r) => {
      const rows = healthRows(r || {});
      const good = (x) => x.ready === true || x.status === "ok" || x.status === "ready" || x.ok === true;
      return table(
        [
          [t("health.daemon"), (x) => x.name || x.daemon || x.service || ""],
          [t("common.status"), (x) => h("span", { class: "badge " + (good(x) ? "ok" : "failed") }, good(x) ? t("health.ready") : t("health.notReady"))],
          [t("health.detail"), (x) => x.reason || x.detail || x.status || x.error || ""],
        ],
        rows,
        { id: "health-table" }
      );
    });
  main.appendChild(section(t("tab.health"), h("div", { class: "bar" }, button(t("common.refresh"), load, { id: "health-refresh" })), out));
  load();
  const timer = setInterval(load, 15000);
  return () => clearInterval(timer);
}

// ---- live feed ----
const feedLog = [];
const FEED_MAX = 200;
live.subscribe((e) => {
  feedLog.unshift(e);
  if (feedLog.length > FEED_MAX) feedLog.pop();
});

function feedLine(e) {
  const p = e.payload || {};
  const what = p.orderId || p.tourId || p.runId || p.parcelId || p.flowId || (p.order || {}).orderId || (p.tour || {}).tourId || (p.task || {}).taskId || "";
  const to = p.to ? " → " + tEnum(p.to) : "";
  return h(
    "li",
    { class: "event", dataset: { type: e.type || "" } },
    h("time", null, fmtTime(Number(e.timestampUs || 0) / 1e6 || Date.now() / 1000)),
    " ",
    h("code", null, (e.type || "").replace(/^lz\./, "")),
    " " + (e.tenant ? e.tenant + " · " : "") + what + to + (p.reason ? " · " + tEnum(p.reason) : "")
  );
}

function feedTab(main) {
  const filter = h("input", { id: "feed-filter", type: "search" });
  const list = h("ol", { id: "feed", class: "feed", "aria-live": "off" });
  const render = () => {
    clear(list);
    const q = filter.value.trim().toLowerCase();
    for (const e of feedLog) {
      if (q && !JSON.stringify(e).toLowerCase().includes(q)) continue;
      list.appendChild(feedLine(e));
    }
    if (!list.children.length) list.appendChild(h("li", { class: "empty" }, t("feed.empty")));
  };
  filter.addEventListener("input", render);
  main.appendChild(section(t("tab.feed"), h("div", { class: "bar" }, field(t("feed.filter"), filter)), list));
  render();
  return live.subscribe(debounce(render, 200));
}

export default {
  tabs: TABS,
  render(tab, main, ctx) {
    const offs = [refusals(ctx.session)];
    const f = {
      tours: toursTab,
      tasks: tasksTab,
      plan: planTab,
      stock: stockTab,
      reception: receptionTab,
      picking: pickingTab,
      flows: flowsTab,
      balances: (m) => {
        const out = h("div");
        m.appendChild(section(t("tab.balances"), out));
        fill(out, "/v1/balances", balancesView);
      },
      impact: (m) => {
        m.appendChild(impactSection());
      },
      health: healthTab,
      feed: feedTab,
    }[tab];
    offs.push(f(main, ctx));
    return () => offs.forEach((o) => typeof o === "function" && o());
  },
};
