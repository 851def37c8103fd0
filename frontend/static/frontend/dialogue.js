// The live dialogue on a student's page.
//
// Guarantees, with the server's help:
// - a message shows at once as pending and is replaced by the stored one on acknowledgement;
// - unacknowledged sends are kept (also across a reload, in sessionStorage) and sent again
//   with the same client id after a reconnect; the server stores a retried send once;
// - every change on the page has a gapless event number; the browser remembers the highest
//   it has applied and asks for everything after it on (re)connect, when a number is
//   skipped, and when a heartbeat reply says the page has moved on. Applying a message is
//   an upsert by id, so nothing shows twice.
"use strict";

(function () {
  const dataElement = document.getElementById("dialogue-data");
  if (!dataElement) {
    return;
  }
  const data = JSON.parse(dataElement.textContent);
  const S = data.strings;
  const root = document.querySelector(".dialogue");
  const timeline = root.querySelector("[data-timeline]");
  const composer = root.querySelector("[data-composer]");
  const body = composer && composer.querySelector("[data-composer-body]");
  const guardBox = composer && composer.querySelector("[data-guard]");
  const composerError = composer && composer.querySelector("[data-composer-error]");
  const counter = composer && composer.querySelector("[data-count]");
  const fileInput = composer && composer.querySelector("[data-file]");
  const fileList = composer && composer.querySelector("[data-files]");
  const connection = root.querySelector("[data-connection]");
  const typingLine = root.querySelector("[data-typing]");
  const notice = root.querySelector("[data-notice]");
  const loadEarlier = root.querySelector("[data-load-earlier]");
  const jumpUnread = root.querySelector("[data-jump-unread]");
  const language = document.documentElement.lang === "en" ? "en-GB" : "sv-SE";
  const outboxKey = `elevdialog.outbox.${data.page}`;

  const state = {
    lastSeq: data.head, // highest page event number applied
    messages: new Map(), // id -> payload, messages of this thread
    outbox: new Map(), // client_id -> {frame, status}
    unread: Object.assign({}, data.unread),
    attachments: [], // uploaded, not yet sent: {id, name}
    socket: null,
    ready: false, // subscribed
    attempts: 0, // reconnection attempts since the last subscribed socket
    reconnectTimer: null,
    noticeUntilSubscribed: false,
    heartbeatTimer: null,
    pongTimer: null,
    stopped: false,
    typing: new Map(), // user id -> {name, until}
    lastTypingSent: 0,
    checkTimer: null,
    pendingGuard: null, // client_id waiting for "send anyway"
    oldestSeq: null,
    readSent: 0,
    editing: null, // ref of the edit in progress
    editForm: null,
  };

  // --- Rendering -----------------------------------------------------------------------

  function el(tag, className, text) {
    const node = document.createElement(tag);
    if (className) {
      node.className = className;
    }
    if (text !== undefined) {
      node.textContent = text;
    }
    return node;
  }

  function formatTime(iso) {
    const date = new Date(iso);
    const today = new Date();
    const sameDay = date.toDateString() === today.toDateString();
    const options = sameDay
      ? { hour: "2-digit", minute: "2-digit" }
      : { day: "numeric", month: "short", hour: "2-digit", minute: "2-digit" };
    return new Intl.DateTimeFormat(language, options).format(date);
  }

  function formatSize(bytes) {
    if (bytes < 1024 * 1024) {
      return `${Math.max(1, Math.round(bytes / 1024))} kB`;
    }
    return `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
  }

  function renderMessage(message, status) {
    const mine = message.author.id === data.me.id;
    const item = el("li", "message");
    item.classList.toggle("message--mine", mine);
    item.dataset.clientId = message.client_id;
    if (message.id) {
      item.id = `m-${message.id}`;
      item.dataset.seq = message.seq;
    }
    const meta = el("p", "message__meta");
    const author = el("span", "message__author", mine ? `${message.author.name} (${S.you})` : message.author.name);
    meta.append(author);
    const role = data.roles[String(message.author.id)];
    if (role && !mine) {
      meta.append(" ", el("span", "message__role", role));
    }
    if (message.created_at) {
      const time = el("time", "message__time", formatTime(message.created_at));
      time.dateTime = message.created_at;
      meta.append(" ", time);
    }
    if (message.edited_at && !message.retracted && message.id && !message.card) {
      // The page is a public record: earlier versions are one click away. (A card's
      // document keeps its own history, on the document's page.)
      const edited = el("button", "link-button message__edited", `(${S.edited})`);
      edited.type = "button";
      edited.setAttribute("aria-expanded", "false");
      edited.addEventListener("click", () => toggleRevisions(message.id, edited));
      meta.append(" ", edited);
    }
    item.append(meta);

    if (message.retracted) {
      item.classList.add("message--retracted");
      item.append(el("p", "message__body message__body--retracted", S.retracted));
      return item;
    }
    if (message.card) {
      // A document shown as a card (cards/*.js draw each kind); replies go in the thread.
      item.classList.add("message--card");
      item.append(renderCard(message.card));
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
      const files = el("ul", "message__files");
      for (const file of message.attachments) {
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
      item.append(files);
    }
    if (status) {
      item.classList.add(`message--${status}`);
      const line = el("p", "message__status");
      if (status === "pending") {
        line.textContent = S.pending;
      } else {
        line.textContent = `${S.failed} `;
        const retry = el("button", "link-button", S.retry);
        retry.type = "button";
        retry.addEventListener("click", () => retrySend(message.client_id));
        line.append(retry);
      }
      item.append(line);
    } else if (mine && composer) {
      const actions = el("p", "message__actions");
      const edit = el("button", "link-button", S.edit);
      edit.type = "button";
      edit.addEventListener("click", () => startEdit(message.id));
      const retract = el("button", "link-button", S.retract);
      retract.type = "button";
      retract.addEventListener("click", () => retractMessage(message.id));
      actions.append(edit, " ", retract);
      item.append(actions);
    }
    return item;
  }

  const cardTools = {
    el,
    S,
    formatTime,
    // Names of subjects and areas come in both languages; show the reader's.
    name: (names) => (names ? names[language === "en-GB" ? "en" : "sv"] : ""),
    // Server-rendered and sanitised (nh3) HTML of a free-text field.
    html(className, markup) {
      const box = el("div", className);
      box.innerHTML = markup;
      return box;
    },
  };

  function renderCard(card) {
    const draw = (window.ElevdialogCards || {})[card.type];
    if (draw) {
      return draw(card, cardTools);
    }
    const box = el("div", "card-item");
    box.append(el("p", "card-item__title", S.unknownCard));
    return box;
  }

  function placeInTimeline(item, seq) {
    // Keep the timeline ordered by event number; pending messages stay at the end.
    if (seq === undefined) {
      timeline.append(item);
      return;
    }
    const later = Array.from(timeline.children).find(
      (node) => node.dataset.seq && Number(node.dataset.seq) > seq,
    );
    timeline.insertBefore(item, later || timeline.querySelector(".message--pending, .message--failed"));
  }

  function showMessage(message) {
    if (message.thread !== data.thread) {
      return;
    }
    state.messages.set(message.id, message);
    const fresh = renderMessage(message);
    const existing = document.getElementById(`m-${message.id}`) ||
      timeline.querySelector(`[data-client-id="${CSS.escape(message.client_id)}"]`);
    if (existing) {
      existing.replaceWith(fresh);
    } else {
      placeInTimeline(fresh, message.seq);
    }
    if (state.oldestSeq === null || message.seq < state.oldestSeq) {
      state.oldestSeq = message.seq;
    }
  }

  function showPending(clientId, frame, status) {
    const pending = {
      client_id: clientId,
      thread: frame.thread,
      author: data.me,
      body: frame.body,
      attachments: [],
      created_at: null,
    };
    const item = renderMessage(pending, status);
    const existing = timeline.querySelector(`[data-client-id="${CSS.escape(clientId)}"]`);
    if (existing) {
      existing.replaceWith(item);
    } else {
      timeline.append(item);
    }
    item.scrollIntoView({ block: "nearest" });
  }

  // --- Unread counts ---------------------------------------------------------------------

  function renderUnread() {
    let total = 0;
    for (const badge of document.querySelectorAll("[data-unread-for]")) {
      const count = state.unread[badge.dataset.unreadFor] || 0;
      total += count;
      badge.querySelector("[data-count]").textContent = String(count);
      badge.hidden = count === 0;
    }
    const base = document.title.replace(/^\(\d+\) /, "");
    document.title = total ? `(${total}) ${base}` : base;
  }

  function markRead() {
    // The thread on screen counts as read when the window has focus.
    if (!state.ready || document.visibilityState !== "visible") {
      return;
    }
    const seqs = Array.from(state.messages.keys()).map((id) => state.messages.get(id).seq);
    const latest = Math.max(0, ...seqs);
    if (latest <= state.readSent) {
      return;
    }
    state.readSent = latest;
    send({ type: "read", page: data.page, thread: data.thread, seq: latest });
  }

  // --- Socket ----------------------------------------------------------------------------

  function setConnection(text, online) {
    connection.textContent = text;
    connection.classList.toggle("connection--online", online);
  }

  function send(frame) {
    if (state.socket && state.socket.readyState === WebSocket.OPEN) {
      state.socket.send(JSON.stringify(frame));
      return true;
    }
    return false;
  }

  function connect() {
    if (state.stopped) {
      return;
    }
    setConnection(S.connecting, false);
    const scheme = window.location.protocol === "https:" ? "wss" : "ws";
    const socket = new WebSocket(`${scheme}://${window.location.host}${data.urls.socket}`);
    state.socket = socket;
    socket.addEventListener("open", () => {
      catchUp();
    });
    socket.addEventListener("message", (event) => {
      let frame;
      try {
        frame = JSON.parse(event.data);
      } catch (error) {
        return;
      }
      // The bell (inbox.js) listens on this tab's one socket.
      document.dispatchEvent(new CustomEvent("elevdialog:frame", { detail: frame }));
      handleFrame(frame);
    });
    socket.addEventListener("close", (event) => {
      state.ready = false;
      window.clearInterval(state.heartbeatTimer);
      window.clearTimeout(state.pongTimer);
      if (state.socket !== socket) {
        return;
      }
      if (event.code === 4401) {
        stop(S.sessionEnded);
        return;
      }
      setConnection(S.offline, false);
      // 4429: this person has too many sockets open (the server said so in an error frame,
      // shown as a notice): wait long, not in a loop. 4503 (the service cannot serve the
      // socket now) and everything else: back off and try again.
      scheduleReconnect(event.code === 4429 ? TOO_MANY_SOCKETS_WAIT_MS : null);
    });
  }

  const RECONNECT_CEILING_MS = 10000;
  const TOO_MANY_SOCKETS_WAIT_MS = 60000;

  function scheduleReconnect(wait) {
    if (state.stopped || state.reconnectTimer) {
      return;
    }
    // Exponential backoff with jitter, so that a restarted server is not hit by every
    // browser at the same instant; capped at 10 s so that a server back after a longer
    // outage gets its browsers back within seconds. Reset once a socket is subscribed.
    const ceiling = wait || Math.min(RECONNECT_CEILING_MS, 500 * 2 ** state.attempts);
    const delay = Math.round(ceiling / 2 + (Math.random() * ceiling) / 2);
    state.attempts += 1;
    state.reconnectTimer = window.setTimeout(() => {
      state.reconnectTimer = null;
      connect();
    }, delay);
  }

  function reconnectNow() {
    if (state.socket) {
      const old = state.socket;
      state.socket = null;
      old.close();
    }
    state.ready = false;
    scheduleReconnect();
  }

  function startHeartbeat() {
    window.clearInterval(state.heartbeatTimer);
    state.heartbeatTimer = window.setInterval(() => {
      if (!send({ type: "ping" })) {
        return;
      }
      window.clearTimeout(state.pongTimer);
      state.pongTimer = window.setTimeout(reconnectNow, Math.max(5000, data.heartbeatMs / 2));
    }, data.heartbeatMs);
  }

  function stop(message) {
    state.stopped = true;
    window.clearInterval(state.heartbeatTimer);
    window.clearTimeout(state.pongTimer);
    window.clearTimeout(state.reconnectTimer);
    if (state.socket) {
      state.socket.close();
    }
    setConnection("", false);
    notice.textContent = message;
    notice.hidden = false;
    if (composer) {
      for (const control of composer.querySelectorAll("textarea, button, input")) {
        control.disabled = true;
      }
    }
  }

  function catchUp() {
    send({ type: "subscribe", page: data.page, after: state.lastSeq, ref: "subscribe" });
  }

  function applyChange(message) {
    // Numbers are gapless and applied in order: one at or below the last applied number
    // is a repeat (a live event after a catch-up, or the other way round).
    if (message.change_seq <= state.lastSeq) {
      return;
    }
    // A skipped number means something was missed in transit: ask for everything after
    // the last applied one (which brings this change too).
    if (message.change_seq > state.lastSeq + 1 && state.ready) {
      catchUp();
      return;
    }
    state.lastSeq = message.change_seq;
    const isNew = message.seq === message.change_seq;
    if (message.thread === data.thread) {
      showMessage(message);
      markRead();
    } else if (isNew && message.author.id !== data.me.id && !message.retracted) {
      state.unread[message.thread] = (state.unread[message.thread] || 0) + 1;
      renderUnread();
    } else if (message.retracted && message.author.id !== data.me.id) {
      send({ type: "unread", page: data.page });
    }
    if (state.outbox.has(message.client_id) && message.author.id === data.me.id) {
      state.outbox.delete(message.client_id);
      saveOutbox();
    }
  }

  function handleFrame(frame) {
    switch (frame.type) {
      case "subscribed":
        // The catch-up list holds every changed message once, at its latest number, so
        // its numbers may skip (a message changed twice): not a gap. Apply it before
        // gap detection is on again.
        state.ready = false;
        for (const message of frame.messages) {
          applyChange(message);
        }
        if (frame.complete) {
          state.lastSeq = Math.max(state.lastSeq, frame.head);
        }
        state.ready = true;
        state.attempts = 0;
        setConnection(S.online, true);
        if (state.noticeUntilSubscribed) {
          state.noticeUntilSubscribed = false;
          notice.hidden = true;
        }
        if (!frame.complete) {
          notice.textContent = S.reload;
          notice.hidden = false;
        }
        flushOutbox();
        startHeartbeat();
        markRead();
        break;
      case "message":
        applyChange(frame.message);
        break;
      case "ack":
        if (frame.client_id && state.outbox.has(frame.client_id)) {
          const entry = state.outbox.get(frame.client_id);
          window.clearTimeout(entry.retryTimer);
          if (entry.unavailable) {
            showComposerError(""); // it said "not saved, try again"; now it is saved
          }
          state.outbox.delete(frame.client_id);
          saveOutbox();
        }
        if (frame.message) {
          applyChange(frame.message);
          // Also when the change was already applied (a resend after a lost
          // acknowledgement): the pending copy must give way to the stored message.
          const settled = state.messages.get(frame.message.id) || frame.message;
          if (settled.thread === data.thread && !state.editing) {
            showMessage(settled);
          }
        }
        if (frame.ref && frame.ref === state.editing) {
          finishEdit();
        }
        break;
      case "guard":
        handleGuard(frame);
        break;
      case "error":
        handleError(frame);
        break;
      case "typing":
        if (frame.thread === data.thread) {
          state.typing.set(frame.user.id, { name: frame.user.name, until: Date.now() + 4000 });
          renderTyping();
        }
        break;
      case "unread":
        if (frame.page === data.page) {
          state.unread = frame.unread;
          renderUnread();
        }
        break;
      case "pong":
        window.clearTimeout(state.pongTimer);
        if ((frame.heads[String(data.page)] || 0) > state.lastSeq) {
          catchUp();
        }
        break;
      case "revoked":
        if (frame.page === data.page) {
          stop(S.accessEnded);
        }
        break;
      default:
        break;
    }
  }

  // --- Sending ---------------------------------------------------------------------------

  function saveOutbox() {
    try {
      const entries = Array.from(state.outbox.values()).map((entry) => entry.frame);
      window.sessionStorage.setItem(outboxKey, JSON.stringify(entries));
    } catch (error) {
      // Storage may be full or disabled; the outbox still lives in memory.
    }
  }

  function loadOutbox() {
    // Called after the page's messages are shown.
    let frames = [];
    try {
      frames = JSON.parse(window.sessionStorage.getItem(outboxKey) || "[]");
    } catch (error) {
      frames = [];
    }
    const stored = new Set(Array.from(state.messages.values(), (message) => message.client_id));
    for (const frame of frames) {
      if (stored.has(frame.client_id)) {
        continue; // stored before the page was reloaded; only the acknowledgement was lost
      }
      state.outbox.set(frame.client_id, { frame, status: "pending" });
      if (frame.thread === data.thread) {
        showPending(frame.client_id, frame, "pending");
      }
    }
  }

  function flushOutbox() {
    for (const entry of state.outbox.values()) {
      if (entry.status === "pending") {
        send(entry.frame);
      }
    }
  }

  function newClientId() {
    if (window.crypto && window.crypto.randomUUID) {
      return window.crypto.randomUUID();
    }
    const bytes = window.crypto.getRandomValues(new Uint8Array(16));
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    const hex = Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
  }

  function queueSend(frame) {
    state.outbox.set(frame.client_id, { frame, status: "pending" });
    saveOutbox();
    showPending(frame.client_id, frame, "pending");
    sendWhenReady(frame);
  }

  function sendWhenReady(frame) {
    // Before the page is subscribed the server would refuse it (not_subscribed); the outbox
    // sends every pending message once it is.
    if (state.ready) {
      send(frame);
    }
  }

  function retrySend(clientId) {
    const entry = state.outbox.get(clientId);
    if (!entry) {
      return;
    }
    entry.status = "pending";
    showPending(clientId, entry.frame, "pending");
    sendWhenReady(entry.frame);
  }

  function retryLater(clientId, entry, seconds) {
    // The server stored nothing and said when to try again (the database is away): keep
    // the message pending and send it again then, with jitter so that every browser does
    // not come back at once.
    window.clearTimeout(entry.retryTimer);
    entry.status = "pending";
    entry.unavailable = true;
    showPending(clientId, entry.frame, "pending");
    const delay = (seconds || 5) * 1000 * (1 + Math.random() / 2);
    entry.retryTimer = window.setTimeout(() => {
      if (state.outbox.get(clientId) === entry && entry.status === "pending") {
        sendWhenReady(entry.frame);
      }
    }, delay);
  }

  function showComposerError(message) {
    composerError.textContent = message || "";
    composerError.hidden = !message;
  }

  // Errors after which a send may succeed unchanged: it is marked failed, with a retry
  // button, and keeps its text.
  const RETRYABLE = new Set(["rate_limited", "server_error", "not_found", "forbidden"]);

  function handleError(frame) {
    const entry = frame.client_id && state.outbox.get(frame.client_id);
    if (entry) {
      if (frame.code === "not_subscribed") {
        // Sent while the page was being (re)subscribed: it goes out again once it is.
        if (state.ready) {
          catchUp();
        }
        return;
      }
      if (frame.code === "unavailable") {
        retryLater(frame.client_id, entry, frame.retry_after);
      } else if (RETRYABLE.has(frame.code)) {
        entry.status = "failed";
        showPending(frame.client_id, entry.frame, "failed");
      } else {
        // The server will never accept this one as it is: give the text back to edit.
        state.outbox.delete(frame.client_id);
        saveOutbox();
        const item = timeline.querySelector(`[data-client-id="${CSS.escape(frame.client_id)}"]`);
        if (item) {
          item.remove();
        }
        if (composer && !body.value) {
          body.value = entry.frame.body;
        }
      }
      showComposerError(frame.message);
      return;
    }
    if (frame.ref && frame.ref === state.editing) {
      showEditError(frame.message);
      return;
    }
    if (frame.code === "unavailable") {
      // The database is away for a moment. Subscribing is asked again later (the heartbeat
      // starts only once subscribed); anything else (a read mark, typing) just waits.
      if (frame.ref === "subscribe") {
        window.setTimeout(catchUp, (frame.retry_after || 5) * 1000 * (1 + Math.random() / 2));
      }
      return;
    }
    if (frame.code === "not_found" || frame.code === "not_subscribed") {
      stop(S.accessEnded);
      return;
    }
    notice.textContent = frame.message;
    notice.hidden = false;
    // Too many tabs: the socket closes (4429) and tries again in a minute; once it is back
    // the notice has served its purpose.
    state.noticeUntilSubscribed = frame.code === "too_many_sockets";
  }

  function renderFindings(box, findings, onSendAnyway, onEdit) {
    box.replaceChildren();
    box.append(el("p", "guard__title", S.guardTitle), el("p", null, S.guardIntro));
    const list = el("ul", "guard__findings");
    for (const finding of findings) {
      const entry = el("li");
      entry.append(el("mark", null, finding.matched), ` — ${finding.label}`);
      list.append(entry);
    }
    box.append(list, el("p", "hint", S.guardNote));
    if (onSendAnyway) {
      const actions = el("p", "guard__actions");
      const edit = el("button", "button", S.guardEdit);
      edit.type = "button";
      edit.addEventListener("click", onEdit);
      const anyway = el("button", "button button--secondary", S.guardSendAnyway);
      anyway.type = "button";
      anyway.addEventListener("click", onSendAnyway);
      actions.append(edit, " ", anyway);
      box.append(actions);
    }
    box.hidden = false;
  }

  function handleGuard(frame) {
    if (frame.ref === "composer-check") {
      // Live check while typing: show, but nothing to confirm yet.
      if (frame.findings.length && !state.pendingGuard) {
        renderFindings(guardBox, frame.findings, null, null);
      } else if (!state.pendingGuard) {
        guardBox.hidden = true;
      }
      return;
    }
    if (frame.ref && frame.ref === state.editing) {
      showEditGuard(frame.findings);
      return;
    }
    const entry = state.outbox.get(frame.client_id);
    if (!entry) {
      return;
    }
    // Nothing was saved: take the message back into the composer until the writer decides.
    state.outbox.delete(frame.client_id);
    saveOutbox();
    const item = timeline.querySelector(`[data-client-id="${CSS.escape(frame.client_id)}"]`);
    if (item) {
      item.remove();
    }
    state.pendingGuard = entry.frame;
    body.value = entry.frame.body;
    updateCounter();
    renderFindings(
      guardBox,
      frame.findings,
      () => {
        const confirmed = Object.assign({}, state.pendingGuard, { send_anyway: true });
        state.pendingGuard = null;
        guardBox.hidden = true;
        body.value = "";
        updateCounter();
        queueSend(confirmed);
      },
      () => {
        state.pendingGuard = null;
        guardBox.hidden = true;
        body.focus();
      },
    );
    guardBox.querySelector("button").focus();
  }

  function submitComposer(event) {
    event.preventDefault();
    const text = body.value;
    if (!text.trim() && !state.attachments.length) {
      body.focus();
      return;
    }
    if (text.length > data.maxLength) {
      showComposerError(S.tooLong.replace("%(length)s", text.length).replace("%(limit)s", data.maxLength));
      return;
    }
    showComposerError("");
    // A new send replaces an undecided warning (its text is what is in the composer now).
    const clientId = state.pendingGuard ? state.pendingGuard.client_id : newClientId();
    state.pendingGuard = null;
    guardBox.hidden = true;
    queueSend({
      type: "send",
      page: data.page,
      thread: data.thread,
      client_id: clientId,
      body: text,
      attachments: state.attachments.map((file) => file.id),
    });
    body.value = "";
    state.attachments = [];
    renderFiles();
    updateCounter();
    body.focus();
  }

  function updateCounter() {
    const length = body.value.length;
    counter.textContent = length > data.maxLength * 0.8 ? `${length} / ${data.maxLength}` : "";
    counter.classList.toggle("composer__count--over", length > data.maxLength);
  }

  function onComposerInput() {
    updateCounter();
    const now = Date.now();
    if (now - state.lastTypingSent > 2000 && body.value.trim()) {
      state.lastTypingSent = now;
      send({ type: "typing", page: data.page, thread: data.thread });
    }
    window.clearTimeout(state.checkTimer);
    state.checkTimer = window.setTimeout(() => {
      if (body.value.trim()) {
        send({ type: "check", body: body.value, ref: "composer-check" });
      } else if (!state.pendingGuard) {
        guardBox.hidden = true;
      }
    }, 700);
  }

  // --- Editing and retracting --------------------------------------------------------------

  function startEdit(messageId) {
    const message = state.messages.get(messageId);
    const item = document.getElementById(`m-${messageId}`);
    if (!message || !item || state.editing) {
      return;
    }
    state.editing = `edit-${messageId}`;
    const form = el("form", "message__edit");
    const area = el("textarea");
    area.rows = 3;
    area.value = message.body; // the Markdown as written, not the rendered text
    area.setAttribute("aria-label", S.edit);
    const box = el("div", "guard");
    box.hidden = true;
    const error = el("p", "field__errors");
    error.hidden = true;
    const save = el("button", "button", S.save);
    save.type = "submit";
    const cancel = el("button", "link-button", S.cancel);
    cancel.type = "button";
    cancel.addEventListener("click", finishEdit);
    form.append(area, box, error, el("p", "message__actions"));
    form.lastChild.append(save, " ", cancel);
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      send({ type: "edit", page: data.page, message: messageId, body: area.value, ref: state.editing });
    });
    state.editForm = { form, area, box, error, messageId };
    item.querySelector(":scope > .message__body").replaceWith(form);
    area.focus();
  }

  function showEditGuard(findings) {
    const edit = state.editForm;
    renderFindings(
      edit.box,
      findings,
      () => send({
        type: "edit", page: data.page, message: edit.messageId, body: edit.area.value,
        ref: state.editing, send_anyway: true,
      }),
      () => edit.area.focus(),
    );
  }

  function showEditError(message) {
    state.editForm.error.textContent = message;
    state.editForm.error.hidden = false;
  }

  function finishEdit() {
    const edit = state.editForm;
    state.editing = null;
    state.editForm = null;
    if (edit) {
      const message = state.messages.get(edit.messageId);
      if (message) {
        showMessage(message);
      }
    }
  }

  function retractMessage(messageId) {
    if (window.confirm(S.confirmRetract)) {
      send({ type: "retract", page: data.page, message: messageId, ref: `retract-${messageId}` });
    }
  }

  async function toggleRevisions(messageId, button) {
    const item = document.getElementById(`m-${messageId}`);
    const shown = item.querySelector(".message__revisions");
    if (shown) {
      shown.remove();
      button.setAttribute("aria-expanded", "false");
      return;
    }
    const response = await fetch(data.urls.revisions.replace("{id}", messageId), { credentials: "same-origin" });
    if (!response.ok) {
      return;
    }
    const answer = await response.json();
    const list = el("ol", "message__revisions");
    list.setAttribute("aria-label", S.earlierVersions);
    for (const revision of answer.revisions) {
      const entry = el("li");
      const time = el("time", "message__time", formatTime(revision.written_at));
      time.dateTime = revision.written_at;
      const text = el("div", "message__revision-body");
      text.innerHTML = revision.html; // sanitised on the server when it was written
      entry.append(time, text);
      list.append(entry);
    }
    item.querySelector(":scope > .message__body").before(list);
    button.setAttribute("aria-expanded", "true");
  }

  // --- Files ----------------------------------------------------------------------------

  function renderFiles() {
    fileList.replaceChildren();
    for (const file of state.attachments) {
      const entry = el("li", null, `${file.name} `);
      const remove = el("button", "link-button", S.attachmentRemove);
      remove.type = "button";
      remove.addEventListener("click", () => {
        state.attachments = state.attachments.filter((other) => other.id !== file.id);
        renderFiles();
      });
      entry.append(remove);
      fileList.append(entry);
    }
  }

  async function uploadFile() {
    const file = fileInput.files[0];
    fileInput.value = "";
    if (!file) {
      return;
    }
    showComposerError("");
    const progress = el("li", null, `${file.name}: ${S.uploading}`);
    fileList.append(progress);
    const form = new FormData();
    form.append("file", file);
    try {
      const response = await fetch(data.urls.upload, {
        method: "POST",
        body: form,
        headers: { "X-CSRFToken": data.csrf },
        credentials: "same-origin",
      });
      const answer = await response.json();
      if (!response.ok) {
        throw new Error(answer.error ? answer.error.message : S.uploadFailed);
      }
      state.attachments.push({ id: answer.attachment.id, name: answer.attachment.name });
    } catch (error) {
      showComposerError(error.message || S.uploadFailed);
    }
    renderFiles();
  }

  // --- History, unread marker, typing --------------------------------------------------------

  async function loadEarlierMessages() {
    loadEarlier.disabled = true;
    try {
      const response = await fetch(`${data.urls.history}?before=${state.oldestSeq}`, { credentials: "same-origin" });
      const answer = await response.json();
      for (const message of answer.messages) {
        showMessage(message);
      }
      loadEarlier.hidden = !answer.more;
    } finally {
      loadEarlier.disabled = false;
    }
  }

  function placeUnreadMarker() {
    if (!data.firstUnread) {
      return;
    }
    const first = timeline.querySelector(`[data-seq="${data.firstUnread}"]`);
    if (!first) {
      return;
    }
    // A list item of its own (not role=separator: an <ol> may only hold list items, and a
    // screen reader reads "New messages" in its place in the list).
    const marker = el("li", "unread-marker", S.newMessages);
    marker.id = "first-unread";
    timeline.insertBefore(marker, first);
    jumpUnread.hidden = false;
    jumpUnread.addEventListener("click", () => {
      marker.scrollIntoView({ block: "start" });
      jumpUnread.hidden = true;
    });
  }

  function renderTyping() {
    const now = Date.now();
    for (const [id, entry] of state.typing) {
      if (entry.until < now) {
        state.typing.delete(id);
      }
    }
    const names = Array.from(state.typing.values()).map((entry) => entry.name);
    if (names.length === 0) {
      typingLine.textContent = "";
    } else if (names.length === 1) {
      typingLine.textContent = S.typingOne.replace("%(name)s", names[0]);
    } else {
      typingLine.textContent = S.typingMany;
    }
  }

  // --- Start ------------------------------------------------------------------------------

  for (const message of data.messages) {
    showMessage(message);
  }
  loadEarlier.hidden = !data.more;
  loadEarlier.addEventListener("click", loadEarlierMessages);
  placeUnreadMarker();
  renderUnread();
  loadOutbox();
  if (composer) {
    composer.addEventListener("submit", submitComposer);
    body.addEventListener("input", onComposerInput);
    body.addEventListener("keydown", (event) => {
      // Ctrl/Cmd+Enter sends; Enter alone makes a new line (messages are often long).
      if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
        submitComposer(event);
      }
    });
    fileInput.addEventListener("change", uploadFile);
  }
  window.setInterval(renderTyping, 1000);
  document.addEventListener("visibilitychange", markRead);
  window.addEventListener("offline", () => {
    // Browsers may keep a dead socket open; do not wait for a heartbeat to notice.
    if (state.socket) {
      reconnectNow();
      setConnection(S.offline, false);
    }
  });
  window.addEventListener("online", () => {
    if (!state.ready) {
      window.clearTimeout(state.reconnectTimer);
      state.reconnectTimer = null;
      state.attempts = 0;
      connect();
    }
  });
  const lastMessage = timeline.querySelector(".message:last-of-type");
  if (lastMessage && !data.firstUnread) {
    lastMessage.scrollIntoView({ block: "end" });
  }
  connect();
})();
