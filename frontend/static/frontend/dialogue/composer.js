// The composer: writing (length counter, typing announcements, the guard's live check),
// sending, the guard's question before a send, and attaching files.
import { renderFindings } from "./guard.js";
import { removePending } from "./render.js";
import { queueSend, showComposerError } from "./sending.js";
import { S, data, dom, el, newClientId, state } from "./store.js";

const TYPING_EVERY_MS = 2000;
const CHECK_AFTER_MS = 700;
let lastTypingSent = 0;
let checkTimer = null;

function send(frame) {
  return state.feed.client.send(frame);
}

function updateCounter() {
  const length = dom.body.value.length;
  dom.counter.textContent = length > data.maxLength * 0.8 ? `${length} / ${data.maxLength}` : "";
  dom.counter.classList.toggle("composer__count--over", length > data.maxLength);
}

function onInput() {
  updateCounter();
  const now = Date.now();
  if (now - lastTypingSent > TYPING_EVERY_MS && dom.body.value.trim()) {
    lastTypingSent = now;
    send({ type: "typing", page: data.page, thread: data.thread });
  }
  window.clearTimeout(checkTimer);
  checkTimer = window.setTimeout(() => {
    if (dom.body.value.trim()) {
      send({ type: "check", body: dom.body.value, ref: "composer-check" });
    } else if (!state.pendingGuard) {
      dom.guardBox.hidden = true;
    }
  }, CHECK_AFTER_MS);
}

function submit(event) {
  event.preventDefault();
  const text = dom.body.value;
  if (!text.trim() && !state.attachments.length) {
    dom.body.focus();
    return;
  }
  if (text.length > data.maxLength) {
    showComposerError(S.tooLong.replace("%(length)s", text.length).replace("%(limit)s", data.maxLength));
    return;
  }
  showComposerError("");
  // A new send replaces an undecided warning (its text is what is in the composer now).
  const clientId = state.pendingGuard ? state.pendingGuard.client_id : newClientId();
  state.pendingGuard = null;
  dom.guardBox.hidden = true;
  queueSend({
    type: "send",
    page: data.page,
    thread: data.thread,
    client_id: clientId,
    body: text,
    attachments: state.attachments.map((file) => file.id),
  });
  dom.body.value = "";
  state.attachments = [];
  renderFiles();
  updateCounter();
  lastTypingSent = 0; // the next message's first key announces writing again
  dom.body.focus();
}

// The guard held a send back: nothing was saved. The text comes back into the composer
// until the writer decides.
export function sendHeldBack(frame) {
  if (frame.ref === "composer-check") {
    // The live check while writing: shown, but nothing to confirm yet.
    if (!state.pendingGuard) {
      if (frame.findings.length) {
        renderFindings(dom.guardBox, frame.findings, null, null);
      } else {
        dom.guardBox.hidden = true;
      }
    }
    return;
  }
  const entry = frame.client_id && state.feed.outbox.get(frame.client_id);
  if (!entry) {
    return;
  }
  state.feed.outbox.remove(frame.client_id);
  removePending(frame.client_id);
  state.pendingGuard = entry.frame;
  dom.body.value = entry.frame.body;
  updateCounter();
  renderFindings(
    dom.guardBox,
    frame.findings,
    () => {
      const confirmed = Object.assign({}, state.pendingGuard, { send_anyway: true });
      state.pendingGuard = null;
      dom.guardBox.hidden = true;
      dom.body.value = "";
      updateCounter();
      queueSend(confirmed);
    },
    () => {
      state.pendingGuard = null;
      dom.guardBox.hidden = true;
      dom.body.focus();
    },
  );
  dom.guardBox.querySelector("button").focus();
}

// --- Files ------------------------------------------------------------------------------

function renderFiles() {
  dom.fileList.replaceChildren();
  for (const file of state.attachments) {
    const entry = el("li", null, `${file.name} `);
    const remove = el("button", "link-button", S.attachmentRemove);
    remove.type = "button";
    remove.addEventListener("click", () => {
      state.attachments = state.attachments.filter((other) => other.id !== file.id);
      renderFiles();
    });
    entry.append(remove);
    dom.fileList.append(entry);
  }
}

async function uploadFile() {
  const file = dom.fileInput.files[0];
  dom.fileInput.value = "";
  if (!file) {
    return;
  }
  showComposerError("");
  dom.fileList.append(el("li", null, `${file.name}: ${S.uploading}`));
  const form = new FormData();
  form.append("file", file);
  try {
    const response = await fetch(data.urls.upload, {
      method: "POST",
      body: form,
      headers: { "X-CSRFToken": data.csrf },
      credentials: "same-origin",
    });
    const answer = await response.json();
    if (!response.ok) {
      throw new Error(answer.error ? answer.error.message : S.uploadFailed);
    }
    state.attachments.push({ id: answer.attachment.id, name: answer.attachment.name });
  } catch (error) {
    showComposerError(error.message || S.uploadFailed);
  }
  renderFiles();
}

export function startComposer() {
  if (!dom.composer) {
    return;
  }
  dom.composer.addEventListener("submit", submit);
  dom.body.addEventListener("input", onInput);
  dom.body.addEventListener("keydown", (event) => {
    // Ctrl/Cmd+Enter sends; Enter alone makes a new line (messages are often long).
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
      submit(event);
    }
  });
  dom.fileInput.addEventListener("change", uploadFile);
}

export function disableComposer() {
  if (dom.composer) {
    for (const control of dom.composer.querySelectorAll("textarea, button, input")) {
      control.disabled = true;
    }
  }
}
