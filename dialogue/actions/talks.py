"""Development talks (utvecklingssamtal): a teacher of the class opens bookable slots, each
guardian books one for their child (separated guardians the same talk or one each), moves
or cancels it until it starts, the student and guardians prepare on the page, and afterwards
the teacher records the IUP summary and the agreements.

Every booked talk has a thread of its own on the student's page with a card that changes in
place when someone joins, leaves, moves or cancels, and when the agreements are recorded.

Double booking is impossible: a booking locks the student's row and then the slot's row
(``select_for_update``; always in that order, so two bookings cannot deadlock), and the
partial unique constraint ``one_talk_per_slot`` refuses a second live talk in a slot even
if a caller skipped the lock.
"""

from __future__ import annotations

import datetime

from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, QuerySet
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from accounts import events, policy
from accounts.errors import Refused, require
from accounts.models import Enrolment, Guardianship, SchoolClass, User
from dialogue import doors
from dialogue.actions.cards import (
    CardKind,
    document_thread,
    in_own_thread,
    refresh_card,
    show_card,
    thread_title,
)
from dialogue.flags import FlagSource, flag_student_text
from dialogue.models import (
    MAX_PLACE_LENGTH,
    MAX_TALK_TEXT,
    DevelopmentTalk,
    StudentPage,
    TalkAttendee,
    TalkPreparation,
    TalkRecordRevision,
    TalkSlot,
    Thread,
)
from dialogue.payloads import talk_card
from writing import guard
from writing.rendering import render_markdown
from writing.texts import checked_text, guard_texts

MIN_MINUTES = 5
MAX_MINUTES = 240
MAX_SLOTS_AT_ONCE = 60
REMINDER_WINDOW = datetime.timedelta(hours=24)


# --- Slots (the teacher) ---------------------------------------------------------------------


def _aware(day: datetime.date, at: datetime.time) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, at))


def _local_label(moment: datetime.datetime) -> str:
    return date_format(timezone.localtime(moment), "j F H:i")


def open_talk_slots(
    actor: User,
    school_class: SchoolClass,
    *,
    day: datetime.date,
    start: datetime.time,
    minutes: int,
    until: datetime.time | None = None,
    every: int | None = None,
    place: str = "",
    video: bool = False,
    now: datetime.datetime | None = None,
) -> list[TalkSlot]:
    """Open one slot at ``start``, or a series: a slot every ``every`` minutes (default: back
    to back) from ``start`` for as long as a whole slot ends by ``until``. All or nothing:
    a slot in the past or overlapping one of the teacher's own open slots refuses the lot.

    ``now`` is for tests and the demo (a series opened "earlier"); callers leave it out.
    """
    require(policy.can_manage_talk_slots(actor, school_class))
    now = now or timezone.now()
    place = " ".join(place.split())
    if not MIN_MINUTES <= minutes <= MAX_MINUTES:
        raise Refused(
            "bad_length",
            _("A talk is between %(min)d and %(max)d minutes long.")
            % {"min": MIN_MINUTES, "max": MAX_MINUTES},
        )
    if not place and not video:
        raise Refused("no_place", _("Say where the talk is held, or choose video."))
    if len(place) > MAX_PLACE_LENGTH:
        raise Refused(
            "too_long", _("The place can be at most %(limit)d characters long.") % {"limit": MAX_PLACE_LENGTH}
        )
    step = datetime.timedelta(minutes=every or minutes)
    length = datetime.timedelta(minutes=minutes)
    if step < length:
        raise Refused("overlapping", _("The talks would overlap: the interval is shorter than a talk."))
    first = _aware(day, start)
    if first <= now:
        raise Refused("past", _("That time has already passed. Choose a time in the future."))
    starts = [first]
    if until is not None:
        last_end = _aware(day, until)
        if last_end < first + length:
            raise Refused("no_room", _("No whole talk fits between the start and end times."))
        while starts[-1] + step + length <= last_end:
            starts.append(starts[-1] + step)
    if len(starts) > MAX_SLOTS_AT_ONCE:
        raise Refused(
            "too_many", _("At most %(limit)d slots can be opened at once.") % {"limit": MAX_SLOTS_AT_ONCE}
        )
    with transaction.atomic():
        # One teacher's openings one at a time, so two tabs cannot open overlapping series.
        User.objects.select_for_update().filter(pk=actor.pk).first()
        clash = (
            TalkSlot.objects.filter(
                teacher=actor,
                cancelled_at__isnull=True,
                starts_at__lt=starts[-1] + length,
                ends_at__gt=first,
            )
            .order_by("starts_at")
            .values_list("starts_at", "ends_at")
        )
        for taken_start, taken_end in clash:
            if any(s < taken_end and taken_start < s + length for s in starts):
                raise Refused(
                    "overlapping",
                    _("You already have a talk slot at %(time)s. Nothing was opened.")
                    % {"time": _local_label(taken_start)},
                )
        return TalkSlot.objects.bulk_create(
            [
                TalkSlot(
                    school_class=school_class,
                    teacher=actor,
                    starts_at=s,
                    ends_at=s + length,
                    place=place,
                    video=video,
                )
                for s in starts
            ]
        )


