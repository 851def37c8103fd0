// Sends on their way: shown as pending at once, kept in the feed's outbox until stored,
// marked failed (with a retry button) when the server could not store them, sent again by
// themselves when the server said when, or given back to the writer when it never will.
import { removePending, showPending } from "./render.js";
import { dom, state } from "./store.js";

// Errors after which a send may succeed unchanged: it is marked failed, with a retry
// button, and keeps its text.
const RETRYABLE = new Set(["rate_limited", "server_error", "not_found", "forbidden"]);

export function showComposerError(message) {
  if (!dom.composerError) {
    return;
  }
  dom.composerError.textContent = message || "";
  dom.composerError.hidden = !message;
}

export function queueSend(frame) {
  showPending(frame.client_id, frame, "pending");
  state.feed.queue(frame);
}

export function retrySend(clientId) {
  const entry = state.feed.outbox.get(clientId);
  if (!entry) {
    return;
  }
  entry.status = "pending";
  showPending(clientId, entry.frame, "pending");
  state.feed.sendWhenReady(entry.frame);
}

// The server stored nothing and said when to try again (the database is away): keep the
// message pending and send it again then, with jitter so that every browser does not come
// back at once.
function retryLater(clientId, entry, seconds) {
  window.clearTimeout(entry.retryTimer);
  entry.status = "pending";
  entry.unavailable = true;
  showPending(clientId, entry.frame, "pending");
  const delay = (seconds || 5) * 1000 * (1 + Math.random() / 2);
  entry.retryTimer = window.setTimeout(() => {
    if (state.feed.outbox.get(clientId) === entry && entry.status === "pending") {
      state.feed.sendWhenReady(entry.frame);
    }
  }, delay);
}

// The send is stored (entry: its outbox entry, if it was still there).
export function settled(entry) {
  if (entry) {
    window.clearTimeout(entry.retryTimer);
    if (entry.unavailable) {
      showComposerError(""); // it said "not saved, try again"; now it is saved
    }
  }
}

// An error about a send; false if the frame was about something else.
export function sendFailed(frame) {
  const feed = state.feed;
  const entry = frame.client_id && feed.outbox.get(frame.client_id);
  if (!entry) {
    return false;
  }
  if (frame.code === "not_subscribed") {
    // Sent while the page was being (re)subscribed: it goes out again once it is.
    if (feed.ready) {
      feed.catchUp();
    }
    return true;
  }
  if (frame.code === "unavailable") {
    retryLater(frame.client_id, entry, frame.retry_after);
  } else if (RETRYABLE.has(frame.code)) {
    entry.status = "failed";
    showPending(frame.client_id, entry.frame, "failed");
  } else {
    // The server will never accept this one as it is: give the text back to edit.
    feed.outbox.remove(frame.client_id);
    removePending(frame.client_id);
    if (dom.composer && !dom.body.value) {
      dom.body.value = entry.frame.body;
    }
  }
  showComposerError(frame.message);
  return true;
}
