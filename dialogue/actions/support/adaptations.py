"""Extra adaptations (extra anpassningar): recorded by a teacher of the subject or the mentor,
followed up, each a card in the subject's thread that the student and guardians see."""

from __future__ import annotations

import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import events
from accounts.errors import NotFound, Refused, require
from accounts.models import Subject, User
from dialogue import doors
from dialogue.actions.cards import refresh_card, show_card
from dialogue.actions.support.common import (
    ADAPTATION_CARD,
    adaptation_rows,
    flag_support_text,
    not_before_today,
    opened_adaptation,
    support_date,
    support_text,
)
from dialogue.flags import FlagSource
from dialogue.models import Adaptation, AdaptationFollowUp
from writing.texts import guard_texts


def _announce(kind: str, actor: User, adaptation: Adaptation, **data: object) -> None:
    events.announce(
        f"adaptation.{kind}",
        actor_id=actor.pk,
        student_id=adaptation.student_id,
        page_id=adaptation.page_id,
        adaptation_id=adaptation.pk,
        subject_id=adaptation.subject_id,
        **data,
    )


def record_adaptation(
    actor: User,
    student_id: int,
    subject_id: int,
    *,
    description: str,
    starts_on: datetime.date | str,
    follow_up_on: datetime.date | str,
    send_anyway: bool = False,
) -> Adaptation:
    """Record an extra adaptation in a subject: what is adapted, since when, and when it is
    followed up (not before it starts, not in the past). A teacher of the subject or the
    mentor; not in an archive. The card goes to the subject's thread."""
    access = doors.student_page(actor, student_id, opening=False)
    # Only a teacher of the student records adaptations; anyone else is refused before the
    # form's contents are looked at.
    require(access.relation.may_report_support)
    subject = Subject.objects.filter(pk=subject_id).first()
    if subject is None:
        raise Refused("no_subject", _("Choose the subject the adaptation is made in."), field="subject")
    require(access.relation.may_record_adaptation(subject.pk))
    description = support_text(description, _("What is adapted"), required=True)
    starts = support_date(starts_on, _("Since"))
    follow_up = not_before_today(support_date(follow_up_on, _("Followed up on")), _("Followed up on"))
    if follow_up < starts:
        raise Refused("follow_up_before_start", _("The follow-up cannot come before the adaptation starts."))
    findings = guard_texts({"description": description}, send_anyway=send_anyway)
    with transaction.atomic():
        adaptation = Adaptation.objects.create(
            student=access.student,
            page=access.page,
            subject=subject,
            description=description,
            starts_on=starts,
            follow_up_on=follow_up,
            created_by=actor,
        )
        show_card(
            actor,
            access.page,
            adaptation,
            ADAPTATION_CARD,
            summary=_("Extra adaptation in %(subject)s recorded by %(name)s")
            % {"subject": subject.name, "name": actor.display_name},
        )
        flag_support_text(
            actor,
            access.student.pk,
            FlagSource.ADAPTATION,
            adaptation.pk,
            {"description": description},
            findings,
        )
        _announce("recorded", actor, adaptation)
    return adaptation


def follow_up_adaptation(
    actor: User,
    adaptation_id: int,
    *,
    result: str,
    continues: bool,
    next_follow_up_on: datetime.date | str | None = None,
    send_anyway: bool = False,
    student_id: int | None = None,
) -> AdaptationFollowUp:
    """Follow up an adaptation: the result, and whether it goes on (with the next follow-up
    date) or ends today. The card is rewritten. An ended adaptation takes no more
    follow-ups. ``student_id``, when given, must be the adaptation's student."""
    adaptation, relation = opened_adaptation(actor, adaptation_id)
    if student_id is not None and adaptation.student_id != student_id:
        raise NotFound("unknown_adaptation", _("That extra adaptation does not exist."))
    require(relation.may_record_adaptation(adaptation.subject_id))
    result = support_text(result, _("The follow-up's result"), required=True)
    next_on = (
        not_before_today(support_date(next_follow_up_on, _("Next follow-up")), _("Next follow-up"))
        if continues
        else None
    )
    findings = guard_texts({"result": result}, send_anyway=send_anyway)
    with transaction.atomic():
        adaptation = adaptation_rows().select_for_update(of=("self",)).get(pk=adaptation.pk)
        if adaptation.ended_on is not None:
            raise Refused("ended", _("This adaptation has ended; record a new one if it is needed again."))
        follow_up = AdaptationFollowUp.objects.create(
            adaptation=adaptation,
            result=result,
            continues=continues,
            next_follow_up_on=next_on,
            written_by=actor,
        )
        if next_on is not None:
            adaptation.follow_up_on = next_on
        else:
            adaptation.ended_on = timezone.localdate()
        adaptation.save(update_fields=["follow_up_on", "ended_on"])
        refresh_card(adaptation, ADAPTATION_CARD)
        flag_support_text(
            actor, adaptation.student_id, FlagSource.ADAPTATION, adaptation.pk, {"result": result}, findings
        )
        _announce("followed_up", actor, adaptation, continues=continues)
    return follow_up
