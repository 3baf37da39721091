// The service worker: keeps the app's own files so that it opens with no network.
// Only the app shell under /app/ is ever cached: API answers (and the token in their
// requests) always go to the network and are never stored here. The gateway fills in
// VERSION (a hash of the files) and SHELL (their names) when it serves this file.

const VERSION = /*VERSION*/"dev"/*VERSION*/;
const SHELL = /*SHELL*/[]/*SHELL*/;
const CACHE = `safetywatch-app-${VERSION}`;

self.addEventListener("install", (event) => {
  event.waitUntil(
    caches
      .open(CACHE)
      .then((cache) => cache.addAll(SHELL))
      .then(() => self.skipWaiting()),
  );
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches
      .keys()
      .then((keys) =>
        Promise.all(
          keys.filter((key) => key.startsWith("safetywatch-app-") && key !== CACHE).map((key) => caches.delete(key)),
        ),
      )
      .then(() => self.clients.claim()),
  );
});

self.addEventListener("fetch", (event) => {
  const url = new URL(event.request.url);
  const shell = url.origin === self.location.origin && url.pathname.startsWith("/app/");
  if (event.request.method !== "GET" || !shell) return; // the network, uncached
  // The shell from the cache (it works offline); the gateway's own copy when the cache
  // has none. A new version of the app arrives with a new service worker.
  event.respondWith(
    caches.match(event.request, { ignoreSearch: true }).then((hit) => hit || fetch(event.request)),
  );
});
