"""The report to the principal (anmälan) and the views of the student and guardians on it."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.errors import Refused, require
from accounts.models import Subject, User
from dialogue import doors
from dialogue.actions.cards import refresh_card, show_card
from dialogue.actions.support.common import (
    SUPPORT_CARD,
    announce_support,
    case_to_change,
    flag_support_text,
    locked_case,
    support_text,
)
from dialogue.flags import FlagSource
from dialogue.models import Adaptation, Assessment, SupportCase, SupportView, Thread
from writing.texts import guard_texts


def report_support_need(
    actor: User,
    student_id: int,
    *,
    observations: str,
    adaptations_tried: str = "",
    adaptation_ids: Iterable[int] = (),
    subject_id: int | None = None,
    assessment_id: int | None = None,
    send_anyway: bool = False,
) -> SupportCase:
    """A teacher or the mentor reports to the principal that the student may need special
    support: what was seen, which adaptations were tried (the student's recorded ones, and
    in words). The case gets its own thread, read by everyone on the page: the family takes
    part from the start. Nothing decides anything yet."""
    access = doors.student_page(actor, student_id, opening=False)
    require(access.relation.may_report_support)
    student = access.student
    observations = support_text(observations, _("What has been seen"), required=True)
    adaptations_tried = support_text(adaptations_tried, _("Adaptations tried"))
    wanted = {int(pk) for pk in adaptation_ids}
    adaptations = list(Adaptation.objects.filter(student=student, pk__in=wanted))
    if len(adaptations) != len(wanted):
        raise Refused("unknown_adaptation", _("Choose among the student's own extra adaptations."))
    subject = Subject.objects.filter(pk=subject_id).first() if subject_id else None
    if subject_id and subject is None:
        raise Refused("no_subject", _("That subject does not exist."), field="subject")
    assessment = (
        Assessment.objects.filter(
            pk=assessment_id, student=student, status=Assessment.Status.PUBLISHED
        ).first()
        if assessment_id
        else None
    )
    if assessment_id and assessment is None:
        raise Refused("unknown_assessment", _("That written assessment is not the student's."))
    texts = {"observations": observations, "adaptations_tried": adaptations_tried}
    findings = guard_texts(texts, send_anyway=send_anyway)
    with transaction.atomic():
        thread = Thread.objects.create(
            page=access.page,
            kind=Thread.Kind.SUPPORT,
            audience=Thread.Audience.EVERYONE,
            title=_("Report to the principal %(date)s") % {"date": timezone.localdate().isoformat()},
        )
        case = SupportCase.objects.create(
            student=student,
            page=access.page,
            thread=thread,
            subject=subject,
            observations=observations,
            adaptations_tried=adaptations_tried,
            assessment=assessment,
            reported_by=actor,
        )
        case.adaptations.set(adaptations)
        show_card(
            actor,
            access.page,
            case,
            SUPPORT_CARD,
            summary=_("%(name)s reported to the principal that the student may need special support")
            % {"name": actor.display_name},
        )
        flag_support_text(actor, student.pk, FlagSource.SUPPORT_CASE, case.pk, texts, findings)
        announce_support("reported", actor, case)
    return case


def add_support_view(actor: User, case_id: int, *, body: str, send_anyway: bool = False) -> SupportView:
    """The student or a guardian gives a view on the case, at whatever stage it is. Views
    are kept as given, with author and time: there is no action to change or remove one."""
    case = case_to_change(actor, case_id, lambda relation: relation.may_give_support_views)
    body = support_text(body, _("Your view"), required=True)
    findings = guard_texts({"body": body}, send_anyway=send_anyway)
    with transaction.atomic():
        case = locked_case(case.pk)
        view = SupportView.objects.create(case=case, author=actor, body=body, stage=case.stage)
        refresh_card(case, SUPPORT_CARD)
        flag_support_text(actor, case.student_id, FlagSource.SUPPORT_CASE, case.pk, {"body": body}, findings)
        announce_support(
            "view_given",
            actor,
            case,
            view_id=view.pk,
            reporter_id=case.reported_by_id,
            investigator_id=case.investigator_id,
        )
    return view
