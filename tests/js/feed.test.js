// Following a page: the outbox resends with the same client id, catch-up after a gap, and
// nothing applied twice.
import assert from "node:assert/strict";
import { test } from "node:test";

import { PageFeed } from "../../frontend/static/frontend/dialogue/feed.js";
import { LiveClient } from "../../frontend/static/frontend/socket/client.js";
import { Outbox } from "../../frontend/static/frontend/socket/outbox.js";
import { FakeClock, clientOptions, fakeSocketClass } from "./fakes.js";

const PAGE = 12;
const ME = 7;

function message(seq, { changeSeq = seq, author = 3, clientId = `c${seq}` } = {}) {
  return { id: seq * 10, page: PAGE, thread: 1, seq, change_seq: changeSeq, author: { id: author }, client_id: clientId };
}

function sendFrame(clientId, body) {
  return { type: "send", page: PAGE, thread: 1, client_id: clientId, body };
}

class MemoryStorage {
  constructor() {
    this.items = new Map();
  }

  getItem(key) {
    return this.items.has(key) ? this.items.get(key) : null;
  }

  setItem(key, value) {
    this.items.set(key, value);
  }
}

function setUp({ head = 5, storage = null } = {}) {
  const clock = new FakeClock();
  const { FakeSocket, sockets } = fakeSocketClass();
  const client = new LiveClient(clientOptions(clock, FakeSocket));
  const applied = [];
  const settled = [];
  const view = {
    apply: (m) => applied.push(m.change_seq),
    subscribed() {},
    acknowledged: (frame, entry) => settled.push([frame.client_id, entry ? entry.frame.body : null]),
  };
  const outbox = new Outbox({ storage, key: "outbox" });
  const feed = new PageFeed({ client, page: PAGE, head, me: ME, outbox, view });
  client.start();
  return { clock, sockets, client, feed, applied, settled, outbox };
}

// Open the newest socket and answer its subscription like the server does.
function serve(sockets, { messages = [], head = null } = {}) {
  const socket = sockets.at(-1);
  socket.accept();
  const subscribe = socket.framesOfType("subscribe").at(-1);
  const top = head ?? Math.max(subscribe.after, ...messages.map((m) => m.change_seq));
  socket.receive({ type: "subscribed", page: PAGE, head: top, complete: true, messages });
  return { socket, subscribe };
}

function reconnect(clock, sockets) {
  sockets.at(-1).serverClose(1006);
  const count = sockets.length;
  while (sockets.length === count) {
    clock.advance(100);
  }
}

test("a send written offline goes once the page is subscribed, and again with the same client id after a reconnect", () => {
  const { clock, sockets, feed, outbox } = setUp();
  feed.queue(sendFrame("abc", "Skrivet på bussen"));
  assert.equal(sockets[0].sent.length, 0, "nothing can go before the socket is open");
  const { socket: first } = serve(sockets);
  assert.deepEqual(first.framesOfType("send").map((f) => f.client_id), ["abc"]);

  // The connection dies before the acknowledgement: the send goes again, same id.
  reconnect(clock, sockets);
  const { socket: second } = serve(sockets);
  assert.deepEqual(second.framesOfType("send"), [sendFrame("abc", "Skrivet på bussen")]);

  second.receive({ type: "ack", client_id: "abc", message: message(6, { author: ME, clientId: "abc" }) });
  assert.equal(outbox.has("abc"), false);
  reconnect(clock, sockets);
  const { socket: third } = serve(sockets);
  assert.equal(third.framesOfType("send").length, 0, "an acknowledged send is not sent again");
});

test("a send is not sent before the page is subscribed (the server would refuse it)", () => {
  const { sockets, feed } = setUp();
  sockets[0].accept();
  feed.queue(sendFrame("early", "Hej"));
  assert.equal(sockets[0].framesOfType("send").length, 0);
  sockets[0].receive({ type: "subscribed", page: PAGE, head: 5, complete: true, messages: [] });
  assert.equal(sockets[0].framesOfType("send").length, 1);
});

test("one's own message arriving in a catch-up settles its send (the acknowledgement was lost)", () => {
  const { clock, sockets, feed, outbox } = setUp();
  serve(sockets);
  feed.queue(sendFrame("lost", "Kom ihåg utflykten"));
  reconnect(clock, sockets);
  const { socket } = serve(sockets, { messages: [message(6, { author: ME, clientId: "lost" })] });
  assert.equal(outbox.has("lost"), false);
  assert.equal(socket.framesOfType("send").length, 0, "stored already: not sent again");
});

