"""The building blocks of the policy: today, who counts as a member, and the subqueries the
rules share (the classes a user teaches, the schools where they hold a role, their wards)."""

from __future__ import annotations

import datetime

from django.contrib.auth.models import AnonymousUser
from django.db.models import Q, QuerySet
from django.utils import timezone

from accounts.models import (
    Guardianship,
    Mentorship,
    SchoolClass,
    StaffRole,
    TeachingAssignment,
    User,
)

AnyUser = User | AnonymousUser


def today() -> datetime.date:
    """The policy's one clock (Swedish time); tests set it back through
    ``accounts.policy.base.today``."""
    return timezone.localdate()


def _is_member(user: AnyUser) -> bool:
    return bool(user.is_authenticated and user.is_active)


# --- Building blocks (subqueries) ----------------------------------------------------------


def _taught_class_ids(user: User, on: datetime.date) -> QuerySet:
    """Classes the user teaches a subject in, or is mentor of."""
    teaching = TeachingAssignment.objects.active(on).filter(teacher=user).values("school_class")
    mentoring = Mentorship.objects.active(on).filter(teacher=user).values("school_class")
    return SchoolClass.objects.filter(Q(pk__in=teaching) | Q(pk__in=mentoring)).values("pk")


def _school_ids_with_role(user: User, role: str, on: datetime.date) -> QuerySet:
    return StaffRole.objects.active(on).filter(user=user, role=role).values("school")


def ward_ids(user: User, on: datetime.date | None = None) -> QuerySet:
    """The ids of the user's children: guardianships in force on ``on`` (today). The one
    definition of "my wards" (start page, blogs, talks, and the rules here)."""
    return Guardianship.objects.active(on or today()).filter(guardian=user).values("student")


def _active(alias: str, on: str = "on") -> str:
    return f"{alias}.starts_on <= %({on})s AND ({alias}.ends_on IS NULL OR {alias}.ends_on > %({on})s)"


# A reader's part in a student's page or a class, for telling people about it.
STUDENT, GUARDIAN, TEACHER, PRINCIPAL = "student", "guardian", "teacher", "principal"
# The keeper of the archive of students who left (reads only archived pages).
REGISTRAR = "registrar"
