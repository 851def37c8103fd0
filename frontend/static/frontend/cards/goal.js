// The card of a goal (mål) in its subject's thread or the general thread: its status, the
// decision on a proposal, and the student's newest reflections.
import { registerCard } from "../dialogue/cards.js";

registerCard("goal", (card, t) => {
  const { el, S } = t;
  const box = el("article", `card-item card-item--goal card-item--goal-${card.status}`);
  box.dataset.card = `goal-${card.id}`;
  const where = card.subject ? t.name(card.subject) + (card.area ? ` · ${t.name(card.area)}` : "") : S.goalGeneral;
  const title = el("h3", "card-item__title", `${card.proposed && card.status === "proposed" ? S.goalProposedTitle : S.goalTitle} · ${where}`);
  box.append(title);

  const meta = el("p", "card-item__meta");
  meta.append(el("span", `badge goal__status goal__status--${card.status}`, S[`goalStatus_${card.status}`] || card.status), " ");
  meta.append((card.proposed ? S.goalProposedBy : S.goalSetBy).replace("%(name)s", card.by));
  if (card.decided_by) {
    meta.append(" · ", (card.status === "declined" ? S.goalDeclinedBy : S.goalAcceptedBy).replace("%(name)s", card.decided_by));
  }
  box.append(meta);
  if (card.replaced_by) {
    box.classList.add("card-item--superseded");
    box.append(el("p", "card-item__meta", S.goalReplaced));
  }
  box.append(t.html("card-item__text", card.text_html));
  if (card.target_date) {
    box.append(el("p", "card-item__meta", S.goalTarget.replace("%(date)s", t.formatDate(card.target_date))));
  }
  if (card.decline_reason_html) {
    box.append(el("h4", "card-item__heading", S.goalDeclineReason), t.html("card-item__text", card.decline_reason_html));
  }
  if (card.reflection_count) {
    const heading = card.reflection_count > card.reflections.length
      ? S.goalReflectionsSome.replace("%(shown)s", card.reflections.length).replace("%(count)s", card.reflection_count)
      : S.goalReflections.replace("%(count)s", card.reflection_count);
    box.append(el("h4", "card-item__heading", heading));
    const list = el("ol", "card-item__reflections");
    for (const reflection of card.reflections) {
      const item = el("li");
      const time = el("time", "card-item__meta", t.formatTime(reflection.at));
      time.dateTime = reflection.at;
      item.append(time, t.html("card-item__text", reflection.html));
      list.append(item);
    }
    box.append(list);
  }
  const link = el("a", "card-item__link", S.goalOpen);
  link.href = card.url;
  box.append(link);
  return box;
});
