"""Special support from the first signal to the principal's decision, through the real
actions: a "not yet acceptable" level tells the mentor and the teacher (nothing is reported
by itself), a teacher reports, the principal decides to investigate and records the outcome,
which drafts an action programme; the family is told at each step (never of what was
written) and the principal's follow-up counts each step."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.utils import timezone

from accounts.actions import SYSTEM
from accounts.actions import memberships as m
from accounts.actions import people as p
from accounts.models import CurriculumArea
from dialogue.actions import support
from dialogue.actions.assessments import publish_assessment, save_draft
from dialogue.models import ActionProgramme, Message, SupportCase, Thread
from dialogue.queries import support as queries
from notifications.fanout import fan_out_waiting
from notifications.models import Notification
from tests.support.cast import Cast
from tests.support.clients import verified_client

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate


def _told(kind: str) -> dict[int, Notification]:
    fan_out_waiting()
    return {n.recipient_id: n for n in Notification.objects.filter(kind=kind)}


def _card(message_id: int | None) -> dict[str, Any]:
    """The card as stored now (rewritten after each change)."""
    card = Message.objects.get(pk=message_id or 0).card
    assert isinstance(card, dict)
    return card


def _counts(cast: Cast, on: datetime.date | None = None) -> tuple[int, int, int]:
    on = on or TODAY()
    return (
        len(queries.reports_waiting(cast.school, on)),
        len(queries.investigations_overdue(cast.school, on)),
        len(queries.adaptations_overdue(cast.school, on)),
    )


def _not_yet_in_swedish(cast: Cast):
    """A Swedish teacher of 4A (the cast's teacher is the class's mentor) publishes an
    assessment with "not yet acceptable" in one area."""
    swedish_teacher = p.create_person(SYSTEM, username="sv.larare", first_name="Sara", last_name="Svensson")
    m.assign_teaching(SYSTEM, swedish_teacher, cast.class_4a, cast.swedish)
    area = CurriculumArea.objects.filter(subject=cast.swedish).first()
    assert area is not None
    draft, _findings = save_draft(
        swedish_teacher,
        cast.class_4a,
        cast.student,
        cast.swedish,
        levels={str(area.pk): "not_yet"},
        can_text="Anna läser korta texter.",
        develop_text="",
    )
    return swedish_teacher, publish_assessment(swedish_teacher, draft.pk)


def test_the_whole_flow_from_a_not_yet_acceptable_level_to_a_drafted_programme(cast: Cast) -> None:
    swedish_teacher, assessment = _not_yet_in_swedish(cast)
    # The mentor and the teacher who published are told and offered the report, prefilled.
    told = _told("assessment.not_yet")
    assert set(told) == {cast.teacher.pk, swedish_teacher.pk}
    url = told[cast.teacher.pk].url
    assert url == (
        f"/students/{cast.student.pk}/support/?subject={cast.swedish.pk}&assessment={assessment.pk}#report"
    )
    assert SupportCase.objects.count() == 0  # nothing is reported by itself
    form = verified_client(swedish_teacher).get(url.split("#")[0])
    assert form.context["prefill_assessment"] == assessment
    assert 'data-testid="report-assessment"' in form.content.decode()

    # An adaptation, overdue after a while; the report names it.
    adaptation = support.record_adaptation(
        swedish_teacher,
        cast.student.pk,
        cast.swedish.pk,
        description="Kortare texter och bildstöd.",
        starts_on=TODAY() - datetime.timedelta(days=20),
        follow_up_on=TODAY(),
    )
    assert adaptation.message is not None
    assert adaptation.message.thread.subject_id == cast.swedish.pk
    assert _card(adaptation.message_id)["type"] == "adaptation"
    assert _counts(cast, TODAY() + datetime.timedelta(days=1)) == (0, 0, 1)

    case = support.report_support_need(
        swedish_teacher,
        cast.student.pk,
        observations="Anna når inte kunskapskraven i läsförståelse.",
        adaptations_tried="Högläsning i liten grupp.",
        adaptation_ids=[adaptation.pk],
        subject_id=cast.swedish.pk,
        assessment_id=assessment.pk,
    )
    assert case.stage == SupportCase.Stage.REPORTED
    assert case.thread.kind == Thread.Kind.SUPPORT
    assert case.thread.audience == Thread.Audience.EVERYONE
    assert list(case.adaptations.all()) == [adaptation]
    assert case.message is not None
    assert _card(case.message_id)["stage"] == "reported"
    reported = _told("support.reported")
    assert set(reported) == {cast.student.pk, cast.guardian_1.pk, cast.guardian_2.pk, cast.principal.pk}
    notice = reported[cast.guardian_1.pk]
    assert notice.url == f"/students/{cast.student.pk}/support/{case.pk}/"
    assert "läsförståelse" not in str(notice.params)  # never what was written
    assert _counts(cast) == (1, 0, 0)

    by = TODAY() + datetime.timedelta(days=14)
    support.decide_investigation(
        cast.principal, case.pk, investigate=True, investigator_id=swedish_teacher.pk, investigate_by=by
    )
    case.refresh_from_db()
    assert (case.stage, case.investigator, case.investigate_by) == ("investigating", swedish_teacher, by)
    assert set(_told("support.investigation_decided")) == {
        cast.student.pk,
        cast.guardian_1.pk,
        cast.guardian_2.pk,
        swedish_teacher.pk,
    }
    assert _counts(cast) == (0, 0, 0)
    assert _counts(cast, by + datetime.timedelta(days=1))[1] == 1  # past its date, no outcome

    support.add_support_view(cast.guardian_2, case.pk, body="Vi känner igen det hemifrån.")
    # The school people of the case hear of the view (the mentor, who neither reported nor
    # investigates, does not), never what it says.
    viewed = _told("support.view_given")
    assert set(viewed) == {cast.principal.pk, swedish_teacher.pk}
    assert "hemifrån" not in str(viewed[cast.principal.pk].params)
    support.record_support_outcome(
        cast.principal, case.pk, needs_support=True, summary="Anna behöver särskilt stöd i läsning."
    )
    case.refresh_from_db()
    assert case.stage == SupportCase.Stage.SUPPORT_NEEDED
    programme = case.programme
    assert programme is not None
    assert programme.status == ActionProgramme.Status.DRAFT
    assert programme.subject_id == cast.swedish.pk
    assert programme.versions.get().needs == "Anna behöver särskilt stöd i läsning."
    assert set(_told("support.outcome_decided")) == {cast.student.pk, cast.guardian_1.pk, cast.guardian_2.pk}
    card = _card(case.message_id)
    assert card["outcome"]["needs_support"] is True
    assert card["outcome"]["appeal_until"] is None
    assert card["views"] == 1
    assert _counts(cast, by + datetime.timedelta(days=1))[:2] == (0, 0)


def test_a_published_assessment_without_not_yet_tells_nobody_about_support(cast: Cast) -> None:
    area = CurriculumArea.objects.filter(subject=cast.maths).first()
    assert area is not None
    draft, _findings = save_draft(
        cast.teacher,
        cast.class_4a,
        cast.student,
        cast.maths,
        levels={str(area.pk): "acceptable"},
        can_text="Bra.",
        develop_text="",
    )
    publish_assessment(cast.teacher, draft.pk)
    assert _told("assessment.not_yet") == {}


def test_a_decision_not_to_write_a_programme_carries_its_grounds_and_the_appeal(cast: Cast) -> None:
    case = support.report_support_need(cast.teacher, cast.student.pk, observations="Anna har svårt med bråk.")
    support.decide_investigation(
        cast.principal,
        case.pk,
        investigate=True,
        investigator_id=cast.principal.pk,
        investigate_by=TODAY() + datetime.timedelta(days=7),
    )
    support.record_support_outcome(
        cast.principal,
        case.pk,
        needs_support=False,
        summary="Utredningen visar att de extra anpassningarna räcker.",
        grounds="Anna når kunskapskraven med anpassningarna.",
    )
    case.refresh_from_db()
    assert case.stage == SupportCase.Stage.NO_PROGRAMME
    assert case.programme is None
    assert case.outcome_decided_by == cast.principal
    assert case.outcome_decided_on == TODAY()
    assert case.appeal_deadline == TODAY() + datetime.timedelta(days=21)
    card = _card(case.message_id)
    assert card["outcome"] == {
        "needs_support": False,
        "by": cast.principal.display_name,
        "on": TODAY().isoformat(),
        "appeal_until": (TODAY() + datetime.timedelta(days=21)).isoformat(),
        "programme_url": None,
    }
    page = verified_client(cast.guardian_1).get(f"/students/{cast.student.pk}/support/{case.pk}/")
    body = page.content.decode()
    assert 'data-testid="appeal"' in body
    assert "Skolväsendets överklagandenämnd" in body
    assert (TODAY() + datetime.timedelta(days=21)).isoformat() in body
    assert "Anna når kunskapskraven med anpassningarna." in body


def test_an_adaptation_is_followed_up_and_its_card_rewritten_until_it_ends(cast: Cast) -> None:
    adaptation = support.record_adaptation(
        cast.teacher,
        cast.student.pk,
        cast.maths.pk,
        description="Miniräknare vid problemlösning.",
        starts_on=TODAY(),
        follow_up_on=TODAY() + datetime.timedelta(days=7),
    )
    next_on = TODAY() + datetime.timedelta(days=30)
    support.follow_up_adaptation(
        cast.teacher, adaptation.pk, result="Fungerar bra.", continues=True, next_follow_up_on=next_on
    )
    card = _card(adaptation.message_id)
    assert card["follow_up_on"] == next_on.isoformat()
    assert card["follow_ups"] == 1
    assert card["last"]["continues"] is True
    support.follow_up_adaptation(cast.teacher, adaptation.pk, result="Behövs inte längre.", continues=False)
    adaptation.refresh_from_db()
    assert adaptation.ended_on == TODAY()
    card = _card(adaptation.message_id)
    assert card["ended_on"] == TODAY().isoformat()
    assert card["follow_up_on"] is None
    # The student and the guardians read it in the subject's thread.
    page = verified_client(cast.student).get(f"/students/{cast.student.pk}/support/")
    assert "Miniräknare vid problemlösning." in page.content.decode()
