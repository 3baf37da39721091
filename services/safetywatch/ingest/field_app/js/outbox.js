// The outbox: every saved report goes here first and leaves only when the gateway has
// answered for it. Delivery follows the CLI client's rules (rules.js is generated
// from them): the batch endpoint, retries of 408/429/502/503/504 and of network errors
// with full jitter under an exponential ceiling, never sooner than Retry-After.
// Resending the same incident and revision is harmless: the gateway's 202 and the
// ledger both treat it as the same report.

import { BASE_DELAY_S, BATCH_SIZE, MAX_DELAY_S, RETRIABLE_STATUS } from "./rules.js";

/** Seconds to wait before attempt ``attempt`` (0-based). */
export function backoff(attempt, retryAfter = null, random = Math.random) {
  const ceiling = Math.min(MAX_DELAY_S, BASE_DELAY_S * 2 ** attempt);
  return Math.max(retryAfter || 0, random() * ceiling);
}

/** One entry per incident and revision: saving the same revision again replaces it. */
export function entryFor(report, savedAt) {
  return {
    key: `${report.incident_id}#${report.revision}`,
    report,
    status: "queued",
    savedAt,
  };
}

/** The entries due to go, oldest first, at most a batch. */
export function nextBatch(entries) {
  return entries
    .filter((entry) => entry.status === "queued")
    .sort((a, b) => a.savedAt - b.savedAt)
    .slice(0, BATCH_SIZE);
}

/** What the gateway's per-report results make of a batch: sent (with partition and
 * offset), refused (with the errors naming fields), or still queued; and whether any
 * is worth another try. */
export function settle(batch, results, now) {
  let retry = false;
  const entries = batch.map((entry, index) => {
    const result = results[index] || {};
    if (result.status === 202) {
      return { ...entry, status: "sent", sentAt: now, partition: result.partition, offset: result.offset };
    }
    if (RETRIABLE_STATUS.includes(result.status)) {
      retry = true;
      return entry;
    }
    const errors = result.errors || [{ field: "body", msg: String(result.detail ?? "refused") }];
    return { ...entry, status: "refused", httpStatus: result.status, errors };
  });
  return { entries, retry };
}

/** The next revision for an incident, above the one the gateway knows and any in the
 * outbox (a supplementary report written offline after another). */
export function nextRevision(knownRevision, entries, incidentId) {
  const queued = entries
    .filter((entry) => entry.report.incident_id === incidentId && entry.status !== "refused")
    .map((entry) => entry.report.revision);
  return Math.max(knownRevision || 0, ...queued) + 1;
}

function retryAfterOf(response) {
  const value = Number(response.headers.get("retry-after"));
  return Number.isFinite(value) && value > 0 ? value : null;
}

/** Sends the outbox whenever asked (saved, back online, app opened, timer). */
export class Sender {
  constructor({ store, token, onChange, onTokenRefused, fetch = globalThis.fetch.bind(globalThis) }) {
    this.store = store;
    this.token = token;
    this.onChange = onChange;
    this.onTokenRefused = onTokenRefused;
    this.fetch = fetch;
    this.attempt = 0;
    this.running = false;
    this.again = false;
    this.timer = null;
    this.nextTryAt = null;
    this.problem = "";
  }

  async flush() {
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = true;
    try {
      do {
        this.again = false;
        await this.round();
      } while (this.again);
    } finally {
      this.running = false;
    }
  }

  async round() {
    const batch = nextBatch(await this.store.all("outbox"));
    const token = await this.token();
    if (!batch.length || !token) return;
    clearTimeout(this.timer);
    this.nextTryAt = null;
    let response;
    try {
      response = await this.fetch("/v1/incidents:batch", {
        method: "POST",
        headers: { Authorization: `Bearer ${token}`, "Content-Type": "application/json" },
        body: JSON.stringify({ reports: batch.map((entry) => entry.report) }),
      });
    } catch (error) {
      return this.later(null, "network");
    }
    if (response.status === 401) return this.onTokenRefused();
    if (response.status === 200) {
      const { entries, retry } = settle(batch, (await response.json()).results, Date.now());
      await this.store.put("outbox", entries);
      this.attempt = 0;
      this.problem = "";
      this.onChange();
      if (retry) return this.later(null, "503");
      this.again = entries.length === BATCH_SIZE;
      return undefined;
    }
    if (RETRIABLE_STATUS.includes(response.status)) {
      return this.later(retryAfterOf(response), String(response.status));
    }
    const detail = (await response.text()).slice(0, 300);
    const refused = batch.map((entry) => ({
      ...entry,
      status: "refused",
      httpStatus: response.status,
      errors: [{ field: "body", msg: detail }],
    }));
    await this.store.put("outbox", refused);
    this.onChange();
    return undefined;
  }

  later(retryAfter, problem) {
    const delay = backoff(this.attempt, retryAfter);
    this.attempt += 1;
    this.problem = problem;
    this.nextTryAt = Date.now() + delay * 1000;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.flush(), delay * 1000);
    this.onChange();
  }
}
