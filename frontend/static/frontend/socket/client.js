// The tab's one live socket (/ws/), shared by every script of the page.
//
// It owns the connection: a heartbeat at the interval the server gives (a reply that does
// not come in time means a dead connection), reconnecting with capped exponential backoff
// and jitter, and the close codes of frontend/socket_protocol.py (4401: the session ended,
// never reconnect; 4429: too many sockets for this person, wait a minute; anything else,
// 4503 included: back off and come again). Page scripts listen for frame types with on(),
// and follow() what they want after every (re)connect (a page, a blog): its subscribe
// frame is sent on each open, carrying the last event number seen so the server sends
// what was missed. Everything the browser gives (WebSocket, timers, randomness, window
// events) is passed in, so the logic runs in Node's test runner as it runs in the browser.

export const CLOSE_NOT_AUTHENTICATED = 4401;
export const CLOSE_TOO_MANY_SOCKETS = 4429;
export const RECONNECT_BASE_MS = 500;
export const RECONNECT_CEILING_MS = 10000;
export const TOO_MANY_SOCKETS_WAIT_MS = 60000;
const OPEN = 1;

// The wait before reconnection attempt number `attempts` (0 for the first): a random point
// in the upper half of an exponentially growing window, so that a restarted server is not
// hit by every browser at the same instant, capped at 10 s so that browsers are back within
// seconds of the server. A fixed `window` (the 4429 minute) replaces the growing one.
export function reconnectDelay(attempts, random, window = null) {
  const ceiling = window || Math.min(RECONNECT_CEILING_MS, RECONNECT_BASE_MS * 2 ** attempts);
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}

export class LiveClient {
  // url: the socket's address; heartbeatMs: the server's heartbeat interval;
  // WebSocket: the constructor; timers: {setTimeout, clearTimeout, setInterval,
  // clearInterval}; random: () => [0, 1); events: an EventTarget with "online"/"offline".
  constructor({ url, heartbeatMs, WebSocket, timers, random = Math.random, events = null }) {
    this.url = url;
    this.heartbeatMs = heartbeatMs;
    this.WebSocket = WebSocket;
    this.timers = timers;
    this.random = random;
    this.socket = null;
    this.attempts = 0; // reconnection attempts since the server last answered
    this.reconnectTimer = null;
    this.heartbeatTimer = null;
    this.pongTimer = null;
    this.ended = false; // 4401: the session ended; nothing more to do
    this.started = false;
    this.handlers = new Map(); // frame type -> set of handlers
    this.statusHandlers = new Set();
    this.followed = new Set(); // topics: {subscribe(): frame}
    this.status = "idle";
    if (events) {
      events.addEventListener("offline", () => this.wentOffline());
      events.addEventListener("online", () => this.cameOnline());
    }
  }

  // --- What page scripts use ---------------------------------------------------------

  // Call handler(frame) for every frame of this type ("*": every frame); returns a
  // function that stops it.
  on(type, handler) {
    if (!this.handlers.has(type)) {
      this.handlers.set(type, new Set());
    }
    this.handlers.get(type).add(handler);
    return () => this.handlers.get(type).delete(handler);
  }

  // Call handler(status, detail) when the connection changes: "connecting", "open",
  // "offline", "ended" (detail: the close code). Called at once with the present status.
  onStatus(handler) {
    this.statusHandlers.add(handler);
    handler(this.status);
    return () => this.statusHandlers.delete(handler);
  }

  // Follow a topic: topic.subscribe() gives the frame to send on every open (now, if the
  // socket is open). Returns a function that stops following it.
  follow(topic) {
    this.followed.add(topic);
    if (this.isOpen()) {
      this.send(topic.subscribe());
    }
    return () => this.followed.delete(topic);
  }

  // Send a frame now; false when there is no open socket (the caller keeps it).
  send(frame) {
    if (!this.isOpen()) {
      return false;
    }
    this.socket.send(JSON.stringify(frame));
    return true;
  }

  isOpen() {
    return this.socket !== null && this.socket.readyState === OPEN;
  }

