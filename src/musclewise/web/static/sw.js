// musclewise service worker: pages come from the local server; when it cannot be reached, the
// offline page (cached at install) is shown, and an episode logged there is queued on this
// device (with an idempotency key) and sent when the server answers again. Pages with health
// data are never cached.
const CACHE = "musclewise-v2";
const QUEUE = "musclewise-queue";
const SHELL = ["/offline", "/static/app.css", "/static/app.js", "/static/icon.svg", "/static/htmx.min.js"];
const QUEUED_PAGE = '<!doctype html><html lang="en"><head><meta charset="utf-8">' +
  '<meta name="viewport" content="width=device-width, initial-scale=1">' +
  '<title>Kept on this device · musclewise</title><link rel="stylesheet" href="/static/app.css"></head>' +
  '<body><main id="main" class="width"><h1>Kept on this device</h1>' +
  '<p>musclewise cannot be reached, so the episode is kept here and will be sent to your diary ' +
  'as soon as it can be.</p><p><a href="/offline">Back</a></p></main></body></html>';

self.addEventListener("install", (event) => {
  event.waitUntil(caches.open(CACHE).then((cache) => cache.addAll(SHELL)).then(() => self.skipWaiting()));
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches.keys()
      .then((keys) => Promise.all(keys.filter((k) => k !== CACHE && k !== QUEUE).map((k) => caches.delete(k))))
      .then(() => self.clients.claim())
      .then(flush)
  );
});

let flushing = null;
function flush() {
  if (flushing) return flushing;
  flushing = (async () => {
    const queue = await caches.open(QUEUE);
    for (const key of await queue.keys()) {
      const stored = await queue.match(key);
      try {
        const response = await fetch("/log/quick", {
          method: "POST",
          body: await stored.text(),
          headers: { "content-type": "application/x-www-form-urlencoded" },
          credentials: "same-origin",
          redirect: "manual",
        });
        if (response.ok || response.type === "opaqueredirect" || response.status === 422) {
          await queue.delete(key);
        }
      } catch (e) {
        break; // still offline
      }
    }
  })().finally(() => { flushing = null; });
  return flushing;
}

async function logOrQueue(request) {
  const body = await request.clone().text();
  try {
    return await fetch(request);
  } catch (e) {
    const key = new URLSearchParams(body).get("idempotency_key") || String(Date.now());
    const queue = await caches.open(QUEUE);
    await queue.put("/queued/" + encodeURIComponent(key), new Response(body));
    return new Response(QUEUED_PAGE, { headers: { "content-type": "text/html; charset=utf-8" } });
  }
}

self.addEventListener("fetch", (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (request.method === "POST" && url.pathname === "/log/quick") {
    event.respondWith(logOrQueue(request));
    return;
  }
  if (request.method !== "GET") return;
  event.waitUntil(flush());
  if (request.mode === "navigate") {
    event.respondWith(fetch(request).catch(() => caches.match("/offline")));
    return;
  }
  if (url.pathname.startsWith("/static/")) {
    event.respondWith(fetch(request).catch(() => caches.match(request)));
  }
});

self.addEventListener("message", (event) => {
  if (event.data === "flush") event.waitUntil(flush());
});
