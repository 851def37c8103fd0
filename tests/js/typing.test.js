// Who is writing: an announcement expires, and the writer's message ends it at once.
import assert from "node:assert/strict";
import { test } from "node:test";

import { TYPING_HOLD_MS, TypingTracker, typingText } from "../../frontend/static/frontend/dialogue/typing.js";

const strings = { typingOne: "%(name)s skriver …", typingMany: "Flera skriver …" };

function tracker() {
  const clock = { now: 1000 };
  return { clock, typing: new TypingTracker({ now: () => clock.now }) };
}

test("an announcement holds for a few seconds without a new one, then expires", () => {
  const { clock, typing } = tracker();
  typing.announced({ id: 4, name: "Ahmed Hassan" });
  clock.now += TYPING_HOLD_MS - 1;
  assert.deepEqual(typing.names(), ["Ahmed Hassan"]);
  clock.now += 1;
  assert.deepEqual(typing.names(), []);
  assert.ok(TYPING_HOLD_MS >= 3000 && TYPING_HOLD_MS <= 6000);
});

test("a new announcement extends the hold", () => {
  const { clock, typing } = tracker();
  typing.announced({ id: 4, name: "Ahmed Hassan" });
  clock.now += 3000;
  typing.announced({ id: 4, name: "Ahmed Hassan" });
  clock.now += 3000;
  assert.deepEqual(typing.names(), ["Ahmed Hassan"]);
});

test("the writer's message ends their announcement at once, and only theirs", () => {
  const { typing } = tracker();
  typing.announced({ id: 4, name: "Ahmed Hassan" });
  typing.announced({ id: 9, name: "Sofia Lindqvist" });
  assert.equal(typing.wrote(4), true);
  assert.deepEqual(typing.names(), ["Sofia Lindqvist"]);
  assert.equal(typing.wrote(4), false);
});

test("the line names one writer, or says several", () => {
  assert.equal(typingText([], strings), "");
  assert.equal(typingText(["Ahmed Hassan"], strings), "Ahmed Hassan skriver …");
  assert.equal(typingText(["Ahmed Hassan", "Sofia Lindqvist"], strings), "Flera skriver …");
});
