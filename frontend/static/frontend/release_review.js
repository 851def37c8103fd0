// The review of a request for public records: a passage selected in a document's text fills
// that document's masking form (which text, where it starts and ends, and the words), so the
// reviewer then picks a ground and masks it. Offsets are the server's: code points of the
// stored text (release_offsets.js). Without scripts the forms that mask a whole document or
// attachment still work; the passage forms stay hidden.
import { passage } from "./release_offsets.js";

const texts = document.querySelectorAll("[data-release-text]");

document.querySelectorAll("[data-passage-form]").forEach((holder) => {
  holder.hidden = false;
});

// UTF-16 offset of a boundary (node, offset) inside ``box``: the length of the text from
// the box's start to it. The box's text content is the stored text exactly.
function offsetIn(box, node, offset) {
  const range = document.createRange();
  range.selectNodeContents(box);
  range.setEnd(node, offset);
  return range.toString().length;
}

function textBox(node) {
  const element = node.nodeType === Node.ELEMENT_NODE ? node : node.parentElement;
  return element ? element.closest("[data-release-text]") : null;
}

function fill(form, box, found) {
  form.querySelector("[data-field]").value = box.dataset.field;
  form.querySelector("[data-start]").value = String(found.start);
  form.querySelector("[data-end]").value = String(found.end);
  form.querySelector("[data-selected]").value = found.selected;
  form.querySelector("[data-selection-text]").textContent = found.selected;
  form.querySelector("[data-selection-empty]").hidden = true;
  form.querySelector("[data-selection-shown]").hidden = false;
}

// Only a selection within one text counts; anything else (a click in a form field, a
// selection across two documents) leaves the last passage chosen where it is.
function chosen() {
  const selection = document.getSelection();
  if (!selection || selection.rangeCount === 0 || selection.isCollapsed) return;
  const range = selection.getRangeAt(0);
  const box = textBox(range.startContainer);
  if (!box || box !== textBox(range.endContainer)) return;
  const found = passage(
    box.textContent,
    offsetIn(box, range.startContainer, range.startOffset),
    offsetIn(box, range.endContainer, range.endOffset),
  );
  const form = box.closest("[data-document]")?.querySelector("form[data-passage]");
  if (found && form) fill(form, box, found);
}

if (texts.length) {
  document.addEventListener("selectionchange", chosen);
}
