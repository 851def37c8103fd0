// The card of a development talk (utvecklingssamtal) in the talk's own thread: when, where,
// who is coming, and once the teacher has recorded them, the IUP summary and agreements.
import { registerCard } from "../dialogue/cards.js";

registerCard("talk", (card, t) => {
  const { el, S } = t;
  const box = el("article", `card-item card-item--talk card-item--${card.status}`);
  box.dataset.card = `talk-${card.id}`;
  box.append(el("h3", "card-item__title", `${S.talkTitle} · ${card.student}`));
  if (card.status === "cancelled") {
    box.classList.add("card-item--superseded");
    const meta = el("p", "card-item__meta");
    meta.append(el("span", "badge badge--warning", S.talkCancelled.replace("%(name)s", card.cancelled_by)));
    box.append(meta);
  }
  const facts = el("dl", "facts");
  const fact = (label, value) => facts.append(el("dt", "", label), el("dd", "", value));
  fact(S.talkWhen, `${t.name(card.when)} (${S.talkMinutes.replace("%(minutes)s", card.minutes)})`);
  fact(S.talkWhere, card.video ? (card.place ? `${S.talkVideo} (${card.place})` : S.talkVideo) : card.place);
  fact(S.talkTeacher, card.teacher);
  fact(S.talkComing, card.guardians.length ? card.guardians.join(", ") : S.talkNobody);
  box.append(facts);
  if (card.record) {
    const record = card.record;
    box.append(
      el("p", "card-item__meta", S.talkRecorded.replace("%(date)s", t.name(record.held_on)).replace("%(name)s", record.by)),
    );
    for (const [heading, markup] of [
      [S.talkIup, record.iup_html],
      [S.talkSchool, record.school_html],
      [S.talkHome, record.home_html],
    ]) {
      if (markup) {
        box.append(el("h4", "card-item__heading", heading), t.html("card-item__text", markup));
      }
    }
  }
  const link = el("a", "card-item__link", S.talkOpen);
  link.href = card.url;
  box.append(link);
  return box;
});
