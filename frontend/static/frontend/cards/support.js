// The cards of special support: an extra adaptation in its subject's thread (what is adapted,
// since when, the next follow-up, overdue marked by today's date at the school, and the latest
// result), and a report to the principal in its own thread (the stage, who decided what and
// when, and for a decision not to write an action programme the last day to appeal it).
import { registerCard } from "../dialogue/cards.js";

const fill = (text, values) => Object.entries(values).reduce((out, [key, value]) => out.replace(`%(${key})s`, value), text);

registerCard("adaptation", (card, t) => {
  const { el, S } = t;
  const box = el("article", `card-item card-item--adaptation${card.ended_on ? " card-item--ended" : ""}`);
  box.dataset.card = `adaptation-${card.id}`;
  box.append(el("h3", "card-item__title", `${S.adaptationTitle} · ${t.name(card.subject)}`));
  box.append(t.html("card-item__text", card.description_html));
  const facts = el("ul", "plain card-item__facts");
  facts.append(el("li", "", fill(S.adaptationSince, { date: card.starts_on })));
  if (card.ended_on) {
    facts.append(el("li", "", fill(S.adaptationEnded, { date: card.ended_on })));
  } else if (card.follow_up_on) {
    const overdue = card.follow_up_on < t.today();
    const next = el("li", overdue ? "overdue" : "", fill(overdue ? S.adaptationOverdue : S.adaptationNext, { date: card.follow_up_on }));
    next.dataset.adaptationNext = card.follow_up_on;
    facts.append(next);
  }
  box.append(facts);
  if (card.last) {
    box.append(el("h4", "card-item__heading", fill(S.adaptationLast, { name: card.last.by, date: card.last.on })));
    box.append(t.html("card-item__text", card.last.result_html));
  }
  const link = el("a", "card-item__link", S.adaptationOpen);
  link.href = card.url;
  box.append(link);
  return box;
});

registerCard("support_case", (card, t) => {
  const { el, S } = t;
  const box = el("article", `card-item card-item--support card-item--support-${card.stage}`);
  box.dataset.card = `support_case-${card.id}`;
  const title = card.subject ? `${S.supportTitle} · ${t.name(card.subject)}` : S.supportTitle;
  box.append(el("h3", "card-item__title", title));
  const meta = el("p", "card-item__meta");
  const stage = el("span", `badge support-stage support-stage--${card.stage}`, S[`support_${card.stage}`] || card.stage);
  stage.dataset.supportStage = card.stage;
  meta.append(stage);
  box.append(meta);

  const facts = el("ul", "plain card-item__facts");
  facts.append(el("li", "", fill(S.supportReported, { name: card.reported.by, date: card.reported.on })));
  const decision = card.investigation;
  if (decision) {
    const text = decision.investigate ? S.supportInvestigated : S.supportNotInvestigated;
    facts.append(el("li", "", fill(text, { name: decision.by, date: decision.on, investigator: decision.investigator, until: decision.until || "" })));
  }
  const outcome = card.outcome;
  if (outcome) {
    facts.append(el("li", "", fill(outcome.needs_support ? S.supportNeeded : S.supportNoProgramme, { name: outcome.by, date: outcome.on })));
    if (outcome.appeal_until) {
      const appeal = el("li", "appeal", fill(S.supportAppeal, { date: outcome.appeal_until }));
      appeal.dataset.supportAppeal = outcome.appeal_until;
      facts.append(appeal);
    }
  }
  facts.append(el("li", "", fill(card.views === 1 ? S.supportViewsOne : S.supportViews, { count: card.views })));
  box.append(facts);
  if (outcome && outcome.programme_url) {
    const programme = el("a", "card-item__link", S.supportProgramme);
    programme.href = outcome.programme_url;
    box.append(programme);
  }
  const link = el("a", "card-item__link", S.supportOpen);
  link.href = card.url;
  box.append(link);
  return box;
});
