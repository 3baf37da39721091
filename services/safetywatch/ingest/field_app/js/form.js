// The report form, built from the report's JSON Schema (the one committed under
// schemas/ and served at /v1/schemas/): which fields exist, their types, bounds,
// lengths, patterns, enums, and which categories a field belongs to (x-categories).
// What is presentation only lives here: the order of the fields and which ones the
// app fills in itself. Pure: no DOM, so node's test runner checks it.

import { fromLocalInput, toLocalInput, toRfc3339, wallClock } from "./time.js";

/** Filled in by the app, not typed: the revision counts up, a retraction is a button,
 * the report time is stamped when the report is saved. */
export const STAMPED = new Set(["revision", "retracted", "reported_at"]);

/** The order a person fills the form in; schema fields not named here come last. */
export const LAYOUT = [
  "category",
  "region_code",
  "occurred_at",
  "business_related",
  "deaths",
  "missing",
  "serious_injuries",
  "minor_injuries",
  "figures_as_of",
  "trapped",
  "evacuated",
  "people_at_risk",
  "drinking_water_polluted",
  "critical_site_endangered",
  "direct_loss_yuan",
  "burned_area_ha",
  "damaged_forest_area_ha",
  "damaged_grassland_area_ha",
  "threatened_people",
  "potential_loss_yuan",
  "location",
  "title",
  "description",
  "final",
  "incident_id",
];

const TEXTAREA_FROM = 500; // longer strings get a text area

function resolve(schema, node) {
  if (node && node.$ref) return schema.$defs[node.$ref.split("/").pop()];
  return node;
}

function kindOf(name, node) {
  if (name === "region_code") return "region";
  if (node.enum) return "enum";
  if (node.type === "object") return "location";
  if (node.type === "string" && node.format === "date-time") return "datetime";
  if (node.type === "string") return (node.maxLength || 0) > TEXTAREA_FROM ? "text" : "string";
  return node.type; // integer, number, boolean
}

function specOf(schema, name, property, required) {
  let node = resolve(schema, property);
  let optional = !required;
  let nullable = false;
  if (node.anyOf) {
    node = resolve(schema, node.anyOf.find((branch) => branch.type !== "null"));
    optional = true;
    nullable = true;
  }
  // A yes or no the wire may leave out (it has a meaning then) but a person must answer
  // where it applies: business_related, for road traffic and fire.
  const yesno = nullable && node.type === "boolean";
  const spec = {
    name,
    kind: yesno ? "yesno" : kindOf(name, node),
    required: Boolean(required) || yesno,
    optional,
    min: node.minimum,
    max: node.maximum,
    maxLength: node.maxLength,
    pattern: node.pattern,
    options: node.enum || null,
    categories: property["x-categories"] || null,
    default: property.default,
    description: property.description || node.description || "",
  };
  if (spec.kind === "location") {
    spec.parts = Object.entries(node.properties).map(([part, sub]) => ({
      name: part,
      min: sub.minimum,
      max: sub.maximum,
    }));
  }
  return spec;
}

/** Every field of the form, in the layout's order. */
export function fieldSpecs(schema) {
  const required = new Set(schema.required || []);
  const names = Object.keys(schema.properties).filter((name) => !STAMPED.has(name));
  const rank = (name) => (LAYOUT.includes(name) ? LAYOUT.indexOf(name) : LAYOUT.length);
  names.sort((a, b) => rank(a) - rank(b));
  return names.map((name) => specOf(schema, name, schema.properties[name], required.has(name)));
}

/** Whether the field belongs on the form for this category. */
export function applies(spec, category) {
  return !spec.categories || spec.categories.includes(category);
}

/** "520201-20261125-0830K7QZ": the region, the local date and time, four random characters. */
export function newIncidentId(region, instant, zone, random = Math.random) {
  const w = wallClock(instant, zone);
  const pad = (n) => String(n).padStart(2, "0");
  const alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789";
  let tail = "";
  for (let i = 0; i < 4; i += 1) tail += alphabet[Math.floor(random() * alphabet.length)];
  return `${region}-${w.year}${pad(w.month)}${pad(w.day)}-${pad(w.hour)}${pad(w.minute)}${tail}`;
}

