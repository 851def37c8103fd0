"""The principal's follow-up overview of one school: who lacks what the rules require.

Per class of the current school year: for grades 1-5, per subject the class is taught, how
many of its students should have a published written assessment in the school's period
(the school year, or this term when the principal chose once per term; DOMAIN.md: at least
once per school year), how many have one and who is still missing; and the students without
a development talk (held or booked) this term (at least once per term). A fixed number of
queries, whatever the number of classes and students.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.utils import timezone

from accounts import policy
from accounts.models import Enrolment, School, SchoolClass, Subject, TeachingAssignment, User
from dialogue import queries
from dialogue.actions.assessments import school_form
from dialogue.models import Assessment, AssessmentForm, DevelopmentTalk

# Grades that must have a written assessment every school year (DOMAIN.md).
ASSESSED_GRADES = range(1, 6)


@dataclass
class SubjectFollowUp:
    """One cell of the class x subject table: the students of the class who should have a
    published assessment in the subject, and those of them who have none yet."""

    school_class: SchoolClass
    subject: Subject
    expected: int = 0
    missing: list[User] = field(default_factory=list)

    @property
    def published(self) -> int:
        return self.expected - len(self.missing)


@dataclass
class ClassFollowUp:
    school_class: SchoolClass
    student_count: int = 0
    # Per subject taught to the class (grades 1-5 only), in the subjects' order.
    subjects: dict[int, SubjectFollowUp] = field(default_factory=dict)
    without_talk: list[User] = field(default_factory=list)

    @property
    def assessed(self) -> bool:
        return self.school_class.grade in ASSESSED_GRADES

    @property
    def missing_count(self) -> int:
        """Missing (student, subject) assessments in the class."""
        return sum(len(cell.missing) for cell in self.subjects.values())

    @property
    def expected_count(self) -> int:
        return sum(cell.expected for cell in self.subjects.values())

    @property
    def published_count(self) -> int:
        return self.expected_count - self.missing_count


@dataclass
class SchoolFollowUp:
    classes: list[ClassFollowUp]
    # The columns of the table: every subject taught to a class in grades 1-5, in order.
    subjects: list[Subject]
    # The period assessments are counted in: "" for the school year, else "HT"/"VT".
    term: str

    @property
    def assessed_classes(self) -> list[ClassFollowUp]:
        return [row for row in self.classes if row.assessed]

    def table(self) -> list[tuple[Subject, list[SubjectFollowUp | None]]]:
        """Rows of subjects, one cell per assessed class (None: not taught there)."""
        classes = self.assessed_classes
        return [(subject, [row.subjects.get(subject.pk) for row in classes]) for subject in self.subjects]

    def cell(self, class_id: int, subject_id: int) -> SubjectFollowUp | None:
        for row in self.classes:
            if row.school_class.pk == class_id:
                return row.subjects.get(subject_id)
        return None


def school_follow_up(school: School, on: datetime.date | None = None) -> SchoolFollowUp:
    """Every class of the school this school year, in grade order, with per subject taught
    (grades 1-5) the students who lack a published assessment in the school's period, and
    the students without a talk this term. Seven queries."""
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
    subjects: dict[int, Subject] = {}
    for assignment in (
        TeachingAssignment.objects.active(on)
        .filter(school_class__in=assessed)
        .select_related("subject")
        .order_by("subject__position", "subject__name_sv")
    ):
        row = by_class[assignment.school_class_id]
        subjects.setdefault(assignment.subject_id, assignment.subject)
        if assignment.subject_id not in row.subjects:
            row.subjects[assignment.subject_id] = SubjectFollowUp(row.school_class, assignment.subject)
    term = queries.term_on(school.pk, on)
    period_term = term.kind if school_form(school.pk).period == AssessmentForm.Period.TERM else ""
    year_of = {c.pk: c.school_year_id for c in classes}
    students = [e.student_id for e in enrolments if e.school_class_id in assessed]
    published = set(
        Assessment.objects.filter(
            student__in=students,
            status=Assessment.Status.PUBLISHED,
            school_year__in={year_of[pk] for pk in assessed},
            **({"term": period_term} if period_term else {}),
        ).values_list("student_id", "subject_id", "school_year_id")
    )
    for enrolment in enrolments:
        class_id = enrolment.school_class_id
        for cell in by_class[class_id].subjects.values():
            cell.expected += 1
            if (enrolment.student_id, cell.subject.pk, year_of[class_id]) not in published:
                cell.missing.append(enrolment.student)
    talked = set(
        DevelopmentTalk.objects.filter(
            student__in=[e.student_id for e in enrolments],
            cancelled_at__isnull=True,
            slot__starts_at__gte=_start_of(term.starts_on),
            slot__starts_at__lt=_start_of(term.ends_on + datetime.timedelta(days=1)),
        ).values_list("student_id", flat=True)
    )
    for enrolment in enrolments:
        if enrolment.student_id not in talked:
            by_class[enrolment.school_class_id].without_talk.append(enrolment.student)
    ordered = sorted(subjects.values(), key=lambda subject: (subject.position, subject.name_sv))
    return SchoolFollowUp(list(by_class.values()), ordered, period_term)


def _start_of(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))
