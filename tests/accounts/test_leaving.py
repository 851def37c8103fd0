"""Recording a student's leaving and undoing it: who may, what it ends, what undoing brings
back, and that moving between schools of the installation is not leaving."""

from __future__ import annotations

import datetime
import uuid

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.utils import timezone

from accounts import policy
from accounts.actions import SYSTEM
from accounts.actions import memberships as m
from accounts.actions.leaving import record_leaving, undo_leaving
from accounts.errors import NotFound, Refused
from accounts.models import Enrolment, Leaving
from dialogue.actions.messages import post_message
from dialogue.actions.pages import page_of
from dialogue.models import Thread
from tests.support.cast import PASSWORD, Cast

pytestmark = pytest.mark.usefixtures("module_cast")  # one cast per module (tests/conftest.py)

FINISHED = Leaving.Reason.FINISHED


def _days(n: int) -> datetime.date:
    return timezone.localdate() + datetime.timedelta(days=n)


def test_school_administrator_records_a_leaving_and_the_teachers_lose_the_page(cast: Cast) -> None:
    leaving = record_leaving(
        cast.school_admin, cast.student.pk, left_on=_days(0), reason=FINISHED, note="Åk 9"
    )
    enrolment = Enrolment.objects.get(student=cast.student)
    assert (enrolment.ends_on, leaving.recorded_by) == (_days(0), cast.school_admin)
    assert "Left the school" in enrolment.end_reason or "Slutade" in enrolment.end_reason
    assert not policy.relation_to_student(cast.teacher, cast.student).may_read
    relation = policy.relation_to_student(cast.principal, cast.student)
    assert relation.is_archived
    assert relation.may_read
    assert not relation.may_write


@pytest.mark.parametrize(
    "role", ["teacher", "principal", "registrar", "guardian_1", "student", "other_principal"]
)
def test_only_the_schools_administrator_may_record_a_leaving(cast: Cast, role: str) -> None:
    actor = cast.person(role)
    assert actor is not None
    with pytest.raises(PermissionDenied):
        record_leaving(actor, cast.student.pk, left_on=_days(0), reason=FINISHED)
    assert not Leaving.objects.filter(student=cast.student).exists()


def test_another_schools_administrator_may_not_record_a_leaving(cast: Cast) -> None:
    """Olle moves from 4B to Söderskolan's 5C today: from then on Söderskolan answers for him."""
    m.end_membership(SYSTEM, Enrolment.objects.get(student=cast.other_student), ends_on=_days(0))
    m.enrol_student(SYSTEM, cast.other_student, cast.class_5c, starts_on=_days(0))
    with pytest.raises(PermissionDenied):
        record_leaving(cast.school_admin, cast.other_student.pk, left_on=_days(1), reason=FINISHED)
    # The operator runs every school.
    assert record_leaving(cast.operator, cast.other_student.pk, left_on=_days(1), reason=FINISHED)


def test_a_leaving_already_standing_is_refused(cast: Cast) -> None:
    record_leaving(cast.school_admin, cast.student.pk, left_on=_days(5), reason=FINISHED)
    with pytest.raises(Refused) as refusal:
        record_leaving(cast.school_admin, cast.student.pk, left_on=_days(6), reason=FINISHED)
    assert refusal.value.code == "already_left"
    assert Leaving.objects.filter(student=cast.student).count() == 1


def test_a_leaving_before_the_first_day_at_school_is_refused(cast: Cast) -> None:
    with pytest.raises(Refused) as refusal:
        record_leaving(cast.school_admin, cast.student.pk, left_on=_days(-400), reason=FINISHED)
    assert (refusal.value.code, refusal.value.field) == ("before_first_enrolment", "left_on")
    with pytest.raises(Refused) as refusal:
        record_leaving(cast.school_admin, cast.student.pk, left_on=_days(0), reason="graduated")
    assert refusal.value.field == "reason"
    assert not Leaving.objects.filter(student=cast.student).exists()


def test_someone_never_enrolled_has_no_leaving_to_record(cast: Cast) -> None:
    with pytest.raises(NotFound):
        record_leaving(cast.operator, cast.teacher.pk, left_on=_days(0), reason=FINISHED)


def test_a_leaving_ahead_keeps_the_page_in_use_until_its_day(
    cast: Cast, monkeypatch: pytest.MonkeyPatch
) -> None:
    record_leaving(cast.school_admin, cast.student.pk, left_on=_days(10), reason=FINISHED)
    today = policy.relation_to_student(cast.teacher, cast.student)
    assert today.may_write
    assert not today.is_archived
    monkeypatch.setattr("accounts.policy.base.today", lambda: _days(10))
    then = policy.relation_to_student(cast.guardian_1, cast.student)
    assert then.is_archived
    assert then.may_read
    assert not then.may_write
    assert not policy.relation_to_student(cast.teacher, cast.student).may_read


