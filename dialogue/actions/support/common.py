"""What the special-support actions share: checking what was written (texts and dates),
opening an adaptation or a case through the door, the two cards, and the events."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any

from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import events
from accounts.errors import NotFound, Refused, require
from accounts.models import User
from accounts.policy import StudentRelation
from dialogue import doors
from dialogue.actions.cards import CardKind, in_own_thread, in_subject_thread
from dialogue.flags import FlagSource, flag_student_text
from dialogue.models import MAX_SUPPORT_TEXT, Adaptation, SupportCase, SupportView
from dialogue.payloads import names
from writing import guard
from writing.texts import checked_text

# --- Checking input ---------------------------------------------------------------------------


def support_text(text: str, label: str, *, required: bool = False) -> str:
    return checked_text(text, label, MAX_SUPPORT_TEXT, required=required)


def support_date(value: datetime.date | str | None, label: str) -> datetime.date:
    """A date given in a form (YYYY-MM-DD) or by code; refused, naming the field, when
    missing or not a date."""
    if isinstance(value, datetime.date):
        return value
    text = str(value or "").strip()
    if not text:
        raise Refused("no_date", _("Fill in “%(field)s”.") % {"field": label}, field=label)
    try:
        return datetime.date.fromisoformat(text)
    except ValueError:
        raise Refused(
            "bad_date", _("Write “%(field)s” as YYYY-MM-DD.") % {"field": label}, field=label
        ) from None


def not_before_today(date: datetime.date, label: str) -> datetime.date:
    if date < timezone.localdate():
        raise Refused(
            "past_date",
            _("“%(field)s” (%(date)s) has passed. Choose today or a later day.")
            % {"field": label, "date": date.isoformat()},
            field=label,
        )
    return date


# --- Opening ----------------------------------------------------------------------------------


def adaptation_rows() -> QuerySet[Adaptation]:
    return Adaptation.objects.select_related(
        "subject", "created_by", "page", "message__page", "message__author"
    )


def case_rows() -> QuerySet[SupportCase]:
    return SupportCase.objects.select_related(
        "subject",
        "reported_by",
        "investigation_decided_by",
        "investigator",
        "outcome_decided_by",
        "programme",
        "page",
        "thread",
        "message__page",
        "message__author",
    )


def opened_adaptation(actor: User, adaptation_id: int) -> tuple[Adaptation, StudentRelation]:
    """The adaptation and the actor's relation to its student; ``unknown_adaptation`` for a
    missing one and for anyone who may not read the page alike."""
    adaptation = adaptation_rows().filter(pk=adaptation_id).first()
    missing = NotFound("unknown_adaptation", _("That extra adaptation does not exist."))
    if adaptation is None:
        raise missing
    try:
        access = doors.student_page(actor, adaptation.student_id, opening=False)
    except NotFound:
        raise missing from None
    return adaptation, access.relation


def case_to_change(actor: User, case_id: int, may: Callable[[StudentRelation], bool]) -> SupportCase:
    """The case, if the actor may read the student's page (else ``unknown_case``, as for a
    missing case) and the relation allows this change (else ``Forbidden``)."""
    case = case_rows().filter(pk=case_id).first()
    missing = NotFound("unknown_case", _("That report does not exist."))
    if case is None:
        raise missing
    try:
        access = doors.student_page(actor, case.student_id, opening=False)
    except NotFound:
        raise missing from None
    require(may(access.relation))
    return case


def locked_case(case_id: int) -> SupportCase:
    """The case read again under a lock. Precondition: inside a transaction."""
    return case_rows().select_for_update(of=("self",)).get(pk=case_id)


def flag_support_text(
    actor: User,
    student_id: int,
    source: FlagSource,
    source_id: int,
    texts: dict[str, str],
    findings: list[guard.Finding],
) -> None:
    flag_student_text(actor, student_id, source, source_id, texts, findings)


def announce_support(kind: str, actor: User, case: SupportCase, **data: Any) -> None:
    """Announce ``support.<kind>``: what happened and to whom, never what was written."""
    events.announce(
        f"support.{kind}",
        actor_id=actor.pk,
        student_id=case.student_id,
        page_id=case.page_id,
        case_id=case.pk,
        stage=case.stage,
        **data,
    )


# --- The cards --------------------------------------------------------------------------------


def _day(value: datetime.date | datetime.datetime | None) -> str | None:
    if value is None:
        return None
    if isinstance(value, datetime.datetime):
        return timezone.localdate(value).isoformat()
    return value.isoformat()


def _name(person: User | None) -> str:
    return person.display_name if person is not None else ""


def adaptation_card(adaptation: Adaptation) -> dict[str, Any]:
    """The card of an extra adaptation in its subject's thread: what is adapted, since when,
    the next follow-up (or the end) and the latest result. One query (the follow-ups).
    Precondition: ``subject`` loaded."""
    follow_ups = list(adaptation.follow_ups.select_related("written_by").order_by("written_at", "pk"))
    last = follow_ups[-1] if follow_ups else None
    return {
        "type": "adaptation",
        "id": adaptation.pk,
        "subject": names(adaptation.subject),
        "description_html": str(adaptation.description_html),
        "starts_on": adaptation.starts_on.isoformat(),
        "follow_up_on": None if adaptation.ended_on else adaptation.follow_up_on.isoformat(),
        "ended_on": _day(adaptation.ended_on),
        "follow_ups": len(follow_ups),
        "last": (
            {
                "on": _day(last.written_at),
                "by": _name(last.written_by),
                "continues": last.continues,
                "result_html": str(last.result_html),
            }
            if last
            else None
        ),
        "url": reverse("support", args=[adaptation.student_id]) + f"#adaptation-{adaptation.pk}",
    }


def support_card(case: SupportCase) -> dict[str, Any]:
    """The card of a report to the principal in its own thread: the stage, who reported and
    decided when, and for a decision not to write a programme the last day to appeal. No
    texts: they are read on the case's page. One query (the views' count). Precondition:
    the people and ``subject`` loaded (``case_rows``)."""
    stage = case.stage
    investigated = stage not in (SupportCase.Stage.REPORTED, SupportCase.Stage.NOT_INVESTIGATED)
    return {
        "type": "support_case",
        "id": case.pk,
        "stage": stage,
        "subject": names(case.subject) if case.subject else None,
        "reported": {"by": _name(case.reported_by), "on": _day(case.reported_at)},
        "investigation": (
            {
                "investigate": investigated,
                "by": _name(case.investigation_decided_by),
                "on": _day(case.investigation_decided_at),
                "investigator": _name(case.investigator) if investigated else "",
                "until": _day(case.investigate_by) if investigated else None,
            }
            if case.investigation_decided_at
            else None
        ),
        "outcome": (
            {
                "needs_support": stage == SupportCase.Stage.SUPPORT_NEEDED,
                "by": _name(case.outcome_decided_by),
                "on": _day(case.outcome_decided_on),
                "appeal_until": _day(case.appeal_deadline),
                "programme_url": (
                    reverse("action-programme", args=[case.student_id, case.programme_id])
                    if case.programme_id
                    else None
                ),
            }
            if case.outcome_decided_at
            else None
        ),
        "views": SupportView.objects.filter(case=case).count(),
        "url": reverse("support-case", args=[case.student_id, case.pk]),
    }


ADAPTATION_CARD: CardKind[Adaptation] = CardKind(draw=adaptation_card, thread=in_subject_thread)
SUPPORT_CARD: CardKind[SupportCase] = CardKind(draw=support_card, thread=in_own_thread)
