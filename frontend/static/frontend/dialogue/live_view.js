// What the page shows of the live connection: changes applied by the feed, the connection
// line, who is writing, unread counts from the server, errors that are not about one send,
// and the end of access.
import { disableComposer, sendHeldBack } from "./composer.js";
import { finishEdit, showEditError, showEditGuard } from "./editing.js";
import { showMessage } from "./render.js";
import { sendFailed, settled } from "./sending.js";
import { S, data, dom, state } from "./store.js";
import { TypingTracker, typingText } from "./typing.js";
import { markRead, renderUnread } from "./unread.js";

const typing = new TypingTracker();

function setConnection(text, online) {
  dom.connection.textContent = text;
  dom.connection.classList.toggle("connection--online", online);
}

export function renderTyping() {
  dom.typingLine.textContent = typingText(typing.names(), S);
}

// Access ended (or the session did): nothing more comes or goes on this page.
function stop(message) {
  state.stopped = true;
  if (state.feed) {
    state.feed.stop();
  }
  setConnection("", false);
  dom.notice.textContent = message;
  dom.notice.hidden = false;
  disableComposer();
}

// The PageFeed's view: what to do with each change, subscription and acknowledgement.
export const view = {
  apply(message) {
    const mine = message.author.id === data.me.id;
    if (message.thread === data.thread) {
      if (typing.wrote(message.author.id)) {
        renderTyping(); // what they were writing has come
      }
      showMessage(message);
      markRead();
    } else if (message.seq === message.change_seq && !mine && !message.retracted) {
      state.unread[message.thread] = (state.unread[message.thread] || 0) + 1;
      renderUnread();
    } else if (message.retracted && !mine) {
      state.feed.client.send({ type: "unread", page: data.page });
    }
  },

  subscribed(frame) {
    setConnection(S.online, true);
    if (state.noticeUntilSubscribed) {
      state.noticeUntilSubscribed = false;
      dom.notice.hidden = true;
    }
    if (!frame.complete) {
      dom.notice.textContent = S.reload;
      dom.notice.hidden = false;
    }
    markRead();
  },

  acknowledged(frame, entry) {
    settled(entry);
    if (frame.message) {
      // Also when the change was already applied (a resend after a lost acknowledgement):
      // the pending copy must give way to the stored message.
      const stored = state.messages.get(frame.message.id) || frame.message;
      if (stored.thread === data.thread && !state.editing) {
        showMessage(stored);
      }
    }
    if (frame.ref && frame.ref === state.editing) {
      finishEdit();
    }
  },
};

function onError(frame) {
  if (state.stopped || sendFailed(frame)) {
    return;
  }
  if (frame.ref && frame.ref === state.editing) {
    showEditError(frame.message);
    return;
  }
  if (frame.code === "unavailable") {
    // The database is away for a moment. Subscribing is asked again later; anything else
    // (a read mark, typing) just waits.
    if (frame.ref === "subscribe") {
      window.setTimeout(() => state.feed.catchUp(), (frame.retry_after || 5) * 1000 * (1 + Math.random() / 2));
    }
    return;
  }
  if (frame.code === "not_found" || frame.code === "not_subscribed") {
    stop(S.accessEnded);
    return;
  }
  dom.notice.textContent = frame.message;
  dom.notice.hidden = false;
  // Too many tabs: the socket closes (4429) and tries again in a minute; once it is back
  // the notice has served its purpose.
  state.noticeUntilSubscribed = frame.code === "too_many_sockets";
}

function onGuard(frame) {
  if (frame.ref && frame.ref === state.editing) {
    showEditGuard(frame.findings);
  } else {
    sendHeldBack(frame);
  }
}

export function listen(client) {
  client.onStatus((status) => {
    if (state.stopped) {
      return;
    }
    if (status === "ended") {
      stop(S.sessionEnded);
    } else if (status === "offline") {
      setConnection(S.offline, false);
    } else if (status === "connecting" || status === "open") {
      setConnection(S.connecting, false); // online once the page is subscribed
    }
  });
  client.on("error", onError);
  client.on("guard", (frame) => !state.stopped && onGuard(frame));
  client.on("typing", (frame) => {
    if (frame.page === data.page && frame.thread === data.thread) {
      typing.announced(frame.user);
      renderTyping();
    }
  });
  client.on("unread", (frame) => {
    if (frame.page === data.page) {
      state.unread = frame.unread;
      renderUnread();
    }
  });
  client.on("revoked", (frame) => {
    if (frame.page === data.page && !state.stopped) {
      stop(S.accessEnded);
    }
  });
  window.setInterval(renderTyping, 1000);
}
