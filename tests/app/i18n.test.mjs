// Chinese first, English beside: both languages have every word.
import assert from "node:assert/strict";
import { test } from "node:test";

import { keysOf, translate } from "../../services/safetywatch/ingest/field_app/js/i18n.js";

test("zh and en have the same keys", () => {
  assert.deepEqual([...keysOf("en")].sort(), [...keysOf("zh")].sort());
});

test("placeholders are filled by name and by position", () => {
  assert.equal(translate("zh", "sent_at", { p: 3, o: 41 }), "分区 3 · 偏移 41");
  assert.equal(translate("en", "err_too_small", [0]), "At least 0");
});
