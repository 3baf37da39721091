// The app's data on the phone, in IndexedDB (kept across closing the app and rebooting
// the phone): the session (token, who the unit is, the report schema), the outbox, and
// the last list of incidents for reading offline. Nothing here ever goes to the
// service worker's cache.

const NAME = "safetywatch";
const VERSION = 1;
export const STORES = ["session", "outbox", "cache"];

let opened = null;

function request(req) {
  return new Promise((resolve, reject) => {
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });
}

function done(transaction) {
  return new Promise((resolve, reject) => {
    transaction.oncomplete = () => resolve();
    transaction.onerror = () => reject(transaction.error);
    transaction.onabort = () => reject(transaction.error);
  });
}

function database() {
  if (!opened) {
    const req = indexedDB.open(NAME, VERSION);
    req.onupgradeneeded = () => {
      const db = req.result;
      for (const name of STORES) {
        if (!db.objectStoreNames.contains(name)) {
          db.createObjectStore(name, name === "outbox" ? { keyPath: "key" } : undefined);
        }
      }
    };
    opened = request(req);
  }
  return opened;
}

export async function get(store, key) {
  const db = await database();
  return request(db.transaction(store).objectStore(store).get(key));
}

export async function all(store) {
  const db = await database();
  return request(db.transaction(store).objectStore(store).getAll());
}

/** Put values (with the store's key path) or one value under ``key``. */
export async function put(store, values, key) {
  const db = await database();
  const transaction = db.transaction(store, "readwrite");
  const target = transaction.objectStore(store);
  if (key !== undefined) target.put(values, key);
  else for (const value of [].concat(values)) target.put(value);
  return done(transaction);
}

export async function remove(store, key) {
  const db = await database();
  const transaction = db.transaction(store, "readwrite");
  transaction.objectStore(store).delete(key);
  return done(transaction);
}

/** Everything the app keeps on the phone, gone (signing out). */
export async function wipe() {
  const db = await database();
  const transaction = db.transaction(STORES, "readwrite");
  for (const name of STORES) transaction.objectStore(name).clear();
  return done(transaction);
}

/** Ask the browser not to evict the outbox under storage pressure. */
export async function keepData() {
  if (navigator.storage && navigator.storage.persist) {
    try {
      await navigator.storage.persist();
    } catch {
      // not granted: the data stays, only less protected from eviction
    }
  }
}
