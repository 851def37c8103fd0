"""Recording that a student left grundskola (or the installation), and undoing it.

A leaving starts the archive on ``left_on``: the enrolments in force then (or later) end on
that day, so teachers and mentors lose access through the ordinary rules, and the policy
makes the page read-only for everyone (``StudentRelation.is_archived``). A leaving may be
recorded ahead (before the end of year 9). Undoing it (a mistake, a student who came back)
restores exactly the enrolments the leaving ended, as they were, until the purge removes the
student altogether.

Moving between schools of the same installation is not leaving: the administrator ends the
old enrolment and enrols the student in the new class, and the page follows.

Only a school administrator of the student's current school (or, when the student has none,
the last one) may record or undo a leaving; SYSTEM and superusers run every school.
"""

from __future__ import annotations

import datetime

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from accounts import events, policy
from accounts.actions.actor import SYSTEM, Actor, person_or_none
from accounts.actions.memberships import save_membership
from accounts.errors import NotFound, Refused, require
from accounts.models import Enrolment, Leaving


def home_school_ids(student_id: int, on: datetime.date | None = None) -> set[int]:
    """The schools that answer for the student: those of the enrolments in force on ``on``
    (today), or else the school of the latest enrolment by start date."""
    on = on or policy.today()
    current = set(
        Enrolment.objects.active(on)
        .filter(student_id=student_id)
        .values_list("school_class__school_id", flat=True)
    )
    if current:
        return current
    last = (
        Enrolment.objects.filter(student_id=student_id)
        .order_by("-starts_on", "-pk")
        .values_list("school_class__school_id", flat=True)
        .first()
    )
    return {last} if last is not None else set()


def may_administer_leaving(actor: Actor, student_id: int) -> bool:
    if actor is SYSTEM:
        return True
    administered = set(policy.administered_schools(actor).values_list("pk", flat=True))  # type: ignore[arg-type]
    return bool(home_school_ids(student_id) & administered)


def _end_reason(leaving: Leaving) -> str:
    return _("Left the school: %(reason)s") % {"reason": leaving.get_reason_display()}


@transaction.atomic
def record_leaving(
    actor: Actor, student_id: int, *, left_on: datetime.date, reason: str, note: str = ""
) -> Leaving:
    """Record that the student leaves on ``left_on`` (the first day no longer at school).

    Refused when a leaving already stands, when ``left_on`` is before the student's first
    enrolment, or for an unknown reason. A person who was never enrolled is not a student:
    not found, like a missing one."""
    enrolments = list(
        Enrolment.objects.select_for_update().filter(student_id=student_id).order_by("starts_on")
    )
    if not enrolments:
        raise NotFound("unknown_student", _("That student does not exist."))
    require(may_administer_leaving(actor, student_id))
    if reason not in Leaving.Reason.values:
        raise Refused("invalid_reason", _("Choose why the student left."), field="reason")
    if len(note) > 200:
        raise Refused("note_too_long", _("The note can be at most 200 characters long."), field="note")
    if Leaving.objects.filter(student_id=student_id, undone_at__isnull=True).exists():
        raise Refused(
            "already_left",
            _("A leaving is already recorded for this student. Undo it first to record another."),
        )
    first_day = enrolments[0].starts_on
    if left_on < first_day:
        raise Refused(
            "before_first_enrolment",
            _("The student cannot leave before their first day at school (%(day)s).")
            % {"day": date_format(first_day, "j F Y")},
            field="left_on",
        )
    leaving = Leaving(
        student_id=student_id, left_on=left_on, reason=reason, note=note, recorded_by=person_or_none(actor)
    )
    try:
        with transaction.atomic():
            leaving.save()
    except IntegrityError as error:  # a second leaving recorded at the same moment
        raise Refused("already_left", _("A leaving is already recorded for this student.")) from error
    ended = []
    for enrolment in enrolments:
        if enrolment.ends_on is not None and enrolment.ends_on <= left_on:
            continue  # already over by then: not the leaving's to end, nor to restore
        # An enrolment that would only start after the leaving never applies.
        ends_on = max(left_on, enrolment.starts_on)
        ended.append(
            {
                "id": enrolment.pk,
                "ends_on": enrolment.ends_on.isoformat() if enrolment.ends_on else None,
                "end_reason": enrolment.end_reason,
                "ended_on": ends_on.isoformat(),
            }
        )
        enrolment.ends_on = ends_on
        enrolment.end_reason = _end_reason(leaving)
        # The actor's right was checked for the leaving as a whole; an old enrolment at
        # another school of the installation is ended with it.
        save_membership(SYSTEM, enrolment)
    leaving.ended_enrolments = ended
    leaving.save(update_fields=["ended_enrolments"])
    transaction.on_commit(lambda: events.recheck_access(student_ids=[student_id]))
    return leaving


@transaction.atomic
def undo_leaving(actor: Actor, leaving_id: int) -> Leaving:
    """Undo a standing leaving: the enrolments it ended get back the end date and reason
    they had (unless someone changed them since: then they are left as they are now)."""
    leaving = Leaving.objects.select_for_update().filter(pk=leaving_id).first()
    if leaving is None:
        raise NotFound("unknown_leaving", _("That leaving does not exist."))
    require(may_administer_leaving(actor, leaving.student_id))
    if leaving.undone_at is not None:
        raise Refused("already_undone", _("This leaving has already been undone."))
    by_id = {
        enrolment.pk: enrolment
        for enrolment in Enrolment.objects.select_for_update().filter(
            pk__in=[entry["id"] for entry in leaving.ended_enrolments]
        )
    }
    for entry in leaving.ended_enrolments:
        enrolment = by_id.get(entry["id"])
        if enrolment is None or enrolment.ends_on != datetime.date.fromisoformat(entry["ended_on"]):
            continue  # changed by hand since the leaving: what stands now is kept
        enrolment.ends_on = datetime.date.fromisoformat(entry["ends_on"]) if entry["ends_on"] else None
        enrolment.end_reason = entry["end_reason"]
        save_membership(SYSTEM, enrolment)
    leaving.undone_at = timezone.now()
    leaving.undone_by = person_or_none(actor)
    leaving.save(update_fields=["undone_at", "undone_by"])
    student_id = leaving.student_id
    transaction.on_commit(lambda: events.recheck_access(student_ids=[student_id]))
    return leaving
