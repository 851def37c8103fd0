// Unread counts per thread (badges and the tab title), reporting the open thread read, and
// the "new messages" marker with its "jump to first unread" button.
import { S, data, dom, el, state } from "./store.js";

// The server counts up to data.unreadCap unread messages a thread ("99+" from there on).
function shown(count) {
  const cap = (data && data.unreadCap) || Infinity;
  return count >= cap ? `${cap - 1}+` : String(count);
}

export function renderUnread() {
  let total = 0;
  for (const badge of document.querySelectorAll("[data-unread-for]")) {
    const count = state.unread[badge.dataset.unreadFor] || 0;
    total += count;
    badge.querySelector("[data-count]").textContent = shown(count);
    badge.hidden = count === 0;
  }
  const base = document.title.replace(/^\(\d+\+?\) /, "");
  document.title = total ? `(${shown(total)}) ${base}` : base;
}

// The thread on screen counts as read when the window has focus.
export function markRead() {
  const feed = state.feed;
  if (!feed || !feed.ready || document.visibilityState !== "visible") {
    return;
  }
  const latest = Math.max(0, ...Array.from(state.messages.values(), (message) => message.seq));
  if (latest <= state.readSent) {
    return;
  }
  state.readSent = latest;
  feed.client.send({ type: "read", page: data.page, thread: data.thread, seq: latest });
}

function onScreen(node) {
  const box = node.getBoundingClientRect();
  return box.top >= 0 && box.bottom <= window.innerHeight;
}

// The marker and the button point at unread messages the reader cannot see: when every
// unread message is already on screen they would only be noise.
export function placeUnreadMarker() {
  if (!data.firstUnread) {
    return;
  }
  const unread = Array.from(dom.timeline.querySelectorAll(".message[data-seq]")).filter(
    (node) => Number(node.dataset.seq) >= data.firstUnread,
  );
  if (!unread.length || unread.every(onScreen)) {
    return;
  }
  // A list item of its own (not role=separator: an <ol> may only hold list items, and a
  // screen reader reads "New messages" in its place in the list).
  const marker = el("li", "unread-marker", S.newMessages);
  marker.id = "first-unread";
  dom.timeline.insertBefore(marker, unread[0]);
  const jump = dom.jumpUnread;
  jump.addEventListener("click", () => {
    marker.scrollIntoView({ block: "start" });
    jump.hidden = true;
  });
  jump.hidden = onScreen(marker);
  if ("IntersectionObserver" in window) {
    // Once the first unread message has been on screen, the way to it has served.
    const watcher = new IntersectionObserver((entries) => {
      if (entries.some((entry) => entry.isIntersecting)) {
        jump.hidden = true;
        watcher.disconnect();
      }
    });
    watcher.observe(marker);
  }
}
