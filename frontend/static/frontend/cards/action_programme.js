// The card of an action programme (åtgärdsprogram) in its own thread: status, views given,
// the next follow-up (overdue marked by today's date at the school), the decision and the last
// day to appeal it.
import { registerCard } from "../dialogue/cards.js";

registerCard("action_programme", (card, t) => {
  const { el, S } = t;
  const fill = (text, values) => Object.entries(values).reduce((out, [key, value]) => out.replace(`%(${key})s`, value), text);
  const box = el("article", `card-item card-item--programme card-item--programme-${card.status}`);
  box.dataset.card = `action_programme-${card.id}`;
  const title = card.subject ? `${S.programmeTitle} · ${t.name(card.subject)}` : S.programmeTitle;
  box.append(el("h3", "card-item__title", title));

  const meta = el("p", "card-item__meta");
  const status = el("span", `badge programme-status programme-status--${card.status}`, S[`programme_${card.status}`] || card.status);
  status.dataset.programmeStatus = card.status;
  meta.append(status, " ", fill(S.programmeVersion, { version: card.version }));
  if (card.pending_version) {
    meta.append(" ", el("span", "badge badge--warning", fill(S.programmePending, { version: card.pending_version })));
  }
  box.append(meta);

  if (card.needs_html) {
    box.append(el("h4", "card-item__heading", S.programmeNeeds), t.html("card-item__text", card.needs_html));
  }

  const facts = el("ul", "plain card-item__facts");
  const views = el("li", "", fill(card.views === 1 ? S.programmeViewsOne : S.programmeViews, { count: card.views }));
  views.dataset.programmeViews = card.views;
  facts.append(views);
  if (card.next_follow_up) {
    const overdue = card.next_follow_up.on < t.today();
    const next = el("li", overdue ? "overdue" : "", fill(overdue ? S.programmeOverdue : S.programmeNext, { date: card.next_follow_up.on }));
    next.dataset.programmeNext = card.next_follow_up.on;
    facts.append(next);
  }
  if (card.decision) {
    const decision = card.decision;
    const text = decision.adopted ? S.programmeAdoptedBy : S.programmeDeclinedBy;
    facts.append(el("li", "", fill(text, { name: decision.by, date: decision.on, version: decision.version })));
    if (decision.appeal_until) {
      const appeal = el("li", "appeal", fill(S.programmeAppeal, { date: decision.appeal_until }));
      appeal.dataset.programmeAppeal = decision.appeal_until;
      facts.append(appeal);
    }
  }
  if (card.closed) {
    facts.append(el("li", "", fill(S.programmeClosedBy, { name: card.closed.by, date: card.closed.on })));
  }
  box.append(facts);

  const link = el("a", "card-item__link", S.programmeOpen);
  link.href = card.url;
  box.append(link);
  return box;
});
