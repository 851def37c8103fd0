"""Protected identities and civic numbers: who the policy lets see a protected person's name
and anyone's civic number, for every role of the cast."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser
from django.utils import translation

from accounts import policy
from accounts.actions import SYSTEM, identity
from accounts.models import SecurityMarking, User
from tests.support.cast import ROLES, Cast

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("module_cast")]  # one cast per module

# A student's name: the student, the guardians in force and the student's staff.
SEE_STUDENT = {
    "student",
    "guardian_1",
    "guardian_2",
    "teacher",
    "principal",
    "registrar",
    "school_admin",
    "operator",
}
# A guardian's name: the guardian, their child and the child's staff; never the other guardian.
SEE_GUARDIAN = {"guardian_1", "student", "teacher", "principal", "registrar", "school_admin", "operator"}


def _viewer(cast: Cast, role: str) -> policy.AnyUser:
    return cast.person(role) or AnonymousUser()


def _protect(person: User, marking: str = SecurityMarking.PROTECTED_REGISTRATION) -> User:
    return identity.set_security_marking(SYSTEM, person, marking)


@pytest.mark.parametrize("role", ROLES)
def test_protected_students_name_is_shown_only_to_those_who_need_it(cast: Cast, role: str) -> None:
    student = _protect(cast.student)
    viewer = _viewer(cast, role)
    assert policy.may_see_name(viewer, student) is (role in SEE_STUDENT)
    hidden = policy.names_hidden_from(viewer, [student.pk])
    with translation.override("en"):
        expected = "Anna Andersson" if role in SEE_STUDENT else "A student"
        assert policy.shown_name(student, hidden) == expected
    with translation.override("sv"):
        assert role in SEE_STUDENT or policy.shown_name(student, hidden) == "En elev"


@pytest.mark.parametrize("role", ROLES)
def test_protected_guardians_name_is_shown_only_to_those_who_need_it(cast: Cast, role: str) -> None:
    guardian = _protect(cast.guardian_1, SecurityMarking.CONFIDENTIAL)
    viewer = _viewer(cast, role)
    assert policy.may_see_name(viewer, guardian) is (role in SEE_GUARDIAN)
    with translation.override("en"):
        expected = "Karin Andersson" if role in SEE_GUARDIAN else "A guardian"
        assert policy.shown_name(guardian, policy.names_hidden_from(viewer, [guardian.pk])) == expected
    with translation.override("sv"):
        shown = policy.shown_name(guardian, policy.names_hidden_from(viewer, [guardian.pk]))
        assert role in SEE_GUARDIAN or shown == "En vårdnadshavare"


@pytest.mark.parametrize("role", ROLES)
def test_the_inverse_question_agrees_for_every_role(cast: Cast, role: str) -> None:
    student = _protect(cast.student)
    guardian = _protect(cast.guardian_1)
    viewer = cast.person(role)
    if viewer is None:
        return
    assert (viewer.pk not in policy.name_hidden_from_viewers(student, [viewer.pk])) is (role in SEE_STUDENT)
    assert (viewer.pk not in policy.name_hidden_from_viewers(guardian, [viewer.pk])) is (role in SEE_GUARDIAN)


def test_an_unprotected_person_is_named_to_everyone(cast: Cast) -> None:
    assert policy.names_hidden_from(cast.other_guardian, [cast.student.pk, cast.guardian_1.pk]) == {}
    assert policy.may_see_name(AnonymousUser(), cast.student)


def test_protected_staff_are_named_as_usual(cast: Cast) -> None:
    teacher = _protect(cast.teacher)
    assert policy.may_see_name(cast.other_guardian, teacher)


def test_a_whole_list_is_answered_in_a_fixed_number_of_queries(
    cast: Cast, django_assert_num_queries: object
) -> None:
    everyone = [cast.person(role).pk for role in ROLES if cast.person(role) is not None]  # type: ignore[union-attr]
    with django_assert_num_queries(1):  # type: ignore[operator]
        assert policy.names_hidden_from(cast.other_guardian, everyone) == {}
    _protect(cast.student)
    _protect(cast.guardian_1)
    _protect(cast.other_student)
    with django_assert_num_queries(3):  # type: ignore[operator]
        hidden = policy.names_hidden_from(cast.guardian_2, everyone)
    assert set(hidden) == {cast.guardian_1.pk, cast.other_student.pk}


def test_withdrawn_guardianship_ends_the_right_to_the_name(cast: Cast) -> None:
    student = _protect(cast.student)
    assert not policy.may_see_name(cast.withdrawn_guardian, student)
    assert policy.may_see_name(cast.guardian_2, student)


CIVIC = {"school_admin", "registrar", "operator"}


@pytest.mark.parametrize("role", ROLES)
def test_civic_numbers_are_seen_only_by_school_administrators_and_registrar(cast: Cast, role: str) -> None:
    viewer = _viewer(cast, role)
    assert policy.may_see_civic_number(viewer, cast.student) is (role in CIVIC)
    # A guardian's number: the school administrator (and the platform's operator) only.
    assert policy.may_see_civic_number(viewer, cast.guardian_1) is (role in {"school_admin", "operator"})
