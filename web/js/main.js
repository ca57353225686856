// SPDX-License-Identifier: AGPL-3.0-or-later
// The app's shell: login, then the screen of the user's role, tabs in the
// address's fragment (#/tab), the language switch, logout.
import * as api from "./api.js";
import * as live from "./live.js";
import * as queue from "./queue.js";
import * as data from "./data.js";
import { t, lang, setLang, onLangChange } from "./i18n.js";
import { h, clear, field, say } from "./ui.js";
import operator from "./operator.js";
import member from "./member.js";
import driver from "./driver.js";
import rider from "./rider.js";
import { relayScreen, processorScreen } from "./relay.js";

const SCREENS = { operator, member, driver, rider, relay: relayScreen, processor: processorScreen };
const root = document.getElementById("app");
let cleanup = null;
let expiredNotice = false;

function langSwitch() {
  const s = h(
    "select",
    { id: "lang", onchange: (e) => setLang(e.target.value) },
    h("option", { value: "fr", lang: "fr" }, "Français"),
    h("option", { value: "en", lang: "en" }, "English")
  );
  s.value = lang();
  return h("div", { class: "lang" }, h("label", { for: "lang", class: "sr-only" }, t("app.language")), s);
}

function runCleanup() {
  if (cleanup) {
    try {
      cleanup();
    } catch (e) {
      console.error(e);
    }
  }
  cleanup = null;
}

function loginPage(notice) {
  runCleanup();
  live.stop();
  document.title = t("login.title") + " · Livrazou";
  clear(root);
  const user = h("input", { id: "login-user", name: "user", autocomplete: "username", required: true });
  const pass = h("input", {
    id: "login-password",
    name: "password",
    type: "password",
    autocomplete: "current-password",
    required: true,
  });
  const err = h("p", { id: "login-error", class: "msg error", role: "alert", hidden: true });
  const submit = h("button", { type: "submit", id: "login-submit" }, t("login.submit"));
  const form = h(
    "form",
    {
      class: "card login",
      id: "login-form",
      onsubmit: async (e) => {
        e.preventDefault();
        err.hidden = true;
        submit.disabled = true;
        try {
          await api.login(user.value.trim(), pass.value);
          expiredNotice = false;
          start();
        } catch (x) {
          err.textContent =
            x.status === 401 ? t("login.wrong") : x.status === 429 ? t("login.tooMany") : t("err.network");
          err.hidden = false;
          pass.value = "";
          pass.focus();
        } finally {
          submit.disabled = false;
        }
      },
    },
    h("h1", null, t("login.title")),
    notice ? h("p", { class: "msg info", id: "login-notice", role: "status" }, notice) : null,
    field(t("login.user"), user),
    field(t("login.password"), pass),
    err,
    submit
  );
  root.appendChild(
    h(
      "div",
      { class: "login-page" },
      h("header", { class: "top" }, h("span", { class: "brand" }, "Livrazou"), langSwitch()),
      h("main", { id: "main" }, h("p", { class: "tagline" }, t("app.tagline")), form)
    )
  );
  user.focus();
}

function currentTab(screen) {
  const want = (location.hash || "").replace(/^#\/?/, "").split("?")[0];
  const ids = screen.tabs.map((x) => x[0]);
  return ids.includes(want) ? want : ids[0];
}

function shell(screen) {
  const s = api.state.session;
  clear(root);
  const tab = currentTab(screen);
  const nav = h(
    "nav",
    { "aria-label": t("app.nav"), class: "tabs" },
    h(
      "ul",
      null,
      screen.tabs.map(([id, key]) =>
        h(
          "li",
          null,
          h("a", { href: "#/" + id, id: "tab-" + id, "aria-current": id === tab ? "page" : false }, t(key))
        )
      )
    )
  );
  const liveDot = h("span", { id: "live", class: "live off", role: "status" }, t("live.off"));
  const setLive = (on) => {
    liveDot.className = "live " + (on ? "on" : "off");
    liveDot.textContent = on ? t("live.on") : t("live.off");
  };
  setLive(live.isConnected());
  const offLive = live.onStatus(setLive);
  root.appendChild(
    h(
      "header",
      { class: "top" },
      h("span", { class: "brand" }, "Livrazou"),
      h("span", { class: "who", id: "who" }, s.user + " · " + t("role." + s.role) + (s.member ? " · " + s.member : "")),
      liveDot,
      langSwitch(),
      h(
        "button",
        {
          type: "button",
          id: "logout",
          onclick: async () => {
            await api.logout();
            loginPage(t("login.loggedOut"));
          },
        },
        t("app.logout")
      )
    )
  );
  if (screen.tabs.length > 1) root.appendChild(nav);
  root.appendChild(h("div", { id: "messages", class: "messages", "aria-live": "polite" }));
  const main = h("main", { id: "main", tabindex: "-1", dataset: { screen: s.role, tab } });
  root.appendChild(main);
  document.title = t(screen.tabs.find((x) => x[0] === tab)[1]) + " · Livrazou";
  let off = null;
  try {
    off = screen.render(tab, main, { session: s });
  } catch (e) {
    console.error(e);
    say(String(e), "error");
  }
  return () => {
    offLive();
    if (typeof off === "function") off();
  };
}

function route() {
  const s = api.state.session;
  if (!s) return;
  const screen = SCREENS[s.role];
  runCleanup();
  if (!screen) {
    clear(root).appendChild(h("main", { id: "main" }, h("p", null, t("app.noScreen", { role: s.role }))));
    return;
  }
  cleanup = shell(screen);
}

function start() {
  const s = api.state.session;
  data.reset();
  queue.load(s.user);
  live.start();
  route();
  queue.flush();
}

api.onExpired(() => {
  if (expiredNotice) return;
  expiredNotice = true;
  loginPage(t("login.expired"));
});
window.addEventListener("hashchange", route);
onLangChange(() => {
  if (api.state.session) route();
  else loginPage();
});

document.documentElement.lang = lang();
(async () => {
  const s = await api.current();
  if (s) start();
  else loginPage();
})();
