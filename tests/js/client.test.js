// The live client's connection logic: backoff, close codes, heartbeat, following topics.
import assert from "node:assert/strict";
import { test } from "node:test";

import { LiveClient, RECONNECT_CEILING_MS, reconnectDelay } from "../../frontend/static/frontend/socket/client.js";
import { FakeClock, clientOptions, fakeSocketClass } from "./fakes.js";

function setUp(extra = {}) {
  const clock = new FakeClock();
  const { FakeSocket, sockets } = fakeSocketClass();
  const client = new LiveClient(clientOptions(clock, FakeSocket, extra));
  const statuses = [];
  client.onStatus((status, detail) => statuses.push(detail === undefined ? status : `${status} ${detail}`));
  return { clock, sockets, client, statuses };
}

// Advance in small steps until a new socket is made; returns the time it took.
function timeToNextSocket(clock, sockets, limit = 120000) {
  const before = sockets.length;
  const start = clock.now;
  while (sockets.length === before) {
    assert.ok(clock.now - start < limit, "no reconnection attempt");
    clock.advance(50);
  }
  return clock.now - start;
}

test("the wait grows exponentially with jitter and never passes ten seconds", () => {
  assert.equal(reconnectDelay(0, () => 0), 250);
  assert.equal(reconnectDelay(0, () => 1), 500);
  assert.equal(reconnectDelay(3, () => 0.5), 3000);
  for (let attempts = 0; attempts < 30; attempts += 1) {
    assert.ok(reconnectDelay(attempts, () => 1) <= RECONNECT_CEILING_MS);
    assert.ok(reconnectDelay(attempts, () => 0) >= reconnectDelay(attempts, () => 1) / 2);
  }
  assert.equal(reconnectDelay(20, () => 1), 10000);
});

test("a server that refuses every handshake is tried again with growing waits, capped", () => {
  const { clock, sockets, client } = setUp();
  client.start();
  assert.equal(sockets.length, 1);
  const gaps = [];
  for (let attempt = 0; attempt < 8; attempt += 1) {
    sockets.at(-1).serverClose(1006);
    gaps.push(timeToNextSocket(clock, sockets));
  }
  // random() = 0.5: three quarters of a window of 0.5, 1, 2, 4, 8, 10, 10, 10 s.
  assert.deepEqual(gaps, [400, 750, 1500, 3000, 6000, 7500, 7500, 7500]);
});

test("a served socket starts the backoff from the beginning again", () => {
  const { clock, sockets, client } = setUp();
  client.start();
  for (let attempt = 0; attempt < 5; attempt += 1) {
    sockets.at(-1).serverClose(1006);
    timeToNextSocket(clock, sockets);
  }
  const socket = sockets.at(-1);
  socket.accept();
  assert.deepEqual(socket.framesOfType("ping").length, 1, "a ping at once, to learn the socket is served");
  socket.receive({ type: "pong", heads: {}, unread: 0 });
  socket.serverClose(1006);
  assert.equal(timeToNextSocket(clock, sockets), 400);
});

test("4503 (the service cannot serve the socket now) backs off like a lost connection", () => {
  const { clock, sockets, client, statuses } = setUp();
  client.start();
  sockets[0].accept();
  sockets[0].serverClose(4503);
  assert.equal(statuses.at(-1), "offline 4503");
  sockets[1] === undefined || assert.fail("reconnected without waiting");
  assert.equal(timeToNextSocket(clock, sockets), 400);
  sockets[1].serverClose(4503);
  assert.equal(timeToNextSocket(clock, sockets), 750);
});

test("4401 (the session ended) never reconnects", () => {
  const { clock, sockets, client, statuses } = setUp();
  client.start();
  sockets[0].accept();
  sockets[0].serverClose(4401);
  clock.advance(10 * 60 * 1000);
  assert.equal(sockets.length, 1);
  assert.equal(statuses.at(-1), "ended 4401");
  client.cameOnline();
  assert.equal(sockets.length, 1, "not even when the network comes back");
});

