"""Reads for the export pages."""

from __future__ import annotations

from typing import Any

from django.db.models import Exists, OuterRef, QuerySet

from accounts import policy
from accounts.models import Enrolment, StaffRole, User
from records.models import DataExport

LISTED = 20


def exports_asked_by(user: User) -> QuerySet[DataExport]:
    """The person's latest exports, newest first, with their subjects (one query)."""
    return (
        DataExport.objects.filter(requested_by=user)
        .select_related("subject")
        .order_by("-created_at")[:LISTED]
    )


def is_student(user: User) -> bool:
    """Has (or had) a student's page: the person may export their page's data."""
    return Enrolment.objects.filter(student=user).exists()


def children_of(user: User) -> QuerySet[User]:
    """The guardian's children today (whose data the guardian may export)."""
    return User.objects.filter(pk__in=policy.ward_ids(user)).order_by("first_name", "last_name")


def registrar_school_ids(user: User) -> QuerySet[Any]:
    return (
        StaffRole.objects.active(policy.base.today())
        .filter(user=user, role=StaffRole.Role.REGISTRAR)
        .values("school")
    )


def is_registrar(user: User) -> bool:
    return registrar_school_ids(user).exists()


def registrar_students(user: User) -> QuerySet[User]:
    """Students who are or were enrolled at a school where the user is registrar: whom the
    registrar's form offers (the action asks the policy again for the one chosen)."""
    enrolled = Enrolment.objects.filter(
        student=OuterRef("pk"), school_class__school__in=registrar_school_ids(user)
    )
    return User.objects.filter(Exists(enrolled)).order_by("last_name", "first_name", "username")