  // The server has served a subscription: the connection works, so the next outage
  // starts its backoff from the beginning again.
  served() {
    this.attempts = 0;
  }

  start() {
    if (!this.started) {
      this.started = true;
      this.connect();
    }
  }

  // --- The connection ----------------------------------------------------------------

  setStatus(status, detail) {
    this.status = status;
    for (const handler of this.statusHandlers) {
      handler(status, detail);
    }
  }

  connect() {
    if (this.ended) {
      return;
    }
    this.setStatus("connecting");
    const socket = new this.WebSocket(this.url);
    this.socket = socket;
    socket.addEventListener("open", () => {
      if (this.socket !== socket) {
        return;
      }
      this.setStatus("open");
      // Answered by a pong once the server serves the socket (not only accepted it).
      this.send({ type: "ping" });
      this.startHeartbeat();
      for (const topic of this.followed) {
        this.send(topic.subscribe());
      }
    });
    socket.addEventListener("message", (event) => {
      if (this.socket !== socket) {
        return;
      }
      let frame;
      try {
        frame = JSON.parse(event.data);
      } catch (error) {
        return; // not a frame this page understands
      }
      if (frame && typeof frame.type === "string") {
        this.dispatch(frame);
      }
    });
    socket.addEventListener("close", (event) => this.closed(socket, event.code));
  }

  dispatch(frame) {
    if (frame.type === "pong") {
      this.timers.clearTimeout(this.pongTimer);
      this.pongTimer = null;
      this.served();
    }
    for (const type of [frame.type, "*"]) {
      for (const handler of Array.from(this.handlers.get(type) || [])) {
        handler(frame);
      }
    }
  }

  closed(socket, code) {
    if (this.socket !== socket) {
      return; // an old socket, already given up
    }
    this.socket = null;
    this.stopHeartbeat();
    if (code === CLOSE_NOT_AUTHENTICATED) {
      this.ended = true;
      this.setStatus("ended", code);
      return;
    }
    this.setStatus("offline", code);
    this.scheduleReconnect(code === CLOSE_TOO_MANY_SOCKETS ? TOO_MANY_SOCKETS_WAIT_MS : null);
  }

  scheduleReconnect(window = null) {
    if (this.ended || this.reconnectTimer !== null) {
      return;
    }
    const delay = reconnectDelay(this.attempts, this.random, window);
    this.attempts += 1;
    this.reconnectTimer = this.timers.setTimeout(() => {
      this.reconnectTimer = null;
      this.connect();
    }, delay);
  }

  // Give up the present socket (dead or silent) and come again after the backoff.
  reconnectNow() {
    const old = this.socket;
    this.socket = null;
    this.stopHeartbeat();
    if (old) {
      old.close();
    }
    if (!this.ended) {
      this.setStatus("offline");
      this.scheduleReconnect();
    }
  }

  startHeartbeat() {
    this.stopHeartbeat();
    this.heartbeatTimer = this.timers.setInterval(() => {
      if (!this.send({ type: "ping" }) || this.pongTimer !== null) {
        return; // (the oldest unanswered ping sets the deadline: later ones must not move it)
      }
      this.pongTimer = this.timers.setTimeout(() => this.reconnectNow(), Math.max(5000, this.heartbeatMs / 2));
    }, this.heartbeatMs);
  }

  stopHeartbeat() {
    this.timers.clearInterval(this.heartbeatTimer);
    this.timers.clearTimeout(this.pongTimer);
    this.heartbeatTimer = null;
    this.pongTimer = null;
  }

  // Browsers may keep a dead socket open after the network went away: do not wait for a
  // heartbeat to notice.
  wentOffline() {
    if (this.socket) {
      this.reconnectNow();
    }
  }

  cameOnline() {
    if (this.ended || this.isOpen()) {
      return;
    }
    this.timers.clearTimeout(this.reconnectTimer);
    this.reconnectTimer = null;
    this.attempts = 0;
    const old = this.socket; // a handshake begun while offline may never finish
    this.socket = null;
    if (old) {
      old.close();
    }
    this.connect();
  }
}
