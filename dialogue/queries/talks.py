"""Reads of development talks: free times, a student's talks, a class's times, terms, the current IUP."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import (
    Exists,
    OuterRef,
    Prefetch,
    QuerySet,
)
from django.utils import timezone

from accounts import policy
from accounts.models import Enrolment, SchoolClass, SchoolYear, Term, User
from dialogue.models import (
    DevelopmentTalk,
    SelfAssessment,
    TalkAttendee,
    TalkPreparation,
    TalkRecordRevision,
    TalkSlot,
)
from dialogue.queries.goals import latest_self_assessments


def _coming_guardians() -> Prefetch:
    """A talk's guardians who are coming, as ``talk.coming``."""
    return Prefetch(
        "attendees",
        queryset=TalkAttendee.objects.filter(left_at__isnull=True)
        .select_related("guardian")
        .order_by("joined_at"),
        to_attr="coming",
    )


def _live_talk_in_slot() -> QuerySet[DevelopmentTalk]:
    return DevelopmentTalk.objects.filter(slot=OuterRef("pk"), cancelled_at__isnull=True)


def free_talk_slots(student: User, now: datetime.datetime) -> list[TalkSlot]:
    """The slots of the student's classes that can still be booked, soonest first. One query."""
    classes = Enrolment.objects.active(timezone.localdate(now)).filter(student=student).values("school_class")
    return list(
        TalkSlot.objects.filter(school_class__in=classes, cancelled_at__isnull=True, starts_at__gt=now)
        .exclude(Exists(_live_talk_in_slot()))
        .select_related("teacher")
        .order_by("starts_at", "pk")
    )


def talks_of_student(student: User) -> list[DevelopmentTalk]:
    """Every talk of the student, the latest first, with who is coming. Two queries."""
    return list(
        DevelopmentTalk.objects.filter(student=student)
        .select_related("slot__teacher", "slot__school_class", "booked_by", "cancelled_by")
        .prefetch_related(_coming_guardians())
        .order_by("-slot__starts_at", "-pk")
    )


def talk_of_student(student: User | int, talk_id: int) -> DevelopmentTalk | None:
    """One talk of the student for its page (and for the actions the page posts to)."""
    return (
        DevelopmentTalk.objects.filter(student=student, pk=talk_id)
        .select_related(
            "slot__teacher", "slot__school_class", "student", "thread", "cancelled_by", "recorded_by"
        )
        .prefetch_related(
            _coming_guardians(),
            Prefetch(
                "preparations", queryset=TalkPreparation.objects.select_related("author"), to_attr="prepared"
            ),
            Prefetch(
                "record_revisions",
                queryset=TalkRecordRevision.objects.select_related("recorded_by").order_by("-replaced_at"),
                to_attr="earlier_records",
            ),
        )
        .first()
    )


def class_talk_slots(school_class: SchoolClass, since: datetime.datetime) -> list[TalkSlot]:
    """The class's slots from ``since`` on (cancelled ones too), each with ``slot.talk``: its
    live talk with the student and the guardians coming, or None. Three queries."""
    slots = list(
        TalkSlot.objects.filter(school_class=school_class, starts_at__gte=since)
        .select_related("teacher")
        .order_by("starts_at", "pk")
    )
    talks = {
        talk.slot_id: talk
        for talk in DevelopmentTalk.objects.filter(
            slot__in=[slot.pk for slot in slots], cancelled_at__isnull=True
        )
        .select_related("student")
        .prefetch_related(_coming_guardians())
    }
    for slot in slots:
        slot.talk = talks.get(slot.pk)  # type: ignore[attr-defined]
    return slots


@dataclass(frozen=True)
class TermDates:
    kind: str  # "HT" or "VT"
    starts_on: datetime.date
    ends_on: datetime.date


def term_on(school_id: int, on: datetime.date) -> TermDates:
    """The term containing ``on``: the school's own dates where registered, otherwise
    autumn July-December and spring January-June. One query."""
    term = (
        Term.objects.filter(school_id=school_id, starts_on__lte=on, ends_on__gte=on)
        .values_list("kind", "starts_on", "ends_on")
        .first()
    )
    if term is not None:
        return TermDates(*term)
    if on.month >= 7:
        return TermDates(Term.Kind.AUTUMN, datetime.date(on.year, 7, 1), datetime.date(on.year, 12, 31))
    return TermDates(Term.Kind.SPRING, datetime.date(on.year, 1, 1), datetime.date(on.year, 6, 30))


def term_range(school_id: int, on: datetime.date) -> tuple[datetime.date, datetime.date]:
    """The first and last day of the term containing ``on`` (``term_on``)."""
    term = term_on(school_id, on)
    return term.starts_on, term.ends_on


def students_without_talk(
    school_class: SchoolClass, starts: datetime.date, ends: datetime.date
) -> list[User]:
    """Students enrolled in the class today with no talk (held or booked, not cancelled)
    in the period: the ones the teacher still has to reach. One query."""
    first = timezone.make_aware(datetime.datetime.combine(starts, datetime.time.min))
    last = timezone.make_aware(
        datetime.datetime.combine(ends + datetime.timedelta(days=1), datetime.time.min)
    )
    talked = DevelopmentTalk.objects.filter(
        student=OuterRef("pk"),
        cancelled_at__isnull=True,
        slot__starts_at__gte=first,
        slot__starts_at__lt=last,
    )
    enrolled = Enrolment.objects.active(policy.today()).filter(school_class=school_class).values("student")
    return list(
        User.objects.filter(pk__in=enrolled).exclude(Exists(talked)).order_by("first_name", "last_name", "pk")
    )


def current_iup(student: User, on: datetime.date | None = None) -> DevelopmentTalk | None:
    """The student's current IUP: the latest talk of the current school year whose
    agreements were recorded (``held_on``, ``iup_summary``, ``school_actions``,
    ``home_actions``, ``recorded_by``), or None."""
    on = on or policy.today()
    year = SchoolYear.objects.filter(starts_on__lte=on, ends_on__gte=on).first()
    if year is None:
        return None
    return (
        DevelopmentTalk.objects.filter(
            student=student,
            cancelled_at__isnull=True,
            recorded_at__isnull=False,
            held_on__gte=year.starts_on,
            held_on__lte=year.ends_on,
        )
        .select_related("slot__teacher", "recorded_by")
        .order_by("-held_on", "-recorded_at")
        .first()
    )


def talk_self_assessments(student: User) -> list[SelfAssessment]:
    """The student's latest self-assessments, for the talk's preparation. One query."""
    return latest_self_assessments(student)
