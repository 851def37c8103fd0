// Following one student page over the live client, without the page's DOM: event numbers,
// catch-up and the outbox.
//
// Every change on a page has a gapless event number. The feed remembers the highest it has
// applied and asks for everything after it on (re)connect, when a number is skipped, and
// when a heartbeat reply says the page has moved on. A number at or below the last applied
// is a repeat and is dropped, so nothing shows twice. Sends wait in the outbox until the
// page is subscribed and go again, with the same client id, after every reconnect until
// the server acknowledges them.

export class PageFeed {
  // view: {apply(message), subscribed(frame), acknowledged(frame, entry)} -- what the page
  // does with a change to show, a (re)subscription, and an acknowledgement.
  constructor({ client, page, head, me, outbox, view }) {
    this.client = client;
    this.page = page;
    this.lastSeq = head; // highest page event number applied
    this.me = me;
    this.outbox = outbox;
    this.view = view;
    this.ready = false; // subscribed on the present socket
    this.stopped = false;
    this.unhooks = [
      client.on("subscribed", (frame) => frame.page === page && this.subscribed(frame)),
      client.on("message", (frame) => this.applyChange(frame.message)),
      client.on("ack", (frame) => this.acknowledged(frame)),
      client.on("pong", (frame) => this.pong(frame)),
      client.onStatus((status) => {
        if (status !== "open") {
          this.ready = false;
        }
      }),
      client.follow(this),
    ];
  }

  subscribe() {
    return { type: "subscribe", page: this.page, after: this.lastSeq, ref: "subscribe" };
  }

  catchUp() {
    if (!this.stopped) {
      this.client.send(this.subscribe());
    }
  }

  // Access to the page ended: stop following it (the socket serves the rest of the tab).
  stop() {
    this.stopped = true;
    this.ready = false;
    for (const unhook of this.unhooks) {
      unhook();
    }
  }

  subscribed(frame) {
    // The catch-up list holds every changed message once, at its latest number, so its
    // numbers may skip (a message changed twice): not a gap. Apply it before gap detection
    // is on again.
    this.ready = false;
    for (const message of frame.messages) {
      this.applyChange(message);
    }
    if (frame.complete) {
      this.lastSeq = Math.max(this.lastSeq, frame.head);
    }
    this.ready = true;
    this.client.served();
    this.flush();
    this.view.subscribed(frame);
  }

  // Returns true if the change was applied (false: a repeat, or a gap to catch up).
  applyChange(message) {
    if (!message || message.page !== this.page || message.change_seq <= this.lastSeq) {
      return false;
    }
    // A skipped number means something was missed in transit: ask for everything after
    // the last applied one (which brings this change too).
    if (message.change_seq > this.lastSeq + 1 && this.ready) {
      this.catchUp();
      return false;
    }
    this.lastSeq = message.change_seq;
    const own = message.author.id === this.me ? this.outbox.get(message.client_id) : undefined;
    if (own) {
      this.outbox.remove(message.client_id);
    }
    this.view.apply(message);
    if (own) {
      // One's own send can come back on the page before its acknowledgement (the server
      // relays the page's frame and answers the send separately): it is settled now, its
      // retry stopped and its "not saved" notice gone, as the acknowledgement would.
      this.view.acknowledged({ client_id: message.client_id }, own);
    }
    return true;
  }

  acknowledged(frame) {
    const entry = frame.client_id ? this.outbox.get(frame.client_id) : undefined;
    if (entry) {
      this.outbox.remove(frame.client_id);
    }
    if (frame.message) {
      this.applyChange(frame.message);
    }
    this.view.acknowledged(frame, entry);
  }

  pong(frame) {
    if (this.ready && ((frame.heads || {})[String(this.page)] || 0) > this.lastSeq) {
      this.catchUp();
    }
  }

  // A new send: kept until acknowledged, sent now if the page is subscribed (before that
  // the server would refuse it; the outbox sends it once the page is).
  queue(frame) {
    this.outbox.add(frame);
    this.sendWhenReady(frame);
  }

  sendWhenReady(frame) {
    if (this.ready) {
      this.client.send(frame);
    }
  }

  flush() {
    for (const entry of this.outbox.pending()) {
      this.client.send(entry.frame);
    }
  }
}
