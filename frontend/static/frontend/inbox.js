// The bell in the navigation: the number of unread notifications, kept live.
//
// One socket per tab: on the student page and the class blog their own scripts hold it and
// pass every frame on as an "elevdialog:frame" event; elsewhere this script opens it. The
// count comes from the server at load, from "inbox" frames when something new arrives, and
// from every heartbeat's answer (which also covers a live frame the channel layer dropped).
"use strict";

(function () {
  const bell = document.querySelector("[data-bell]");
  if (!bell) {
    return;
  }
  const count = bell.querySelector("[data-bell-count]");
  const number = bell.querySelector("[data-bell-number]");
  // On the inbox itself, say when something new has come since the page was shown.
  const fresh = document.querySelector("[data-inbox-fresh]");
  let shownUnread = null;

  function show(unread) {
    if (typeof unread !== "number" || !count || !number) {
      return;
    }
    count.hidden = unread === 0;
    number.textContent = unread > 99 ? "99+" : String(unread);
    bell.classList.toggle("bell--unread", unread > 0);
    if (shownUnread === null || unread < shownUnread) {
      shownUnread = unread; // read elsewhere meanwhile: count new ones from here
    } else if (fresh && unread > shownUnread) {
      fresh.hidden = false;
    }
  }

  function onFrame(frame) {
    if (frame && (frame.type === "inbox" || frame.type === "pong")) {
      show(frame.unread);
    }
  }

  document.addEventListener("elevdialog:frame", (event) => onFrame(event.detail));

  fetch(bell.dataset.unreadUrl, { credentials: "same-origin", headers: { Accept: "application/json" } })
    .then((response) => (response.ok ? response.json() : null))
    .then((body) => body && show(body.unread))
    .catch(() => {});

  // Pages whose own script holds the socket.
  if (document.getElementById("dialogue-data") || document.querySelector("[data-blog][data-socket]")) {
    return;
  }
  if (!("WebSocket" in window)) {
    return;
  }
  let attempts = 0;
  let heartbeat = null;
  function connect() {
    const scheme = window.location.protocol === "https:" ? "wss" : "ws";
    const socket = new WebSocket(`${scheme}://${window.location.host}/ws/`);
    socket.addEventListener("open", () => {
      attempts = 0;
      socket.send(JSON.stringify({ type: "ping" }));
      heartbeat = setInterval(() => socket.send(JSON.stringify({ type: "ping" })), 25000);
    });
    socket.addEventListener("message", (event) => {
      try {
        onFrame(JSON.parse(event.data));
      } catch (error) {
        // A frame the bell does not understand is ignored.
      }
    });
    socket.addEventListener("close", (event) => {
      clearInterval(heartbeat);
      if (event.code === 4401) {
        return; // not (or no longer) logged in: nothing to count
      }
      // Exponential backoff with full jitter, so a restarted server is not hit by every tab.
      const ceiling = Math.min(60000, 1000 * 2 ** attempts);
      attempts += 1;
      setTimeout(connect, Math.random() * ceiling);
    });
  }
  connect();
})();
