// Elevdialog's service worker: shows web pushes and opens the page a notification points to.
//
// Served from the site root as /sw.js (frontend/views/pwa.py) so that its scope is the whole
// site. It deliberately has NO fetch handler and uses no caches: the site holds documentation
// about children, and nothing of it may stay behind on a shared phone. Every page comes from
// the network as if there were no service worker.
//
// The handlers are small named functions (globals of the worker) so that the browser tests
// can call them directly.
"use strict";

const FALLBACK_PATH = "/notifications/";
// The unhashed static names: WhiteNoise serves them in every environment (in production
// collectstatic keeps the originals next to the hashed copies).
const ICON_URL = "/static/frontend/icons/icon-192.png";
const BADGE_URL = "/static/frontend/icons/badge-96.png";
const LANGUAGES = ["sv", "en"];
// Shown when a push arrives without a readable payload: a push must always show something
// (browsers penalise or revoke silent pushes), and we cannot know the person's language.
const FALLBACK_TITLE = "Elevdialog";
const FALLBACK_BODY = "Något nytt väntar på dig · Something new is waiting for you";

/** The absolute URL for `raw` if it is on this worker's origin, else the notifications page. */
function sameOriginUrl(raw) {
  const origin = self.location.origin;
  const fallback = new URL(FALLBACK_PATH, origin).href;
  if (typeof raw !== "string" || raw === "") {
    return fallback;
  }
  let url;
  try {
    url = new URL(raw, origin);
  } catch (error) {
    return fallback;
  }
  // Catches other hosts, "//host/" paths, other schemes and ports, and javascript:/data:
  // URLs (whose origin is "null").
  return url.origin === origin ? url.href : fallback;
}

/** The title and showNotification options for a push's data (a PushMessageData or null).
 *  Anything unreadable gives the generic notification pointing to the notifications page. */
function notificationFromPush(data) {
  let payload = null;
  if (data) {
    try {
      payload = JSON.parse(data.text());
    } catch (error) {
      payload = null;
    }
  }
  const usable =
    payload !== null && typeof payload === "object" && typeof payload.title === "string" && payload.title !== "";
  const options = {
    body: FALLBACK_BODY,
    icon: ICON_URL,
    badge: BADGE_URL,
    data: { url: sameOriginUrl(FALLBACK_PATH) },
  };
  if (!usable) {
    return { title: FALLBACK_TITLE, options: options };
  }
  options.body = typeof payload.body === "string" ? payload.body : "";
  options.data = { url: sameOriginUrl(payload.url) };
  if (typeof payload.tag === "string" && payload.tag !== "") {
    options.tag = payload.tag;
  }
  if (LANGUAGES.includes(payload.lang)) {
    options.lang = payload.lang;
  }
  return { title: payload.title, options: options };
}

/** Shows the notification for a push; resolves when it is shown. */
function showPush(data) {
  const notification = notificationFromPush(data);
  return self.registration.showNotification(notification.title, notification.options);
}

function onPush(event) {
  event.waitUntil(showPush(event.data));
}

async function focusIfAllowed(client) {
  // Focusing needs the user's click; outside one (or on some platforms) it is refused,
  // which must not stop the page from opening.
  try {
    return await client.focus();
  } catch (error) {
    return client;
  }
}

/** Shows `url` (absolute, same origin): an open tab already there, else an open tab of
 *  this site taken there, else a new window. Resolves to the client used (or null). */
async function openUrl(url) {
  const origin = self.location.origin;
  const windows = await self.clients.matchAll({ type: "window", includeUncontrolled: true });
  const ours = windows.filter((client) => new URL(client.url).origin === origin);
  const there = ours.find((client) => client.url === url);
  if (there) {
    return focusIfAllowed(there);
  }
  for (const client of ours) {
    try {
      // Rejects (or gives null) for a tab this worker does not control: try the next.
      const navigated = await client.navigate(url);
      if (navigated) {
        return focusIfAllowed(navigated);
      }
    } catch (error) {
      // fall through to the next tab, then to a new window
    }
  }
  return self.clients.openWindow(url);
}

/** What a click on a notification does. Resolves to the URL it chose to open. */
async function notificationClicked(notification) {
  notification.close();
  const url = sameOriginUrl(notification.data && notification.data.url);
  await openUrl(url);
  return url;
}

/** The notificationclick handler; returns the promise it waits for (for the tests). */
function onNotificationClick(event) {
  const done = notificationClicked(event.notification);
  event.waitUntil(done);
  return done;
}

self.addEventListener("install", () => {
  self.skipWaiting();
});

self.addEventListener("activate", (event) => {
  event.waitUntil(self.clients.claim());
});

self.addEventListener("push", onPush);
self.addEventListener("notificationclick", onNotificationClick);
