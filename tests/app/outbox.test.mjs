// The outbox's pure rules: the CLI client's retry rules, settling a batch, revisions.
import assert from "node:assert/strict";
import { test } from "node:test";

import { backoff, entryFor, nextBatch, nextRevision, settle } from "../../services/safetywatch/ingest/field_app/js/outbox.js";
import { BASE_DELAY_S, BATCH_SIZE, MAX_DELAY_S, RETRIABLE_STATUS } from "../../services/safetywatch/ingest/field_app/js/rules.js";

const report = (id, revision = 1) => ({ incident_id: id, revision });

test("backoff: full jitter under an exponential ceiling, never sooner than Retry-After", () => {
  assert.equal(backoff(0, null, () => 1), BASE_DELAY_S);
  assert.equal(backoff(3, null, () => 1), BASE_DELAY_S * 8);
  assert.equal(backoff(30, null, () => 1), MAX_DELAY_S);
  assert.equal(backoff(30, null, () => 0), 0);
  assert.equal(backoff(0, 7, () => 1), 7);
});

test("the same incident and revision is one entry", () => {
  assert.equal(entryFor(report("520201-A"), 1).key, entryFor(report("520201-A"), 2).key);
  assert.notEqual(entryFor(report("520201-A", 2), 1).key, entryFor(report("520201-A"), 1).key);
});

test("a batch is the oldest queued entries, at most the batch size", () => {
  const entries = Array.from({ length: BATCH_SIZE + 5 }, (_, i) => ({ ...entryFor(report(`520201-${i}`), 1000 - i) }));
  entries[0].status = "sent";
  const batch = nextBatch(entries);
  assert.equal(batch.length, BATCH_SIZE);
  assert.equal(batch[0].report.incident_id, `520201-${BATCH_SIZE + 4}`);
  assert.ok(batch.every((e) => e.status === "queued"));
});

test("results settle each entry on its own; a retriable one stays queued", () => {
  const batch = ["A", "B", "C"].map((id) => entryFor(report(`520201-${id}`), 1));
  const { entries, retry } = settle(
    batch,
    [
      { index: 0, status: 202, partition: 3, offset: 41 },
      { index: 1, status: 422, errors: [{ field: "deaths", msg: "too many" }] },
      { index: 2, status: RETRIABLE_STATUS[3] },
    ],
    99,
  );
  assert.deepEqual(entries.map((e) => e.status), ["sent", "refused", "queued"]);
  assert.equal(entries[0].offset, 41);
  assert.deepEqual(entries[1].errors, [{ field: "deaths", msg: "too many" }]);
  assert.equal(retry, true);
});

test("a refusal without field errors names the body", () => {
  const { entries } = settle([entryFor(report("520201-A"), 1)], [{ status: 403, detail: "not yours" }], 1);
  assert.deepEqual(entries[0].errors, [{ field: "body", msg: "not yours" }]);
});

test("the next revision is above the gateway's and every one still in the outbox", () => {
  const entries = [entryFor(report("520201-A", 3), 1), { ...entryFor(report("520201-A", 5), 1), status: "refused" }];
  assert.equal(nextRevision(2, entries, "520201-A"), 4);
  assert.equal(nextRevision(6, entries, "520201-A"), 7);
  assert.equal(nextRevision(1, entries, "520201-B"), 2);
});
