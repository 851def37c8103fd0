"""The student's page and its threads come into being when someone opens them."""

from __future__ import annotations

from django.db import IntegrityError, transaction

from accounts import policy
from accounts.actions.actor import Actor
from accounts.errors import require
from accounts.models import Enrolment, TeachingAssignment, User
from dialogue.models import StudentPage, Thread


def ensure_page(actor: Actor, student: User) -> StudentPage:
    """The student's page, created on first visit with its general thread, and given a
    thread for each subject the student is taught now (threads of subjects no longer
    taught stay, with their history).

    Precondition: ``actor`` may read the student's page (checked again here).
    """
    require(policy.can_read_student_page(actor, student))  # type: ignore[arg-type]
    page = StudentPage.objects.filter(student=student).first()
    if page is None:
        try:
            with transaction.atomic():
                page = StudentPage.objects.create(student=student)
                Thread.objects.create(page=page, kind=Thread.Kind.GENERAL)
        except IntegrityError:  # opened by someone else at the same moment
            page = StudentPage.objects.get(student=student)
    page.student = student  # already loaded; spares a query
    _add_subject_threads(page)
    return page


def _add_subject_threads(page: StudentPage) -> None:
    """One query when nothing is missing (the usual case)."""
    classes = Enrolment.objects.active().filter(student_id=page.student_id).values("school_class")
    missing = set(
        TeachingAssignment.objects.active()
        .filter(school_class__in=classes)
        .exclude(subject__in=Thread.objects.filter(page=page, kind=Thread.Kind.SUBJECT).values("subject"))
        .values_list("subject_id", flat=True)
    )
    if missing:
        Thread.objects.bulk_create(
            [Thread(page=page, kind=Thread.Kind.SUBJECT, subject_id=subject_id) for subject_id in missing],
            ignore_conflicts=True,  # another visitor may add the same thread at once
        )
