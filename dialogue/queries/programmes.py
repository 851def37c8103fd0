"""Reads of action programmes: a student's programmes, one with everything its page shows, follow-ups due."""

from __future__ import annotations

import datetime

from django.db.models import (
    BooleanField,
    Case,
    Count,
    Min,
    Prefetch,
    Q,
    QuerySet,
    Value,
    When,
)

from accounts.models import Enrolment, School, User
from dialogue.models import (
    ActionProgramme,
    FollowUp,
    ProgrammeRevision,
    ProgrammeVersion,
    ProgrammeView,
)


def _outstanding(prefix: str = "") -> Q:
    """Follow-ups planned and not yet recorded, of the version in force."""
    return Q(**{f"{prefix}recorded_at__isnull": True, f"{prefix}replaced_by__isnull": True})


def action_programmes_of(student: User) -> list[ActionProgramme]:
    """The student's programmes, newest first, each with ``next_due`` (the next outstanding
    follow-up of an adopted programme), ``view_count`` and its versions. Two queries."""
    return list(
        ActionProgramme.objects.filter(student=student)
        .select_related("subject")
        .annotate(
            next_due=Min(
                "follow_ups__due_on",
                filter=_outstanding("follow_ups__") & Q(status=ActionProgramme.Status.ADOPTED),
            ),
            view_count=Count("views", distinct=True),
        )
        .prefetch_related(
            Prefetch(
                "versions", queryset=ProgrammeVersion.objects.select_related("decided_by").order_by("number")
            )
        )
        .order_by("-created_at", "-pk")
    )


def programme_belongs_to(programme_id: int, student_id: int) -> bool:
    return ActionProgramme.objects.filter(pk=programme_id, student_id=student_id).exists()


def action_programme(student: User, programme_id: int) -> ActionProgramme | None:
    """One programme of the student with everything its page shows: versions (with their
    revisions and deciders), follow-ups and views with their people. Six queries."""
    return (
        ActionProgramme.objects.filter(student=student, pk=programme_id)
        .select_related("subject", "created_by", "closed_by", "thread")
        .prefetch_related(
            Prefetch(
                "versions",
                queryset=ProgrammeVersion.objects.select_related("author", "decided_by").order_by("number"),
            )
        )
        .prefetch_related(
            Prefetch("versions__revisions", queryset=ProgrammeRevision.objects.select_related("saved_by"))
        )
        .prefetch_related(
            Prefetch("follow_ups", queryset=FollowUp.objects.select_related("recorded_by", "version"))
        )
        .prefetch_related(
            Prefetch("views", queryset=ProgrammeView.objects.select_related("author", "version"))
        )
        .first()
    )


def follow_ups_due(school: School, on: datetime.date) -> QuerySet[ActionProgramme]:
    """Adopted programmes of the school's students (enrolled on ``on``) with a follow-up
    outstanding on or before ``on`` + 7 days, soonest first. Each has ``next_due`` and
    ``overdue``. One query."""
    enrolled = Enrolment.objects.active(on).filter(school_class__school=school).values("student")
    return (
        ActionProgramme.objects.filter(student__in=enrolled, status=ActionProgramme.Status.ADOPTED)
        .annotate(next_due=Min("follow_ups__due_on", filter=_outstanding("follow_ups__")))
        .filter(next_due__lte=on + datetime.timedelta(days=7))
        .annotate(
            overdue=Case(
                When(next_due__lt=on, then=Value(True)), default=Value(False), output_field=BooleanField()
            )
        )
        .select_related("student", "subject")
        .order_by("next_due", "pk")
    )


# General goals first, then by subject in curriculum order, oldest first within each.
