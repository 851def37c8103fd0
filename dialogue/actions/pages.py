"""The student's page and its threads come into being when the student is enrolled and when a
subject is assigned to the class (``dialogue.receivers``), never when someone looks at them."""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from django.db import IntegrityError, transaction
from django.db.models import Q

from accounts.models import Enrolment, TeachingAssignment, User
from accounts.policy import today
from dialogue.models import StudentPage, Thread


def page_of(student: User | int) -> StudentPage:
    """The student's page (with its general thread), made if it does not exist yet: a write, so
    only actions call this. Precondition: the caller has checked the policy."""
    student_id = student if isinstance(student, int) else student.pk
    page = StudentPage.objects.select_related("student").filter(student_id=student_id).first()
    if page is not None:
        return page
    try:
        with transaction.atomic():
            page = StudentPage.objects.create(student_id=student_id)
            Thread.objects.create(page=page, kind=Thread.Kind.GENERAL)
    except IntegrityError:  # made by someone else at the same moment
        pass
    return StudentPage.objects.select_related("student").get(student_id=student_id)


def add_subject_threads(page: StudentPage, subject_ids: Iterable[int]) -> None:
    """A thread for each subject the page has none for (threads of subjects no longer taught
    stay, with their history)."""
    Thread.objects.bulk_create(
        [
            Thread(page=page, kind=Thread.Kind.SUBJECT, subject_id=subject_id)
            for subject_id in set(subject_ids)
        ],
        ignore_conflicts=True,  # another change may add the same thread at once
    )


def _current(on: datetime.date) -> Q:
    """Memberships in force on ``on`` or starting later."""
    return Q(ends_on__isnull=True) | Q(ends_on__gt=on)


def prepare_page_for_enrolment(enrolment: Enrolment) -> StudentPage:
    """The enrolled student's page, with a thread for each subject the class is taught (now or
    from a later start)."""
    page = page_of(enrolment.student_id)
    taught = TeachingAssignment.objects.filter(_current(today()), school_class_id=enrolment.school_class_id)
    add_subject_threads(page, taught.values_list("subject_id", flat=True))
    return page


def prepare_pages_for_teaching(assignment: TeachingAssignment) -> None:
    """A thread of the assigned subject on the page of every student of the class (enrolled now
    or from a later start)."""
    if assignment.ends_on is not None and assignment.ends_on <= assignment.starts_on:
        return  # withdrawn on its first day: never taught
    enrolled = Enrolment.objects.filter(_current(today()), school_class_id=assignment.school_class_id)
    for student_id in set(enrolled.values_list("student_id", flat=True)):
        add_subject_threads(page_of(student_id), [assignment.subject_id])