test("4429 (too many sockets for this person) waits about a minute, not in a loop", () => {
  const { clock, sockets, client } = setUp();
  client.start();
  sockets[0].accept();
  sockets[0].receive({ type: "error", code: "too_many_sockets", message: "..." });
  sockets[0].serverClose(4429);
  const waited = timeToNextSocket(clock, sockets);
  assert.ok(waited >= 30000 && waited <= 60000, `waited ${waited} ms`);
});

test("a heartbeat at the server's interval; a missing reply means a dead connection", () => {
  const { clock, sockets, client } = setUp({ heartbeatMs: 2000 });
  client.start();
  const socket = sockets[0];
  socket.accept();
  socket.receive({ type: "pong", heads: {} });
  clock.advance(2000);
  assert.equal(socket.framesOfType("ping").length, 2);
  socket.receive({ type: "pong", heads: {} });
  clock.advance(2000);
  assert.equal(socket.framesOfType("ping").length, 3);
  // No answer to the third: after at least five seconds the socket is given up.
  clock.advance(4900);
  assert.equal(socket.readyState, 1);
  clock.advance(200);
  assert.equal(socket.readyState, 3);
  timeToNextSocket(clock, sockets);
  assert.equal(sockets.length, 2);
});

test("the heartbeat follows the interval the server gives", () => {
  const { clock, sockets, client } = setUp({ heartbeatMs: 20000 });
  client.start();
  sockets[0].accept();
  sockets[0].receive({ type: "pong" });
  clock.advance(19999);
  assert.equal(sockets[0].framesOfType("ping").length, 1);
  clock.advance(1);
  assert.equal(sockets[0].framesOfType("ping").length, 2);
});

test("a followed topic is subscribed on every open, with what it knows then", () => {
  const { clock, sockets, client } = setUp();
  let after = 3;
  client.follow({ subscribe: () => ({ type: "subscribe", page: 1, after }) });
  client.start();
  sockets[0].accept();
  assert.deepEqual(sockets[0].framesOfType("subscribe"), [{ type: "subscribe", page: 1, after: 3 }]);
  after = 9;
  sockets[0].serverClose(1006);
  timeToNextSocket(clock, sockets);
  sockets[1].accept();
  assert.deepEqual(sockets[1].framesOfType("subscribe"), [{ type: "subscribe", page: 1, after: 9 }]);
  // Following while open subscribes at once; a stopped topic is not subscribed again.
  const stop = client.follow({ subscribe: () => ({ type: "blog_subscribe", blog: 4 }) });
  assert.equal(sockets[1].framesOfType("blog_subscribe").length, 1);
  stop();
  sockets[1].serverClose(1006);
  timeToNextSocket(clock, sockets);
  sockets[2].accept();
  assert.equal(sockets[2].framesOfType("blog_subscribe").length, 0);
});

test("frames go to the handlers of their type; one handler's end stops only it", () => {
  const { sockets, client } = setUp();
  const seen = [];
  const stop = client.on("inbox", (frame) => seen.push(`a${frame.unread}`));
  client.on("inbox", (frame) => seen.push(`b${frame.unread}`));
  client.on("*", (frame) => seen.push(`*${frame.type}`));
  client.start();
  sockets[0].accept();
  sockets[0].receive({ type: "inbox", unread: 1 });
  stop();
  sockets[0].receive({ type: "inbox", unread: 2 });
  sockets[0].listeners.message.forEach((fn) => fn({ data: "not json" }));
  assert.deepEqual(seen, ["a1", "b1", "*inbox", "b2", "*inbox"]);
});

test("going offline drops the socket at once; coming online reconnects at once", () => {
  const events = new EventTarget();
  const { clock, sockets, client, statuses } = setUp({ events });
  client.start();
  sockets[0].accept();
  events.dispatchEvent(new Event("offline"));
  assert.equal(sockets[0].readyState, 3);
  assert.equal(statuses.at(-1), "offline");
  clock.advance(100);
  events.dispatchEvent(new Event("online"));
  assert.equal(sockets.length, 2, "no wait for the backoff");
  sockets[1].accept();
  assert.equal(statuses.at(-1), "open");
  // The abandoned first socket's late events change nothing.
  sockets[0].receive({ type: "pong" });
  assert.equal(client.socket, sockets[1]);
});
