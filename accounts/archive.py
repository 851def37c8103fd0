"""Reads of the archive of students who left (``accounts.models.Leaving``): the note an
archived page shows, and the archive list of a school for its principal and registrar.

Who may read an archived page is the policy's (``StudentRelation.may_read``); these reads
only say what the archive holds, for people the policy already let in.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import OuterRef, QuerySet, Subquery

from accounts import policy
from accounts.models import Enrolment, Leaving, School, SchoolClass, User


@dataclass(frozen=True)
class ArchiveNote:
    """A standing leaving with the class the student was in when leaving (their latest
    enrolment by start date)."""

    leaving: Leaving
    school_class: SchoolClass | None

    @property
    def student(self) -> User:
        return self.leaving.student


def _latest_enrolments() -> QuerySet[Enrolment]:
    return Enrolment.objects.filter(student=OuterRef("student")).order_by("-starts_on", "-pk")


def standing_leavings(on: datetime.date | None = None) -> QuerySet[Leaving]:
    """Leavings not undone that have begun on ``on`` (today): their pages are archives."""
    return Leaving.objects.filter(undone_at__isnull=True, left_on__lte=on or policy.today())


def archive_note(student_id: int, on: datetime.date | None = None) -> ArchiveNote | None:
    """The archive note of the student's page, or None while the page is in use. One query."""
    leaving = (
        standing_leavings(on)
        .filter(student_id=student_id)
        .select_related("student")
        .annotate(last_class=Subquery(_latest_enrolments().values("school_class")[:1]))
        .first()
    )
    if leaving is None:
        return None
    school_class = SchoolClass.objects.select_related("school").filter(pk=leaving.last_class).first()
    return ArchiveNote(leaving, school_class)


def archived_students(school: School, on: datetime.date | None = None) -> list[ArchiveNote]:
    """The archive of a school: students whose standing leaving has begun and whose last
    school (the school of their latest enrolment) it is, latest leaving first. Two queries."""
    latest = _latest_enrolments()
    leavings = list(
        standing_leavings(on)
        .annotate(
            last_school=Subquery(latest.values("school_class__school")[:1]),
            last_class=Subquery(latest.values("school_class")[:1]),
        )
        .filter(last_school=school.pk)
        .select_related("student")
        .order_by("-left_on", "student__last_name", "student__first_name", "pk")
    )
    classes = SchoolClass.objects.in_bulk({leaving.last_class for leaving in leavings})
    return [ArchiveNote(leaving, classes.get(leaving.last_class)) for leaving in leavings]
