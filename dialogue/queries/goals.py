"""Reads of goals and self-assessments."""

from __future__ import annotations

from django.db.models import (
    F,
    Prefetch,
)

from accounts.models import User
from dialogue.models import (
    Goal,
    GoalReflection,
    GoalRevision,
    SelfAssessment,
)

GOAL_ORDER = (F("subject__position").asc(nulls_first=True), "subject__name_sv", "created_at", "pk")


def goals_of(student: User) -> list[Goal]:
    """Every goal of the student, with its reflections, earlier versions, and the goals it
    replaces and is replaced by: what the goals page shows. Three queries."""
    return list(
        Goal.objects.filter(student=student)
        .select_related(
            "subject", "area", "created_by", "decided_by", "updated_by", "replaces", "replaced_by"
        )
        .prefetch_related(
            Prefetch("reflections", queryset=GoalReflection.objects.order_by("created_at", "pk")),
            Prefetch(
                "revisions",
                queryset=GoalRevision.objects.select_related("written_by", "area").order_by(
                    "replaced_at", "pk"
                ),
            ),
        )
        .order_by(*GOAL_ORDER)
    )


def current_goals(student: User) -> list[Goal]:
    """The goals the student works towards now (active) and the proposals waiting for a
    teacher, with subject, area and who wrote them. One query."""
    return list(
        Goal.objects.filter(student=student, status__in=[Goal.Status.ACTIVE, Goal.Status.PROPOSED])
        .select_related("subject", "area", "created_by")
        .order_by(*GOAL_ORDER)
    )


def self_assessments_of(student: User) -> list[SelfAssessment]:
    """Every self-assessment of the student, newest first. One query."""
    return list(
        SelfAssessment.objects.filter(student=student)
        .select_related("goal", "subject", "area")
        .order_by("-created_at", "-pk")
    )


def latest_self_assessments(student: User) -> list[SelfAssessment]:
    """The student's newest self-assessment of each goal and of each subject (or area of
    it) they have rated themself on, newest first. One query."""
    latest: dict[tuple[int | None, int | None, int | None], SelfAssessment] = {}
    for assessment in self_assessments_of(student):
        key = (
            (assessment.goal_id, None, None)
            if assessment.goal_id
            else (None, assessment.subject_id, assessment.area_id)
        )
        latest.setdefault(key, assessment)
    return list(latest.values())
