"""What special support refuses: the wrong role, an archive, a second decision, bad dates,
empty texts and words the guard stops; and the family's views, kept as given."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from accounts.errors import Forbidden, NotFound, Refused, SensitiveText
from dialogue.actions import support
from dialogue.models import SupportCase, SupportView
from tests.support.cast import Cast

pytestmark = pytest.mark.django_db


def _today() -> datetime.date:
    return timezone.localdate()


def _later(days: int) -> datetime.date:
    return _today() + datetime.timedelta(days=days)


def _report(cast: Cast) -> SupportCase:
    return support.report_support_need(cast.teacher, cast.student.pk, observations="Anna har svårt med bråk.")


def _investigating(cast: Cast) -> SupportCase:
    case = _report(cast)
    return support.decide_investigation(
        cast.principal, case.pk, investigate=True, investigator_id=cast.teacher.pk, investigate_by=_later(7)
    )


def _adapt(actor, cast: Cast, subject=None, **changes):
    values = {
        "description": "Extra tid på prov.",
        "starts_on": _today(),
        "follow_up_on": _later(14),
        **changes,
    }
    return support.record_adaptation(actor, cast.student.pk, (subject or cast.maths).pk, **values)


@pytest.mark.parametrize("role", ["student", "guardian_1", "principal"])
def test_only_a_teacher_of_the_student_records_adaptations_and_reports(cast: Cast, role: str) -> None:
    actor = getattr(cast, role)
    with pytest.raises(Forbidden):
        _adapt(actor, cast)
    with pytest.raises(Forbidden):
        support.report_support_need(actor, cast.student.pk, observations="Något.")


@pytest.mark.parametrize("role", ["other_teacher", "other_principal", "other_guardian", "former_teacher"])
def test_outsiders_are_told_the_student_is_not_found(cast: Cast, role: str) -> None:
    actor = getattr(cast, role)
    with pytest.raises(NotFound):
        _adapt(actor, cast)
    with pytest.raises(NotFound):
        support.report_support_need(actor, cast.student.pk, observations="Något.")
    case = _report(cast)
    with pytest.raises(NotFound):
        support.add_support_view(actor, case.pk, body="Hej")
    with pytest.raises(NotFound):
        support.decide_investigation(actor, case.pk, investigate=False, reason="Nej")


def test_the_mentor_records_in_any_subject_and_a_subject_teacher_only_in_their_own(cast: Cast) -> None:
    from accounts.actions import SYSTEM
    from accounts.actions import memberships as m
    from accounts.actions import people as p

    assert _adapt(cast.teacher, cast, subject=cast.swedish).subject == cast.swedish  # the mentor
    swedish_teacher = p.create_person(SYSTEM, username="sv.larare", first_name="Sara", last_name="Svensson")
    m.assign_teaching(SYSTEM, swedish_teacher, cast.class_4a, cast.swedish)
    with pytest.raises(Forbidden):
        _adapt(swedish_teacher, cast, subject=cast.maths)
    adaptation = _adapt(cast.teacher, cast)
    with pytest.raises(Forbidden):
        support.follow_up_adaptation(swedish_teacher, adaptation.pk, result="Bra", continues=False)


def test_nothing_is_added_to_an_archive(cast: Cast) -> None:
    with pytest.raises(Forbidden):
        support.report_support_need(cast.principal, cast.left_student.pk, observations="Något.")
    with pytest.raises(Forbidden):
        support.record_adaptation(
            cast.principal,
            cast.left_student.pk,
            cast.maths.pk,
            description="x",
            starts_on=_today(),
            follow_up_on=_later(1),
        )


def test_dates_are_checked(cast: Cast) -> None:
    with pytest.raises(Refused) as refused:
        _adapt(cast.teacher, cast, follow_up_on="in a week")
    assert refused.value.code == "bad_date"
    with pytest.raises(Refused) as refused:
        _adapt(cast.teacher, cast, follow_up_on="")
    assert refused.value.code == "no_date"
    with pytest.raises(Refused) as refused:
        _adapt(cast.teacher, cast, follow_up_on=_today() - datetime.timedelta(days=1))
    assert refused.value.code == "past_date"
    with pytest.raises(Refused) as refused:
        _adapt(cast.teacher, cast, starts_on=_later(10), follow_up_on=_later(5))
    assert refused.value.code == "follow_up_before_start"
    adaptation = _adapt(cast.teacher, cast)
    with pytest.raises(Refused) as refused:
        support.follow_up_adaptation(cast.teacher, adaptation.pk, result="Bra", continues=True)
    assert refused.value.code == "no_date"
    case = _report(cast)
    with pytest.raises(Refused) as refused:
        support.decide_investigation(
            cast.principal,
            case.pk,
            investigate=True,
            investigator_id=cast.teacher.pk,
            investigate_by="2020-01-01",
        )
    assert refused.value.code == "past_date"


def test_empty_texts_are_refused(cast: Cast) -> None:
    with pytest.raises(Refused) as refused:
        _adapt(cast.teacher, cast, description="  ")
    assert refused.value.code == "empty"
    with pytest.raises(Refused):
        support.report_support_need(cast.teacher, cast.student.pk, observations="")
    case = _report(cast)
    with pytest.raises(Refused):
        support.decide_investigation(cast.principal, case.pk, investigate=False, reason="")
    with pytest.raises(Refused):
        support.add_support_view(cast.guardian_1, case.pk, body="")
    case = _investigating(cast)
    with pytest.raises(Refused):
        support.record_support_outcome(
            cast.principal, case.pk, needs_support=False, summary="Räcker.", grounds=""
        )
    with pytest.raises(Refused):
        support.record_support_outcome(cast.principal, case.pk, needs_support=True, summary="")


def test_the_guard_checks_the_texts_and_send_anyway_saves_them(cast: Cast) -> None:
    with pytest.raises(SensitiveText):
        support.report_support_need(cast.teacher, cast.student.pk, observations="Anna har en diagnos.")
    case = support.report_support_need(
        cast.teacher, cast.student.pk, observations="Anna har en diagnos.", send_anyway=True
    )
    assert case.observations == "Anna har en diagnos."
    with pytest.raises(SensitiveText):
        _adapt(cast.teacher, cast, description="Anpassning på grund av diagnos.")


def test_only_the_principal_decides_and_each_decision_is_taken_once(cast: Cast) -> None:
    case = _report(cast)
    for role in ("teacher", "student", "guardian_1"):
        with pytest.raises(Forbidden):
            support.decide_investigation(getattr(cast, role), case.pk, investigate=False, reason="Nej")
    with pytest.raises(Refused) as refused:
        support.record_support_outcome(cast.principal, case.pk, needs_support=False, summary="x", grounds="y")
    assert refused.value.code == "not_investigating"
    with pytest.raises(Refused) as refused:
        support.decide_investigation(
            cast.principal,
            case.pk,
            investigate=True,
            investigator_id=cast.student.pk,
            investigate_by=_later(3),
        )
    assert refused.value.code == "bad_investigator"  # only staff who read the page
    with pytest.raises(Refused) as refused:
        support.decide_investigation(
            cast.principal,
            case.pk,
            investigate=True,
            investigator_id=cast.other_teacher.pk,
            investigate_by=_later(3),
        )
    assert refused.value.code == "bad_investigator"
    support.decide_investigation(
        cast.principal, case.pk, investigate=True, investigator_id=cast.teacher.pk, investigate_by=_later(3)
    )
    with pytest.raises(Refused) as refused:
        support.decide_investigation(cast.principal, case.pk, investigate=False, reason="Ändrat mig.")
    assert refused.value.code == "already_decided"
    support.record_support_outcome(cast.principal, case.pk, needs_support=False, summary="x", grounds="y")
    with pytest.raises(Refused) as refused:
        support.record_support_outcome(cast.principal, case.pk, needs_support=True, summary="x")
    assert refused.value.code == "already_decided"
    case.refresh_from_db()
    assert case.stage == SupportCase.Stage.NO_PROGRAMME
    assert case.programme is None


def test_a_need_not_investigated_keeps_its_reason_and_takes_no_outcome(cast: Cast) -> None:
    case = _report(cast)
    support.decide_investigation(cast.principal, case.pk, investigate=False, reason="Anpassningarna räcker.")
    case.refresh_from_db()
    assert case.stage == SupportCase.Stage.NOT_INVESTIGATED
    assert case.not_investigated_reason == "Anpassningarna räcker."
    with pytest.raises(Refused):
        support.record_support_outcome(cast.principal, case.pk, needs_support=True, summary="x")


def test_the_family_gives_views_that_are_kept_with_author_time_and_stage(cast: Cast) -> None:
    case = _report(cast)
    first = support.add_support_view(cast.student, case.pk, body="Jag vill ha hjälp med bråk.")
    support.decide_investigation(
        cast.principal, case.pk, investigate=False, reason="Räcker med anpassningar."
    )
    second = support.add_support_view(cast.guardian_1, case.pk, body="Vi håller inte med.")
    assert [(v.author, v.stage, v.body) for v in SupportView.objects.filter(case=case)] == [
        (cast.student, "reported", "Jag vill ha hjälp med bråk."),
        (cast.guardian_1, "not_investigated", "Vi håller inte med."),
    ]
    assert first.created_at <= second.created_at
    for role in ("teacher", "principal"):
        with pytest.raises(Forbidden):
            support.add_support_view(getattr(cast, role), case.pk, body="Skolans syn.")
    # No action changes or removes a view.
    assert not any(
        name for name in support.__all__ if "edit" in name or "remove" in name or "retract" in name
    )
