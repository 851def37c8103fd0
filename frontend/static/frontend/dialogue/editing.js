// Editing and retracting one's own messages, and showing a message's earlier versions (the
// page is a public record: what a message said before it was changed stays readable).
import { renderFindings } from "./guard.js";
import { showMessage, timeElement } from "./render.js";
import { S, data, el, state } from "./store.js";

function send(frame) {
  return state.feed.client.send(frame);
}

export function startEdit(messageId) {
  const message = state.messages.get(messageId);
  const item = document.getElementById(`m-${messageId}`);
  if (!message || !item || state.editing) {
    return;
  }
  state.editing = `edit-${messageId}`;
  const form = el("form", "message__edit");
  const area = el("textarea");
  area.rows = 3;
  area.value = message.body; // the Markdown as written, not the rendered text
  area.setAttribute("aria-label", S.edit);
  const box = el("div", "guard");
  box.hidden = true;
  const error = el("p", "field__errors");
  error.hidden = true;
  const save = el("button", "button", S.save);
  save.type = "submit";
  const cancel = el("button", "link-button", S.cancel);
  cancel.type = "button";
  cancel.addEventListener("click", finishEdit);
  form.append(area, box, error, el("p", "message__actions"));
  form.lastChild.append(save, " ", cancel);
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    send({ type: "edit", page: data.page, message: messageId, body: area.value, ref: state.editing });
  });
  state.editForm = { form, area, box, error, messageId };
  item.querySelector(":scope > .message__body").replaceWith(form);
  area.focus();
}

export function showEditGuard(findings) {
  const edit = state.editForm;
  renderFindings(
    edit.box,
    findings,
    () => send({
      type: "edit", page: data.page, message: edit.messageId, body: edit.area.value,
      ref: state.editing, send_anyway: true,
    }),
    () => edit.area.focus(),
  );
}

export function showEditError(message) {
  state.editForm.error.textContent = message;
  state.editForm.error.hidden = false;
}

export function finishEdit() {
  const edit = state.editForm;
  state.editing = null;
  state.editForm = null;
  if (edit) {
    const message = state.messages.get(edit.messageId);
    if (message) {
      showMessage(message);
    }
  }
}

export function retractMessage(messageId) {
  if (window.confirm(S.confirmRetract)) {
    send({ type: "retract", page: data.page, message: messageId, ref: `retract-${messageId}` });
  }
}

export async function toggleRevisions(messageId, button) {
  const item = document.getElementById(`m-${messageId}`);
  const shown = item.querySelector(".message__revisions");
  if (shown) {
    shown.remove();
    button.setAttribute("aria-expanded", "false");
    return;
  }
  const response = await fetch(data.urls.revisions.replace("{id}", messageId), { credentials: "same-origin" });
  if (!response.ok) {
    return;
  }
  const answer = await response.json();
  const list = el("ol", "message__revisions");
  list.setAttribute("aria-label", S.earlierVersions);
  for (const revision of answer.revisions) {
    const entry = el("li");
    const text = el("div", "message__revision-body");
    text.innerHTML = revision.html; // sanitised on the server when it was written
    entry.append(timeElement(revision.written_at, "message__time"), text);
    list.append(entry);
  }
  item.querySelector(":scope > .message__body").before(list);
  button.setAttribute("aria-expanded", "true");
}
