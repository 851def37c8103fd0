// A selection in a document's text as the server counts it. The review page shows each
// stored text exactly as stored; a browser measures a selection in UTF-16 code units, the
// server (Python) in code points, so "😀" is 2 in the one and 1 in the other. Pure functions,
// tested in tests/js/release_offsets.test.js.

const isHigh = (code) => code >= 0xd800 && code <= 0xdbff;
const isLow = (code) => code >= 0xdc00 && code <= 0xdfff;
const SPACE = /\s/u;

// Code points in text[0:utf16].
export function codePoints(text, utf16) {
  return Array.from(text.slice(0, utf16)).length;
}

// A boundary inside a surrogate pair moves off it: the start back, the end forward, so a
// selection never cuts a character in two.
function whole(text, at, forward) {
  if (at > 0 && at < text.length && isHigh(text.charCodeAt(at - 1)) && isLow(text.charCodeAt(at))) {
    return forward ? at + 1 : at - 1;
  }
  return at;
}

// The passage of ``text`` between two UTF-16 offsets (in either order) as the server takes
// it: start and end in code points and the selected text, without the white space around it
// (a marker then stands where the words were). null when nothing but white space is selected.
export function passage(text, fromUtf16, toUtf16) {
  let start = whole(text, Math.max(0, Math.min(fromUtf16, toUtf16)), false);
  let end = whole(text, Math.min(text.length, Math.max(fromUtf16, toUtf16)), true);
  while (start < end && SPACE.test(text[start])) start += 1;
  while (end > start && SPACE.test(text[end - 1])) end -= 1;
  if (start >= end) return null;
  const selected = text.slice(start, end);
  const first = codePoints(text, start);
  return { start: first, end: first + Array.from(selected).length, selected };
}
