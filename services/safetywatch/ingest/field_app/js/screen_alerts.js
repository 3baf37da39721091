// The alerts firing now in the unit's jurisdiction: the duty desk's screen for city,
// province and national units, from the gateway and scoped like the unit's incidents,
// so that no-one needs Alertmanager's pages to know what is firing.

import * as api from "./api.js";
import { fill, h } from "./dom.js";
import { shortLocal } from "./time.js";

function named(app, alert, zh, en) {
  return app.lang === "en" ? alert[en] || alert[zh] : alert[zh];
}

function measure(app, alert) {
  if (alert.overflow) return app.t("alert_overflow", { n: alert.value, cap: alert.threshold });
  if (alert.incident_id) return app.t("alert_incident", { id: alert.incident_id });
  return app.t("alert_value", { value: alert.value, threshold: alert.threshold });
}

function row(app, alert) {
  const place = named(app, alert, "region_name", "region_name_en");
  const kind = named(app, alert, "category_name", "category_name_en");
  const body = [
    h("strong", { text: `${app.t(`severity_${alert.severity}`)} · ${place} · ${kind}` }),
    h("span", { class: "hint", text: `${alert.rule} · ${measure(app, alert)}` }),
  ];
  return h(
    "li",
    { class: `alert ${alert.severity}` },
    alert.incident_id ? h("a", { href: `#/incident/${encodeURIComponent(alert.incident_id)}` }, ...body) : h("div", {}, ...body),
  );
}

export function visibleTo(me) {
  return Boolean(me) && me.level !== "county";
}

export async function alertsScreen(app) {
  const title = h("h1", { text: app.t("alerts_title") });
  fill(app.main, title, h("p", { text: app.t("loading") }));
  let page;
  try {
    page = await api.json(app.session.token, "/v1/my/alerts");
  } catch (error) {
    if (error instanceof api.TokenRefused) return app.tokenRefused();
    fill(app.main, title, h("p", { class: "status", text: app.t("alerts_unavailable") }));
    return undefined;
  }
  fill(
    app.main,
    title,
    page.evaluated_at ? h("p", { class: "hint", text: app.t("alerts_evaluated", { at: shortLocal(page.evaluated_at, app.zone) }) }) : null,
    h("button", { type: "button", class: "secondary", text: app.t("refresh"), onclick: () => app.navigate("#/alerts", true) }),
    page.active.length ? h("ul", { class: "alerts" }, page.active.map((alert) => row(app, alert))) : h("p", { text: app.t("alerts_none") }),
  );
  return undefined;
}
