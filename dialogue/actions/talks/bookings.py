"""The guardians' bookings: book a free time, join the other guardian's talk, move, cancel."""

from __future__ import annotations

import datetime

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import events
from accounts.errors import Refused, require
from accounts.models import Enrolment, User
from dialogue import doors
from dialogue.actions.cards import (
    document_thread,
    refresh_card,
    show_card,
    thread_title,
)
from dialogue.actions.talks.common import (
    TALK_CARD,
    cancel_talk,
    coming_guardians,
    live_talk,
    lock_student,
)
from dialogue.models import (
    DevelopmentTalk,
    StudentPage,
    TalkAttendee,
    TalkSlot,
    Thread,
)


def _guardian_access(actor: User, student: User | int) -> doors.PageAccess:
    """The actor's access to the student's page, if they may book the child's talks."""
    access = doors.student_page(actor, student, opening=False)
    require(access.relation.may_book_talk)
    return access


def _bookable_slot(slot_id: int, student: User, now: datetime.datetime) -> TalkSlot:
    """The slot, locked, if the student may have a talk in it now. Precondition: inside a
    transaction, the student's row already locked."""
    slot = (
        TalkSlot.objects.select_for_update(of=("self",)).select_related("teacher").filter(pk=slot_id).first()
    )
    if slot is None or slot.cancelled_at is not None:
        raise Refused("unknown_slot", _("That time is no longer offered. Choose another one."))
    if slot.starts_at <= now:
        raise Refused("past", _("That time has already passed. Choose a time in the future."))
    enrolled = Enrolment.objects.active(timezone.localdate(now)).filter(
        student=student, school_class_id=slot.school_class_id
    )
    if not enrolled.exists():
        raise Refused("other_class", _("That time is for another class."))
    if DevelopmentTalk.objects.filter(slot=slot, cancelled_at__isnull=True).exists():
        raise Refused("taken", _("Someone booked that time just before you. Choose another one."))
    return slot


def _check_no_other_booking(actor: User, student: User, now: datetime.datetime) -> None:
    """One upcoming talk per guardian and child (the other guardian may have their own)."""
    upcoming = TalkAttendee.objects.filter(
        guardian=actor,
        left_at__isnull=True,
        talk__student=student,
        talk__cancelled_at__isnull=True,
        talk__slot__starts_at__gt=now,
    )
    if upcoming.exists():
        raise Refused(
            "already_booked",
            _("You already have a talk booked for %(name)s. Move or cancel it instead.")
            % {"name": student.display_name},
        )


def _create_talk(actor: User, page: StudentPage, student: User, slot: TalkSlot) -> DevelopmentTalk:
    thread = document_thread(page, Thread.Kind.DEVELOPMENT_TALK, moment=slot.starts_at)
    try:
        with transaction.atomic():
            talk = DevelopmentTalk.objects.create(slot=slot, student=student, booked_by=actor, thread=thread)
    except IntegrityError:  # the constraint: only reachable if a caller skipped the slot lock
        raise Refused("taken", _("Someone booked that time just before you. Choose another one.")) from None
    TalkAttendee.objects.create(talk=talk, guardian=actor)
    show_card(actor, page, talk, TALK_CARD, summary=_("Development talk booked"))
    events.announce(
        "talk.booked",
        actor_id=actor.pk,
        talk_id=talk.pk,
        student_id=student.pk,
        page_id=page.pk,
        guardian_ids=[actor.pk],
        teacher_id=slot.teacher_id,
    )
    return talk


def book_talk(
    actor: User, student: User | int, slot_id: int, *, now: datetime.datetime | None = None
) -> DevelopmentTalk:
    """A guardian books a free slot of the child's class: a new talk with its own thread and
    card. One upcoming talk per guardian and child (the other guardian may book another)."""
    access = _guardian_access(actor, student)
    student, page = access.student, access.page
    now = now or timezone.now()
    with transaction.atomic():
        lock_student(student)
        slot = _bookable_slot(slot_id, student, now)
        _check_no_other_booking(actor, student, now)
        return _create_talk(actor, page, student, slot)