const isBlank = (value) => value === undefined || value === null || String(value).trim() === "";

function checkNumber(spec, text) {
  const value = Number(text);
  if (!/^-?\d+(\.\d+)?$/.test(String(text).trim())) return { error: ["not_number"] };
  if (spec.kind === "integer" && !Number.isInteger(value)) return { error: ["not_integer"] };
  if (spec.min !== undefined && value < spec.min) return { error: ["too_small", spec.min] };
  if (spec.max !== undefined && value > spec.max) return { error: ["too_large", spec.max] };
  return { value };
}

function checkLocation(spec, values) {
  const [lat, lon] = spec.parts.map((part) => values[`${spec.name}.${part.name}`]);
  if (isBlank(lat) && isBlank(lon)) return { value: undefined };
  if (isBlank(lat) || isBlank(lon)) return { error: ["location_half"] };
  const parsed = {};
  for (const part of spec.parts) {
    const checked = checkNumber({ ...part, kind: "number" }, values[`${spec.name}.${part.name}`]);
    if (checked.error) return checked;
    parsed[part.name] = checked.value;
  }
  return { value: parsed };
}

function checkField(spec, values, zone) {
  const raw = values[spec.name];
  if (spec.kind === "location") return checkLocation(spec, values);
  if (spec.kind === "boolean") return { value: raw === true || raw === "true" || raw === "on" };
  if (spec.kind === "yesno" && (raw === "true" || raw === "false")) return { value: raw === "true" };
  if (isBlank(raw)) {
    if (spec.required) return { error: ["required"] };
    return { value: undefined };
  }
  if (spec.kind === "integer" || spec.kind === "number") return checkNumber(spec, raw);
  if (spec.kind === "datetime") {
    const instant = fromLocalInput(raw, zone);
    return instant ? { value: toRfc3339(instant, zone) } : { error: ["not_datetime"] };
  }
  if (spec.options && !spec.options.includes(raw)) return { error: ["not_option"] };
  if (spec.maxLength !== undefined && raw.length > spec.maxLength) {
    return { error: ["too_long", spec.maxLength] };
  }
  if (spec.pattern && !new RegExp(spec.pattern).test(raw)) return { error: ["bad_pattern"] };
  return { value: raw };
}

/**
 * The report document for the form's values, or the problems by field name.
 * ``values`` maps field names (and "location.lat", "location.lon") to the inputs'
 * text; ``stamp`` gives the revision and the instant the report is saved.
 */
export function toReport(specs, values, { zone, revision, savedAt }) {
  const category = values.category;
  const report = {};
  const errors = {};
  for (const spec of specs) {
    if (!applies(spec, category)) continue;
    const checked = checkField(spec, values, zone);
    if (checked.error) errors[spec.name] = checked.error;
    else if (checked.value !== undefined && !(spec.kind === "boolean" && !checked.value)) {
      report[spec.name] = checked.value;
    }
  }
  if (Object.keys(errors).length) return { errors };
  report.revision = revision;
  report.reported_at = toRfc3339(savedAt, zone);
  return { report };
}

/** The form's values for a report or record document (a supplementary report starts
 * from the incident as it stands). */
export function valuesFrom(specs, document, zone) {
  const values = {};
  for (const spec of specs) {
    const value = document[spec.name];
    if (value === undefined || value === null) continue;
    if (spec.kind === "location") {
      for (const part of spec.parts) values[`${spec.name}.${part.name}`] = String(value[part.name]);
    } else if (spec.kind === "datetime") {
      values[spec.name] = toLocalInput(new Date(value), zone);
    } else if (spec.kind === "boolean") {
      values[spec.name] = Boolean(value);
    } else if (spec.kind === "yesno") {
      values[spec.name] = String(Boolean(value));
    } else {
      values[spec.name] = String(value);
    }
  }
  return values;
}

/** The form field a gateway error names ("location.lat" → "location"); null for the
 * body as a whole or a name the form does not have. */
export function fieldOfError(specs, field) {
  const head = String(field || "").split(".")[0];
  return specs.some((spec) => spec.name === head) ? head : null;
}
