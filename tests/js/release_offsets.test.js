// A selection in the review page's text becomes the range the server stores: code points,
// not the browser's UTF-16 units.
import assert from "node:assert/strict";
import { test } from "node:test";

import { codePoints, passage } from "../../frontend/static/frontend/release_offsets.js";

test("plain text: code points are the browser's offsets", () => {
  const text = "Elsa har extra anpassningar i matematik.";
  assert.deepEqual(passage(text, 9, 27), { start: 9, end: 27, selected: "extra anpassningar" });
});

test("characters outside the basic plane count one each, as in Python", () => {
  const text = "Glad 😀 idag: extra stöd 👍🏽 sedan mars";
  const from = text.indexOf("extra");
  const to = text.indexOf(" sedan");
  const found = passage(text, from, to);
  assert.equal(found.selected, "extra stöd 👍🏽");
  assert.equal(found.start, Array.from(text.slice(0, from)).length);
  assert.equal(found.start, from - 1); // the one emoji before counts one, not two
  assert.equal(found.end - found.start, Array.from("extra stöd 👍🏽").length);
  assert.equal(codePoints(text, text.length), Array.from(text).length);
});

test("a boundary inside a surrogate pair takes the whole character", () => {
  const text = "a😀b";
  // 1 is before the pair, 2 is in its middle, 3 is after it.
  assert.deepEqual(passage(text, 2, 4), { start: 1, end: 3, selected: "😀b" });
  assert.deepEqual(passage(text, 0, 2), { start: 0, end: 2, selected: "a😀" });
});

test("white space around the selection is left out, and a selection of nothing is null", () => {
  const text = "Rad ett.\n\n  Rad två.  \n";
  assert.deepEqual(passage(text, 8, text.length), { start: 12, end: 20, selected: "Rad två." });
  assert.equal(passage(text, 8, 12), null);
  assert.equal(passage(text, 3, 3), null);
});

test("a backwards selection is the same passage", () => {
  const text = "Hon går hos kuratorn varje vecka.";
  assert.deepEqual(passage(text, 20, 8), passage(text, 8, 20));
  assert.equal(passage(text, 20, 8).selected, "hos kuratorn");
});

test("carriage returns and combining marks are characters like any other", () => {
  const text = "Rad ett\r\nCafe\u0301 och skola";
  const from = text.indexOf("Cafe");
  const found = passage(text, from, from + 5);
  assert.deepEqual(found, { start: 9, end: 14, selected: "Cafe\u0301" });
});