def join_talk(actor: User, talk: DevelopmentTalk, *, now: datetime.datetime | None = None) -> DevelopmentTalk:
    """The other guardian comes to the talk the first one booked."""
    _guardian_access(actor, talk.student_id)
    now = now or timezone.now()
    with transaction.atomic():
        lock_student(talk.student)
        locked = live_talk(talk, now)
        if actor.pk in coming_guardians(locked):
            return locked
        _check_no_other_booking(actor, locked.student, now)
        attendee, created = TalkAttendee.objects.get_or_create(talk=locked, guardian=actor)
        if not created:
            attendee.left_at = None
            attendee.reminded_at = None
            attendee.save(update_fields=["left_at", "reminded_at"])
        refresh_card(locked, TALK_CARD)
        events.announce(
            "talk.joined",
            actor_id=actor.pk,
            talk_id=locked.pk,
            student_id=locked.student_id,
            guardian_id=actor.pk,
        )
    return locked


def _my_attendance(actor: User, talk: DevelopmentTalk) -> TalkAttendee:
    attendee = TalkAttendee.objects.filter(talk=talk, guardian=actor, left_at__isnull=True).first()
    if attendee is None:
        raise Refused("not_yours", _("You have not booked that talk."))
    return attendee


def cancel_booking(
    actor: User, talk: DevelopmentTalk, *, now: datetime.datetime | None = None
) -> DevelopmentTalk:
    """A guardian cancels their booking. The talk goes on for the other guardian if they
    joined it; otherwise it is cancelled and the slot is free again."""
    _guardian_access(actor, talk.student_id)
    now = now or timezone.now()
    with transaction.atomic():
        lock_student(talk.student)
        locked = live_talk(talk, now)
        attendee = _my_attendance(actor, locked)
        attendee.left_at = now
        attendee.save(update_fields=["left_at"])
        if coming_guardians(locked):
            refresh_card(locked, TALK_CARD)
            events.announce(
                "talk.left",
                talk_id=locked.pk,
                student_id=locked.student_id,
                guardian_id=actor.pk,
                actor_id=actor.pk,
            )
        else:
            cancel_talk(locked, actor, now)
            events.announce(
                "talk.cancelled",
                actor_id=actor.pk,
                talk_id=locked.pk,
                student_id=locked.student_id,
                page_id=locked.thread.page_id,
                guardian_ids=[actor.pk],
                by_id=actor.pk,
                by_school=False,
            )
    return locked


def move_booking(
    actor: User, talk: DevelopmentTalk, slot_id: int, *, now: datetime.datetime | None = None
) -> DevelopmentTalk:
    """A guardian moves their booking to another free slot. A talk only they come to moves
    with its thread, card and preparation; from a talk shared with the other guardian they
    move alone, into a talk of their own (the other guardian's booking stays as it was)."""
    page = _guardian_access(actor, talk.student_id).page
    now = now or timezone.now()
    with transaction.atomic():
        lock_student(talk.student)
        locked = live_talk(talk, now)
        attendee = _my_attendance(actor, locked)
        slot = _bookable_slot(slot_id, locked.student, now)
        if coming_guardians(locked) != [actor.pk]:
            attendee.left_at = now
            attendee.save(update_fields=["left_at"])
            refresh_card(locked, TALK_CARD)
            return _create_talk(actor, page, locked.student, slot)
        locked.slot = slot
        locked.save(update_fields=["slot"])
        Thread.objects.filter(pk=locked.thread_id).update(
            title=thread_title(Thread.Kind.DEVELOPMENT_TALK, moment=slot.starts_at)
        )
        TalkAttendee.objects.filter(talk=locked).update(reminded_at=None)  # a new time, a new reminder
        refresh_card(locked, TALK_CARD, summary=_("Development talk moved"))
        events.announce(
            "talk.moved",
            actor_id=actor.pk,
            talk_id=locked.pk,
            student_id=locked.student_id,
            page_id=page.pk,
            guardian_ids=[actor.pk],
            teacher_id=slot.teacher_id,
        )
    return locked
