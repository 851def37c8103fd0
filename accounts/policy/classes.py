"""Classes: whose list of students a user sees, who opens development-talk times, and the
teacher's written-assessment flow."""

from __future__ import annotations

import datetime

from django.db.models import Q, QuerySet

from accounts.errors import NotFound
from accounts.models import (
    SchoolClass,
    StaffRole,
    Subject,
    TeachingAssignment,
    User,
)
from accounts.policy import base
from accounts.policy.base import (
    AnyUser,
    _is_member,
    _school_ids_with_role,
    _taught_class_ids,
)


def can_manage_talk_slots(user: AnyUser, school_class: SchoolClass) -> bool:
    """A teacher of the class (mentor or subject teacher) opens and cancels its talk slots.
    The principal sees them (``visible_class_rosters``) but does not hold the talks."""
    if not _is_member(user):
        return False
    assert isinstance(user, User)
    return _taught_class_ids(user, base.today()).filter(pk=school_class.pk).exists()


def visible_class_rosters(user: AnyUser, on: datetime.date | None = None) -> QuerySet[SchoolClass]:
    """Classes whose list of students the user may see: their teachers and the principal.
    Students and guardians do not see other students' names through the class."""
    if not _is_member(user):
        return SchoolClass.objects.none()
    assert isinstance(user, User)
    on = on or base.today()
    return SchoolClass.objects.filter(
        Q(pk__in=_taught_class_ids(user, on))
        | Q(school__in=_school_ids_with_role(user, StaffRole.Role.PRINCIPAL, on))
    )


def access_class_roster(user: AnyUser, class_id: int) -> SchoolClass:
    school_class = (
        visible_class_rosters(user).filter(pk=class_id).select_related("school", "school_year").first()
    )
    if school_class is None:
        raise NotFound
    return school_class


def assessed_subjects(
    user: AnyUser, school_class: SchoolClass, on: datetime.date | None = None
) -> QuerySet[Subject]:
    """Subjects whose written assessments the user writes for the class: those they teach
    it now (the same rule as ``can_publish_assessment``, for a whole class)."""
    if not _is_member(user):
        return Subject.objects.none()
    assert isinstance(user, User)
    taught = TeachingAssignment.objects.active(on or base.today()).filter(
        teacher=user, school_class=school_class
    )
    return Subject.objects.filter(pk__in=taught.values("subject"))


def access_assessment_flow(user: AnyUser, class_id: int, subject_id: int) -> tuple[SchoolClass, Subject]:
    """The class and subject of a teacher's assessment flow, or 404 (missing and forbidden
    alike) unless the user teaches the class that subject."""
    school_class = SchoolClass.objects.select_related("school", "school_year").filter(pk=class_id).first()
    subject = assessed_subjects(user, school_class).filter(pk=subject_id).first() if school_class else None
    if school_class is None or subject is None:
        raise NotFound
    return school_class, subject
