"""The teacher's talk times: opening one or a series, and cancelling one."""

from __future__ import annotations

import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from accounts import events, policy
from accounts.errors import Refused, require
from accounts.models import SchoolClass, User
from dialogue.actions.talks.common import (
    cancel_talk,
    coming_guardians,
    talks_query,
)
from dialogue.models import (
    MAX_PLACE_LENGTH,
    TalkSlot,
)

MIN_MINUTES = 5
MAX_MINUTES = 240
MAX_SLOTS_AT_ONCE = 60


def _aware(day: datetime.date, at: datetime.time) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, at))


def _local_label(moment: datetime.datetime) -> str:
    return date_format(timezone.localtime(moment), "j F H:i")


def open_talk_slots(
    actor: User,
    school_class: SchoolClass,
    *,
    day: datetime.date,
    start: datetime.time,
    minutes: int,
    until: datetime.time | None = None,
    every: int | None = None,
    place: str = "",
    video: bool = False,
    now: datetime.datetime | None = None,
) -> list[TalkSlot]:
    """Open one slot at ``start``, or a series: a slot every ``every`` minutes (default: back
    to back) from ``start`` for as long as a whole slot ends by ``until``. All or nothing:
    a slot in the past or overlapping one of the teacher's own open slots refuses the lot.

    ``now`` is for tests and the demo (a series opened "earlier"); callers leave it out.
    """
    require(policy.can_manage_talk_slots(actor, school_class))
    now = now or timezone.now()
    place = " ".join(place.split())
    if not MIN_MINUTES <= minutes <= MAX_MINUTES:
        raise Refused(
            "bad_length",
            _("A talk is between %(min)d and %(max)d minutes long.")
            % {"min": MIN_MINUTES, "max": MAX_MINUTES},
        )
    if not place and not video:
        raise Refused("no_place", _("Say where the talk is held, or choose video."))
    if len(place) > MAX_PLACE_LENGTH:
        raise Refused(
            "too_long", _("The place can be at most %(limit)d characters long.") % {"limit": MAX_PLACE_LENGTH}
        )
    step = datetime.timedelta(minutes=every or minutes)
    length = datetime.timedelta(minutes=minutes)
    if step < length:
        raise Refused("overlapping", _("The talks would overlap: the interval is shorter than a talk."))
    first = _aware(day, start)
    if first <= now:
        raise Refused("past", _("That time has already passed. Choose a time in the future."))
    starts = [first]
    if until is not None:
        last_end = _aware(day, until)
        if last_end < first + length:
            raise Refused("no_room", _("No whole talk fits between the start and end times."))
        while starts[-1] + step + length <= last_end:
            starts.append(starts[-1] + step)
    if len(starts) > MAX_SLOTS_AT_ONCE:
        raise Refused(
            "too_many", _("At most %(limit)d slots can be opened at once.") % {"limit": MAX_SLOTS_AT_ONCE}
        )
    with transaction.atomic():
        # One teacher's openings one at a time, so two tabs cannot open overlapping series.
        User.objects.select_for_update().filter(pk=actor.pk).first()
        clash = (
            TalkSlot.objects.filter(
                teacher=actor,
                cancelled_at__isnull=True,
                starts_at__lt=starts[-1] + length,
                ends_at__gt=first,
            )
            .order_by("starts_at")
            .values_list("starts_at", "ends_at")
        )
        for taken_start, taken_end in clash:
            if any(s < taken_end and taken_start < s + length for s in starts):
                raise Refused(
                    "overlapping",
                    _("You already have a talk slot at %(time)s. Nothing was opened.")
                    % {"time": _local_label(taken_start)},
                )
        return TalkSlot.objects.bulk_create(
            [
                TalkSlot(
                    school_class=school_class,
                    teacher=actor,
                    starts_at=s,
                    ends_at=s + length,
                    place=place,
                    video=video,
                )
                for s in starts
            ]
        )


def cancel_talk_slot(actor: User, slot: TalkSlot, *, now: datetime.datetime | None = None) -> TalkSlot:
    """Take a slot away. A talk booked in it is cancelled too; its card says so and
    ``talk.cancelled`` tells the guardians who had booked."""
    require(policy.can_manage_talk_slots(actor, slot.school_class))
    now = now or timezone.now()
    with transaction.atomic():
        locked = TalkSlot.objects.select_for_update().get(pk=slot.pk)
        if locked.cancelled_at is not None:
            return locked
        if locked.starts_at <= now:
            raise Refused("started", _("The slot has already started and cannot be cancelled."))
        locked.cancelled_at = now
        locked.cancelled_by = actor
        locked.save(update_fields=["cancelled_at", "cancelled_by"])
        talk = talks_query().filter(slot=locked, cancelled_at__isnull=True).first()
        if talk is not None:
            guardians = coming_guardians(talk)
            cancel_talk(talk, actor, now)
            events.announce(
                "talk.cancelled",
                actor_id=actor.pk,
                talk_id=talk.pk,
                student_id=talk.student_id,
                page_id=talk.thread.page_id,
                guardian_ids=guardians,
                by_id=actor.pk,
                by_school=True,
            )
    return locked
