// Sign in (a pasted token, a scanned QR code, or the link a QR code holds) and the
// unit's own page with sign-out, which wipes the token and everything on the phone.

import * as api from "./api.js";
import { fill, h } from "./dom.js";

/** The token in a scanned text: the app's link (…/app/#token=sw_…) or the token itself. */
export function tokenIn(text) {
  const trimmed = String(text || "").trim();
  const match = /[#&]token=([A-Za-z0-9_]+)/.exec(trimmed);
  return match ? match[1] : trimmed;
}

/** Reads QR codes from a video: the browser's BarcodeDetector where it has one (Chrome
 * on Android), else jsQR on the frame (iOS Safari, desktop Chromium on Linux). */
async function qrReader() {
  if ("BarcodeDetector" in window) {
    const detector = new window.BarcodeDetector({ formats: ["qr_code"] });
    return async (video) => (await detector.detect(video).catch(() => []))[0]?.rawValue;
  }
  await import("../vendor/jsQR.js"); // a classic bundle: it defines self.jsQR
  const canvas = document.createElement("canvas");
  const context = canvas.getContext("2d", { willReadFrequently: true });
  return async (video) => {
    if (!video.videoWidth) return undefined;
    canvas.width = video.videoWidth;
    canvas.height = video.videoHeight;
    context.drawImage(video, 0, 0);
    const frame = context.getImageData(0, 0, canvas.width, canvas.height);
    return self.jsQR(frame.data, frame.width, frame.height, { inversionAttempts: "dontInvert" })?.data;
  };
}

async function scan(app, onToken, status) {
  const read = await qrReader();
  const stream = await navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" } });
  const video = h("video", { class: "scanner", playsinline: true, muted: true, "aria-label": app.t("scan_hint") });
  video.srcObject = stream;
  status.replaceChildren(video);
  await video.play();
  const stop = () => stream.getTracks().forEach((track) => track.stop());
  const look = async () => {
    const text = await read(video);
    if (text) {
      stop();
      status.replaceChildren();
      onToken(tokenIn(text));
    } else if (stream.active) {
      requestAnimationFrame(look);
    }
  };
  look();
}

export function signInScreen(app, message = "") {
  const status = h("p", { class: "status", role: "status", "aria-live": "polite", text: message });
  const input = h("input", { id: "token", name: "token", type: "password", autocomplete: "off", spellcheck: "false", required: true });
  const go = async (token) => {
    status.textContent = app.t("loading");
    try {
      await app.signIn(tokenIn(token));
    } catch (error) {
      if (error instanceof api.TokenRefused) status.textContent = app.t("signin_refused");
      else status.textContent = navigator.onLine ? app.t("unavailable", { why: error.message }) : app.t("signin_offline");
    }
  };
  const form = h(
    "form",
    { novalidate: true, onsubmit: (event) => { event.preventDefault(); go(input.value); } },
    h("h1", { text: app.t("signin_title") }),
    h("p", { text: app.t("signin_intro") }),
    h("div", { class: "field" }, h("label", { for: "token", text: app.t("token") }), input),
    h(
      "div",
      { class: "actions" },
      h("button", { type: "submit", class: "primary", text: app.t("signin") }),
      navigator.mediaDevices?.getUserMedia
        ? h("button", { type: "button", class: "secondary", text: app.t("scan"), onclick: () => scan(app, go, status).catch((e) => { status.textContent = e.message; }) })
        : null,
    ),
    status,
  );
  fill(app.main, form);
}

export async function unitScreen(app) {
  const me = app.session.me;
  const pending = (await app.store.all("outbox")).filter((e) => e.status !== "sent").length;
  const names = me.choices.map((r) => `${app.lang === "en" ? r.name_en : r.name} (${r.code})`).join("、");
  const signOut = async () => {
    const extra = pending ? app.t("signout_unsent", { n: pending }) : "";
    if (!window.confirm(app.t("signout_confirm", { extra }))) return;
    await app.signOut();
  };
  fill(
    app.main,
    h("h1", { text: app.t("unit_title") }),
    h(
      "dl",
      { class: "facts" },
      h("dt", { text: app.t("tab_unit") }), h("dd", { text: `${app.lang === "en" ? me.office_en : me.office} · ${me.unit_id}` }),
      h("dt", { text: app.t("unit_level") }), h("dd", { text: app.t(`level_${me.level}`) }),
      h("dt", { text: app.t("unit_regions") }), h("dd", { text: `${me.regions.join(", ")} — ${names}` }),
    ),
    h("button", { type: "button", class: "danger", text: app.t("signout"), onclick: signOut }),
  );
}
