// The bare PyScript page's service worker (bench/startup.py): precaches the runtime files listed
// in precache.json (the same vendored PyScript and Pyodide the app precaches) and answers from
// that cache first, so a warm visit of the bare page starts from the same cache state as the app's.
const CACHE = "bare-runtime";

self.addEventListener("install", (event) => {
  event.waitUntil((async () => {
    const urls = await (await fetch("./precache.json", { cache: "no-cache" })).json();
    await (await caches.open(CACHE)).addAll(urls.map((url) => new URL(url, self.registration.scope).href));
    await self.skipWaiting();
  })());
});

self.addEventListener("activate", (event) => event.waitUntil(self.clients.claim()));

self.addEventListener("fetch", (event) => {
  event.respondWith((async () => (await caches.match(event.request)) ?? fetch(event.request))());
});
