// SPDX-License-Identifier: AGPL-3.0-or-later
// The tours on a Leaflet map (Debian's libjs-leaflet, loaded by index.html
// as window.L).  Tiles only when the session gives a tile URL; otherwise a
// plain background with the stops and routes alone (no tile server is
// reachable from here).
import { t, tEnum } from "./i18n.js";
import { state } from "./api.js";
import { h } from "./ui.js";

export const STOP_COLOURS = {
  STOP_STATUS_PLANNED: "#5b6b8c",
  STOP_STATUS_ARRIVED: "#d98c00",
  STOP_STATUS_COMPLETED: "#1f8a4c",
  STOP_STATUS_FAILED: "#c62828",
};
const ROUTE_COLOURS = ["#3559a8", "#8a3ea8", "#a86a35", "#2f8f8f", "#a8354f", "#5d8a2f"];

export function stopColour(status) {
  return STOP_COLOURS[status] || STOP_COLOURS.STOP_STATUS_PLANNED;
}

// A legend of the stop colours (the colour is never the only sign: each
// stop says its status in its tooltip and in the list).
export function legend() {
  return h(
    "ul",
    { class: "legend", "aria-label": t("map.legend") },
    Object.keys(STOP_COLOURS).map((s) =>
      h("li", null, h("span", { class: "dot", style: "background:" + STOP_COLOURS[s], "aria-hidden": "true" }), tEnum(s))
    )
  );
}

// A map in EL; returns {draw(tours, names), destroy()}.
export function tourMap(el) {
  if (!window.L) {
    el.appendChild(h("p", { class: "empty" }, t("map.unavailable")));
    return { draw() {}, destroy() {}, focus() {} };
  }
  const L = window.L;
  const map = L.map(el, { zoomControl: true, attributionControl: true });
  const tiles = state.session && state.session.tiles;
  if (tiles && tiles.url) {
    L.tileLayer(tiles.url, { attribution: tiles.attribution || "", maxZoom: 19 }).addTo(map);
  } else {
    el.classList.add("plain-map");
  }
  map.setView([43.2965, 5.3698], 12); // Marseille
  let layer = L.layerGroup().addTo(map);
  let gone = false;
  const markers = {};
  return {
    draw(tours, names) {
      layer.remove();
      layer = L.layerGroup().addTo(map);
      const bounds = [];
      tours.forEach((tour, i) => {
        const pts = [];
        for (const s of tour.stops || []) {
          const loc = s.location;
          if (!loc || (!loc.lat && !loc.lon)) continue;
          pts.push([loc.lat, loc.lon]);
          bounds.push([loc.lat, loc.lon]);
          if (s.kind !== "STOP_KIND_TASK" && s.kind !== "STOP_KIND_VISIT") continue;
          const status = s.status || "STOP_STATUS_PLANNED";
          const m = L.circleMarker([loc.lat, loc.lon], {
            radius: 8,
            color: "#222",
            weight: 1,
            fillColor: stopColour(status),
            fillOpacity: 0.9,
          });
          const name = (names && names[s.siteId]) || s.siteId;
          m.bindTooltip(tour.tourId + " #" + (s.index || 0) + " · " + name + " · " + tEnum(status));
          m.addTo(layer);
          markers[tour.tourId + "#" + (s.index || 0)] = m;
        }
        if (pts.length > 1)
          L.polyline(pts, { color: ROUTE_COLOURS[i % ROUTE_COLOURS.length], weight: 3, opacity: 0.7 }).addTo(layer);
      });
      const fit = () => {
        if (gone) return;
        map.invalidateSize();
        if (bounds.length) map.fitBounds(bounds, { padding: [20, 20], maxZoom: 15 });
      };
      fit();
      setTimeout(fit, 100);
    },
    // Recolour one stop (a live event) without redrawing.
    setStatus(tourId, index, status) {
      const m = markers[tourId + "#" + index];
      if (m) m.setStyle({ fillColor: stopColour(status) });
    },
    destroy() {
      gone = true;
      map.remove();
    },
  };
}
