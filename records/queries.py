"""Reads of the access log for its two pages: the family's "who has opened this page" and
the principal's review. Each returns what the page shows in one query (plus a page count)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.db.models.functions import TruncDate

from accounts.models import Enrolment, Mentorship, School, TeachingAssignment
from accounts.policy import base
from records.models import Opening, ReviewMark

STAFF_ROLES = (
    Opening.Role.TEACHER,
    Opening.Role.MENTOR,
    Opening.Role.PRINCIPAL,
    Opening.Role.REGISTRAR,
)


def staff_openings(student_id: int) -> QuerySet[Opening]:
    """Openings of the student's records by staff, newest first, with who opened. The
    family's own openings (the student's, each guardian's) are never among them."""
    return (
        Opening.objects.filter(student_id=student_id, role__in=STAFF_ROLES)
        .select_related("viewer")
        .order_by("-at", "-pk")
    )


def school_students(school: School, on: datetime.date | None = None) -> QuerySet[Enrolment, dict[str, Any]]:
    """The ids of the school's students today (a subquery)."""
    return (
        Enrolment.objects.active(on or base.today()).filter(school_class__school=school).values("student_id")
    )


def openings_to_review(
    school: School, since: datetime.datetime, until: datetime.datetime
) -> QuerySet[Opening]:
    """Openings of the school's students' records by staff who are not the student's teachers
    or mentor today (principals, registrars, teachers whose assignment has ended, ...) in
    [since, until), newest first. The day-to-day openings by a student's own teachers are
    what the page is for, so they are left out."""
    on = base.today()
    classes = (
        Enrolment.objects.active(on)
        .filter(student_id=OuterRef(OuterRef("student_id")))
        .values("school_class_id")
    )
    teaches = TeachingAssignment.objects.active(on).filter(
        teacher_id=OuterRef("viewer_id"), school_class_id__in=classes
    )
    mentors = Mentorship.objects.active(on).filter(
        teacher_id=OuterRef("viewer_id"), school_class_id__in=classes
    )
    return (
        Opening.objects.filter(
            student_id__in=school_students(school, on), role__in=STAFF_ROLES, at__gte=since, at__lt=until
        )
        .filter(
            ~Q(role__in=(Opening.Role.TEACHER, Opening.Role.MENTOR)) | ~(Exists(teaches) | Exists(mentors))
        )
        .select_related("viewer", "student")
        .order_by("-at", "-pk")
    )


@dataclass
class Volume:
    """One person who opened more than the threshold of different students' records in one
    day (counting the school's students only)."""

    viewer_id: int
    name: str
    day: datetime.date
    students: int
    mark: ReviewMark | None = None


def unusual_volumes(
    school: School, since: datetime.datetime, until: datetime.datetime, threshold: int
) -> list[Volume]:
    """Per person and day (in the school's time zone), the number of different students of
    the school whose records they opened, where it is above ``threshold``; newest day first.
    One query."""
    rows = (
        Opening.objects.filter(
            student_id__in=school_students(school), role__in=STAFF_ROLES, at__gte=since, at__lt=until
        )
        .annotate(day=TruncDate("at"))
        .values("viewer_id", "viewer__first_name", "viewer__last_name", "viewer__username", "day")
        .annotate(students=Count("student_id", distinct=True))
        .filter(students__gt=threshold)
        .order_by("-day", "-students", "viewer_id")
    )
    return [
        Volume(
            viewer_id=row["viewer_id"],
            name=" ".join(filter(None, (row["viewer__first_name"], row["viewer__last_name"])))
            or row["viewer__username"]
            or "",
            day=row["day"],
            students=row["students"],
        )
        for row in rows
    ]


def marks_for(school: School, openings: list[Opening], volumes: list[Volume]) -> None:
    """Attach the principal's marks (``.mark``, or None) to the findings shown. One query,
    none when nothing is shown."""
    if not openings and not volumes:
        return
    wanted = Q(opening_id__in=[o.pk for o in openings])
    for volume in volumes:
        wanted |= Q(viewer_id=volume.viewer_id, day=volume.day)
    marks = list(ReviewMark.objects.filter(school=school).filter(wanted).select_related("checked_by"))
    by_opening = {m.opening_id: m for m in marks if m.opening_id}
    by_volume = {(m.viewer_id, m.day): m for m in marks if m.opening_id is None}
    for opening in openings:
        opening.mark = by_opening.get(opening.pk)  # type: ignore[attr-defined]
    for volume in volumes:
        volume.mark = by_volume.get((volume.viewer_id, volume.day))
