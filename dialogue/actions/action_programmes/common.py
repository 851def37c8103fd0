"""What the programme's actions share: checking what was written, opening a programme
through the door, and its card."""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import events
from accounts.errors import NotFound, Refused, require
from accounts.models import User
from accounts.policy import StudentRelation
from dialogue import doors
from dialogue.actions.cards import CardKind, in_own_thread
from dialogue.flags import FlagSource, flag_student_text
from dialogue.models import (
    MAX_FOLLOW_UP_TEXT,
    MAX_FOLLOW_UPS,
    MAX_PROGRAMME_TEXT,
    ActionProgramme,
    FollowUp,
    ProgrammeVersion,
    ProgrammeView,
)
from dialogue.payloads import action_programme_card
from writing import guard
from writing.texts import checked_text

FollowUpPlan = Iterable[tuple[datetime.date | str, str]]


# --- Checking input ---------------------------------------------------------------------------


def programme_text(text: str, label: str, *, required: bool = False, limit: int = MAX_PROGRAMME_TEXT) -> str:
    return checked_text(text, label, limit, required=required)


def _date(value: datetime.date | str) -> datetime.date:
    if isinstance(value, datetime.date):
        return value
    try:
        return datetime.date.fromisoformat(str(value).strip())
    except ValueError:
        raise Refused("bad_date", _("Write the follow-up date as YYYY-MM-DD.")) from None


def _plan(follow_ups: FollowUpPlan) -> list[dict[str, str]]:
    """The planned follow-ups, each on a date from today with what is checked; rows left
    blank are skipped."""
    today = timezone.localdate()
    plan = []
    for on, what in follow_ups:
        what = programme_text(what, _("What is checked"), limit=MAX_FOLLOW_UP_TEXT)
        if not str(on).strip() and not what.strip():
            continue
        if not str(on).strip():
            raise Refused("no_date", _("Give every follow-up a date."))
        date = _date(on)
        if date < today:
            raise Refused(
                "past_follow_up",
                _("The follow-up date %(date)s has passed. Choose today or a later day.")
                % {"date": date.isoformat()},
            )
        plan.append({"on": date.isoformat(), "what": what})
    if len(plan) > MAX_FOLLOW_UPS:
        raise Refused(
            "too_many", _("At most %(limit)d follow-ups can be planned.") % {"limit": MAX_FOLLOW_UPS}
        )
    return sorted(plan, key=lambda item: item["on"])


def programme_content(
    needs: str, measures: str, responsible: str, follow_ups: FollowUpPlan
) -> dict[str, Any]:
    return {
        "needs": programme_text(needs, _("The student's needs"), required=True),
        "measures": programme_text(measures, _("Measures and how the school carries them out")),
        "responsible": programme_text(responsible, _("Who is responsible")),
        "follow_up_plan": _plan(follow_ups),
    }


def programme_texts(content: dict[str, Any]) -> dict[str, str]:
    texts = {name: content[name] for name in ("needs", "measures", "responsible")}
    for index, item in enumerate(content["follow_up_plan"]):
        texts[f"follow_up_{index}"] = item["what"]
    return texts


# --- Fetching and the card --------------------------------------------------------------------


def opened_programme(actor: User, programme_id: int) -> tuple[ActionProgramme, StudentRelation]:
    """The programme and the actor's relation to its student; ``unknown_programme`` for a
    missing programme and for anyone who may not read the page alike."""
    programme = programme_rows().filter(pk=programme_id).first()
    if programme is None:
        raise NotFound("unknown_programme", _("That action programme does not exist."))
    try:
        access = doors.student_page(actor, programme.student_id, opening=False)
    except NotFound:
        raise NotFound("unknown_programme", _("That action programme does not exist.")) from None
    return programme, access.relation


def programme_rows() -> QuerySet[ActionProgramme]:
    return ActionProgramme.objects.select_related(
        "student", "subject", "closed_by", "page", "message__page", "message__author"
    )


def locked_programme(programme_id: int) -> ActionProgramme:
    """The programme read again under a lock (access was checked by ``_programme``).
    Precondition: inside a transaction."""
    return programme_rows().select_for_update(of=("self",)).get(pk=programme_id)


def programme_to_change(
    actor: User, programme_id: int, may: Callable[[StudentRelation], bool]
) -> ActionProgramme:
    """The programme, if the actor's relation allows this change (``may``) and it is not
    closed."""
    programme, relation = opened_programme(actor, programme_id)
    require(may(relation))
    still_open(programme)
    return programme


def flag_programme_text(
    actor: User, programme: ActionProgramme, texts: dict[str, str], findings: list[guard.Finding]
) -> None:
    flag_student_text(actor, programme.student_id, FlagSource.ACTION_PROGRAMME, programme.pk, texts, findings)


def announce_programme(kind: str, actor: User, programme: ActionProgramme, **data: Any) -> None:
    """Announce ``action_programme.<kind>`` with what every such event names."""
    events.announce(
        f"action_programme.{kind}",
        actor_id=actor.pk,
        student_id=programme.student_id,
        page_id=programme.page_id,
        programme_id=programme.pk,
        **data,
    )


def still_open(programme: ActionProgramme) -> None:
    if programme.status == ActionProgramme.Status.CLOSED:
        raise Refused("closed", _("The action programme is closed; nothing more can be changed."))


def _versions(programme: ActionProgramme) -> list[ProgrammeVersion]:
    return list(programme.versions.select_related("decided_by").order_by("number"))


def _next_follow_up(programme: ActionProgramme) -> FollowUp | None:
    return (
        FollowUp.objects.filter(programme=programme, recorded_at__isnull=True, replaced_by__isnull=True)
        .order_by("due_on", "pk")
        .first()
    )


def build_card(programme: ActionProgramme) -> dict[str, Any]:
    return action_programme_card(
        programme,
        _versions(programme),
        _next_follow_up(programme),
        ProgrammeView.objects.filter(programme=programme).count(),
        timezone.localdate(),
    )


PROGRAMME_CARD: CardKind[ActionProgramme] = CardKind(draw=build_card, thread=in_own_thread)
