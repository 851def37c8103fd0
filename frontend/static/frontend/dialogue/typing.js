// Who is writing in the open thread. An announcement holds for TYPING_HOLD_MS (the writer's
// browser repeats it every two seconds while the text changes); the writer's message
// arriving ends it at once, since that is what they were writing.

export const TYPING_HOLD_MS = 4000;

export class TypingTracker {
  constructor({ now = Date.now } = {}) {
    this.now = now;
    this.writers = new Map(); // user id -> {name, until}
  }

  announced(user) {
    this.writers.set(user.id, { name: user.name, until: this.now() + TYPING_HOLD_MS });
  }

  // Their message came: they are done writing it.
  wrote(userId) {
    return this.writers.delete(userId);
  }

  // The names of those still writing, oldest announcement first.
  names() {
    const now = this.now();
    for (const [id, entry] of this.writers) {
      if (entry.until <= now) {
        this.writers.delete(id);
      }
    }
    return Array.from(this.writers.values(), (entry) => entry.name);
  }
}

// The typing line's text: "" for nobody, one name, or "several".
export function typingText(names, strings) {
  if (names.length === 0) {
    return "";
  }
  if (names.length === 1) {
    return strings.typingOne.replace("%(name)s", names[0]);
  }
  return strings.typingMany;
}
