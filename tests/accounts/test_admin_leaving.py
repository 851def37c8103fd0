"""The school administrator records a student's leaving, and undoes it, in the school
administration: through the actions, and only for their own school's students."""

from __future__ import annotations

from django.utils import timezone

from accounts.models import Enrolment, Leaving
from tests.support.cast import Cast
from tests.support.clients import verified_client


def test_school_administrator_records_a_leaving_on_the_students_page(cast: Cast) -> None:
    client = verified_client(cast.school_admin)
    change = client.get(f"/admin/accounts/user/{cast.student.pk}/change/").content.decode()
    assert f"/admin/accounts/user/{cast.student.pk}/leaving/" in change
    today = timezone.localdate().isoformat()
    response = client.post(
        f"/admin/accounts/user/{cast.student.pk}/leaving/",
        {"left_on": today, "reason": "moved_abroad", "note": "Flyttar till Norge"},
    )
    assert response.status_code == 302
    leaving = Leaving.objects.get(student=cast.student)
    assert (leaving.reason, leaving.note, leaving.recorded_by) == (
        "moved_abroad",
        "Flyttar till Norge",
        cast.school_admin,
    )
    assert Enrolment.objects.get(student=cast.student).ends_on == timezone.localdate()
    change = client.get(f"/admin/accounts/user/{cast.student.pk}/change/").content.decode()
    assert 'data-testid="leaving"' in change
    assert 'data-testid="undo-leaving"' in change


def test_a_refused_leaving_comes_back_on_the_form_with_the_reason(cast: Cast) -> None:
    client = verified_client(cast.school_admin)
    response = client.post(
        f"/admin/accounts/user/{cast.student.pk}/leaving/", {"left_on": "2000-01-01", "reason": "finished"}
    )
    assert response.status_code == 200
    assert "2000" not in str(Leaving.objects.values_list("left_on", flat=True))
    assert not Leaving.objects.filter(student=cast.student).exists()
    assert "first day" in response.content.decode() or "första skoldag" in response.content.decode()


def test_school_administrator_undoes_a_leaving_and_the_class_is_back(cast: Cast) -> None:
    client = verified_client(cast.school_admin)
    response = client.post(f"/admin/accounts/user/{cast.left_student.pk}/leaving/undo/")
    assert response.status_code == 302
    leaving = Leaving.objects.get(student=cast.left_student)
    assert leaving.undone_by == cast.school_admin
    assert Enrolment.objects.active().filter(student=cast.left_student).exists()


def test_another_schools_student_is_out_of_reach(cast: Cast) -> None:
    """Olle moves to Söderskolan: Norrskolan's administrator may no longer record his leaving."""
    from accounts.actions import SYSTEM
    from accounts.actions import memberships as m

    today = timezone.localdate()
    m.end_membership(SYSTEM, Enrolment.objects.get(student=cast.other_student), ends_on=today)
    m.enrol_student(SYSTEM, cast.other_student, cast.class_5c, starts_on=today)
    response = verified_client(cast.school_admin).post(
        f"/admin/accounts/user/{cast.other_student.pk}/leaving/",
        {"left_on": today.isoformat(), "reason": "finished"},
    )
    assert response.status_code == 403
    assert not Leaving.objects.filter(student=cast.other_student).exists()
