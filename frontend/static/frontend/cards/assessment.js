// The card of a published written assessment (skriftligt omdöme) in a subject's thread.
"use strict";

(window.ElevdialogCards = window.ElevdialogCards || {}).assessment = function (card, t) {
  const { el, S } = t;
  const box = el("article", "card-item card-item--assessment");
  box.dataset.card = `assessment-${card.id}`;
  const title = el("h3", "card-item__title", `${S.assessmentTitle} · ${t.name(card.subject)} · ${card.period}`);
  box.append(title);
  const meta = el("p", "card-item__meta");
  if (card.version > 1) {
    meta.append(el("span", "badge", S.assessmentCorrection.replace("%(version)s", card.version)), " ");
  }
  if (card.corrected_by) {
    box.classList.add("card-item--superseded");
    meta.append(el("span", "badge badge--warning", S.assessmentSuperseded.replace("%(version)s", card.corrected_by)), " ");
  }
  meta.append(S.assessmentBy.replace("%(name)s", card.by));
  box.append(meta);
  // A version replaced by a correction is folded: the current one, further down the
  // thread, is the one to read; this one opens on request.
  let body = box;
  if (card.corrected_by) {
    body = el("details", "card-item__earlier");
    body.append(el("summary", "", S.assessmentShowReplaced.replace("%(version)s", card.version)));
    box.append(body);
  }
  if (card.levels.length) {
    const table = el("table", "table levels");
    const caption = el("caption", "visually-hidden", S.assessmentLevels);
    const head = el("thead");
    const headRow = el("tr");
    headRow.append(el("th", "", S.assessmentArea), el("th", "", S.assessmentLevel));
    head.append(headRow);
    const rows = el("tbody");
    for (const level of card.levels) {
      const row = el("tr");
      const value = el("td", `level level--${level.level}`, S[`level_${level.level}`] || level.level);
      row.append(el("th", "", t.name(level.area)), value);
      rows.append(row);
    }
    table.append(caption, head, rows);
    body.append(table);
  }
  if (card.can_html) {
    body.append(el("h4", "card-item__heading", S.assessmentCan), t.html("card-item__text", card.can_html));
  }
  if (card.develop_html) {
    body.append(el("h4", "card-item__heading", S.assessmentDevelop), t.html("card-item__text", card.develop_html));
  }
  const link = el("a", "card-item__link", S.assessmentHistory);
  link.href = card.url;
  box.append(link);
  return box;
};
