// The report form: a new incident, a supplementary report of one (the next revision,
// prefilled), or a refused report to correct. Saving puts the report in the outbox
// and asks the sender to go; if the gateway refuses it while the form is still open,
// its reasons appear beside the fields they name.

import { fill, h } from "./dom.js";
import {
  applies,
  fieldOfError,
  fieldSpecs,
  newIncidentId,
  toReport,
  valuesFrom,
} from "./form.js";
import { entryFor, nextRevision } from "./outbox.js";
import { toLocalInput } from "./time.js";

const WAIT_FOR_ANSWER_MS = 8000;

function label(app, name) {
  return app.t(`field_${name}`);
}

function control(app, spec, values, locked) {
  const id = `f-${spec.name}`;
  const common = {
    id,
    name: spec.name,
    "aria-describedby": `e-${spec.name}`,
    required: spec.required || undefined,
  };
  const me = app.session.me;
  if (spec.kind === "enum" && spec.name === "category") {
    const offered = me.categories.filter((c) => spec.options.includes(c.value));
    return h(
      "select",
      common,
      h("option", { value: "", text: app.t("choose") }),
      offered.map((c) =>
        h("option", {
          value: c.value,
          text: app.lang === "en" ? c.name_en : c.name,
          selected: c.value === values.category || undefined,
        }),
      ),
    );
  }
  if (spec.kind === "region") {
    return h(
      "select",
      { ...common, disabled: locked || undefined },
      me.choices.map((r) =>
        h("option", {
          value: r.code,
          text: `${app.lang === "en" ? r.name_en : r.name} ${r.code}`,
          selected: r.code === values.region_code || undefined,
        }),
      ),
    );
  }
  if (spec.kind === "enum") {
    return h(
      "select",
      common,
      h("option", { value: "", text: app.t("choose") }),
      spec.options.map((o) => h("option", { value: o, text: o, selected: o === values[spec.name] || undefined })),
    );
  }
  if (spec.kind === "integer" || spec.kind === "number") {
    return h("input", {
      ...common,
      type: "number",
      inputmode: spec.kind === "integer" ? "numeric" : "decimal",
      min: spec.min,
      max: spec.max,
      step: spec.kind === "integer" ? 1 : "any",
      value: values[spec.name] ?? "",
    });
  }
  if (spec.kind === "datetime") {
    return h("input", { ...common, type: "datetime-local", value: values[spec.name] ?? "" });
  }
  if (spec.kind === "text") {
    return h("textarea", { ...common, rows: 4, maxlength: spec.maxLength, value: values[spec.name] ?? "" });
  }
  if (spec.kind === "boolean") {
    return h("input", { ...common, type: "checkbox", checked: values[spec.name] === true });
  }
  if (spec.kind === "yesno") {
    return h(
      "select",
      common,
      h("option", { value: "", text: app.t("choose") }),
      ["true", "false"].map((o) =>
        h("option", { value: o, text: app.t(o === "true" ? "yes" : "no"), selected: o === values[spec.name] || undefined }),
      ),
    );
  }
  return h("input", {
    ...common,
    type: "text",
    maxlength: spec.maxLength,
    readonly: (spec.name === "incident_id" && locked) || undefined,
    autocomplete: "off",
    value: values[spec.name] ?? "",
  });
}

function locationField(app, spec, values) {
  const status = h("p", { class: "hint", id: `e-${spec.name}-status`, role: "status" });
  const inputs = spec.parts.map((part) =>
    h(
      "div",
      { class: "field" },
      h("label", { for: `f-${spec.name}-${part.name}`, text: label(app, `${spec.name}.${part.name}`) }),
      h("input", {
        id: `f-${spec.name}-${part.name}`,
        name: `${spec.name}.${part.name}`,
        type: "number",
        inputmode: "decimal",
        step: "any",
        min: part.min,
        max: part.max,
        "aria-describedby": `e-${spec.name}`,
        value: values[`${spec.name}.${part.name}`] ?? "",
      }),
    ),
  );
  const locate = () => {
    if (!navigator.geolocation) return;
    status.textContent = app.t("position_wait");
    navigator.geolocation.getCurrentPosition(
      (position) => {
        const { latitude, longitude, accuracy } = position.coords;
        inputs[0].querySelector("input").value = latitude.toFixed(6);
        inputs[1].querySelector("input").value = longitude.toFixed(6);
        status.textContent = app.t("position_done", { m: Math.round(accuracy) });
      },
      (error) => {
        status.textContent = app.t("position_failed", { reason: error.message });
      },
      { enableHighAccuracy: true, timeout: 20000, maximumAge: 60000 },
    );
  };
  return h(
    "fieldset",
    { class: "location", "data-field": spec.name },
    h("legend", { text: label(app, spec.name) }),
    h("div", { class: "pair" }, inputs),
    h("button", { type: "button", class: "secondary", onclick: locate, text: app.t("use_position") }),
    status,
    h("p", { class: "error", id: `e-${spec.name}` }),
  );
}

