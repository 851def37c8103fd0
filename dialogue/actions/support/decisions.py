"""The principal's decisions on a report: whether it is investigated (by whom, by when), and
the investigation's outcome. Each is taken once, in order; the stages never go back."""

from __future__ import annotations

import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import policy
from accounts.errors import Refused
from accounts.models import User
from dialogue.actions.action_programmes import draft_programme
from dialogue.actions.cards import refresh_card
from dialogue.actions.support.common import (
    SUPPORT_CARD,
    announce_support,
    case_to_change,
    flag_support_text,
    locked_case,
    not_before_today,
    support_date,
    support_text,
)
from dialogue.flags import FlagSource
from dialogue.models import SupportCase
from writing.texts import guard_texts

Stage = SupportCase.Stage
STAFF_ON_PAGE = (policy.TEACHER, policy.PRINCIPAL)


def _already(case: SupportCase) -> Refused:
    return Refused(
        "already_decided",
        _("This decision is already taken (%(stage)s). A decision is taken once and is not changed.")
        % {"stage": case.get_stage_display()},
    )


def decide_investigation(
    actor: User,
    case_id: int,
    *,
    investigate: bool | None,
    investigator_id: int | None = None,
    investigate_by: datetime.date | str | None = None,
    reason: str = "",
    send_anyway: bool = False,
) -> SupportCase:
    """The principal decides whether the need is investigated: by whom (staff who read the
    student's page) and by when, or, if not, why not."""
    case = case_to_change(actor, case_id, lambda relation: relation.may_decide_support)
    if investigate is None:
        raise Refused("no_decision", _("Choose whether the need is investigated."))
    if case.stage != Stage.REPORTED:
        raise _already(case)
    reason = support_text(reason, _("Why it is not investigated"), required=not investigate)
    investigator = None
    by_date = None
    if investigate:
        if not investigator_id:
            raise Refused("no_investigator", _("Choose who investigates."), field="investigator")
        roles = policy.roles_on_student_page(case.student)
        if roles.get(int(investigator_id)) not in STAFF_ON_PAGE:
            raise Refused(
                "bad_investigator",
                _("The one who investigates must be a teacher or the principal of the student."),
                field="investigator",
            )
        investigator = User.objects.get(pk=investigator_id)
        by_date = not_before_today(support_date(investigate_by, _("Investigated by")), _("Investigated by"))
        reason = ""
    findings = guard_texts({"reason": reason}, send_anyway=send_anyway)
    with transaction.atomic():
        case = locked_case(case.pk)
        if case.stage != Stage.REPORTED:
            raise _already(case)
        case.stage = Stage.INVESTIGATING if investigate else Stage.NOT_INVESTIGATED
        case.investigation_decided_at = timezone.now()
        case.investigation_decided_by = actor
        case.investigator = investigator
        case.investigate_by = by_date
        case.not_investigated_reason = reason
        case.save(
            update_fields=[
                "stage",
                "investigation_decided_at",
                "investigation_decided_by",
                "investigator",
                "investigate_by",
                "not_investigated_reason",
            ]
        )
        summary = (
            _("The principal decided that the need is investigated")
            if investigate
            else _("The principal decided that the need is not investigated")
        )
        refresh_card(case, SUPPORT_CARD, summary=summary)
        flag_support_text(
            actor, case.student_id, FlagSource.SUPPORT_CASE, case.pk, {"reason": reason}, findings
        )
        announce_support(
            "investigation_decided",
            actor,
            case,
            investigate=bool(investigate),
            investigator_id=investigator.pk if investigator else None,
        )
    return case


def record_support_outcome(
    actor: User,
    case_id: int,
    *,
    needs_support: bool | None,
    summary: str,
    grounds: str = "",
    send_anyway: bool = False,
) -> SupportCase:
    """The principal records what the investigation showed, as a decision: the student needs
    special support (an action programme is drafted through its own flow and linked here),
    or does not (a decision not to write a programme, with its grounds, appealable to
    Skolväsendets överklagandenämnd within three weeks). Only after a decision to
    investigate, and only once."""
    case = case_to_change(actor, case_id, lambda relation: relation.may_decide_support)
    if needs_support is None:
        raise Refused("no_decision", _("Choose whether the student needs special support."))
    if case.stage in (Stage.REPORTED, Stage.NOT_INVESTIGATED):
        raise Refused("not_investigating", _("An outcome is recorded only for a need that is investigated."))
    if case.stage != Stage.INVESTIGATING:
        raise _already(case)
    summary = support_text(summary, _("What the investigation showed"), required=True)
    grounds = support_text(grounds, _("Grounds"), required=not needs_support)
    texts = {"summary": summary, "grounds": grounds}
    findings = guard_texts(texts, send_anyway=send_anyway)
    with transaction.atomic():
        case = locked_case(case.pk)
        if case.stage != Stage.INVESTIGATING:
            raise _already(case)
        if needs_support:
            # The programme's needs start from what the investigation showed; it is then
            # drafted, commented on and decided in its own flow.
            case.programme = draft_programme(
                actor, case.student, needs=summary, subject=case.subject, send_anyway=True
            )
        case.stage = Stage.SUPPORT_NEEDED if needs_support else Stage.NO_PROGRAMME
        case.outcome_decided_at = timezone.now()
        case.outcome_decided_on = timezone.localdate()
        case.outcome_decided_by = actor
        case.outcome_summary = summary
        case.outcome_grounds = grounds
        case.save(
            update_fields=[
                "programme",
                "stage",
                "outcome_decided_at",
                "outcome_decided_on",
                "outcome_decided_by",
                "outcome_summary",
                "outcome_grounds",
            ]
        )
        refresh_card(
            case,
            SUPPORT_CARD,
            summary=(
                _("The principal decided that the student needs special support")
                if needs_support
                else _("The principal decided not to write an action programme")
            ),
        )
        flag_support_text(actor, case.student_id, FlagSource.SUPPORT_CASE, case.pk, texts, findings)
        announce_support(
            "outcome_decided",
            actor,
            case,
            needs_support=bool(needs_support),
            programme_id=case.programme_id,
        )
    return case