def test_undoing_restores_exactly_what_the_leaving_ended(cast: Cast) -> None:
    enrolment = Enrolment.objects.get(student=cast.student)
    m.end_membership(SYSTEM, enrolment, ends_on=_days(60), reason="Term ends")
    earlier = m.enrol_student(SYSTEM, cast.student, cast.class_4b, starts_on=_days(-60))
    m.end_membership(SYSTEM, earlier, ends_on=_days(-31), reason="Moved class")
    leaving = record_leaving(cast.school_admin, cast.student.pk, left_on=_days(0), reason=FINISHED)
    assert [entry["id"] for entry in leaving.ended_enrolments] == [enrolment.pk]

    undone = undo_leaving(cast.school_admin, leaving.pk)
    enrolment.refresh_from_db()
    earlier.refresh_from_db()
    assert (enrolment.ends_on, enrolment.end_reason) == (_days(60), "Term ends")
    assert (earlier.ends_on, earlier.end_reason) == (_days(-31), "Moved class")
    assert (undone.undone_by, undone.undone_at is not None) == (cast.school_admin, True)
    relation = policy.relation_to_student(cast.teacher, cast.student)
    assert relation.may_write
    assert not relation.is_archived
    with pytest.raises(Refused):
        undo_leaving(cast.school_admin, leaving.pk)
    # A new leaving may be recorded after the undone one.
    assert record_leaving(cast.school_admin, cast.student.pk, left_on=_days(1), reason=FINISHED)


def test_undo_keeps_an_enrolment_changed_by_hand_since_the_leaving(cast: Cast) -> None:
    leaving = record_leaving(cast.school_admin, cast.student.pk, left_on=_days(0), reason=FINISHED)
    enrolment = Enrolment.objects.get(student=cast.student)
    m.end_membership(SYSTEM, enrolment, ends_on=_days(-1), reason="Corrected")
    undo_leaving(cast.school_admin, leaving.pk)
    enrolment.refresh_from_db()
    assert (enrolment.ends_on, enrolment.end_reason) == (_days(-1), "Corrected")


def test_only_the_schools_administrator_may_undo_a_leaving(cast: Cast) -> None:
    leaving = Leaving.objects.get(student=cast.left_student)
    for actor in (cast.principal, cast.registrar, cast.left_student, cast.other_principal):
        with pytest.raises(PermissionDenied):
            undo_leaving(actor, leaving.pk)
    # After leaving, the last school answers for the student.
    undo_leaving(cast.school_admin, leaving.pk)
    assert policy.relation_to_student(cast.teacher, cast.left_student).may_write


def test_a_student_who_moves_to_another_school_of_the_installation_keeps_the_page(cast: Cast) -> None:
    """Not leaving: the page follows her to the new class; its new teachers read it, the old
    ones no longer do, and nothing is archived."""
    page = page_of(cast.student)
    thread = page.threads.get(kind=Thread.Kind.GENERAL)
    message, _payload = post_message(
        cast.guardian_1,
        page,
        thread_id=thread.pk,
        body="Vi flyttar till andra sidan stan.",
        client_id=uuid.uuid4(),
    )
    m.end_membership(
        SYSTEM, Enrolment.objects.get(student=cast.student), ends_on=_days(0), reason="Moved school"
    )
    m.enrol_student(SYSTEM, cast.student, cast.class_5c, starts_on=_days(0))
    new_teacher = cast.other_principal
    m.assign_mentor(SYSTEM, new_teacher, cast.class_5c, starts_on=_days(0))

    assert page_of(cast.student).pk == page.pk
    mentor = policy.relation_to_student(new_teacher, cast.student)
    assert mentor.is_mentor
    assert mentor.may_read
    assert mentor.may_write
    assert not mentor.is_archived
    assert not policy.relation_to_student(cast.teacher, cast.student).may_read
    assert not policy.relation_to_student(cast.principal, cast.student).may_read
    assert not Leaving.objects.filter(student=cast.student).exists()
    from tests.support.clients import verified_client

    html = verified_client(new_teacher).get(f"/students/{cast.student.pk}/").content.decode()
    assert message.body in html or "andra sidan stan" in html
    assert verified_client(cast.teacher).get(f"/students/{cast.student.pk}/").status_code == 404


def test_a_student_who_left_still_logs_in_and_finds_her_archived_page(cast: Cast) -> None:
    client = Client()
    response = client.post("/login/", {"username": cast.left_student.username, "password": PASSWORD})
    assert response.status_code == 302
    start = client.get("/").content.decode()
    assert f'href="/students/{cast.left_student.pk}/"' in start
    assert client.get(f"/students/{cast.left_student.pk}/").status_code == 200
