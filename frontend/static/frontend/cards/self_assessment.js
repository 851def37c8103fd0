// The card of a student's self-assessment (självskattning): the step of the three-step
// scale, what it is about (a goal, a subject or an area of it) and the student's words.
import { registerCard } from "../dialogue/cards.js";

registerCard("self_assessment", (card, t) => {
  const { el, S } = t;
  const box = el("article", "card-item card-item--self-assessment");
  box.dataset.card = `self_assessment-${card.id}`;
  let about = card.subject ? t.name(card.subject) : S.goalGeneral;
  if (card.area) {
    about += ` · ${t.name(card.area)}`;
  }
  box.append(el("h3", "card-item__title", `${S.selfAssessmentTitle} · ${about}`));
  box.append(el("p", "card-item__meta", S.selfAssessmentBy.replace("%(name)s", card.by)));
  if (card.goal_html) {
    box.append(el("h4", "card-item__heading", S.selfAssessmentGoal), t.html("card-item__text", card.goal_html));
  }
  box.append(el("p", `scale-result scale-result--${card.level}`, S[`selfLevel_${card.level}`] || card.level));
  if (card.text_html) {
    box.append(t.html("card-item__text", card.text_html));
  }
  const link = el("a", "card-item__link", S.selfAssessmentOpen);
  link.href = card.url;
  box.append(link);
  return box;
});
