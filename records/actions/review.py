"""The principal's follow-up of the access log: marking a finding as checked, with a note.

A mark is kept beside the log, which is never changed. A finding is either one opening of a
school's student's records, or one person's volume of openings on one day.
"""

from __future__ import annotations

import datetime

from django.db import transaction
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from accounts import policy
from accounts.errors import NotFound, Refused, require
from accounts.models import Enrolment, School, User
from records.models import Opening, ReviewMark

NOTE_MAX = 500


def _school_openings(school: School) -> QuerySet[Opening]:
    # Every student the school has had: a mark may be made after a student moved on.
    students = Enrolment.objects.filter(school_class__school=school).values("student_id")
    return Opening.objects.filter(student_id__in=students)


def mark_opening_checked(actor: User, school: School, opening_id: int, *, note: str = "") -> ReviewMark:
    """Mark one opening of a school's student's records as checked."""
    require(policy.can_review_access_log(actor, school))
    note = _valid_note(note)
    opening = _school_openings(school).filter(pk=opening_id).first()
    if opening is None:
        raise NotFound
    return _mark(actor, school, note, opening=opening)


def mark_volume_checked(
    actor: User, school: School, viewer_id: int, day: datetime.date, *, note: str = ""
) -> ReviewMark:
    """Mark one person's openings of the school's students' records on one day as checked."""
    require(policy.can_review_access_log(actor, school))
    note = _valid_note(note)
    opened_that_day = _school_openings(school).filter(viewer_id=viewer_id, at__date=day).exists()
    viewer = User.objects.filter(pk=viewer_id).first() if opened_that_day else None
    if viewer is None:
        raise NotFound
    return _mark(actor, school, note, viewer=viewer, day=day)


def _valid_note(note: str) -> str:
    note = note.strip()
    if len(note) > NOTE_MAX:
        raise Refused(
            "note_too_long",
            _("The note can be at most %(max)d characters.") % {"max": NOTE_MAX},
            field="note",
        )
    return note


def _mark(actor: User, school: School, note: str, **finding: object) -> ReviewMark:
    with transaction.atomic():
        mark, created = ReviewMark.objects.get_or_create(
            school=school, **finding, defaults={"note": note, "checked_by": actor}
        )
    if not created:
        raise Refused("already_checked", _("That finding was already marked as checked."))
    return mark
