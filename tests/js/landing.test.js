// A link to one message (a search result): earlier messages are loaded until it is there.
import assert from "node:assert/strict";
import { test } from "node:test";

import { landOnLinkedMessage } from "../../frontend/static/frontend/dialogue/landing.js";

function fakeDocument(hash, present) {
  const elements = new Map();
  const element = (id) => ({
    id,
    classes: new Set(),
    attributes: {},
    classList: { add(name) { this.owner.classes.add(name); } },
    setAttribute(name, value) { this.attributes[name] = value; },
    scrollIntoView() { this.scrolled = true; },
    focus() { this.focused = true; },
  });
  const add = (id) => {
    const made = element(id);
    made.classList.owner = made;
    elements.set(id, made);
  };
  present.forEach(add);
  return { location: { hash }, getElementById: (id) => elements.get(id) || null, add };
}

test("a message already on the page is scrolled to without loading anything", async () => {
  const doc = fakeDocument("#m-7", ["m-7"]);
  let loads = 0;
  const found = await landOnLinkedMessage(async () => { loads += 1; return true; }, doc);
  assert.equal(loads, 0);
  assert.ok(found.scrolled && found.focused);
  assert.ok(found.classes.has("message--linked"));
});

test("an older message is reached by loading earlier pages", async () => {
  const doc = fakeDocument("#m-3", []);
  let loads = 0;
  const found = await landOnLinkedMessage(async () => {
    loads += 1;
    if (loads === 3) {
      doc.add("m-3");
    }
    return true;
  }, doc);
  assert.equal(loads, 3);
  assert.equal(found.id, "m-3");
});

test("loading stops when the thread has no more, or after a bound", async () => {
  const none = fakeDocument("#m-3", []);
  let loads = 0;
  assert.equal(await landOnLinkedMessage(async () => { loads += 1; return loads < 2; }, none), null);
  assert.equal(loads, 2);
  loads = 0;
  assert.equal(await landOnLinkedMessage(async () => { loads += 1; return true; }, none), null);
  assert.equal(loads, 40);
});

test("other fragments are left alone", async () => {
  assert.equal(await landOnLinkedMessage(async () => true, fakeDocument("#main", [])), null);
});
