// Drawing messages in the timeline: a stored message (upserted by id, so nothing shows
// twice), a pending or failed send (found by its client id), and cards.
import { formatDateTime } from "../time.js";
import { cardTools, drawCard } from "./cards.js";
import { receiptsLine } from "./receipts.js";
import { S, byClientId, data, dom, el, state } from "./store.js";

// What the buttons on a message do (set by main.js: sending, editing).
const actions = { retry() {}, edit() {}, retract() {}, revisions() {} };

export function setMessageActions(given) {
  Object.assign(actions, given);
}

export function formatSize(bytes) {
  if (bytes < 1024 * 1024) {
    return `${Math.max(1, Math.round(bytes / 1024))} kB`;
  }
  return `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
}

function button(text, className, onClick) {
  const node = el("button", className, text);
  node.type = "button";
  node.addEventListener("click", onClick);
  return node;
}

export function timeElement(iso, className) {
  const time = el("time", className, formatDateTime(iso));
  time.dateTime = iso;
  return time;
}

function renderMeta(message, mine) {
  const meta = el("p", "message__meta");
  meta.append(el("span", "message__author", mine ? `${message.author.name} (${S.you})` : message.author.name));
  const role = data.roles[String(message.author.id)];
  if (role && !mine) {
    meta.append(" ", el("span", "message__role", role));
  }
  if (message.created_at) {
    meta.append(" ", timeElement(message.created_at, "message__time"));
  }
  if (message.edited_at && !message.retracted && message.id && !message.card) {
    // The page is a public record: earlier versions are one click away. (A card's
    // document keeps its own history, on the document's page.)
    const edited = button(`(${S.edited})`, "link-button message__edited", () => actions.revisions(message.id, edited));
    edited.setAttribute("aria-expanded", "false");
    meta.append(" ", edited);
  }
  return meta;
}

function renderFiles(attachments) {
  const files = el("ul", "message__files");
  for (const file of attachments) {
    const entry = el("li");
    const link = el("a");
    link.href = file.url;
    if (file.kind === "image") {
      const image = el("img");
      image.src = file.url;
      image.alt = file.name;
      image.loading = "lazy";
      if (file.width && file.height) {
        image.width = Math.min(file.width, 320);
        image.height = Math.round((image.width / file.width) * file.height);
      }
      link.append(image);
    } else {
      link.textContent = `${file.name} (${formatSize(file.size)})`;
    }
    entry.append(link);
    files.append(entry);
  }
  return files;
}

function renderCard(card) {
  const drawn = drawCard(card, cardTools(el, S));
  if (drawn) {
    return drawn;
  }
  const box = el("div", "card-item");
  box.append(el("p", "card-item__title", S.unknownCard));
  return box;
}

export function renderMessage(message, status) {
  const mine = message.author.id === data.me.id;
  const item = el("li", "message");
  item.classList.toggle("message--mine", mine);
  item.dataset.clientId = message.client_id;
  if (message.id) {
    item.id = `m-${message.id}`;
    item.dataset.seq = message.seq;
  }
  item.append(renderMeta(message, mine));
  if (message.retracted) {
    item.classList.add("message--retracted");
    item.append(el("p", "message__body message__body--retracted", S.retracted));
    return item;
  }
  if (message.card) {
    // A document shown as a card (cards/*.js draw each kind); replies go in the thread.
    item.classList.add("message--card");
    item.append(renderCard(message.card));
    appendReceipts(item, message);
    return item;
  }
  const content = el("div", "message__body");
  // Server-rendered and sanitised (nh3) HTML; for pending messages plain text.
  if (message.html !== undefined) {
    content.innerHTML = message.html;
  } else {
    content.textContent = message.body;
  }
  item.append(content);
  if (message.attachments && message.attachments.length) {
    item.append(renderFiles(message.attachments));
  }
  if (status) {
    item.classList.add(`message--${status}`);
    const line = el("p", "message__status");
    if (status === "pending") {
      line.textContent = S.pending;
    } else {
      line.append(`${S.failed} `, button(S.retry, "link-button", () => actions.retry(message.client_id)));
    }
    item.append(line);
  } else if (mine && dom.composer) {
    appendReceipts(item, message);
    const buttons = el("p", "message__actions");
    buttons.append(
      button(S.edit, "link-button", () => actions.edit(message.id)),
      " ",
      button(S.retract, "link-button", () => actions.retract(message.id)),
    );
    item.append(buttons);
  } else if (mine) {
    appendReceipts(item, message);
  }
  return item;
}

// Who has read it, under the viewer's own message (receipts.js; only the writer has them).
function appendReceipts(item, message) {
  const line = receiptsLine(message);
  if (line) {
    item.append(line);
  }
}

function placeInTimeline(item, seq) {
  // Keep the timeline ordered by event number; pending messages stay at the end.
  if (seq === undefined) {
    dom.timeline.append(item);
    return;
  }
  const later = Array.from(dom.timeline.children).find(
    (node) => node.dataset.seq && Number(node.dataset.seq) > seq,
  );
  dom.timeline.insertBefore(item, later || dom.timeline.querySelector(".message--pending, .message--failed"));
}

// A stored message of the open thread: replaces its earlier state or its pending copy.
export function showMessage(message) {
  if (message.thread !== data.thread) {
    return;
  }
  state.messages.set(message.id, message);
  const fresh = renderMessage(message);
  const existing = document.getElementById(`m-${message.id}`) || byClientId(message.client_id);
  if (existing) {
    existing.replaceWith(fresh);
  } else {
    placeInTimeline(fresh, message.seq);
  }
  if (state.oldestSeq === null || message.seq < state.oldestSeq) {
    state.oldestSeq = message.seq;
  }
}

// A send not yet stored: "pending" (on its way) or "failed" (with a retry button).
export function showPending(clientId, frame, status) {
  const pending = {
    client_id: clientId,
    thread: frame.thread,
    author: data.me,
    body: frame.body,
    attachments: [],
    created_at: null,
  };
  const item = renderMessage(pending, status);
  const existing = byClientId(clientId);
  if (existing) {
    existing.replaceWith(item);
  } else {
    dom.timeline.append(item);
  }
  item.scrollIntoView({ block: "nearest" });
}

export function removePending(clientId) {
  const item = byClientId(clientId);
  if (item) {
    item.remove();
  }
}
