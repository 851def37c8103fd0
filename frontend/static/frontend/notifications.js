// "Turn on push on this device" on the notification settings page: asks the browser for
// permission, subscribes with the server's VAPID key through the service worker (sw.js)
// and sends the subscription to the server; turning off does the reverse. The list of
// devices and every other setting work without scripts.
"use strict";

(function () {
  const section = document.getElementById("push-settings");
  if (!section || !section.dataset.key) {
    return;
  }
  const status = section.querySelector("[data-push-status]");
  const enable = section.querySelector("[data-push-enable]");
  const disable = section.querySelector("[data-push-disable]");
  const strings = JSON.parse(document.getElementById("push-strings").textContent);
  const csrf = document.querySelector("input[name=csrfmiddlewaretoken]").value;

  function say(text) {
    status.textContent = text;
  }

  function keyBytes(base64url) {
    const padded = base64url.replace(/-/g, "+").replace(/_/g, "/") + "=".repeat((4 - (base64url.length % 4)) % 4);
    const raw = window.atob(padded);
    return Uint8Array.from(raw, (c) => c.charCodeAt(0));
  }

  function post(url, body) {
    return fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrf, Accept: "application/json" },
      body: JSON.stringify(body),
    }).then((response) => {
      if (!response.ok) {
        return response
          .json()
          .then((answer) => Promise.reject(new Error((answer.error && answer.error.message) || response.statusText)));
      }
      return response.json();
    });
  }

  function render(subscription) {
    const on = Boolean(subscription);
    enable.hidden = on;
    disable.hidden = !on;
    if (Notification.permission === "denied") {
      enable.hidden = true;
      say(strings.blocked);
    } else {
      say(on ? strings.on : strings.off);
    }
  }

  // Say what is really missing, not just "cannot": the page's own address, the browser's
  // service workers, its Push API, its notifications.
  function missing() {
    if (!window.isSecureContext) return strings.insecure;
    if (!("serviceWorker" in navigator)) return strings.no_worker;
    if (!("PushManager" in window)) return strings.no_push;
    if (!("Notification" in window)) return strings.no_notifications;
    return null;
  }

  const lacking = missing();
  if (lacking) {
    say(lacking);
    return;
  }
  say(strings.checking);

  // A browser may refuse the service worker, or never start it (then "ready" never comes).
  const WORKER_WAIT_MS = 10000;
  const ready = Promise.race([
    navigator.serviceWorker.register("/sw.js", { scope: "/" }).then(() => navigator.serviceWorker.ready),
    new Promise((resolve, reject) => {
      window.setTimeout(() => reject(new Error(strings.worker_failed)), WORKER_WAIT_MS);
    }),
  ]);

  ready
    .then((registration) => registration.pushManager.getSubscription())
    .then((subscription) => {
      render(subscription);
      // A browser that renewed its subscription on its own: tell the server again.
      if (subscription) {
        post(section.dataset.subscribe, subscription.toJSON()).catch(() => {});
      }
    })
    .catch(() => say(strings.worker_failed));

  enable.addEventListener("click", () => {
    enable.disabled = true;
    say(strings.working);
    Notification.requestPermission()
      .then((permission) => {
        if (permission !== "granted") {
          return Promise.reject(new Error(strings.blocked));
        }
        return ready.then((registration) =>
          registration.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: keyBytes(section.dataset.key) }),
        );
      })
      .then((subscription) => post(section.dataset.subscribe, subscription.toJSON()).then(() => subscription))
      .then((subscription) => {
        render(subscription);
        window.location.reload();
      })
      .catch((error) => say(`${strings.failed} ${error && error.message ? error.message : ""}`.trim()))
      .finally(() => {
        enable.disabled = false;
      });
  });

  disable.addEventListener("click", () => {
    disable.disabled = true;
    ready
      .then((registration) => registration.pushManager.getSubscription())
      .then((subscription) => {
        if (!subscription) {
          return null;
        }
        const endpoint = subscription.endpoint;
        return subscription.unsubscribe().then(() => post(section.dataset.unsubscribe, { endpoint }));
      })
      .then(() => window.location.reload())
      .catch((error) => say(`${strings.failed} ${error && error.message ? error.message : ""}`.trim()))
      .finally(() => {
        disable.disabled = false;
      });
  });
})();
