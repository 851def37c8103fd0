// Sends not yet acknowledged, by client id. Kept in memory and, when a storage is given
// (sessionStorage in the browser), across a reload. Every resend of an entry carries its
// first client id, and the server stores a retried send once.

export class Outbox {
  constructor({ storage = null, key = "" } = {}) {
    this.storage = storage;
    this.key = key;
    this.entries = new Map(); // client_id -> {frame, status: "pending" | "failed", ...}
  }

  add(frame) {
    const entry = { frame, status: "pending" };
    this.entries.set(frame.client_id, entry);
    this.save();
    return entry;
  }

  get(clientId) {
    return this.entries.get(clientId);
  }

  has(clientId) {
    return this.entries.has(clientId);
  }

  // Acknowledged, or given back to the writer: forget it. True if it was here.
  remove(clientId) {
    const had = this.entries.delete(clientId);
    if (had) {
      this.save();
    }
    return had;
  }

  // The entries to send once the page is subscribed (failed ones wait for "retry").
  pending() {
    return Array.from(this.entries.values()).filter((entry) => entry.status === "pending");
  }

  save() {
    if (!this.storage) {
      return;
    }
    try {
      const frames = Array.from(this.entries.values(), (entry) => entry.frame);
      this.storage.setItem(this.key, JSON.stringify(frames));
    } catch (error) {
      // Storage may be full or disabled; the outbox still lives in memory.
    }
  }

  // Take back what a reload left, except sends already stored (only their
  // acknowledgement was lost). Returns the frames taken back.
  load(storedClientIds) {
    let frames = [];
    try {
      frames = JSON.parse((this.storage && this.storage.getItem(this.key)) || "[]");
    } catch (error) {
      frames = [];
    }
    const taken = [];
    for (const frame of Array.isArray(frames) ? frames : []) {
      if (frame && frame.client_id && !storedClientIds.has(frame.client_id)) {
        this.entries.set(frame.client_id, { frame, status: "pending" });
        taken.push(frame);
      }
    }
    this.save();
    return taken;
  }
}
