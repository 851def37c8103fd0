"""What the talks' actions share: the talk with what its card needs, the card, locks and
cancelling."""

from __future__ import annotations

import datetime

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from accounts.errors import Refused
from accounts.models import User
from dialogue.actions.cards import (
    CardKind,
    in_own_thread,
    refresh_card,
)
from dialogue.models import (
    DevelopmentTalk,
)
from dialogue.payloads import talk_card


def talks_query() -> QuerySet[DevelopmentTalk]:
    return DevelopmentTalk.objects.select_related(
        "slot__teacher", "slot__school_class", "student", "thread", "message__page", "message__author"
    )


def lock_student(student: User) -> None:
    User.objects.select_for_update().filter(pk=student.pk).first()


def coming_guardians(talk: DevelopmentTalk) -> list[int]:
    return list(
        talk.attendees.filter(left_at__isnull=True)
        .order_by("joined_at", "pk")
        .values_list("guardian_id", flat=True)
    )


TALK_CARD: CardKind[DevelopmentTalk] = CardKind(draw=talk_card, thread=in_own_thread)


def cancel_talk(talk: DevelopmentTalk, actor: User, now: datetime.datetime) -> None:
    talk.cancelled_at = now
    talk.cancelled_by = actor
    talk.save(update_fields=["cancelled_at", "cancelled_by"])
    refresh_card(talk, TALK_CARD, summary=_("Development talk cancelled"))


def live_talk(talk: DevelopmentTalk, now: datetime.datetime) -> DevelopmentTalk:
    """The talk re-read under a lock; refused once cancelled or started."""
    locked = talks_query().select_for_update(of=("self",)).get(pk=talk.pk)
    if locked.cancelled_at is not None:
        raise Refused("cancelled", _("That talk is cancelled."))
    if locked.slot.starts_at <= now:
        raise Refused("started", _("The talk has already started and can no longer be changed."))
    return locked
