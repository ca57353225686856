// SPDX-License-Identifier: AGPL-3.0-or-later
// A member's screen: place an order (its stock at the hub and the shared
// pool, or a pickup at one of its producer sites), follow its orders live,
// cancel one, its deposit balance and its impact.
import { get } from "./api.js";
import * as live from "./live.js";
import * as data from "./data.js";
import { t, tEnum } from "./i18n.js";
import { h, clear, field, select, button, section, table, badge, say, fmtWindow, fmtDateTime, fmtNum, fmtKg, today, localSeconds } from "./ui.js";
import { submit, refusals, debounce, fill, impactSection, balancesView } from "./common.js";

const TABS = [
  ["order", "tab.order"],
  ["orders", "tab.orders"],
  ["balance", "tab.balance"],
  ["impact", "tab.impact"],
];
const CLASSES = ["TEMPERATURE_CLASS_AMBIENT", "TEMPERATURE_CLASS_CHILLED", "TEMPERATURE_CLASS_FROZEN"];
const CANCELLABLE = ["ORDER_STATUS_PLACED", "ORDER_STATUS_CONFIRMED", "ORDER_STATUS_PLANNED"];

function reference() {
  const d = new Date();
  const p = (n) => String(n).padStart(2, "0");
  return "web-" + d.getFullYear() + p(d.getMonth() + 1) + p(d.getDate()) + "-" + p(d.getHours()) + p(d.getMinutes()) + p(d.getSeconds());
}

function hhmm(offsetMin) {
  const d = new Date(Date.now() + offsetMin * 60000);
  return String(d.getHours()).padStart(2, "0") + ":" + String(d.getMinutes()).padStart(2, "0");
}

let lineNo = 0;
function lineRow(types, products, pos) {
  lineNo += 1;
  const n = lineNo; // ids unique in the page; the legend says its place in the form
  const product = h("input", { id: "line-product-" + n, class: "line-product", required: true, list: "products-list" });
  const qty = h("input", { id: "line-qty-" + n, class: "line-qty", type: "number", min: 1, max: 100000, value: 1, required: true });
  const grams = h("input", { id: "line-grams-" + n, class: "line-grams", type: "number", min: 0, max: 1000000, value: 1000, required: true });
  const ml = h("input", { id: "line-ml-" + n, class: "line-ml", type: "number", min: 0, max: 2000000, value: 0 });
  const cls = select(CLASSES.map((c) => [c, tEnum(c)]), CLASSES[0], { id: "line-class-" + n, class: "line-class" });
  const ctype = select([["", t("order.noContainer")]].concat(types.map((c) => [c.containerType, c.name || c.containerType])), "", { id: "line-ctype-" + n, class: "line-ctype" });
  const ccount = h("input", { id: "line-ccount-" + n, class: "line-ccount", type: "number", min: 0, max: 10000, value: 0 });
  product.addEventListener("change", () => {
    const p = products[product.value];
    if (p) {
      if (p.unitGrams) grams.value = p.unitGrams;
      if (p.unitMillilitres) ml.value = p.unitMillilitres;
      if (p.temperatureClass) cls.value = p.temperatureClass;
    }
  });
  const row = h(
    "fieldset",
    { class: "line", dataset: { line: n } },
    h("legend", null, t("order.line", { n: pos })),
    h(
      "div",
      { class: "grid" },
      field(t("stock.product"), product),
      field(t("order.quantity"), qty),
      field(t("reception.unitGrams"), grams),
      field(t("reception.unitMl"), ml),
      field(t("common.class"), cls),
      field(t("order.containerType"), ctype),
      field(t("order.containerCount"), ccount)
    )
  );
  row.appendChild(button(t("order.removeLine"), () => row.remove(), { class: "secondary", "aria-label": t("order.removeLineN", { n: pos }) }));
  row.value = () => {
    const l = {
      product: product.value.trim(),
      quantity: Number(qty.value),
      unitGrams: Number(grams.value),
      temperatureClass: cls.value,
    };
    if (Number(ml.value)) l.unitMillilitres = Number(ml.value);
    if (ctype.value && Number(ccount.value) > 0) l.containers = [{ containerType: ctype.value, count: Number(ccount.value) }];
    return l;
  };
  return row;
}