function fieldFor(app, spec, values, locked) {
  if (spec.kind === "location") return locationField(app, spec, values);
  const input = control(app, spec, values, locked);
  const help = app.lang === "en" && spec.description ? h("p", { class: "hint", text: spec.description }) : null;
  const error = h("p", { class: "error", id: `e-${spec.name}` });
  if (spec.kind === "boolean") {
    return h("div", { class: "field check", "data-field": spec.name }, input, h("label", { for: input.id, text: label(app, spec.name) }), error);
  }
  return h("div", { class: "field", "data-field": spec.name }, h("label", { for: input.id, text: label(app, spec.name) }), input, help, error);
}

function readValues(form) {
  const values = {};
  for (const element of form.elements) {
    if (!element.name) continue;
    values[element.name] = element.type === "checkbox" ? element.checked : element.value;
  }
  return values;
}

/** Show each problem beside its field (and the rest at the top); focus the first. */
export function showErrors(app, form, specs, problems) {
  for (const note of form.querySelectorAll(".error")) note.textContent = "";
  for (const input of form.querySelectorAll("[aria-invalid]")) input.removeAttribute("aria-invalid");
  const general = [];
  let first = null;
  for (const [field, message] of problems) {
    const name = fieldOfError(specs, field);
    const note = name && form.querySelector(`#e-${name}`);
    if (!note) {
      general.push(message);
      continue;
    }
    note.textContent = note.textContent ? `${note.textContent}; ${message}` : message;
    const input = form.querySelector(`[aria-describedby~="e-${name}"]`);
    if (input) input.setAttribute("aria-invalid", "true");
    first = first || input;
  }
  form.querySelector("#form-status").textContent = general.join("; ") || app.t("fix_errors");
  if (first) first.focus();
}

function clientProblems(app, errors) {
  return Object.entries(errors).map(([field, [key, ...rest]]) => [field, app.t(`err_${key}`, rest)]);
}

function gatewayProblems(app, entry) {
  return entry.errors.map((error) => [error.field, `${app.t("refused_here")}${error.msg}`]);
}

async function waitForAnswer(app, key) {
  const until = Date.now() + WAIT_FOR_ANSWER_MS;
  while (Date.now() < until && navigator.onLine) {
    const entry = await app.store.get("outbox", key);
    if (!entry || entry.status !== "queued") return entry;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  return app.store.get("outbox", key);
}

async function startingPoint(app, specs, { incidentId, entryKey }) {
  const zone = app.zone;
  const entries = await app.store.all("outbox");
  if (entryKey) {
    const entry = await app.store.get("outbox", entryKey);
    return { values: valuesFrom(specs, entry.report, zone), revision: entry.report.revision, locked: entry.report.revision > 1, entry };
  }
  if (incidentId) {
    const incident = await app.incident(incidentId);
    const revision = nextRevision(incident.revision, entries, incidentId);
    return { values: valuesFrom(specs, incident, zone), revision, locked: true };
  }
  const region = app.session.me.choices[0]?.code || "";
  const now = new Date();
  return {
    values: { region_code: region, occurred_at: toLocalInput(now, zone), incident_id: newIncidentId(region, now, zone) },
    revision: 1,
    locked: false,
  };
}

export async function reportScreen(app, target) {
  const specs = fieldSpecs(app.session.schema);
  const { values, revision, locked, entry } = await startingPoint(app, specs, target);
  const supplement = revision > 1;
  const fields = specs.map((spec) => fieldFor(app, spec, values, locked));
  const status = h("p", { id: "form-status", class: "status", role: "status", "aria-live": "polite" });
  const form = h(
    "form",
    { novalidate: true, class: "report" },
    h("h1", { text: app.t(supplement ? "supplement_title" : "report_title") }),
    supplement ? h("p", { class: "hint", text: app.t("revision_note", { n: revision, id: values.incident_id }) }) : null,
    fields,
    status,
    h("button", { type: "submit", class: "primary", text: app.t("save") }),
  );
  const showFor = (category) => {
    specs.forEach((spec, index) => {
      fields[index].hidden = !applies(spec, category);
    });
  };
  showFor(values.category);
  form.addEventListener("change", (event) => {
    if (event.target.name === "category") showFor(event.target.value);
    if (event.target.name === "region_code" && !locked) {
      form.elements.incident_id.value = newIncidentId(event.target.value, new Date(), app.zone);
    }
  });
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const current = readValues(form);
    if (locked) current.region_code = values.region_code;
    const result = toReport(specs, current, { zone: app.zone, revision, savedAt: new Date() });
    if (result.errors) return showErrors(app, form, specs, clientProblems(app, result.errors));
    const saved = entryFor(result.report, Date.now());
    await app.store.put("outbox", saved);
    app.changed();
    app.sender.flush();
    status.textContent = app.t("saved");
    const answer = await waitForAnswer(app, saved.key);
    if (answer && answer.status === "refused") return showErrors(app, form, specs, gatewayProblems(app, answer));
    if (answer && answer.status === "sent") {
      app.flash(`${app.t("status_sent")} ${result.report.incident_id} · ${app.t("sent_at", { p: answer.partition, o: answer.offset })}`);
    } else {
      app.flash(app.t("saved"));
    }
    return app.navigate(supplement ? `#/incident/${encodeURIComponent(result.report.incident_id)}` : "#/report", true);
  });
  fill(app.main, form);
  if (entry && entry.status === "refused") showErrors(app, form, specs, gatewayProblems(app, entry));
}
