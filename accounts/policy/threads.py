"""Who reads each thread of a student's page: the thread's audience.

A thread is read by everyone who reads the page (the default), by the guardians and the
school but not the student (``ADULTS``), or by one guardian and the school (``ONE_GUARDIAN``:
separated guardians, a family matter). "The school" is every staff reader of the page (the
student's teachers and mentor, the principal and, for an archive, the registrar).

The rule is stated three times, once per way it is asked, and tests hold them to agree for
every role of the cast:

* ``may_read_thread(relation, thread)``: one viewer, one thread (doors and actions);
* ``readable_threads_q(user)``: a filter on threads (or, with a prefix, on messages) of
  pages the user may already read: lists, catch-up, unread counts and search filter in the
  query, never after it;
* ``thread_audience(roles, thread)``: the inverse, narrowing a page's readers (from
  ``roles_on_student_page``) to the thread's: live frames and notifications.

The policy does not import the dialogue: a thread is anything with ``audience`` and
``guardian_id``; the dialogue's ``Thread.Audience`` uses these values.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Protocol

from django.db.models import Q

from accounts.models import User
from accounts.policy.base import GUARDIAN, STUDENT, ward_ids
from accounts.policy.students import StudentRelation

EVERYONE = "page"
ADULTS = "adults"
ONE_GUARDIAN = "guardian"
AUDIENCES = (EVERYONE, ADULTS, ONE_GUARDIAN)


class HasAudience(Protocol):
    audience: str
    guardian_id: int | None


def is_private(thread: HasAudience) -> bool:
    return thread.audience != EVERYONE


def is_staff_reader(relation: StudentRelation) -> bool:
    """Reads the page for the school (a teacher, the mentor, the principal, the archive's
    registrar), not as the student or a guardian. A guardian who also works at the school
    reads their own child's page as a guardian."""
    return relation.may_read and not relation.is_self and not relation.is_guardian


def may_read_thread(relation: StudentRelation, thread: HasAudience) -> bool:
    if not relation.may_read:
        return False
    if thread.audience == EVERYONE:
        return True
    if relation.is_self:
        return False
    if thread.audience == ADULTS:
        return True
    return is_staff_reader(relation) or (relation.is_guardian and relation.viewer_id == thread.guardian_id)


def may_start_private_thread(relation: StudentRelation, audience: str, guardian_id: int | None) -> bool:
    """A guardian (for the guardians and the school, or for themselves and the school) or a
    teacher of the student (for either, naming the guardian). Not in an archive."""
    if relation.is_archived or audience not in (ADULTS, ONE_GUARDIAN):
        return False
    if relation.is_guardian:
        return audience == ADULTS or guardian_id == relation.viewer_id
    return relation.is_teacher


def readable_threads_q(user: User, prefix: str = "") -> Q:
    """Threads (``prefix=""``) or rows of threads (``prefix="thread__"``) that ``user`` may read,
    on pages they may read (the caller filters the pages: ``visible_students``). One filter,
    no query of its own."""
    student = f"{prefix}page__student"
    audience = f"{prefix}audience"
    not_family = ~Q(**{student: user.pk}) & ~Q(**{f"{student}__in": ward_ids(user)})
    return (
        Q(**{audience: EVERYONE})
        | (Q(**{audience: ADULTS}) & ~Q(**{student: user.pk}))
        | (Q(**{audience: ONE_GUARDIAN}) & (Q(**{f"{prefix}guardian": user.pk}) | not_family))
    )


def thread_audience(roles: Mapping[int, str], thread: HasAudience) -> dict[int, str]:
    """The page's readers (``roles_on_student_page``: id -> part) who read this thread."""
    if thread.audience == EVERYONE:
        return dict(roles)
    return {
        pk: role
        for pk, role in roles.items()
        if role != STUDENT and (thread.audience == ADULTS or role != GUARDIAN or pk == thread.guardian_id)
    }
