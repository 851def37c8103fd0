// The bell in the navigation: the number of unread notifications, kept live.
//
// It listens on the tab's one live socket (socket/live.js), shared with the page's own
// scripts. The count comes from the server at load, from "inbox" frames when something new
// arrives, and from every heartbeat's answer (which also covers a live frame the channel
// layer dropped).
import { liveClient, liveSupported } from "./socket/live.js";

const bell = document.querySelector("[data-bell]");
const count = bell && bell.querySelector("[data-bell-count]");
const number = bell && bell.querySelector("[data-bell-number]");
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

if (bell) {
  fetch(bell.dataset.unreadUrl, { credentials: "same-origin", headers: { Accept: "application/json" } })
    .then((response) => (response.ok ? response.json() : null))
    .then((body) => body && show(body.unread))
    .catch(() => {});
  if (liveSupported()) {
    const client = liveClient();
    client.on("inbox", (frame) => show(frame.unread));
    client.on("pong", (frame) => show(frame.unread));
  }
}
