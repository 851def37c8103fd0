"""Reads of special support: a student's adaptations and reports, one report with everything
its page shows, and the principal's follow-up lists of a school."""

from __future__ import annotations

import datetime
from typing import Any

from django.db.models import Prefetch, QuerySet

from accounts.models import Enrolment, School, User
from dialogue.models import Adaptation, AdaptationFollowUp, SupportCase, SupportView


def adaptations_of(student: User) -> list[Adaptation]:
    """The student's extra adaptations, by subject (curriculum order), those going on first,
    each with its follow-ups and their writers. Two queries."""
    return list(
        Adaptation.objects.filter(student=student)
        .select_related("subject", "created_by")
        .prefetch_related(
            Prefetch(
                "follow_ups",
                queryset=AdaptationFollowUp.objects.select_related("written_by").order_by("written_at", "pk"),
            )
        )
        .order_by("subject__position", "ended_on", "-starts_on", "-pk")
    )


def cases_of(student: User) -> list[SupportCase]:
    """The student's reports to the principal, newest first. One query."""
    return list(
        SupportCase.objects.filter(student=student)
        .select_related("subject", "reported_by")
        .order_by("-reported_at", "-pk")
    )


def support_case(student: User, case_id: int) -> SupportCase | None:
    """One report of the student with its people, the adaptations it names and the views
    given (with their authors). Three queries."""
    return (
        SupportCase.objects.filter(student=student, pk=case_id)
        .select_related(
            "subject",
            "reported_by",
            "investigation_decided_by",
            "investigator",
            "outcome_decided_by",
            "programme",
            "assessment__subject",
            "thread",
        )
        .prefetch_related(
            Prefetch("adaptations", queryset=Adaptation.objects.select_related("subject").order_by("pk")),
            Prefetch(
                "views", queryset=SupportView.objects.select_related("author").order_by("created_at", "pk")
            ),
        )
        .first()
    )


def case_belongs_to(case_id: int, student_id: int) -> bool:
    return SupportCase.objects.filter(pk=case_id, student_id=student_id).exists()


def _enrolled(school: School, on: datetime.date) -> QuerySet[Enrolment, dict[str, Any]]:
    return Enrolment.objects.active(on).filter(school_class__school=school).values("student")


def reports_waiting(school: School, on: datetime.date) -> list[SupportCase]:
    """Reports of the school's students still waiting for the principal's decision whether
    to investigate, oldest first. One query."""
    return list(
        SupportCase.objects.filter(student__in=_enrolled(school, on), stage=SupportCase.Stage.REPORTED)
        .select_related("student", "subject")
        .order_by("reported_at", "pk")
    )


def investigations_overdue(school: School, on: datetime.date) -> list[SupportCase]:
    """Investigations of the school's students past their date with no outcome recorded,
    the most overdue first. One query."""
    return list(
        SupportCase.objects.filter(
            student__in=_enrolled(school, on), stage=SupportCase.Stage.INVESTIGATING, investigate_by__lt=on
        )
        .select_related("student", "subject", "investigator")
        .order_by("investigate_by", "pk")
    )


def adaptations_overdue(school: School, on: datetime.date) -> list[Adaptation]:
    """Extra adaptations of the school's students going on whose follow-up date has passed,
    the most overdue first. One query."""
    return list(
        Adaptation.objects.filter(
            student__in=_enrolled(school, on), ended_on__isnull=True, follow_up_on__lt=on
        )
        .select_related("student", "subject")
        .order_by("follow_up_on", "pk")
    )