function orderTab(main, ctx) {
  const me = ctx.session.member;
  const ref = h("input", { id: "order-ref", required: true, value: reference(), pattern: "[A-Za-z0-9._\\-]{1,64}" });
  const site = h("select", { id: "order-site", required: true });
  const srcHub = h("input", { type: "radio", name: "source", id: "source-hub", value: "ORDER_SOURCE_HUB_STOCK", checked: true });
  const srcPick = h("input", { type: "radio", name: "source", id: "source-pickup", value: "ORDER_SOURCE_PRODUCER_PICKUP" });
  const day = h("input", { id: "order-date", type: "date", required: true, value: today() });
  const from = h("input", { id: "order-from", type: "time", required: true, value: hhmm(60) });
  const to = h("input", { id: "order-to", type: "time", required: true, value: "23:30" });
  const pickSite = h("select", { id: "pickup-site" });
  const pickDay = h("input", { id: "pickup-date", type: "date", value: today() });
  const pickFrom = h("input", { id: "pickup-from", type: "time", value: hhmm(30) });
  const pickTo = h("input", { id: "pickup-to", type: "time", value: hhmm(120) });
  const partial = h("input", { id: "order-partial", type: "checkbox" });
  const notes = h("textarea", { id: "order-notes", rows: 2, maxlength: 1000 });
  const lines = h("div", { id: "order-lines" });
  const pickupBox = h(
    "fieldset",
    { id: "pickup-box", hidden: true },
    h("legend", null, t("order.pickup")),
    h("div", { class: "grid" }, field(t("order.pickupSite"), pickSite), field(t("common.date"), pickDay), field(t("order.from"), pickFrom), field(t("order.to"), pickTo))
  );
  const syncSource = () => {
    pickupBox.hidden = !srcPick.checked;
    pickSite.required = srcPick.checked;
  };
  srcHub.addEventListener("change", syncSource);
  srcPick.addEventListener("change", syncSource);
  const products = {};
  const productList = h("datalist", { id: "products-list" });
  let types = [];
  const addLine = () => lines.appendChild(lineRow(types, products, lines.children.length + 1));
  const form = h(
    "form",
    {
      id: "order-form",
      onsubmit: async (e) => {
        e.preventDefault();
        const ls = Array.from(lines.querySelectorAll("fieldset.line")).map((r) => r.value());
        if (!ls.length) {
          say(t("order.noLines"), "error");
          return;
        }
        const p = {
          reference: ref.value.trim(),
          destinationSiteId: site.value,
          deliveryWindow: { start: String(localSeconds(day.value, from.value)), end: String(localSeconds(day.value, to.value)) },
          source: srcPick.checked ? "ORDER_SOURCE_PRODUCER_PICKUP" : "ORDER_SOURCE_HUB_STOCK",
          lines: ls,
        };
        if (srcPick.checked) {
          p.pickupSiteId = pickSite.value;
          p.pickupWindow = { start: String(localSeconds(pickDay.value, pickFrom.value)), end: String(localSeconds(pickDay.value, pickTo.value)) };
        }
        if (partial.checked) p.allowPartial = true;
        if (notes.value.trim()) p.notes = notes.value.trim();
        if (await submit(form, "lz.orders.v1.PlaceOrder", p, t("order.sent", { ref: p.reference }))) {
          ref.value = reference();
        }
      },
    },
    h("div", { class: "grid" }, field(t("order.reference"), ref), field(t("order.site"), site)),
    h(
      "fieldset",
      { class: "sources" },
      h("legend", null, t("order.source")),
      h("div", { class: "check" }, srcHub, h("label", { for: "source-hub" }, t("order.sourceHub"))),
      h("div", { class: "check" }, srcPick, h("label", { for: "source-pickup" }, t("order.sourcePickup"))),
      h("small", { class: "hint" }, t("order.poolHint"))
    ),
    pickupBox,
    h("fieldset", null, h("legend", null, t("order.delivery")), h("div", { class: "grid" }, field(t("common.date"), day), field(t("order.from"), from), field(t("order.to"), to))),
    lines,
    productList,
    button(t("order.addLine"), addLine, { id: "order-add-line", class: "secondary" }),
    h("div", { class: "check" }, partial, h("label", { for: "order-partial" }, t("order.partial"))),
    field(t("order.notes"), notes),
    h("button", { type: "submit", id: "order-submit" }, t("order.submit"))
  );
  const stock = h("div", { id: "member-stock" });
  main.appendChild(section(t("order.title"), form));
  main.appendChild(section(t("order.stock"), stock, h("p", { class: "hint" }, t("order.stockHint"))));
  Promise.all([data.sites(), data.containerTypes()]).then(([sites, ct]) => {
    types = ct;
    const mine = Object.values(sites).filter((s) => !me || s.memberId === me);
    for (const s of mine) {
      if (s.kind === "SITE_KIND_PRODUCER") pickSite.appendChild(h("option", { value: s.siteId }, s.name || s.siteId));
      if (s.kind !== "SITE_KIND_HUB" && s.kind !== "SITE_KIND_BIKE_RELAY") site.appendChild(h("option", { value: s.siteId }, (s.name || s.siteId) + (s.zone ? " (" + s.zone + ")" : "")));
    }
    if (!pickSite.children.length) {
      srcPick.disabled = true;
      pickSite.appendChild(h("option", { value: "" }, t("order.noProducer")));
    }
    if (!site.children.length) site.appendChild(h("option", { value: "" }, t("order.noSite")));
    addLine();
  });
  fill(stock, "/v1/stock?by=product", (r) => {
    for (const e of r.entries || []) {
      productList.appendChild(h("option", { value: e.key }));
      const units = Number(e.units || 0);
      if (units > 0) products[e.key] = { unitGrams: Math.round(Number(e.grams || 0) / units) || undefined, unitMillilitres: Math.round(Number(e.millilitres || 0) / units) || undefined };
    }
    return table(
      [
        [t("stock.product"), (x) => x.key],
        [t("stock.units"), (x) => fmtNum(x.units)],
        [t("stock.reserved"), (x) => fmtNum(x.reserved)],
        [t("stock.available"), (x) => fmtNum(Number(x.units || 0) - Number(x.reserved || 0))],
        [t("stock.weight"), (x) => fmtKg(x.grams)],
      ],
      r.entries || [],
      { id: "member-stock-table" }
    );
  });
}

