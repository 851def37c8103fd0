"""Adding and ending memberships: enrolments, guardianships, teaching, mentoring, roles.

Only a school administrator of the school concerned (or SYSTEM, or a superuser) may change
memberships. Nothing is ever deleted: a membership ends by getting an ``ends_on`` date.
"""

from __future__ import annotations

import datetime

from django.db import transaction
from django.db.models import F, Q
from django.dispatch import Signal
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import events, policy
from accounts.actions.actor import SYSTEM, Actor, person_or_none
from accounts.errors import Refused, refusing, require
from accounts.models import (
    Enrolment,
    Guardianship,
    Mentorship,
    School,
    SchoolClass,
    StaffRole,
    Subject,
    TeachingAssignment,
    User,
)
from accounts.models.memberships import DatedMembership

# Sent inside the saving transaction with ``membership``, after every create or change: the
# floors above keep what follows from memberships (a new student's page) in step.
membership_saved = Signal()


def school_ids_of(membership: DatedMembership) -> set[int]:
    """The schools a membership concerns. A guardianship concerns every school where the
    student is or was enrolled."""
    if isinstance(membership, Guardianship):
        return set(
            Enrolment.objects.filter(student_id=membership.student_id).values_list(
                "school_class__school_id", flat=True
            )
        )
    if isinstance(membership, StaffRole):
        return {membership.school_id}
    assert isinstance(membership, Enrolment | TeachingAssignment | Mentorship)
    return {SchoolClass.objects.values_list("school_id", flat=True).get(pk=membership.school_class_id)}


def _may_change(actor: Actor, membership: DatedMembership) -> bool:
    if actor is SYSTEM:
        return True
    schools = policy.administered_schools(actor).values_list("pk", flat=True)  # type: ignore[arg-type]
    return bool(school_ids_of(membership) & set(schools))


_IDENTITY_FIELDS: dict[type[DatedMembership], tuple[str, ...]] = {
    Enrolment: ("student_id", "school_class_id"),
    Guardianship: ("guardian_id", "student_id"),
    TeachingAssignment: ("teacher_id", "school_class_id", "subject_id"),
    Mentorship: ("teacher_id", "school_class_id"),
    StaffRole: ("user_id", "school_id", "role"),
}


def check_no_overlap(membership: DatedMembership) -> None:
    """The same membership may not be in force twice over the same days."""
    if membership.ends_on == membership.starts_on:
        return  # withdrawn on its first day: covers no day at all
    model = type(membership)
    identity = {name: getattr(membership, name) for name in _IDENTITY_FIELDS[model]}
    overlapping = model.objects.filter(**identity).exclude(pk=membership.pk).exclude(ends_on=F("starts_on"))
    if membership.ends_on is not None:
        overlapping = overlapping.filter(starts_on__lt=membership.ends_on)
    overlapping = overlapping.filter(Q(ends_on__isnull=True) | Q(ends_on__gt=membership.starts_on))
    if overlapping.exists():
        raise Refused("overlap", _("This membership already exists for some of these dates."))


@transaction.atomic
def save_membership(actor: Actor, membership: DatedMembership) -> DatedMembership:
    """Create or change any membership (the admin's entry point; the helpers below use it).

    Precondition: ``membership`` is an unsaved instance or one loaded from the database.
    For a change, the actor must administer a school of both the old and the new version.
    """
    require(_may_change(actor, membership))
    if membership.pk is not None:
        stored = type(membership).objects.get(pk=membership.pk)
        require(_may_change(actor, stored))
    else:
        membership.created_by = person_or_none(actor)
    with refusing("invalid"):
        membership.full_clean()
    check_no_overlap(membership)
    membership.save()
    membership_saved.send(sender=type(membership), membership=membership)
    _recheck_open_sockets(membership)
    return membership


def _recheck_open_sockets(membership: DatedMembership) -> None:
    """Open sockets drop what the person may no longer see (and live access starts)."""
    if isinstance(membership, Enrolment):
        events.recheck_access(student_ids=[membership.student_id])
    elif isinstance(membership, Guardianship):
        events.recheck_access(user_ids=[membership.guardian_id], student_ids=[membership.student_id])
    elif isinstance(membership, TeachingAssignment | Mentorship):
        events.recheck_access(user_ids=[membership.teacher_id])
    elif isinstance(membership, StaffRole):
        events.recheck_access(user_ids=[membership.user_id])


def _start(starts_on: datetime.date | None) -> datetime.date:
    return starts_on or timezone.localdate()


def enrol_student(
    actor: Actor, student: User, school_class: SchoolClass, *, starts_on: datetime.date | None = None
) -> Enrolment:
    membership = Enrolment(student=student, school_class=school_class, starts_on=_start(starts_on))
    save_membership(actor, membership)
    return membership


def add_guardianship(
    actor: Actor, guardian: User, student: User, *, starts_on: datetime.date | None = None
) -> Guardianship:
    membership = Guardianship(guardian=guardian, student=student, starts_on=_start(starts_on))
    save_membership(actor, membership)
    return membership


def assign_teaching(
    actor: Actor,
    teacher: User,
    school_class: SchoolClass,
    subject: Subject,
    *,
    starts_on: datetime.date | None = None,
) -> TeachingAssignment:
    membership = TeachingAssignment(
        teacher=teacher, school_class=school_class, subject=subject, starts_on=_start(starts_on)
    )
    save_membership(actor, membership)
    return membership


def assign_mentor(
    actor: Actor, teacher: User, school_class: SchoolClass, *, starts_on: datetime.date | None = None
) -> Mentorship:
    membership = Mentorship(teacher=teacher, school_class=school_class, starts_on=_start(starts_on))
    save_membership(actor, membership)
    return membership


def grant_staff_role(
    actor: Actor, user: User, school: School, role: str, *, starts_on: datetime.date | None = None
) -> StaffRole:
    membership = StaffRole(user=user, school=school, role=role, starts_on=_start(starts_on))
    save_membership(actor, membership)
    return membership


def end_membership(
    actor: Actor,
    membership: DatedMembership,
    *,
    ends_on: datetime.date | None = None,
    reason: str = "",
) -> DatedMembership:
    """End a membership from ``ends_on`` (default today: access ends at once).

    Withdrawing a guardianship (protected identity, a court decision) is ending it; what
    the guardian wrote stays on the student's page.
    """
    membership.ends_on = ends_on or timezone.localdate()
    membership.end_reason = reason
    save_membership(actor, membership)
    return membership
