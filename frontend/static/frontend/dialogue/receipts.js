// Read receipts under the viewer's own messages and cards: who of the thread's readers has
// read each, and when. The server sends them with the page and with earlier messages, and
// live (a "receipts" frame on the writer's own sockets) when someone reads further; the line
// is then redrawn in place (and fetched again after a reconnect). Nobody else's browser
// ever receives them.
import { receiptsText } from "./receipts_text.js";
import { S, data, el, state } from "./store.js";

const known = new Map(); // message id -> [{id, name, read, at}]

export function rememberReceipts(receipts) {
  for (const [id, entries] of Object.entries(receipts || {})) {
    known.set(Number(id), entries);
  }
}

// A message of mine sent since the page was drawn has no receipts yet: nobody has read it,
// and its readers are those of my newest message with receipts (the same thread).
function unreadByAll(message) {
  let newest = null;
  for (const [id, entries] of known) {
    const other = state.messages.get(id);
    if (other && other.seq < message.seq && (!newest || other.seq > newest.seq)) {
      newest = { seq: other.seq, entries };
    }
  }
  return newest ? newest.entries.map((entry) => ({ id: entry.id, name: entry.name, read: false, at: null })) : null;
}

// The line under one of my stored messages, or null (others' messages, pending sends,
// retracted messages, no readers).
export function receiptsLine(message) {
  if (!data || !message.id || message.retracted || message.author.id !== data.me.id) {
    return null;
  }
  const entries = known.get(message.id) || unreadByAll(message);
  const text = entries ? receiptsText(entries, S) : "";
  if (!text) {
    return null;
  }
  const line = el("p", "message__receipts", text);
  line.dataset.receipts = String(message.id);
  return line;
}

function redraw(id) {
  const item = document.getElementById(`m-${id}`);
  const message = state.messages.get(id);
  if (!item || !message) {
    return;
  }
  const line = receiptsLine(message);
  const old = item.querySelector("[data-receipts]");
  if (old && line) {
    old.replaceWith(line);
  } else if (old) {
    old.remove();
  } else if (line) {
    item.insertBefore(line, item.querySelector(".message__actions"));
  }
}

function apply(receipts) {
  rememberReceipts(receipts);
  for (const id of Object.keys(receipts || {})) {
    redraw(Number(id));
  }
}

// Frames sent while the socket was away are lost (the channel layer keeps nothing): after a
// reconnect the thread's latest messages are fetched again with their receipts.
async function refresh() {
  const stored = Array.from(state.messages.values()).filter((message) => message.id);
  if (!stored.some((message) => message.author.id === data.me.id)) {
    return;
  }
  const newest = Math.max(...stored.map((message) => message.seq));
  try {
    const response = await fetch(`${data.urls.history}?before=${newest + 1}`, { credentials: "same-origin" });
    if (response.ok) {
      apply((await response.json()).receipts);
    }
  } catch {
    // Offline again: the next reconnect asks again.
  }
}

export function listenForReceipts(client) {
  let subscriptions = 0;
  client.on("subscribed", (frame) => {
    if (frame.page === data.page && ++subscriptions > 1) {
      refresh();
    }
  });
  client.on("receipts", (frame) => {
    if (frame.page === data.page && frame.thread === data.thread) {
      apply(frame.receipts);
    }
  });
}
