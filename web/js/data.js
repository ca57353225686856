// SPDX-License-Identifier: AGPL-3.0-or-later
// Read models several screens use, read once per page and kept.
import { get } from "./api.js";

let sitesP = null;
let typesP = null;

// The directory's sites the user may see: {siteId: Site}.  A gateway
// without /v1/sites gives an empty directory (ids shown instead of names).
export function sites(force) {
  if (!sitesP || force)
    sitesP = get("/v1/sites")
      .then((r) => {
        const m = {};
        for (const s of r.sites || []) m[s.siteId] = s;
        return m;
      })
      .catch(() => ({}));
  return sitesP;
}

export function siteNames(map) {
  const n = {};
  for (const [id, s] of Object.entries(map)) n[id] = s.name || id;
  return n;
}

export function containerTypes() {
  if (!typesP)
    typesP = get("/v1/container-types")
      .then((r) => r.containerTypes || [])
      .catch(() => []);
  return typesP;
}

export function reset() {
  sitesP = null;
  typesP = null;
}
