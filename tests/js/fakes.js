// Stand-ins for what the browser gives the live client: a clock whose timers run only when
// the test advances it, and a WebSocket the test opens, feeds and closes.

export class FakeClock {
  constructor() {
    this.now = 0;
    this.timers = new Map(); // id -> {at, fn, every}
    this.nextId = 1;
    this.setTimeout = (fn, ms) => this.add(fn, ms, null);
    this.setInterval = (fn, ms) => this.add(fn, ms, ms);
    this.clearTimeout = (id) => this.timers.delete(id);
    this.clearInterval = (id) => this.timers.delete(id);
  }

  add(fn, ms, every) {
    const id = this.nextId++;
    this.timers.set(id, { at: this.now + Math.max(0, ms), fn, every });
    return id;
  }

  // Run every timer due within `ms`, in time order.
  advance(ms) {
    const end = this.now + ms;
    for (;;) {
      let next = null;
      for (const [id, timer] of this.timers) {
        if (timer.at <= end && (next === null || timer.at < next[1].at)) {
          next = [id, timer];
        }
      }
      if (next === null) {
        break;
      }
      const [id, timer] = next;
      this.now = timer.at;
      if (timer.every) {
        timer.at += timer.every;
      } else {
        this.timers.delete(id);
      }
      timer.fn();
    }
    this.now = end;
  }
}

export function fakeSocketClass() {
  const sockets = [];
  class FakeSocket {
    constructor(url) {
      this.url = url;
      this.readyState = 0;
      this.sent = [];
      this.listeners = { open: [], message: [], close: [] };
      sockets.push(this);
    }

    addEventListener(type, fn) {
      this.listeners[type].push(fn);
    }

    send(text) {
      if (this.readyState !== 1) {
        throw new Error("send on a socket that is not open");
      }
      this.sent.push(JSON.parse(text));
    }

    close() {
      this.serverClose(1000);
    }

    // --- The server's side, driven by the test ---
    accept() {
      this.readyState = 1;
      this.listeners.open.forEach((fn) => fn({}));
    }

    receive(frame) {
      this.listeners.message.forEach((fn) => fn({ data: JSON.stringify(frame) }));
    }

    serverClose(code) {
      if (this.readyState === 3) {
        return;
      }
      this.readyState = 3;
      this.listeners.close.forEach((fn) => fn({ code }));
    }

    framesOfType(type) {
      return this.sent.filter((frame) => frame.type === type);
    }
  }
  return { FakeSocket, sockets };
}

// A LiveClient's options with the fakes; random() is 0.5 unless told.
export function clientOptions(clock, FakeSocket, extra = {}) {
  return { url: "ws://test/ws/", heartbeatMs: 20000, WebSocket: FakeSocket, timers: clock, random: () => 0.5, ...extra };
}
