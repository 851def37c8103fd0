// The sensitive-text guard's findings: shown while writing (nothing to confirm yet), and
// when a send or an edit was held back (edit the text, or send anyway).
import { S, el } from "./store.js";

export function renderFindings(box, findings, onSendAnyway, onEdit) {
  box.replaceChildren();
  box.append(el("p", "guard__title", S.guardTitle), el("p", null, S.guardIntro));
  const list = el("ul", "guard__findings");
  for (const finding of findings) {
    const entry = el("li");
    entry.append(el("mark", null, finding.matched), ` — ${finding.label}`);
    list.append(entry);
  }
  box.append(list, el("p", "hint", S.guardNote));
  if (onSendAnyway) {
    const actions = el("p", "guard__actions");
    const edit = el("button", "button", S.guardEdit);
    edit.type = "button";
    edit.addEventListener("click", onEdit);
    const anyway = el("button", "button button--secondary", S.guardSendAnyway);
    anyway.type = "button";
    anyway.addEventListener("click", onSendAnyway);
    actions.append(edit, " ", anyway);
    box.append(actions);
  }
  box.hidden = false;
}
