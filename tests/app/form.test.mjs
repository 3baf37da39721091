// The form's pure logic against the committed report schema (node --test).
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";

import {
  applies,
  fieldOfError,
  fieldSpecs,
  newIncidentId,
  toReport,
  valuesFrom,
} from "../../services/safetywatch/ingest/field_app/js/form.js";

const schema = JSON.parse(
  readFileSync(new URL("../../schemas/incident-report.v1.schema.json", import.meta.url), "utf8"),
);
const specs = fieldSpecs(schema);
const byName = Object.fromEntries(specs.map((spec) => [spec.name, spec]));
const ZONE = "Asia/Shanghai";
const SAVED = new Date("2026-11-25T00:40:00Z");
const stamp = { zone: ZONE, revision: 1, savedAt: SAVED };

const base = {
  incident_id: "520201-20261125-0830ABCD",
  category: "road_traffic",
  region_code: "520201",
  occurred_at: "2026-11-25T08:30",
  business_related: "true",
};

test("every schema field but the stamped ones is on the form, in the layout's order", () => {
  const names = specs.map((spec) => spec.name);
  const expected = Object.keys(schema.properties).filter(
    (name) => !["revision", "retracted", "reported_at"].includes(name),
  );
  assert.deepEqual([...names].sort(), [...expected].sort());
  assert.deepEqual(names.slice(0, 3), ["category", "region_code", "occurred_at"]);
});

test("types, bounds, enums and requirements come from the schema", () => {
  assert.equal(byName.deaths.kind, "integer");
  assert.equal(byName.deaths.min, 0);
  assert.equal(byName.deaths.max, 100000);
  assert.equal(byName.direct_loss_yuan.kind, "number");
  assert.equal(byName.trapped.optional, true);
  assert.equal(byName.category.kind, "enum");
  assert.ok(byName.category.options.includes("geological_hazard"));
  assert.equal(byName.occurred_at.kind, "datetime");
  assert.equal(byName.occurred_at.required, true);
  assert.equal(byName.description.kind, "text");
  assert.equal(byName.location.kind, "location");
  assert.deepEqual(byName.location.parts.map((p) => [p.name, p.min, p.max]), [["lat", -90, 90], ["lon", -180, 180]]);
});

test("category fields appear for their categories only (x-categories)", () => {
  assert.ok(applies(byName.damaged_forest_area_ha, "forest_fire"));
  assert.ok(!applies(byName.damaged_forest_area_ha, "grassland_fire"));
  assert.ok(applies(byName.burned_area_ha, "grassland_fire"));
  assert.ok(applies(byName.threatened_people, "geological_hazard"));
  assert.ok(!applies(byName.threatened_people, "road_traffic"));
  assert.ok(applies(byName.deaths, "road_traffic"));
});

test("a filled form becomes a report with the zone's offset and the save stamped", () => {
  const { report, errors } = toReport(specs, { ...base, deaths: "2", trapped: "", final: false }, stamp);
  assert.equal(errors, undefined);
  assert.deepEqual(report, {
    ...base,
    occurred_at: "2026-11-25T08:30:00+08:00",
    business_related: true,
    deaths: 2,
    revision: 1,
    reported_at: "2026-11-25T08:40:00+08:00",
  });
});

test("a road or fire report must say whether it was of business; no other category asks", () => {
  assert.equal(byName.business_related.kind, "yesno");
  const answered = (category, value) => toReport(specs, { ...base, category, business_related: value }, stamp);
  assert.deepEqual(answered("road_traffic", "").errors.business_related, ["required"]);
  assert.deepEqual(answered("fire", "").errors.business_related, ["required"]);
  assert.equal(answered("road_traffic", "false").report.business_related, false);
  assert.equal(answered("coal_mine", "").report.business_related, undefined);
  // A record without the answer (older than the question) asks again when supplemented.
  assert.equal(valuesFrom(specs, { ...base, business_related: undefined }, ZONE).business_related, undefined);
  assert.equal(valuesFrom(specs, { ...base, business_related: false }, ZONE).business_related, "false");
});

test("fields of another category are left out even when typed in", () => {
  const { report } = toReport(specs, { ...base, threatened_people: "500" }, stamp);
  assert.equal(report.threatened_people, undefined);
});

test("each bound is checked on both sides, with the schema's numbers", () => {
  const check = (field, value) => toReport(specs, { ...base, [field]: value }, stamp).errors?.[field];
  assert.equal(check("deaths", "0"), undefined);
  assert.deepEqual(check("deaths", "-1"), ["too_small", 0]);
  assert.equal(check("deaths", "100000"), undefined);
  assert.deepEqual(check("deaths", "100001"), ["too_large", 100000]);
  assert.deepEqual(check("deaths", "1.5"), ["not_integer"]);
  assert.deepEqual(check("deaths", "two"), ["not_number"]);
  assert.deepEqual(check("title", "x".repeat(201)), ["too_long", 200]);
  assert.deepEqual(check("incident_id", "bad id"), ["bad_pattern"]);
  assert.deepEqual(check("category", ""), ["required"]);
  assert.deepEqual(check("occurred_at", "yesterday"), ["not_datetime"]);
});

test("a location needs both halves, each within its range", () => {
  const located = (lat, lon) => toReport(specs, { ...base, "location.lat": lat, "location.lon": lon }, stamp);
  assert.deepEqual(located("26.59", "104.83").report.location, { lat: 26.59, lon: 104.83 });
  assert.deepEqual(located("26.59", "").errors.location, ["location_half"]);
  assert.deepEqual(located("91", "104").errors.location, ["too_large", 90]);
  assert.equal(located("", "").report.location, undefined);
});

test("a record's values prefill a supplementary report that reproduces it", () => {
  const record = {
    ...base,
    business_related: true,
    occurred_at: "2026-11-25T00:30:00Z",
    deaths: 2,
    location: { lat: 26.5, lon: 104.8 },
    title: "G60",
    grade: "ordinary",
  };
  const values = valuesFrom(specs, record, ZONE);
  assert.equal(values.occurred_at, "2026-11-25T08:30");
  assert.equal(values["location.lat"], "26.5");
  const { report } = toReport(specs, values, { ...stamp, revision: 2 });
  assert.equal(report.revision, 2);
  assert.equal(report.deaths, 2);
  assert.equal(report.occurred_at, "2026-11-25T08:30:00+08:00");
  assert.equal(report.grade, undefined);
});

test("gateway errors land on the field they name", () => {
  assert.equal(fieldOfError(specs, "occurred_at"), "occurred_at");
  assert.equal(fieldOfError(specs, "location.lat"), "location");
  assert.equal(fieldOfError(specs, "body"), null);
  assert.equal(fieldOfError(specs, "reports.0.deaths"), null);
});

test("a new incident id matches the schema's pattern and names the region and time", () => {
  const id = newIncidentId("520201", SAVED, ZONE, () => 0);
  assert.equal(id, "520201-20261125-0840AAAA");
  assert.match(id, new RegExp(schema.properties.incident_id.pattern));
});
