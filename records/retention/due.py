"""What is due for removal on a day: students with a standing leaving whose ``left_on`` plus
the rule's years has come, and class blogs whose school year's end plus the rule's years has
come. Computed for a given ``today`` (the real date by default) so the tests move the clock."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.utils import timezone

from accounts.models import Leaving
from classblog.models import ClassBlog
from records.retention.rules import AppliesTo, add_years, years_for


@dataclass(frozen=True)
class DueStudent:
    """A student by internal id, with the leaving that starts the count: nothing that names
    the person (the report may end in logs)."""

    student_id: int
    left_on: datetime.date
    reason: str
    due_on: datetime.date


@dataclass(frozen=True)
class DueBlog:
    blog_id: int
    class_id: int
    class_name: str
    year_label: str
    year_ended: datetime.date
    due_on: datetime.date


class NotDue(Exception):
    """The purge of one student was asked for before its date (or without a leaving)."""

    def __init__(self, student_id: int, due_on: datetime.date | None, message: str) -> None:
        super().__init__(message)
        self.student_id = student_id
        self.due_on = due_on


def _latest_start(today: datetime.date, years: int) -> datetime.date:
    # Every day d with add_years(d, years) <= today is at most this (29 February counts as
    # the 28th, so look one day further and let add_years decide).
    return add_years(today, -years) + datetime.timedelta(days=1)


def due_students(today: datetime.date | None = None, years: int | None = None) -> list[DueStudent]:
    """Students due on ``today``, oldest leaving first (then by id: runs are repeatable)."""
    today = today or timezone.localdate()
    years = years_for(AppliesTo.STUDENT_RECORDS) if years is None else years
    leavings = Leaving.objects.filter(undone_at__isnull=True, left_on__lte=_latest_start(today, years))
    due = [
        DueStudent(student_id, left_on, reason, add_years(left_on, years))
        for student_id, left_on, reason in leavings.values_list("student_id", "left_on", "reason")
        if add_years(left_on, years) <= today
    ]
    return sorted(due, key=lambda item: (item.left_on, item.student_id))


def check_student_due(
    student_id: int, today: datetime.date | None = None, years: int | None = None
) -> DueStudent:
    """The student's due entry, or NotDue saying why not (and from when)."""
    today = today or timezone.localdate()
    years = years_for(AppliesTo.STUDENT_RECORDS) if years is None else years
    leaving = Leaving.objects.filter(student_id=student_id, undone_at__isnull=True).first()
    if leaving is None:
        raise NotDue(
            student_id,
            None,
            f"Student #{student_id} has no standing leaving (never recorded, undone, or already "
            "purged): nothing is removed.",
        )
    due_on = add_years(leaving.left_on, years)
    if due_on > today:
        raise NotDue(
            student_id,
            due_on,
            f"Student #{student_id} left on {leaving.left_on:%Y-%m-%d} and is kept {years} years: "
            f"the records may be removed from {due_on:%Y-%m-%d}, not before. Nothing is removed.",
        )
    return DueStudent(student_id, leaving.left_on, leaving.reason, due_on)


def due_blogs(today: datetime.date | None = None, years: int | None = None) -> list[DueBlog]:
    """Class blogs whose school year ended long enough ago, oldest year first."""
    today = today or timezone.localdate()
    years = years_for(AppliesTo.CLASS_BLOGS) if years is None else years
    blogs = ClassBlog.objects.filter(school_class__school_year__ends_on__lte=_latest_start(today, years))
    rows = blogs.values_list(
        "pk",
        "school_class_id",
        "school_class__name",
        "school_class__school_year__label",
        "school_class__school_year__ends_on",
    )
    due = [
        DueBlog(pk, class_id, name, label, ended, add_years(ended, years))
        for pk, class_id, name, label, ended in rows
        if add_years(ended, years) <= today
    ]
    return sorted(due, key=lambda item: (item.year_ended, item.blog_id))
