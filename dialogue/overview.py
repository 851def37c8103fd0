"""The principal's follow-up overview of one school: who lacks what the rules require.

Per class of the current school year: students in grades 1-5 without a published written
assessment this school year in a subject they are taught (DOMAIN.md: at least once per school
year), and students without a development talk (held or booked) this term (at least once per
term). Each part is a fixed number of
queries, whatever the number of classes and students.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field

from django.utils import timezone

from accounts import policy
from accounts.models import Enrolment, School, SchoolClass, Subject, TeachingAssignment, User
from dialogue import queries
from dialogue.models import Assessment, DevelopmentTalk

# Grades that must have a written assessment every school year (DOMAIN.md).
ASSESSED_GRADES = range(1, 6)


@dataclass
class MissingAssessments:
    student: User
    subjects: list[Subject]


@dataclass
class ClassFollowUp:
    school_class: SchoolClass
    student_count: int = 0
    missing_assessments: list[MissingAssessments] = field(default_factory=list)
    without_talk: list[User] = field(default_factory=list)

    @property
    def missing_count(self) -> int:
        """Missing (student, subject) assessments in the class."""
        return sum(len(row.subjects) for row in self.missing_assessments)


def school_follow_up(school: School, on: datetime.date | None = None) -> list[ClassFollowUp]:
    """Every class of the school this school year, in grade order, with the students who
    lack a published assessment in a subject taught to their class (grades 1-5), and those
    without a talk this term. Six queries."""
    on = on or policy.today()
    classes = list(
        SchoolClass.objects.filter(
            school=school, school_year__starts_on__lte=on, school_year__ends_on__gte=on
        )
        .select_related("school_year")
        .order_by("grade", "name")
    )
    by_class = {school_class.pk: ClassFollowUp(school_class) for school_class in classes}
    enrolments = list(
        Enrolment.objects.active(on)
        .filter(school_class__in=classes)
        .select_related("student")
        .order_by("student__first_name", "student__last_name", "student_id")
    )
    for enrolment in enrolments:
        by_class[enrolment.school_class_id].student_count += 1
    assessed = [c.pk for c in classes if c.grade in ASSESSED_GRADES]
    taught: dict[int, list[Subject]] = defaultdict(list)
    for assignment in (
        TeachingAssignment.objects.active(on)
        .filter(school_class__in=assessed)
        .select_related("subject")
        .order_by("subject__position")
    ):
        if assignment.subject not in taught[assignment.school_class_id]:
            taught[assignment.school_class_id].append(assignment.subject)
    year_of = {c.pk: c.school_year_id for c in classes}
    students = [e.student_id for e in enrolments if e.school_class_id in assessed]
    published = set(
        Assessment.objects.filter(
            student__in=students,
            status=Assessment.Status.PUBLISHED,
            school_year__in={year_of[pk] for pk in assessed},
        ).values_list("student_id", "subject_id", "school_year_id")
    )
    for enrolment in enrolments:
        class_id = enrolment.school_class_id
        if class_id not in taught:
            continue
        lacking = [
            subject
            for subject in taught[class_id]
            if (enrolment.student_id, subject.pk, year_of[class_id]) not in published
        ]
        if lacking:
            by_class[class_id].missing_assessments.append(MissingAssessments(enrolment.student, lacking))
    first_day, last_day = queries.term_range(school.pk, on)
    talked = set(
        DevelopmentTalk.objects.filter(
            student__in=[e.student_id for e in enrolments],
            cancelled_at__isnull=True,
            slot__starts_at__gte=_start_of(first_day),
            slot__starts_at__lt=_start_of(last_day + datetime.timedelta(days=1)),
        ).values_list("student_id", flat=True)
    )
    for enrolment in enrolments:
        if enrolment.student_id not in talked:
            by_class[enrolment.school_class_id].without_talk.append(enrolment.student)
    return list(by_class.values())


def _start_of(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))
