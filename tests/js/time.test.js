// Times as the server writes them ("j F Y H:i"), in the school's zone whatever the
// device's zone is.
import assert from "node:assert/strict";
import { test } from "node:test";

import { formatDate, formatDateTime, todayIso } from "../../frontend/static/frontend/time.js";

const swedish = { language: "sv-SE", timeZone: "Europe/Stockholm" };
const english = { language: "en-GB", timeZone: "Europe/Stockholm" };

test("an instant is written in Swedish in the school's zone, winter and summer", () => {
  assert.equal(formatDateTime("2026-12-02T05:29:00+00:00", swedish), "2 december 2026 06:29");
  assert.equal(formatDateTime("2026-06-02T05:29:00Z", swedish), "2 juni 2026 07:29");
  assert.equal(formatDateTime("2026-12-02T00:05:00-05:00", swedish), "2 december 2026 06:05");
});

test("English pages get the same shape", () => {
  assert.equal(formatDateTime("2026-12-02T05:29:00Z", english), "2 December 2026 06:29");
});

test("the device's zone does not matter, only the school's", () => {
  const newYork = { language: "sv-SE", timeZone: "America/New_York" };
  assert.equal(formatDateTime("2026-12-02T05:29:00Z", newYork), "2 december 2026 00:29");
  assert.notEqual(formatDateTime("2026-12-02T05:29:00Z", newYork), formatDateTime("2026-12-02T05:29:00Z", swedish));
});

test("a calendar date keeps its day", () => {
  assert.equal(formatDate("2027-05-31", swedish), "31 maj 2027");
  assert.equal(formatDate("2027-01-01", english), "1 January 2027");
});

test("today is the school's day, also when it is another day in UTC", () => {
  assert.equal(todayIso(swedish, new Date("2026-12-02T23:30:00Z")), "2026-12-03");
  assert.equal(todayIso(swedish, new Date("2026-12-02T22:30:00Z")), "2026-12-02");
});