function ordersTab(main, ctx) {
  const status = select(
    [["", t("orders.all")]].concat(
      ["placed", "confirmed", "planned", "out_for_delivery", "at_bike_relay", "delivered", "rejected", "cancelled", "failed"].map((s) => [s, tEnum("ORDER_STATUS_" + s.toUpperCase())])
    ),
    "",
    { id: "orders-status" }
  );
  const day = h("input", { id: "orders-date", type: "date" });
  const out = h("div", { id: "orders" });
  let names = {};
  const load = async () => {
    const q = new URLSearchParams({ limit: "200" });
    if (status.value) q.set("status", status.value);
    if (day.value) q.set("date", day.value);
    names = data.siteNames(await data.sites());
    await fill(out, "/v1/orders?" + q, (r) => ordersTable(r.orders || [], names, ctx));
  };
  status.addEventListener("change", load);
  day.addEventListener("change", load);
  main.appendChild(section(t("tab.orders"), h("div", { class: "bar" }, field(t("common.status"), status), field(t("common.date"), day), button(t("common.refresh"), load, { id: "orders-refresh" })), out));
  load();
  const reload = debounce(load, 400);
  return live.subscribe((e) => {
    if (/^lz\.orders\.v1\.(OrderPlaced|OrderStatusChanged|OrderAmended|OrderRejected)$/.test(e.type || "")) reload();
  }, load);
}

function ordersTable(orders, names, ctx) {
  return table(
    [
      [t("order.reference"), (o) => o.reference],
      [t("order.site"), (o) => names[o.destinationSiteId] || o.destinationSiteId],
      [t("common.window"), (o) => fmtDateTime((o.deliveryWindow || {}).start) + " · " + fmtWindow(o.deliveryWindow)],
      [t("order.lines"), (o) => (o.lines || []).map((l) => l.quantity + " × " + l.product).join(", ")],
      [t("common.status"), (o) => h("span", { class: "order-status", dataset: { order: o.orderId } }, badge(o.status))],
      [t("common.actions"), (o) => actions(o, ctx)],
    ],
    orders,
    { id: "orders-table" }
  );
}

function actions(o, ctx) {
  const box = h("div", { class: "actions" });
  const hist = button(t("orders.history"), async () => {
    const old = box.querySelector(".history");
    if (old) {
      old.remove();
      return;
    }
    try {
      const v = await get("/v1/orders/" + o.orderId.split("/").map(encodeURIComponent).join("/"));
      box.appendChild(h("ol", { class: "history" }, (v.history || []).map((x) => h("li", null, fmtDateTime(x.at) + " · " + tEnum(x.status) + (x.detail ? " — " + x.detail : "")))));
    } catch (e) {
      say(t("err.load", { msg: e.message }), "error");
    }
  }, { class: "secondary" });
  box.appendChild(hist);
  if (CANCELLABLE.includes(o.status)) {
    const confirm = button(t("orders.confirmCancel"), async () => {
      await submit(confirm, "lz.orders.v1.CancelOrder", { orderId: o.orderId, reason: t("orders.cancelReason") }, t("orders.cancelSent", { ref: o.reference }));
    }, { class: "danger", hidden: true, dataset: { cancelConfirm: o.orderId } });
    const cancel = button(t("orders.cancel"), () => {
      confirm.hidden = false;
      cancel.hidden = true;
      confirm.focus();
    }, { class: "danger", dataset: { cancel: o.orderId } });
    box.appendChild(cancel);
    box.appendChild(confirm);
  }
  return box;
}

export default {
  tabs: TABS,
  render(tab, main, ctx) {
    const offs = [refusals(ctx.session)];
    if (tab === "order") offs.push(orderTab(main, ctx));
    else if (tab === "orders") offs.push(ordersTab(main, ctx));
    else if (tab === "balance") {
      const out = h("div");
      main.appendChild(section(t("tab.balance"), out));
      fill(out, "/v1/balances", balancesView);
    } else if (tab === "impact") main.appendChild(impactSection());
    return () => offs.forEach((o) => typeof o === "function" && o());
  },
};