test("one's own message arriving live before its acknowledgement settles the send then", () => {
  const { sockets, feed, outbox, applied, settled } = setUp();
  const { socket } = serve(sockets);
  feed.queue(sendFrame("mine", "Vi kommer sent"));
  socket.receive({ type: "message", message: message(6, { author: ME, clientId: "mine" }) });
  assert.deepEqual(applied, [6]);
  assert.equal(outbox.has("mine"), false);
  // Settled with its outbox entry (its retry stopped, a "not saved" notice cleared) ...
  assert.deepEqual(settled, [["mine", "Vi kommer sent"]]);
  // ... and the acknowledgement after it finds nothing left to settle.
  socket.receive({ type: "ack", client_id: "mine", message: message(6, { author: ME, clientId: "mine" }) });
  assert.deepEqual(settled.at(-1), ["mine", null]);
  assert.deepEqual(applied, [6], "applied once");
});

test("a skipped event number asks for everything after the last applied one", () => {
  const { sockets, applied } = setUp({ head: 5 });
  const { socket } = serve(sockets);
  socket.receive({ type: "message", message: message(6) });
  socket.receive({ type: "message", message: message(8) }); // 7 was lost in transit
  assert.deepEqual(applied, [6]);
  const catchUp = socket.framesOfType("subscribe").at(-1);
  assert.equal(catchUp.after, 6);
  socket.receive({ type: "subscribed", page: PAGE, head: 8, complete: true, messages: [message(7), message(8)] });
  assert.deepEqual(applied, [6, 7, 8]);
});

test("after a reconnect the page asks for what came after the last number it applied", () => {
  const { clock, sockets, applied } = setUp({ head: 5 });
  const { socket, subscribe } = serve(sockets);
  assert.equal(subscribe.after, 5);
  socket.receive({ type: "message", message: message(6) });
  reconnect(clock, sockets);
  const { subscribe: again } = serve(sockets, { messages: [message(7), message(8)] });
  assert.equal(again.after, 6);
  assert.deepEqual(applied, [6, 7, 8]);
});

test("a change that arrives twice (live and in a catch-up) is applied once", () => {
  const { sockets, applied } = setUp({ head: 5 });
  const { socket } = serve(sockets);
  socket.receive({ type: "message", message: message(6) });
  socket.receive({ type: "subscribed", page: PAGE, head: 7, complete: true, messages: [message(6), message(7)] });
  socket.receive({ type: "message", message: message(7) });
  socket.receive({ type: "message", message: message(6) });
  assert.deepEqual(applied, [6, 7]);
});

test("a catch-up list that skips numbers (a message changed twice) is not a gap", () => {
  const { sockets, applied } = setUp({ head: 5 });
  const { socket } = serve(sockets, { messages: [message(6, { changeSeq: 9 })], head: 9 });
  assert.deepEqual(applied, [9]);
  assert.equal(socket.framesOfType("subscribe").length, 1, "no second catch-up");
});

test("a heartbeat reply whose page head is ahead starts a catch-up; one that is not does nothing", () => {
  const { sockets } = setUp({ head: 5 });
  const { socket } = serve(sockets);
  socket.receive({ type: "pong", heads: { [PAGE]: 5 } });
  assert.equal(socket.framesOfType("subscribe").length, 1);
  socket.receive({ type: "pong", heads: { [PAGE]: 6 } });
  assert.equal(socket.framesOfType("subscribe").length, 2);
  assert.equal(socket.framesOfType("subscribe").at(-1).after, 5);
});

test("changes of another page are not applied", () => {
  const { sockets, applied } = setUp({ head: 5 });
  const { socket } = serve(sockets);
  socket.receive({ type: "message", message: { ...message(6), page: PAGE + 1 } });
  assert.deepEqual(applied, []);
});

test("the outbox survives a reload, without sends that were stored meanwhile", () => {
  const storage = new MemoryStorage();
  const before = new Outbox({ storage, key: "outbox" });
  before.add(sendFrame("stored", "a"));
  before.add(sendFrame("waiting", "b"));
  const after = new Outbox({ storage, key: "outbox" });
  const taken = after.load(new Set(["stored"]));
  assert.deepEqual(taken.map((frame) => frame.client_id), ["waiting"]);
  assert.deepEqual(JSON.parse(storage.getItem("outbox")).map((frame) => frame.client_id), ["waiting"]);
});

test("a stopped feed (access ended) neither applies nor subscribes again", () => {
  const { clock, sockets, feed, applied } = setUp({ head: 5 });
  const { socket } = serve(sockets);
  feed.stop();
  socket.receive({ type: "message", message: message(6) });
  assert.deepEqual(applied, []);
  reconnect(clock, sockets);
  sockets.at(-1).accept();
  assert.equal(sockets.at(-1).framesOfType("subscribe").length, 0);
});
