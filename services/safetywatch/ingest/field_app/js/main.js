// The field app: a session kept on the phone, its screens behind a tab bar, and a
// sender that empties the outbox whenever the network allows.

import * as api from "./api.js";
import { fill, h } from "./dom.js";
import { translate } from "./i18n.js";
import { Sender } from "./outbox.js";
import { alertsScreen, visibleTo } from "./screen_alerts.js";
import { incidentScreen, incidentsScreen } from "./screen_incidents.js";
import { outboxScreen } from "./screen_outbox.js";
import { reportScreen } from "./screen_report.js";
import { signInScreen, unitScreen } from "./screen_unit.js";
import * as store from "./store.js";

const TABS = [
  ["#/report", "tab_report"],
  ["#/outbox", "tab_outbox"],
  ["#/incidents", "tab_incidents"],
  ["#/alerts", "tab_alerts"],
  ["#/unit", "tab_unit"],
];

const ROUTES = [
  [/^#\/report\/(.+)$/, (app, m) => reportScreen(app, { incidentId: decodeURIComponent(m[1]) })],
  [/^#\/report$/, (app) => reportScreen(app, {})],
  [/^#\/edit\/(.+)$/, (app, m) => reportScreen(app, { entryKey: decodeURIComponent(m[1]) })],
  [/^#\/outbox$/, (app) => outboxScreen(app)],
  [/^#\/incidents$/, (app) => incidentsScreen(app)],
  [/^#\/incident\/(.+)$/, (app, m) => incidentScreen(app, decodeURIComponent(m[1]))],
  [/^#\/alerts$/, (app) => alertsScreen(app)],
  [/^#\/unit$/, (app) => unitScreen(app)],
];

const app = {
  store,
  lang: localStorage.getItem("safetywatch.lang") === "en" ? "en" : "zh",
  session: null,
  sender: null,
  message: "",
  main: document.getElementById("main"),
  top: document.getElementById("top"),
  tabs: document.getElementById("tabs"),

  t(key, values) {
    return translate(this.lang, key, values);
  },
  get zone() {
    return this.session.me.area.time_zone;
  },
  navigate(hash, force = false) {
    if (location.hash === hash && force) route();
    else location.hash = hash;
  },
  flash(message) {
    this.message = message;
  },
  async changed() {
    await chrome();
    if (location.hash === "#/outbox") {
      const flash = this.main.querySelector(".flash"); // a message stays through a refresh
      await outboxScreen(this);
      if (flash) this.main.prepend(flash);
    }
  },
  async incident(incidentId) {
    try {
      return await api.json(this.session.token, `/v1/my/incidents/${encodeURIComponent(incidentId)}`);
    } catch (error) {
      const cached = ((await store.get("cache", "incidents")) || []).find((i) => i.incident_id === incidentId);
      if (cached && !(error instanceof api.TokenRefused)) return cached;
      throw error;
    }
  },
  async signIn(token) {
    const session = await api.signIn(token);
    await store.put("session", session, "current");
    await store.keepData();
    this.session = session;
    this.sender.flush();
    this.navigate("#/report", true);
  },
  async signOut() {
    await store.wipe();
    this.session = null;
    this.navigate("#/report", true);
  },
  async tokenRefused() {
    this.message = this.t("token_refused");
    await store.put("session", null, "current");
    this.session = null;
    route();
  },
};

async function chrome() {
  document.documentElement.lang = app.lang === "en" ? "en" : "zh-CN";
  document.title = app.t("app");
  const me = app.session && app.session.me;
  const entries = app.session ? await store.all("outbox") : [];
  const waiting = entries.filter((e) => e.status === "queued").length;
  const other = app.lang === "en" ? "zh" : "en";
  fill(
    app.top,
    h("p", { class: "brand", text: app.t("app") }),
    me ? h("p", { class: "unit", text: `${app.lang === "en" ? me.office_en : me.office} · ${app.t(`level_${me.level}`)} · ${me.regions.join(", ")}` }) : null,
    h("p", { class: navigator.onLine ? "net online" : "net offline", role: "status", text: navigator.onLine ? app.t("online") : app.t("offline") }),
    h("button", {
      type: "button",
      class: "lang",
      lang: other === "en" ? "en" : "zh-CN",
      "aria-label": app.t("language_label"),
      text: app.t("language"),
      onclick: () => {
        app.lang = other;
        localStorage.setItem("safetywatch.lang", other);
        route();
      },
    }),
  );
  const here = location.hash.split("/").slice(0, 2).join("/");
  fill(
    app.tabs,
    me
      ? h(
          "ul",
          {},
          // The alerts screen is the duty desks' (city and above), not a county unit's.
          TABS.filter(([hash]) => hash !== "#/alerts" || visibleTo(me)).map(([hash, key]) =>
            h(
              "li",
              {},
              h(
                "a",
                { href: hash, "aria-current": here === hash || (hash === "#/incidents" && here === "#/incident") ? "page" : undefined },
                app.t(key),
                hash === "#/outbox" && waiting ? h("span", { class: "count", text: ` (${waiting})` }) : null,
              ),
            ),
          ),
        )
      : null,
  );
  app.tabs.setAttribute("aria-label", app.t("tabs"));
}

async function route() {
  await chrome();
  const message = app.message;
  app.message = "";
  if (!app.session) {
    signInScreen(app, message);
    return;
  }
  const hash = location.hash || "#/report";
  const found = ROUTES.map(([pattern, screen]) => [pattern.exec(hash), screen]).find(([m]) => m);
  await (found ? found[1](app, found[0]) : reportScreen(app, {}));
  if (message) app.main.prepend(h("p", { class: "flash", role: "status", text: message }));
  app.main.focus({ preventScroll: true });
}

async function start() {
  if ("serviceWorker" in navigator) {
    navigator.serviceWorker.register("sw.js").catch(() => {});
  }
  app.sender = new Sender({
    store,
    token: async () => (app.session ? app.session.token : null),
    onChange: () => app.changed(),
    onTokenRefused: () => app.tokenRefused(),
  });
  app.session = (await store.get("session", "current")) || null;
  const linked = /^#token=([A-Za-z0-9_]+)$/.exec(location.hash);
  if (linked) {
    history.replaceState(null, "", "#/report"); // the token never stays in the address or history
    try {
      await app.signIn(linked[1]);
    } catch (error) {
      app.message = app.t(error instanceof api.TokenRefused ? "signin_refused" : "signin_offline");
    }
  }
  window.addEventListener("hashchange", route);
  window.addEventListener("online", () => {
    chrome();
    app.sender.flush();
  });
  window.addEventListener("offline", () => chrome());
  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState === "visible") app.sender.flush();
  });
  await route();
  app.sender.flush();
}

start();
