// What is queued, what was sent (with the partition and offset Kafka gave it), and
// what the gateway refused and why.

import { fill, h } from "./dom.js";
import { shortLocal } from "./time.js";

function describe(app, entry) {
  if (entry.status === "sent") return app.t("sent_at", { p: entry.partition, o: entry.offset });
  if (entry.status === "refused") {
    return entry.errors.map((error) => `${error.field}: ${error.msg}`).join("; ");
  }
  const sender = app.sender;
  if (!navigator.onLine) return app.t("when_online");
  if (sender.nextTryAt) {
    const seconds = Math.max(0, Math.round((sender.nextTryAt - Date.now()) / 1000));
    const why = sender.problem === "network" ? app.t("problem_network") : `HTTP ${sender.problem}`;
    return app.t("next_try", { s: seconds, why });
  }
  return "";
}

function item(app, entry) {
  const report = entry.report;
  const title = report.title || report.incident_id;
  const actions =
    entry.status === "refused"
      ? h(
          "div",
          { class: "actions" },
          h("a", { class: "button secondary", href: `#/edit/${encodeURIComponent(entry.key)}`, text: app.t("edit") }),
          h("button", {
            type: "button",
            class: "secondary",
            text: app.t("remove"),
            onclick: async () => {
              await app.store.remove("outbox", entry.key);
              app.changed();
            },
          }),
        )
      : null;
  return h(
    "li",
    { class: `entry ${entry.status}`, "data-key": entry.key },
    h("p", { class: "entry-title" }, h("strong", { text: title }), ` · #${report.revision}${report.retracted ? ` · ${app.t("retract")}` : ""}`),
    h("p", { class: "entry-status" }, h("span", { class: `badge ${entry.status}`, text: app.t(`status_${entry.status}`) }), " ", describe(app, entry)),
    h("p", { class: "hint", text: `${report.incident_id} · ${shortLocal(report.occurred_at, app.zone)}` }),
    actions,
  );
}

export async function outboxScreen(app) {
  const entries = (await app.store.all("outbox")).sort((a, b) => b.savedAt - a.savedAt);
  const list = entries.length
    ? h("ul", { class: "entries" }, entries.map((entry) => item(app, entry)))
    : h("p", { text: app.t("outbox_empty") });
  fill(
    app.main,
    h("h1", { text: app.t("outbox_title") }),
    h(
      "div",
      { class: "actions" },
      h("button", { type: "button", class: "primary", text: app.t("send_now"), onclick: () => app.sender.flush() }),
      h("button", {
        type: "button",
        class: "secondary",
        text: app.t("clear_sent"),
        onclick: async () => {
          for (const entry of entries.filter((e) => e.status === "sent")) await app.store.remove("outbox", entry.key);
          app.changed();
        },
      }),
    ),
    list,
  );
}
