"""Development talks on the cast's student's page, made through the real actions."""

from __future__ import annotations

import datetime
from typing import Any

from django.utils import timezone

from dialogue.actions import talks
from dialogue.models import TalkSlot
from tests.support.cast import Cast


def next_week() -> datetime.date:
    return timezone.localdate() + datetime.timedelta(days=7)


def open_slots(
    cast: Cast, *, day: datetime.date | None = None, start: str = "13:00", **options: Any
) -> list[TalkSlot]:
    """Slots of 4A opened by the cast's teacher (mentor of 4A), by default three 30-minute
    slots from 13:00 next week."""
    values: dict[str, Any] = {"minutes": 30, "until": datetime.time(14, 30), "place": "Klassrum 4A"}
    values.update(options)
    return talks.open_talk_slots(
        cast.teacher,
        cast.class_4a,
        day=day or next_week(),
        start=datetime.time.fromisoformat(start),
        **values,
    )


def talk_objects(cast: Cast) -> dict[str, Any]:
    """Three slots of 4A next week: the first booked by guardian_1 for the student (the
    talk, with its thread and card), the other two free."""
    slots = open_slots(cast)
    talk = talks.book_talk(cast.guardian_1, cast.student, slots[0].pk)
    return {
        "talk": talk,
        "talk_slot": slots[0],
        "free_slot": slots[1],
        "other_free_slot": slots[2],
        "past_talk": past_talk(cast),
    }


def past_talk(cast: Cast) -> Any:
    """A talk held last week (booked by guardian_2 the week before): ready for the
    teacher's agreements."""
    held = timezone.localdate() - datetime.timedelta(days=7)
    before = timezone.now() - datetime.timedelta(days=14)
    slot = talks.open_talk_slots(
        cast.teacher,
        cast.class_4a,
        day=held,
        start=datetime.time(15, 0),
        minutes=30,
        place="Klassrum 4A",
        now=before,
    )[0]
    return talks.book_talk(cast.guardian_2, cast.student, slot.pk, now=before)
