// The unit's incidents (its regions only), one incident with its reporting chain, and
// what a unit does with one: a supplementary report, a retraction, a confirmation of
// the reporting chain, its place in the phone's map app.

import * as api from "./api.js";
import { fill, h } from "./dom.js";
import { entryFor, nextRevision } from "./outbox.js";
import { toRfc3339, shortLocal } from "./time.js";

function figures(app, incident) {
  const parts = [
    [incident.deaths, "deaths_short"],
    [incident.missing, "missing_short"],
    [incident.serious_injuries, "injuries_short"],
  ].filter(([n]) => n);
  return parts.map(([n, key]) => `${app.t(key)} ${n}`).join(" · ");
}

function nameOf(app, incident, zh, en) {
  return app.lang === "en" ? incident[en] || incident[zh] : incident[zh];
}

function row(app, incident) {
  return h(
    "li",
    { class: "incident" },
    h(
      "a",
      { href: `#/incident/${encodeURIComponent(incident.incident_id)}` },
      h("strong", { text: incident.title || nameOf(app, incident, "category_name", "category_name_en") }),
      h("span", { class: `grade ${incident.grade}`, text: nameOf(app, incident, "grade_name", "grade_name_en") }),
      h("span", { class: "hint", text: `${incident.region_name} · ${shortLocal(incident.occurred_at, app.zone)} · ${figures(app, incident)}` }),
    ),
  );
}

export async function incidentsScreen(app) {
  fill(app.main, h("h1", { text: app.t("incidents_title") }), h("p", { text: app.t("loading") }));
  let incidents;
  let note = null;
  try {
    incidents = (await api.json(app.session.token, "/v1/my/incidents")).incidents;
    await app.store.put("cache", incidents, "incidents");
  } catch (error) {
    if (error instanceof api.TokenRefused) return app.tokenRefused();
    incidents = (await app.store.get("cache", "incidents")) || [];
    note = h("p", { class: "status", text: app.t("incidents_cached") });
  }
  fill(
    app.main,
    h("h1", { text: app.t("incidents_title") }),
    note,
    h("button", { type: "button", class: "secondary", text: app.t("refresh"), onclick: () => app.navigate("#/incidents", true) }),
    incidents.length ? h("ul", { class: "incidents" }, incidents.map((i) => row(app, i))) : h("p", { text: app.t("incidents_empty") }),
  );
  return undefined;
}

function stepText(app, step) {
  const due = step.due_at ? shortLocal(step.due_at, app.zone) : "";
  return app.t(`step_${step.status}`, { due });
}

function chainList(app, incident) {
  if (!incident.chain || !incident.chain.length) return null;
  return h(
    "section",
    { "aria-labelledby": "chain-title" },
    h("h2", { id: "chain-title", text: app.t("chain") }),
    h(
      "ol",
      { class: "chain" },
      incident.chain.map((step) =>
        h("li", { class: `step ${step.status}` }, h("strong", { text: `${app.t(`level_${step.level}`)} ${app.lang === "en" ? step.office_en : step.office}` }), h("span", { text: stepText(app, step) })),
      ),
    ),
    incident.next_follow_up_due ? h("p", { class: "hint", text: app.t("follow_up_due", { due: shortLocal(incident.next_follow_up_due, app.zone) }) }) : null,
    incident.final ? h("p", { class: "hint", text: app.t("final_report") }) : null,
  );
}

/** The report fields of an incident document (the schema's properties), as a new revision. */
function reportFrom(app, incident, changes) {
  const report = {};
  for (const name of Object.keys(app.session.schema.properties)) {
    if (incident[name] !== undefined && incident[name] !== null) report[name] = incident[name];
  }
  return { ...report, ...changes };
}

async function retract(app, incident) {
  if (!window.confirm(app.t("retract_confirm"))) return;
  const revision = nextRevision(incident.revision, await app.store.all("outbox"), incident.incident_id);
  const report = reportFrom(app, incident, { revision, retracted: true, reported_at: toRfc3339(new Date(), app.zone) });
  await app.store.put("outbox", entryFor(report, Date.now()));
  app.changed();
  app.sender.flush();
  app.flash(app.t("retracted_queued"));
  app.navigate("#/outbox");
}

async function confirmStep(app, incident, status) {
  const level = app.session.me.level;
  try {
    const response = await api.call(app.session.token, `/v1/incidents/${encodeURIComponent(incident.incident_id)}/confirmations`, {
      method: "POST",
      body: JSON.stringify({ level }),
    });
    const body = await response.json();
    status.textContent = response.status === 202 ? app.t("confirmed") : (Array.isArray(body.detail) ? body.detail.map((d) => d.msg).join("; ") : body.detail);
  } catch (error) {
    if (error instanceof api.TokenRefused) return app.tokenRefused();
    status.textContent = app.t("unavailable", { why: error.message });
  }
  return undefined;
}

function actions(app, incident) {
  const status = h("p", { class: "status", role: "status" });
  const level = app.session.me.level;
  const step = (incident.chain || []).find((s) => s.level === level);
  const location = incident.location;
  const label = encodeURIComponent(incident.title || incident.incident_id);
  return h(
    "div",
    { class: "actions stacked" },
    h("a", { class: "button primary", href: `#/report/${encodeURIComponent(incident.incident_id)}`, text: app.t("supplement") }),
    step && !step.confirmed_at
      ? h("button", { type: "button", class: "primary", text: app.t("confirm", { level: app.t(`level_${level}`) }), onclick: () => confirmStep(app, incident, status) })
      : null,
    location ? h("a", { class: "button secondary", href: `geo:${location.lat},${location.lon}?q=${location.lat},${location.lon}(${label})`, text: app.t("open_map") }) : null,
    h("button", { type: "button", class: "danger", text: app.t("retract"), onclick: () => retract(app, incident) }),
    status,
  );
}

export async function incidentScreen(app, incidentId) {
  fill(app.main, h("h1", { text: app.t("incident_title") }), h("p", { text: app.t("loading") }));
  let incident;
  try {
    incident = await app.incident(incidentId);
  } catch (error) {
    if (error instanceof api.TokenRefused) return app.tokenRefused();
    fill(app.main, h("h1", { text: app.t("incident_title") }), h("p", { class: "status", text: app.t("unavailable", { why: error.message }) }));
    return undefined;
  }
  const facts = [
    [app.t("field_category"), nameOf(app, incident, "category_name", "category_name_en")],
    [app.t("field_region_code"), `${incident.region_name} ${incident.region_code}`],
    [app.t("field_occurred_at"), shortLocal(incident.occurred_at, app.zone)],
    [app.t("field_deaths"), incident.deaths],
    [app.t("field_missing"), incident.missing],
    [app.t("field_serious_injuries"), incident.serious_injuries],
    [app.t("field_minor_injuries"), incident.minor_injuries],
    [app.t("field_direct_loss_yuan"), incident.direct_loss_yuan],
    [app.t("field_incident_id"), `${incident.incident_id} · #${incident.revision}`],
  ];
  fill(
    app.main,
    h("h1", { text: incident.title || app.t("incident_title") }),
    h("p", { class: `grade ${incident.grade}`, text: nameOf(app, incident, "grade_name", "grade_name_en") }),
    h("dl", { class: "facts" }, facts.map(([term, value]) => [h("dt", { text: term }), h("dd", { text: String(value) })])),
    chainList(app, incident),
    actions(app, incident),
  );
  return undefined;
}
