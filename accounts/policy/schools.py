"""Schools: the principal's and the school administrator's, and who must use one-time
passwords."""

from __future__ import annotations

import datetime

from django.db.models import Exists, OuterRef, Q, QuerySet

from accounts.errors import NotFound
from accounts.models import (
    Enrolment,
    Guardianship,
    Mentorship,
    School,
    StaffRole,
    TeachingAssignment,
    User,
)
from accounts.policy import base
from accounts.policy.base import (
    AnyUser,
    _is_member,
    _school_ids_with_role,
)


def led_schools(user: AnyUser, on: datetime.date | None = None) -> QuerySet[School]:
    """Schools the user is principal of (the principal's overview)."""
    if not _is_member(user):
        return School.objects.none()
    assert isinstance(user, User)
    return School.objects.filter(
        pk__in=_school_ids_with_role(user, StaffRole.Role.PRINCIPAL, on or base.today())
    )


def access_led_school(user: AnyUser, school_id: int) -> School:
    school = led_schools(user).filter(pk=school_id).first()
    if school is None:
        raise NotFound
    return school


def archive_keeper_schools(user: AnyUser, on: datetime.date | None = None) -> QuerySet[School]:
    """Schools whose archive of students who left the user keeps (the registrar) or answers
    for (the principal): the archive list of each is theirs to read. Each school says in
    ``led`` whether the user is its principal (``led_schools``), so that a page needing both
    asks once."""
    if not _is_member(user):
        return School.objects.none()
    assert isinstance(user, User)
    on = on or base.today()
    roles = [StaffRole.Role.PRINCIPAL, StaffRole.Role.REGISTRAR]
    return (
        School.objects.filter(
            pk__in=StaffRole.objects.active(on).filter(user=user, role__in=roles).values("school")
        )
        .annotate(led=Q(pk__in=_school_ids_with_role(user, StaffRole.Role.PRINCIPAL, on)))
        .order_by("name")
    )


def can_review_flagged_texts(user: AnyUser, school: School) -> bool:
    """The principal reviews what the sensitive-text guard flagged at the school."""
    return led_schools(user).filter(pk=school.pk).exists()


def can_review_access_log(user: AnyUser, school: School) -> bool:
    """The principal follows up who opened the records of the school's students."""
    return led_schools(user).filter(pk=school.pk).exists()


def administered_schools(user: AnyUser, on: datetime.date | None = None) -> QuerySet[School]:
    """Schools whose people and memberships the user manages (school administrators).
    Superusers administer every school."""
    if not _is_member(user):
        return School.objects.none()
    assert isinstance(user, User)
    if user.is_superuser:
        return School.objects.all()
    return School.objects.filter(
        pk__in=_school_ids_with_role(user, StaffRole.Role.SCHOOL_ADMIN, on or base.today())
    )


def can_administer_school(user: AnyUser, school: School) -> bool:
    return administered_schools(user).filter(pk=school.pk).exists()


def can_set_retention_rules(user: AnyUser) -> bool:
    """The retention rules are the municipality's document management plan, for the whole
    installation: only its operators (superusers) change them, never a school's staff."""
    return bool(user.is_authenticated and user.is_active and user.is_superuser)


def can_set_secrecy_grounds(user: AnyUser) -> bool:
    """The grounds for secrecy a masking may cite are the municipality's list (provisions of
    the law), the same for every school: only its operators (superusers) change them."""
    return bool(user.is_authenticated and user.is_active and user.is_superuser)


def administered_people(user: AnyUser, on: datetime.date | None = None) -> QuerySet[User]:
    """People a school administrator may manage: anyone with a membership, past or present,
    at one of the administered schools (students, their guardians, teachers, staff), except
    platform operators (superusers), whom only superusers manage. Superusers manage everyone."""
    if not _is_member(user):
        return User.objects.none()
    assert isinstance(user, User)
    if user.is_superuser:
        return User.objects.all()
    schools = administered_schools(user, on).values("pk")
    students = Enrolment.objects.filter(school_class__school__in=schools).values("student")
    return User.objects.filter(is_superuser=False).filter(
        Q(pk__in=students)
        | Q(pk__in=Guardianship.objects.filter(student__in=students).values("guardian"))
        | Q(pk__in=TeachingAssignment.objects.filter(school_class__school__in=schools).values("teacher"))
        | Q(pk__in=Mentorship.objects.filter(school_class__school__in=schools).values("teacher"))
        | Q(pk__in=StaffRole.objects.filter(school__in=schools).values("user"))
    )


def staff_filter(on: datetime.date) -> Q:
    """Users who are staff on ``on``: teaching, mentoring, or holding a school role."""
    return (
        Q(is_superuser=True)
        | Q(Exists(TeachingAssignment.objects.active(on).filter(teacher=OuterRef("pk"))))
        | Q(Exists(Mentorship.objects.active(on).filter(teacher=OuterRef("pk"))))
        | Q(Exists(StaffRole.objects.active(on).filter(user=OuterRef("pk"))))
    )


def requires_otp(user: AnyUser) -> bool:
    """Staff (teachers, mentors, principals, administrators, superusers) must use one-time
    passwords; for students and guardians they are optional."""
    if not _is_member(user):
        return False
    assert isinstance(user, User)
    return User.objects.filter(pk=user.pk).filter(staff_filter(base.today())).exists()
