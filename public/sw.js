// Meike service worker: keeps the app shell (index.html and the hashed files it links) on
// the device, so the app starts with no network. Customer data is never cached here; it
// lives in IndexedDB and travels over the sync socket, which this worker leaves alone.
//
// Strategy: cache first, refresh in the background. A treatment room's Wi-Fi can hang a
// request for a minute; the app must open at once from the cache regardless, and pick up a
// new version on the next start.

const CACHE = "meike-shell-v1";
const SHELL = "/index.html";
const ALWAYS = ["/manifest.webmanifest", "/icons/icon-192.png", "/icons/icon-512.png"];

// Every same-origin file the page links: Trunk writes hashed names into href/src attributes
// and into the inline loader script ('/app-<hash>.js', '/app-<hash>_bg.wasm').
function linkedFiles(html) {
  const files = new Set(ALWAYS);
  for (const match of html.matchAll(/["'](\/[^"'\s]+\.(?:js|wasm|css|png|webmanifest))["']/g)) {
    files.add(match[1]);
  }
  return [...files];
}

// Fetches the current index.html and everything it links into a fresh cache, then swaps it
// in. A failure anywhere leaves the previous shell untouched.
async function refreshShell() {
  const response = await fetch(SHELL, { cache: "no-store" });
  if (!response.ok) throw new Error("index.html: " + response.status);
  const html = await response.clone().text();
  const files = linkedFiles(html);
  const next = await caches.open(CACHE + "-next");
  await next.addAll(files);
  const cache = await caches.open(CACHE);
  // The page that triggered this refresh was served the previous shell and may still be
  // fetching the files it links: keep that generation too, drop only older ones.
  const previous = await cache.match(SHELL);
  const previousFiles = previous ? linkedFiles(await previous.text()) : [];
  for (const file of files) {
    await cache.put(file, await next.match(file));
  }
  await cache.put(SHELL, response);
  const keep = new Set(files.concat(previousFiles, [SHELL]));
  for (const request of await cache.keys()) {
    if (!keep.has(new URL(request.url).pathname)) await cache.delete(request);
  }
  await caches.delete(CACHE + "-next");
}

self.addEventListener("install", (event) => {
  event.waitUntil(refreshShell().then(() => self.skipWaiting()));
});

self.addEventListener("activate", (event) => {
  event.waitUntil((async () => {
    for (const key of await caches.keys()) {
      if (key !== CACHE) await caches.delete(key);
    }
    await self.clients.claim();
  })());
});

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET") return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin || url.pathname.startsWith("/v1/")) return;

  if (request.mode === "navigate") {
    // Any route of the single-page app is answered with the cached shell.
    event.respondWith((async () => {
      const cached = await caches.match(SHELL);
      if (cached) {
        event.waitUntil(refreshShell().catch(() => {}));
        return cached;
      }
      return fetch(request);
    })());
    return;
  }

  event.respondWith((async () => {
    const cached = await caches.match(request, { ignoreSearch: true });
    if (cached) return cached;
    const response = await fetch(request);
    if (response.ok) {
      const copy = response.clone();
      event.waitUntil(caches.open(CACHE).then((cache) => cache.put(request, copy)));
    }
    return response;
  })());
});
