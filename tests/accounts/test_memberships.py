"""Membership actions: who may change them, validation, and that nothing is deleted."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from accounts import policy
from accounts.actions import SYSTEM
from accounts.actions import memberships as m
from accounts.actions import people as p
from accounts.models import Enrolment, Guardianship, StaffRole
from tests.support.cast import Cast

pytestmark = pytest.mark.usefixtures("module_cast")  # one cast per module (tests/conftest.py)


def test_school_administrator_enrols_a_student_in_their_own_school(cast: Cast) -> None:
    pupil = p.create_person(cast.school_admin, username="Ny.Elev", first_name="Ny", last_name="Elev")
    enrolment = m.enrol_student(cast.school_admin, pupil, cast.class_4a)
    assert pupil.username == "ny.elev"
    assert enrolment.created_by == cast.school_admin
    assert policy.relation_to_student(cast.teacher, pupil).may_read


def test_school_administrator_cannot_touch_another_schools_classes(cast: Cast) -> None:
    with pytest.raises(PermissionDenied):
        m.enrol_student(cast.school_admin, cast.other_student, cast.class_5c)
    with pytest.raises(PermissionDenied):
        m.grant_staff_role(cast.school_admin, cast.teacher, cast.other_school, StaffRole.Role.PRINCIPAL)
    assert not Enrolment.objects.filter(school_class=cast.class_5c).exists()


@pytest.mark.parametrize("role", ["teacher", "principal", "guardian_1", "student", "other_principal"])
def test_people_without_an_administrator_role_cannot_change_memberships(cast: Cast, role: str) -> None:
    actor = cast.person(role)
    assert actor is not None
    with pytest.raises(PermissionDenied):
        m.enrol_student(actor, cast.other_student, cast.class_4a)
    with pytest.raises(PermissionDenied):
        m.end_membership(actor, Guardianship.objects.get(guardian=cast.guardian_1))
    with pytest.raises(PermissionDenied):
        p.create_person(actor, username="x.y", first_name="X", last_name="Y")


def test_the_same_membership_cannot_overlap_itself(cast: Cast) -> None:
    with pytest.raises(ValidationError):
        m.add_guardianship(cast.school_admin, cast.guardian_1, cast.student)
    with pytest.raises(ValidationError):
        m.assign_teaching(cast.school_admin, cast.teacher, cast.class_4a, cast.maths)
    assert Guardianship.objects.filter(guardian=cast.guardian_1).count() == 1


def test_a_membership_can_start_again_after_it_ended(cast: Cast) -> None:
    today = timezone.localdate()
    returning = m.add_guardianship(cast.school_admin, cast.withdrawn_guardian, cast.student, starts_on=today)
    assert returning.is_active()
    assert Guardianship.objects.filter(guardian=cast.withdrawn_guardian).count() == 2


def test_ending_keeps_the_row_and_records_why(cast: Cast) -> None:
    guardianship = Guardianship.objects.get(guardian=cast.guardian_2)
    m.end_membership(cast.school_admin, guardianship, reason="Skyddad identitet")
    guardianship.refresh_from_db()
    assert guardianship.ends_on == timezone.localdate()
    assert guardianship.end_reason == "Skyddad identitet"
    assert not policy.relation_to_student(cast.guardian_2, cast.student).may_read


def test_a_mistaken_membership_withdrawn_on_its_first_day_never_applied(cast: Cast) -> None:
    today = timezone.localdate()
    mistake = m.add_guardianship(cast.school_admin, cast.other_guardian, cast.student, starts_on=today)
    m.end_membership(cast.school_admin, mistake, ends_on=today)
    assert not policy.relation_to_student(cast.other_guardian, cast.student).may_read
    # and it does not block registering the right one later
    m.add_guardianship(cast.school_admin, cast.other_guardian, cast.student, starts_on=today)


def test_end_date_before_start_is_refused_with_a_clear_error(cast: Cast) -> None:
    guardianship = Guardianship.objects.get(guardian=cast.guardian_1)
    with pytest.raises(ValidationError) as error:
        m.end_membership(
            cast.school_admin, guardianship, ends_on=guardianship.starts_on - datetime.timedelta(days=1)
        )
    assert "ends_on" in error.value.message_dict
    guardianship.refresh_from_db()
    assert guardianship.ends_on is None


def test_a_guardian_cannot_be_their_own_ward(cast: Cast) -> None:
    with pytest.raises(ValidationError):
        m.add_guardianship(SYSTEM, cast.student, cast.student)


def test_usernames_are_unique_whatever_the_case(cast: Cast) -> None:
    with pytest.raises(ValidationError):
        p.create_person(SYSTEM, username="Anna.Andersson", first_name="Anna", last_name="A")
