// The read receipt line under one's own message: who read it and when (in the school's
// zone, the day left out when it is today), who has not, and the lines' edge cases.
import assert from "node:assert/strict";
import { test } from "node:test";

import { receiptsText } from "../../frontend/static/frontend/dialogue/receipts_text.js";
import { formatShortTime } from "../../frontend/static/frontend/time.js";

const swedish = { language: "sv-SE", timeZone: "Europe/Stockholm" };
const english = { language: "en-GB", timeZone: "Europe/Stockholm" };
const now = new Date("2026-12-03T19:00:00Z"); // 20:00 in Umeå
const sv = {
  receiptsReadBy: "Läst av %(names)s",
  receiptsNotBy: "inte av %(names)s",
  receiptsNobody: "Ännu inte läst av %(names)s",
};
const en = {
  receiptsReadBy: "Read by %(names)s",
  receiptsNotBy: "not by %(names)s",
  receiptsNobody: "Not yet read by %(names)s",
};

const sofia = { id: 1, name: "Sofia", read: true, at: "2026-12-03T17:02:00Z" };
const henrik = { id: 2, name: "Henrik", read: false, at: null };

test("who read it with the time, then who has not", () => {
  assert.equal(receiptsText([sofia, henrik], sv, swedish, now), "Läst av Sofia 18:02 · inte av Henrik");
  assert.equal(receiptsText([sofia, henrik], en, english, now), "Read by Sofia 18:02 · not by Henrik");
});

test("readers are listed by when they read, a read without a time first", () => {
  const karin = { id: 3, name: "Karin", read: true, at: "2026-12-03T16:30:00Z" };
  const early = { id: 4, name: "Anna", read: true, at: null };
  assert.equal(receiptsText([sofia, karin, early], sv, swedish, now), "Läst av Anna, Karin 17:30, Sofia 18:02");
});

test("nobody has read it yet, and nobody to read it", () => {
  assert.equal(receiptsText([henrik, { ...sofia, read: false, at: null }], sv, swedish, now), "Ännu inte läst av Henrik, Sofia");
  assert.equal(receiptsText([], sv, swedish, now), "");
});

test("a read on an earlier day says the day, an earlier year the year", () => {
  assert.equal(formatShortTime("2026-12-03T05:29:00Z", swedish, now), "06:29");
  assert.equal(formatShortTime("2026-12-02T22:30:00Z", swedish, now), "2 december 23:30");
  assert.equal(formatShortTime("2026-06-02T05:29:00Z", english, now), "2 June 07:29");
  assert.equal(formatShortTime("2025-12-02T05:29:00Z", swedish, now), "2 december 2025 06:29");
});

test("today is the school's today, not the device's", () => {
  // 23:30 UTC on 2 December is already 3 December in Umeå.
  const late = new Date("2026-12-03T00:10:00Z");
  assert.equal(formatShortTime("2026-12-02T23:30:00Z", swedish, late), "00:30");
});
