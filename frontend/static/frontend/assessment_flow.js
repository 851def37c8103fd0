// The teacher's class x subject assessment flow: every student's draft on one page,
// saved as the teacher types, published one by one or all at once, with a phrase bank.
// Without this script every form still works with its buttons (the server redirects back).
"use strict";

(function () {
  const stringsElement = document.getElementById("flow-strings");
  if (!stringsElement) {
    return;
  }
  const S = JSON.parse(stringsElement.textContent);
  const forms = Array.from(document.querySelectorAll("[data-draft-form]"));
  const csrf = document.querySelector("input[name=csrfmiddlewaretoken]").value;
  const saveDelayMs = 800;
  let lastTextarea = null;

  async function post(url, body) {
    const response = await fetch(url, {
      method: "POST",
      body,
      headers: { Accept: "application/json", "X-CSRFToken": csrf },
      credentials: "same-origin",
    });
    let payload = {};
    try {
      payload = await response.json();
    } catch (error) {
      payload = { error: { message: S.saveFailed } };
    }
    return { status: response.status, payload };
  }

  function showGuard(form, byField, onPublishAnyway) {
    for (const box of form.querySelectorAll("[data-guard-for]")) {
      const findings = byField[box.dataset.guardFor] || [];
      box.replaceChildren();
      box.hidden = findings.length === 0;
      if (!findings.length) {
        continue;
      }
      const intro = document.createElement("p");
      intro.className = "guard__title";
      intro.textContent = S.guardIntro;
      const list = document.createElement("ul");
      list.className = "guard__findings";
      for (const finding of findings) {
        const item = document.createElement("li");
        const word = document.createElement("mark");
        word.textContent = finding.matched;
        item.append(word, ` (${finding.label})`);
        list.append(item);
      }
      box.append(intro, list);
    }
    if (onPublishAnyway) {
      const first = form.querySelector("[data-guard-for]:not([hidden])");
      const actions = document.createElement("p");
      actions.className = "guard__actions";
      const anyway = document.createElement("button");
      anyway.type = "button";
      anyway.className = "button button--secondary";
      anyway.textContent = S.publishAnyway;
      anyway.addEventListener("click", onPublishAnyway);
      const note = document.createElement("span");
      note.className = "hint";
      note.textContent = ` ${S.guardNote}`;
      actions.append(anyway, note);
      first.append(actions);
      anyway.focus();
    }
  }

  // The index of students at the top says where each one is: written, draft or not started.
  function setIndexState(form, state) {
    const student = form.closest(".flow-student").dataset.student;
    const badge = document.querySelector(`[data-index-for="${student}"] [data-index-state]`);
    if (!badge || badge.dataset.indexState === state) {
      return;
    }
    const before = document.querySelector(`[data-count="${badge.dataset.indexState}"]`);
    const after = document.querySelector(`[data-count="${state}"]`);
    if (before && after) {
      before.textContent = Number(before.textContent) - 1;
      after.textContent = Number(after.textContent) + 1;
    }
    badge.classList.remove(`flow-state--${badge.dataset.indexState}`);
    badge.classList.add(`flow-state--${state}`);
    badge.dataset.indexState = state;
    badge.textContent = S[`state_${state}`];
  }

  function setError(form, message) {
    const line = form.querySelector("[data-error]");
    line.textContent = message || "";
    line.hidden = !message;
  }

  function setupForm(form) {
    const saved = form.querySelector("[data-saved]");
    const state = form.closest(".flow-student").querySelector("[data-state]");
    const publishButton = form.querySelector("[data-publish]");
    let timer = null;
    let dirty = false;
    let saving = null; // the save in flight

    async function save() {
      window.clearTimeout(timer);
      if (saving) {
        await saving;
      }
      if (!dirty) {
        return true;
      }
      dirty = false;
      saved.textContent = S.saving;
      saving = post(form.action, new FormData(form));
      const { status, payload } = await saving.catch(() => ({ status: 0, payload: {} }));
      saving = null;
      if (status === 200) {
        saved.textContent = payload.saved_label;
        setError(form, "");
        showGuard(form, payload.findings || {}, null);
        form.dataset.hasDraft = "1";
        setIndexState(form, "draft");
        if (!state.dataset.changed) {
          state.textContent = payload.version > 1 ? S.correctionDraft.replace("%(version)s", payload.version) : S.draft;
          state.dataset.changed = "1";
        }
        return true;
      }
      dirty = true; // keep trying: nothing typed is thrown away
      saved.textContent = "";
      setError(form, (payload.error && payload.error.message) || S.saveFailed);
      return false;
    }

    function changed() {
      dirty = true;
      saved.textContent = S.unsaved;
      window.clearTimeout(timer);
      timer = window.setTimeout(save, saveDelayMs);
    }
    form.addEventListener("input", changed);
    form.addEventListener("change", changed);
    form.addEventListener("focusout", (event) => {
      if (event.target.matches("textarea") && dirty) {
        save();
      }
    });

    async function publish(sendAnyway) {
      if (!(await save())) {
        return;
      }
      // Never an empty multipart body: Django refuses one as malformed (400).
      const body = new FormData();
      body.append("send_anyway", sendAnyway ? "1" : "0");
      publishButton.disabled = true;
      const { status, payload } = await post(publishButton.formAction, body).catch(() => ({
        status: 0,
        payload: {},
      }));
      publishButton.disabled = false;
      if (status === 409) {
        showGuard(form, (payload.error && payload.error.findings) || {}, () => publish(true));
        return;
      }
      if (status !== 200) {
        setError(form, (payload.error && payload.error.message) || S.saveFailed);
        return;
      }
      setError(form, "");
      showGuard(form, {}, null);
      const link = document.createElement("a");
      link.href = payload.published.url;
      link.textContent = S.published.replace("%(version)s", payload.published.version);
      state.replaceChildren(link);
      state.dataset.changed = "";
      setIndexState(form, "published");
      publishButton.textContent = S.publishCorrection;
      saved.textContent = "";
      form.dataset.hasDraft = "";
    }

    form.addEventListener("submit", (event) => {
      event.preventDefault();
      if (event.submitter && event.submitter.hasAttribute("data-publish-anyway")) {
        publish(true);
      } else if (event.submitter && event.submitter.hasAttribute("data-publish")) {
        publish(false);
      } else {
        dirty = true;
        save();
      }
    });
    form.saveNow = save;
    form.isDirty = () => dirty || saving !== null;
  }

  function moveStudent(from, step) {
    const index = forms.indexOf(from);
    const target = forms[index + step];
    if (target) {
      // The first field a person fills in: the first area's level, or the first text.
      const field = target.querySelector("input[type=radio]") || target.querySelector("textarea");
      field.focus();
      target.closest(".flow-student").scrollIntoView({ block: "start", behavior: "smooth" });
    }
  }

  function insertPhrase(text) {
    const area = document.activeElement && document.activeElement.matches("[data-text]")
      ? document.activeElement
      : lastTextarea;
    if (!area) {
      return;
    }
    const start = area.selectionStart;
    const before = area.value.slice(0, start);
    const spacer = before && !/\s$/.test(before) ? " " : "";
    area.setRangeText(spacer + text, start, area.selectionEnd, "end");
    area.focus();
    area.dispatchEvent(new Event("input", { bubbles: true }));
  }

  function phrases() {
    return Array.from(document.querySelectorAll("[data-phrase]"));
  }

  document.addEventListener("focusin", (event) => {
    if (event.target.matches("[data-text]")) {
      lastTextarea = event.target;
    }
  });

  document.addEventListener("keydown", (event) => {
    if (!event.altKey) {
      return;
    }
    const form = event.target.closest && event.target.closest("[data-draft-form]");
    if (form && (event.key === "ArrowDown" || event.key === "ArrowUp")) {
      event.preventDefault();
      moveStudent(form, event.key === "ArrowDown" ? 1 : -1);
      return;
    }
    const number = Number.parseInt(event.code.replace("Digit", ""), 10);
    if (event.code.startsWith("Digit") && number >= 1 && number <= 9) {
      const phrase = phrases()[number - 1];
      if (phrase) {
        event.preventDefault();
        insertPhrase(phrase.textContent);
      }
    }
  });

  document.addEventListener("click", (event) => {
    const phrase = event.target.closest("[data-phrase]");
    if (phrase) {
      insertPhrase(phrase.textContent);
    }
  });

  const addForm = document.querySelector("[data-phrase-add]");
  const list = document.querySelector("[data-phrases]");
  if (addForm) {
    addForm.addEventListener("submit", async (event) => {
      event.preventDefault();
      const { status, payload } = await post(addForm.action, new FormData(addForm));
      if (status !== 201) {
        window.alert((payload.error && payload.error.message) || S.saveFailed);
        return;
      }
      const item = document.createElement("li");
      item.dataset.phraseId = payload.phrase.id;
      const button = document.createElement("button");
      button.type = "button";
      button.className = "link-button phrase";
      button.dataset.phrase = "";
      button.textContent = payload.phrase.text;
      const remove = document.createElement("form");
      remove.method = "post";
      remove.action = payload.phrase.delete;
      remove.className = "phrase__delete";
      remove.dataset.phraseDelete = "";
      const token = document.createElement("input");
      token.type = "hidden";
      token.name = "csrfmiddlewaretoken";
      token.value = csrf;
      remove.append(token);
      const removeButton = document.createElement("button");
      removeButton.type = "submit";
      removeButton.className = "link-button";
      removeButton.textContent = S.remove;
      remove.append(removeButton);
      item.append(button, " ", remove);
      list.append(item);
      addForm.reset();
    });
  }
  document.addEventListener("submit", async (event) => {
    const remove = event.target.closest("[data-phrase-delete]");
    if (!remove) {
      return;
    }
    event.preventDefault();
    const { status } = await post(remove.action, new FormData(remove));
    if (status === 200) {
      remove.closest("li").remove();
    }
  });

  for (const form of forms) {
    setupForm(form);
  }
  window.addEventListener("beforeunload", (event) => {
    if (forms.some((form) => form.isDirty())) {
      for (const form of forms) {
        form.saveNow();
      }
      event.preventDefault();
    }
  });
})();
