"""Before and after the talk: the family's preparation, the teacher's record of the IUP and
the agreements, and the reminders the worker sends."""

from __future__ import annotations

import datetime

from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import events
from accounts.errors import Refused, require
from accounts.models import Guardianship, User
from dialogue import doors
from dialogue.actions.cards import (
    refresh_card,
)
from dialogue.actions.talks.common import (
    TALK_CARD,
    live_talk,
    talks_query,
)
from dialogue.flags import FlagSource, flag_student_text
from dialogue.models import (
    MAX_TALK_TEXT,
    DevelopmentTalk,
    TalkAttendee,
    TalkPreparation,
    TalkRecordRevision,
)
from writing import guard
from writing.rendering import render_markdown
from writing.texts import checked_text, guard_texts

REMINDER_WINDOW = datetime.timedelta(hours=24)


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
        live_talk(talk, now)
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
        locked = talks_query().select_for_update(of=("self",)).get(pk=talk.pk)
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
