"""Reads for the start page's news: what is unread, coming up or waiting to be finished on
the student pages a person belongs to. Each is one query (two where the threads are
fetched), whatever the number of students or threads."""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Count, Max, QuerySet

from accounts import policy
from accounts.models import User
from dialogue.models import Assessment, DevelopmentTalk, Goal, ProgrammeVersion, Thread
from dialogue.queries.messages import _unread_messages


@dataclass(frozen=True)
class UnreadThread:
    """A thread of a student's page with messages the person has not read."""

    student_id: int
    thread: Thread  # with its subject
    count: int
    latest: datetime.datetime


def unread_threads(user: User, student_ids: Iterable[int]) -> dict[int, list[UnreadThread]]:
    """The threads with unread messages on each student's page (by the read positions the
    dialogue keeps), the latest first. Two queries: the counts and the threads."""
    student_ids = list(student_ids)
    if not student_ids:
        return {}
    rows = list(
        _unread_messages(user, page__student_id__in=student_ids)
        .values("page__student", "thread")
        .annotate(n=Count("pk"), latest=Max("created_at"))
        .order_by("-latest", "thread")
    )
    threads = Thread.objects.select_related("subject").in_bulk([row["thread"] for row in rows])
    found: dict[int, list[UnreadThread]] = defaultdict(list)
    for row in rows:
        found[row["page__student"]].append(
            UnreadThread(row["page__student"], threads[row["thread"]], row["n"], row["latest"])
        )
    return dict(found)


def coming_talks_of_students(
    student_ids: Iterable[int], now: datetime.datetime
) -> dict[int, list[DevelopmentTalk]]:
    """Each student's booked talks that have not started yet, soonest first. One query."""
    talks: dict[int, list[DevelopmentTalk]] = defaultdict(list)
    for talk in (
        DevelopmentTalk.objects.filter(
            student_id__in=list(student_ids),
            cancelled_at__isnull=True,
            slot__starts_at__gt=now,
        )
        .select_related("slot__teacher")
        .order_by("slot__starts_at", "pk")
    ):
        talks[talk.student_id].append(talk)
    return dict(talks)


def coming_talks_of_teacher(
    teacher: User, now: datetime.datetime, *, limit: int = 20
) -> list[DevelopmentTalk]:
    """The talks booked in the teacher's times that have not started yet, soonest first, of
    students whose page the teacher may still read. One query."""
    return list(
        DevelopmentTalk.objects.filter(
            slot__teacher=teacher,
            cancelled_at__isnull=True,
            slot__starts_at__gt=now,
            student__in=policy.visible_students(teacher),
        )
        .select_related("student", "slot")
        .order_by("slot__starts_at", "pk")[:limit]
    )


def assessment_drafts_of(author: User) -> list[tuple[int, int]]:
    """(student id, subject id) of each written assessment the author has drafted and not
    published, for students whose page they may still read. One query."""
    return list(
        Assessment.objects.filter(
            author=author,
            status=Assessment.Status.DRAFT,
            student__in=policy.visible_students(author),
        ).values_list("student_id", "subject_id")
    )


def programme_drafts_of(author: User) -> QuerySet[ProgrammeVersion]:
    """The action programme versions the author has drafted and nobody has decided on yet
    (a first programme or a change of one), of students
    whose page they may still read, oldest first. One query."""
    return (
        ProgrammeVersion.objects.filter(
            author=author,
            status=ProgrammeVersion.Status.DRAFT,
            programme__student__in=policy.visible_students(author),
        )
        .select_related("programme__student", "programme__subject")
        .order_by("created_at", "pk")
    )


def proposed_goals_by_student(student_ids: Iterable[int]) -> dict[int, int]:
    """How many goals proposed by the student or a guardian wait for a teacher's decision,
    per student (students with none omitted). One query."""
    rows = (
        Goal.objects.filter(student_id__in=list(student_ids), status=Goal.Status.PROPOSED)
        .values("student")
        .annotate(n=Count("pk"))
    )
    return {row["student"]: row["n"] for row in rows}
