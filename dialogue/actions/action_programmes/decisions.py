"""The principal's decision, the follow-ups, and closing."""

from __future__ import annotations

import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.errors import NotFound, Refused
from accounts.models import User
from dialogue.actions.action_programmes.common import (
    PROGRAMME_CARD,
    announce_programme,
    flag_programme_text,
    locked_programme,
    programme_text,
    programme_to_change,
    still_open,
)
from dialogue.actions.cards import refresh_card
from dialogue.models import (
    ActionProgramme,
    FollowUp,
    ProgrammeVersion,
)
from writing.texts import guard_texts


def decide_programme(
    actor: User, programme_id: int, *, adopt: bool | None, note: str = "", send_anyway: bool = False
) -> ProgrammeVersion:
    """The principal adopts or declines the draft version. The decision date and who decided
    are recorded; the decision can be appealed within three weeks. Adopting a new version
    replaces the previous adopted one and its outstanding follow-ups."""
    programme = programme_to_change(actor, programme_id, lambda relation: relation.may_decide_programme)
    if adopt is None:
        raise Refused("no_decision", _("Choose whether to adopt or decline the programme."))
    note = programme_text(note, _("Reason"), required=not adopt)
    findings = guard_texts({"note": note}, send_anyway=send_anyway)
    today = timezone.localdate()
    with transaction.atomic():
        programme = locked_programme(programme.pk)
        still_open(programme)
        draft = programme.versions.filter(status=ProgrammeVersion.Status.DRAFT).first()
        if draft is None:
            raise Refused("nothing_to_decide", _("There is no draft to decide on."))
        if adopt and not draft.follow_up_plan:
            raise Refused("no_follow_up", _("Plan at least one follow-up before the programme is adopted."))
        draft.decided_on = today
        draft.decided_at = timezone.now()
        draft.decided_by = actor
        draft.decision_note = note
        if adopt:
            previous = programme.versions.filter(status=ProgrammeVersion.Status.ADOPTED)
            FollowUp.objects.filter(
                programme=programme, recorded_at__isnull=True, replaced_by__isnull=True
            ).update(replaced_by=draft)
            previous.update(status=ProgrammeVersion.Status.SUPERSEDED)
            draft.status = ProgrammeVersion.Status.ADOPTED
            FollowUp.objects.bulk_create(
                [
                    FollowUp(
                        programme=programme,
                        version=draft,
                        due_on=datetime.date.fromisoformat(item["on"]),
                        what_to_check=item["what"],
                    )
                    for item in draft.follow_up_plan
                ]
            )
            programme.status = ActionProgramme.Status.ADOPTED
        else:
            draft.status = ProgrammeVersion.Status.DECLINED
            if not programme.versions.filter(status=ProgrammeVersion.Status.ADOPTED).exists():
                programme.status = ActionProgramme.Status.DECLINED
        draft.save()
        programme.save(update_fields=["status"])
        summary = (
            _("Action programme adopted by %(name)s") if adopt else _("Action programme declined by %(name)s")
        ) % {"name": actor.display_name}
        refresh_card(programme, PROGRAMME_CARD, summary=summary)
        flag_programme_text(actor, programme, {"note": note}, findings)
        announce_programme(
            "decided",
            actor,
            programme,
            version=draft.number,
            adopted=bool(adopt),
            decided_on=today.isoformat(),
            decided_by_id=actor.pk,
        )
    return draft


# --- Follow-ups and closing -------------------------------------------------------------------


def record_follow_up(
    actor: User,
    follow_up_id: int,
    *,
    what_was_done: str,
    works: str,
    outcome: str = "",
    send_anyway: bool = False,
    programme_id: int | None = None,
) -> FollowUp:
    """A teacher or the principal records a planned follow-up of the adopted programme (of
    ``programme_id``, when given)."""
    follow_up = FollowUp.objects.filter(pk=follow_up_id).only("programme_id").first()
    if follow_up is None or (programme_id is not None and follow_up.programme_id != programme_id):
        raise NotFound("unknown_follow_up", _("That follow-up does not exist."))
    programme = programme_to_change(
        actor, follow_up.programme_id, lambda relation: relation.may_draft_programme
    )
    what_was_done = programme_text(what_was_done, _("What was done"), required=True)
    outcome = programme_text(outcome, _("Outcome"))
    if works not in FollowUp.Works.values:
        raise Refused("no_answer", _("Answer whether the support works."))
    texts = {"what_was_done": what_was_done, "outcome": outcome}
    findings = guard_texts(texts, send_anyway=send_anyway)
    with transaction.atomic():
        programme = locked_programme(programme.pk)
        still_open(programme)
        follow_up = FollowUp.objects.select_for_update().get(pk=follow_up_id)
        if follow_up.replaced_by_id is not None:
            raise Refused("replaced", _("This follow-up belongs to a version that has been replaced."))
        if follow_up.recorded_at is not None:
            raise Refused("recorded", _("This follow-up is already recorded."))
        follow_up.recorded_on = timezone.localdate()
        follow_up.recorded_at = timezone.now()
        follow_up.recorded_by = actor
        follow_up.what_was_done = what_was_done
        follow_up.works = works
        follow_up.outcome = outcome
        follow_up.save()
        refresh_card(programme, PROGRAMME_CARD)
        flag_programme_text(actor, programme, texts, findings)
        announce_programme(
            "followed_up",
            actor,
            programme,
            follow_up_id=follow_up.pk,
            works=works,
        )
    return follow_up


def close_programme(
    actor: User, programme_id: int, *, reason: str, send_anyway: bool = False
) -> ActionProgramme:
    """The principal closes an adopted programme (the support is no longer needed, or is
    replaced), with the date, who and why."""
    programme = programme_to_change(actor, programme_id, lambda relation: relation.may_decide_programme)
    reason = programme_text(reason, _("Reason"), required=True)
    findings = guard_texts({"reason": reason}, send_anyway=send_anyway)
    with transaction.atomic():
        programme = locked_programme(programme.pk)
        still_open(programme)
        if programme.status != ActionProgramme.Status.ADOPTED:
            raise Refused("not_adopted", _("Only an adopted programme can be closed."))
        programme.status = ActionProgramme.Status.CLOSED
        programme.closed_on = timezone.localdate()
        programme.closed_at = timezone.now()
        programme.closed_by = actor
        programme.close_reason = reason
        programme.save(update_fields=["status", "closed_on", "closed_at", "closed_by", "close_reason"])
        refresh_card(
            programme,
            PROGRAMME_CARD,
            summary=_("Action programme closed by %(name)s") % {"name": actor.display_name},
        )
        flag_programme_text(actor, programme, {"reason": reason}, findings)
        announce_programme(
            "closed",
            actor,
            programme,
            closed_on=programme.closed_on.isoformat(),
            closed_by_id=actor.pk,
        )
    return programme
