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
  let attempts = 0; // reconnection attempts since a socket last answered a heartbeat
  let heartbeat = null;
  function connect() {
    const scheme = window.location.protocol === "https:" ? "wss" : "ws";
    const socket = new WebSocket(`${scheme}://${window.location.host}/ws/`);
    socket.addEventListener("open", () => {
      socket.send(JSON.stringify({ type: "ping" }));
      heartbeat = setInterval(() => socket.send(JSON.stringify({ type: "ping" })), 25000);
    });
    socket.addEventListener("message", (event) => {
      try {
        const frame = JSON.parse(event.data);
        if (frame.type === "pong") {
          // Served, not only opened: a socket the server accepts and closes at once (4503)
          // must not reset the backoff, or the bell would reconnect in a tight loop.
          attempts = 0;
        }
        onFrame(frame);
      } catch (error) {
        // A frame the bell does not understand is ignored.
      }
    });
    socket.addEventListener("close", (event) => {
      clearInterval(heartbeat);
      if (event.code === 4401) {
        return; // not (or no longer) logged in: nothing to count
      }
      // Exponential backoff with jitter, so a restarted server is not hit by every tab,
      // capped at 10 s so the bell comes back within seconds of the server; 4429 (too many
      // sockets for this person): wait a minute instead of trying again and again.
      const ceiling = event.code === 4429 ? 60000 : Math.min(10000, 1000 * 2 ** attempts);
      attempts += 1;
      setTimeout(connect, ceiling / 2 + (Math.random() * ceiling) / 2);
    });
  }
  connect();
})();