def cancel_talk_slot(actor: User, slot: TalkSlot, *, now: datetime.datetime | None = None) -> TalkSlot:
    """Take a slot away. A talk booked in it is cancelled too; its card says so and
    ``talk.cancelled`` tells the guardians who had booked."""
    require(policy.can_manage_talk_slots(actor, slot.school_class))
    now = now or timezone.now()
    with transaction.atomic():
        locked = TalkSlot.objects.select_for_update().get(pk=slot.pk)
        if locked.cancelled_at is not None:
            return locked
        if locked.starts_at <= now:
            raise Refused("started", _("The slot has already started and cannot be cancelled."))
        locked.cancelled_at = now
        locked.cancelled_by = actor
        locked.save(update_fields=["cancelled_at", "cancelled_by"])
        talk = _talks().filter(slot=locked, cancelled_at__isnull=True).first()
        if talk is not None:
            guardians = _coming(talk)
            _cancel(talk, actor, now)
            events.announce(
                "talk.cancelled",
                actor_id=actor.pk,
                talk_id=talk.pk,
                student_id=talk.student_id,
                page_id=talk.thread.page_id,
                guardian_ids=guardians,
                by_id=actor.pk,
                by_school=True,
            )
    return locked


# --- Bookings (the guardians) ----------------------------------------------------------------


def _talks() -> QuerySet[DevelopmentTalk]:
    return DevelopmentTalk.objects.select_related(
        "slot__teacher", "slot__school_class", "student", "thread", "message__page", "message__author"
    )


def _lock_student(student: User) -> None:
    User.objects.select_for_update().filter(pk=student.pk).first()


def _coming(talk: DevelopmentTalk) -> list[int]:
    return list(
        talk.attendees.filter(left_at__isnull=True)
        .order_by("joined_at", "pk")
        .values_list("guardian_id", flat=True)
    )


TALK_CARD: CardKind[DevelopmentTalk] = CardKind(draw=talk_card, thread=in_own_thread)


def _guardian_access(actor: User, student: User | int) -> doors.PageAccess:
    """The actor's access to the student's page, if they may book the child's talks."""
    access = doors.student_page(actor, student, opening=False)
    require(access.relation.may_book_talk)
    return access


def _cancel(talk: DevelopmentTalk, actor: User, now: datetime.datetime) -> None:
    talk.cancelled_at = now
    talk.cancelled_by = actor
    talk.save(update_fields=["cancelled_at", "cancelled_by"])
    refresh_card(talk, TALK_CARD, summary=_("Development talk cancelled"))


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
        _lock_student(student)
        slot = _bookable_slot(slot_id, student, now)
        _check_no_other_booking(actor, student, now)
        return _create_talk(actor, page, student, slot)


def _live_talk(talk: DevelopmentTalk, now: datetime.datetime) -> DevelopmentTalk:
    """The talk re-read under a lock; refused once cancelled or started."""
    locked = _talks().select_for_update(of=("self",)).get(pk=talk.pk)
    if locked.cancelled_at is not None:
        raise Refused("cancelled", _("That talk is cancelled."))
    if locked.slot.starts_at <= now:
        raise Refused("started", _("The talk has already started and can no longer be changed."))
    return locked


def join_talk(actor: User, talk: DevelopmentTalk, *, now: datetime.datetime | None = None) -> DevelopmentTalk:
    """The other guardian comes to the talk the first one booked."""
    _guardian_access(actor, talk.student_id)
    now = now or timezone.now()
    with transaction.atomic():
        _lock_student(talk.student)
        locked = _live_talk(talk, now)
        if actor.pk in _coming(locked):
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
        _lock_student(talk.student)
        locked = _live_talk(talk, now)
        attendee = _my_attendance(actor, locked)
        attendee.left_at = now
        attendee.save(update_fields=["left_at"])
        if _coming(locked):
            refresh_card(locked, TALK_CARD)
            events.announce(
                "talk.left",
                talk_id=locked.pk,
                student_id=locked.student_id,
                guardian_id=actor.pk,
                actor_id=actor.pk,
            )
        else:
            _cancel(locked, actor, now)
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
        _lock_student(talk.student)
        locked = _live_talk(talk, now)
        attendee = _my_attendance(actor, locked)
        slot = _bookable_slot(slot_id, locked.student, now)
        if _coming(locked) != [actor.pk]:
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


# --- Before and after the talk -----------------------------------------------------------------


def add_preparation(
    actor: User,
    talk: DevelopmentTalk,
    *,
    body: str,
    send_anyway: bool = False,
    now: datetime.datetime | None = None,
) -> TalkPreparation:
    """The student or a guardian writes a question or view before the talk (the
    sensitive-text guard applies; saved anyway, it is flagged for the principal)."""
    require(doors.student_page(actor, talk.student_id, opening=False).relation.may_prepare_talk)
    now = now or timezone.now()
    body = checked_text(body, _("Questions and views"), MAX_TALK_TEXT)
    if not body:
        raise Refused("empty", _("Write your question or view first."))
    findings = guard_texts({"body": body}, send_anyway=send_anyway)
    with transaction.atomic():
        _live_talk(talk, now)
        preparation = TalkPreparation.objects.create(
            talk=talk, author=actor, body=body, body_html=render_markdown(body)
        )
        flag_student_text(actor, talk.student_id, FlagSource.TALK, talk.pk, {"body": body}, findings)
    return preparation


