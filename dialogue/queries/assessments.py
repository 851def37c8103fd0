"""Reads of written assessments: the teacher's flow for a class, every version, the latest per subject."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import (
    OuterRef,
    QuerySet,
    Subquery,
)

from accounts import policy
from accounts.models import CurriculumArea, Enrolment, SchoolClass, Subject, User
from dialogue.models import (
    Assessment,
)


def assessment_flow_students(school_class: SchoolClass) -> QuerySet[User]:
    """The students enrolled in the class today, by name."""
    enrolled = Enrolment.objects.active(policy.today()).filter(school_class=school_class).values("student")
    return User.objects.filter(pk__in=enrolled).order_by("first_name", "last_name", "pk")


@dataclass
class AssessmentRow:
    """One student of a class in the teacher's assessment flow."""

    student: User
    draft: Assessment | None
    published: Assessment | None  # the latest published version of the period

    @property
    def state(self) -> str:
        """ "draft" while one is being written (a first version or a correction), else
        "published" or "missing"."""
        if self.draft is not None:
            return "draft"
        return "published" if self.published is not None else "missing"


def assessment_flow(
    school_class: SchoolClass, subject: Subject, *, school_year_id: int, term: str
) -> list[AssessmentRow]:
    """Every student enrolled in the class today with their draft and latest published
    assessment of the subject for the period. Two queries."""
    students = list(
        User.objects.filter(
            pk__in=Enrolment.objects.active(policy.today())
            .filter(school_class=school_class)
            .values("student")
        ).order_by("first_name", "last_name", "pk")
    )
    drafts: dict[int, Assessment] = {}
    published: dict[int, Assessment] = {}
    for assessment in (
        Assessment.objects.filter(
            student__in=[student.pk for student in students],
            subject=subject,
            school_year_id=school_year_id,
            term=term,
        )
        .select_related("message")
        .order_by("version")
    ):
        if assessment.status == Assessment.Status.DRAFT:
            drafts[assessment.student_id] = assessment
        else:
            published[assessment.student_id] = assessment  # the highest version wins
    return [AssessmentRow(student, drafts.get(student.pk), published.get(student.pk)) for student in students]


def subject_areas(subject: Subject) -> list[CurriculumArea]:
    return list(CurriculumArea.objects.filter(subject=subject))


def assessment_versions(student: User, assessment_id: int) -> list[Assessment]:
    """Every published version of the assessment's subject and period, newest first (the
    history a reader sees); empty when the id is not a published assessment of the student."""
    anchor = (
        Assessment.objects.filter(pk=assessment_id, student=student, status=Assessment.Status.PUBLISHED)
        .values("subject_id", "school_year_id", "term")
        .first()
    )
    if anchor is None:
        return []
    return list(
        Assessment.objects.filter(student=student, status=Assessment.Status.PUBLISHED, **anchor)
        .select_related("subject", "school_year", "published_by")
        .order_by("-version")
    )


def latest_assessments(student: User) -> list[Assessment]:
    """The newest published assessment per subject (the page's structured view)."""
    published = Assessment.objects.filter(student=student, status=Assessment.Status.PUBLISHED)
    newest = published.filter(subject=OuterRef("subject")).order_by("-published_at", "-pk").values("pk")[:1]
    return list(
        published.filter(pk=Subquery(newest))
        .select_related("subject", "school_year", "published_by")
        .order_by("subject__position")
    )
