// Wall clocks and offsets in the area's zone, whatever zone the phone is in.
import assert from "node:assert/strict";
import { test } from "node:test";

import { fromLocalInput, offsetMinutes, toLocalInput, toRfc3339 } from "../../services/safetywatch/ingest/field_app/js/time.js";

test("Shanghai is +08:00 all year", () => {
  for (const month of [0, 6]) {
    assert.equal(offsetMinutes(new Date(Date.UTC(2026, month, 1)), "Asia/Shanghai"), 480);
  }
});

test("a zone with summer time gets each season's offset", () => {
  assert.equal(offsetMinutes(new Date("2026-01-15T12:00:00Z"), "Europe/Berlin"), 60);
  assert.equal(offsetMinutes(new Date("2026-07-15T12:00:00Z"), "Europe/Berlin"), 120);
  assert.equal(toRfc3339(new Date("2026-07-15T12:00:00Z"), "America/New_York"), "2026-07-15T08:00:00-04:00");
});

test("typing a local time and reading it back is the same instant, across midnight", () => {
  const instant = fromLocalInput("2026-12-01T00:21", "Asia/Shanghai");
  assert.equal(instant.toISOString(), "2026-11-30T16:21:00.000Z");
  assert.equal(toLocalInput(instant, "Asia/Shanghai"), "2026-12-01T00:21");
  assert.equal(toRfc3339(instant, "Asia/Shanghai"), "2026-12-01T00:21:00+08:00");
  assert.equal(fromLocalInput("2026-13-01", "Asia/Shanghai"), null);
});