def record_talk(
    actor: User,
    talk: DevelopmentTalk,
    *,
    held_on: datetime.date,
    iup_summary: str,
    school_actions: str,
    home_actions: str,
    send_anyway: bool = False,
    now: datetime.datetime | None = None,
) -> tuple[DevelopmentTalk, list[guard.Finding]]:
    """After the talk the teacher records when it was held, the IUP summary for the year
    and the agreements. The card shows them and ``talk.recorded`` is announced. Recording
    again corrects the agreements (the earlier text is kept as a ``TalkRecordRevision``)
    and announces again."""
    require(doors.student_page(actor, talk.student_id, opening=False).relation.may_record_talk)
    now = now or timezone.now()
    texts = {
        "iup_summary": checked_text(iup_summary, _("Summary of the IUP for the year"), MAX_TALK_TEXT),
        "school_actions": checked_text(school_actions, _("What the school will do"), MAX_TALK_TEXT),
        "home_actions": checked_text(home_actions, _("What the student and guardians can do"), MAX_TALK_TEXT),
    }
    if not any(texts.values()):
        raise Refused("empty", _("Write the summary or the agreements before saving."))
    if held_on > timezone.localdate(now):
        raise Refused("future", _("The talk cannot have been held on a day still to come."))
    findings = guard_texts(texts, send_anyway=send_anyway)
    with transaction.atomic():
        locked = _talks().select_for_update(of=("self",)).get(pk=talk.pk)
        if locked.cancelled_at is not None:
            raise Refused("cancelled", _("That talk is cancelled."))
        if locked.slot.starts_at > now:
            raise Refused("not_held", _("The talk has not started yet. Record the agreements after it."))
        if held_on < timezone.localdate(locked.slot.starts_at):
            raise Refused(
                "before_slot", _("The talk cannot have been held before the day it was booked for.")
            )
        if (
            locked.recorded_at is not None
            and locked.held_on is not None
            and locked.recorded_by_id is not None
        ):
            # Recording again corrects the agreements; the earlier text stays on record.
            TalkRecordRevision.objects.create(
                talk=locked,
                held_on=locked.held_on,
                iup_summary=locked.iup_summary,
                school_actions=locked.school_actions,
                home_actions=locked.home_actions,
                recorded_at=locked.recorded_at,
                recorded_by_id=locked.recorded_by_id,
            )
        locked.held_on = held_on
        locked.iup_summary = texts["iup_summary"]
        locked.school_actions = texts["school_actions"]
        locked.home_actions = texts["home_actions"]
        locked.recorded_at = now
        locked.recorded_by = actor
        locked.save(
            update_fields=[
                "held_on",
                "iup_summary",
                "school_actions",
                "home_actions",
                "recorded_at",
                "recorded_by",
            ]
        )
        refresh_card(locked, TALK_CARD, summary=_("Agreements from the development talk recorded"))
        flag_student_text(actor, locked.student_id, FlagSource.TALK, locked.pk, texts, findings)
        events.announce(
            "talk.recorded",
            actor_id=actor.pk,
            talk_id=locked.pk,
            student_id=locked.student_id,
            page_id=locked.thread.page_id,
            held_on=held_on.isoformat(),
            teacher_id=actor.pk,
        )
    return locked, findings


# --- Reminders (run by the worker) -------------------------------------------------------------


def send_talk_reminders(*, now: datetime.datetime | None = None) -> int:
    """Announce ``talk.reminder`` once to each guardian coming to a talk that starts within
    the next 24 hours. Idempotent: the guardian's ``reminded_at`` is set in the same
    statement that claims the reminder, so a rerun (or a second worker) sends nothing
    twice. A guardian whose guardianship was withdrawn is not reminded."""
    now = now or timezone.now()
    guardianship = Guardianship.objects.active(timezone.localdate(now)).filter(
        guardian=OuterRef("guardian"), student=OuterRef("talk__student")
    )
    due = (
        TalkAttendee.objects.filter(
            left_at__isnull=True,
            reminded_at__isnull=True,
            talk__cancelled_at__isnull=True,
            talk__slot__starts_at__gt=now,
            talk__slot__starts_at__lte=now + REMINDER_WINDOW,
        )
        .filter(Exists(guardianship))
        .values_list("pk", "talk_id", "guardian_id", "talk__student_id", "talk__slot__starts_at")
        .order_by("talk__slot__starts_at", "pk")
    )
    sent = 0
    for pk, talk_id, guardian_id, student_id, starts_at in list(due):
        with transaction.atomic():
            if TalkAttendee.objects.filter(pk=pk, reminded_at__isnull=True).update(reminded_at=now):
                events.announce(
                    "talk.reminder",
                    talk_id=talk_id,
                    guardian_id=guardian_id,
                    student_id=student_id,
                    starts_at=starts_at.isoformat(),
                )
                sent += 1
    return sent
