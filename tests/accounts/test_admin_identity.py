"""The school administrator and protected identities: the person list shows who is protected
(a column and a filter "Skyddade personuppgifter"), and the person page shows and sets the
civic number and the marking through the identity actions."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from accounts import civic
from accounts.actions import SYSTEM, identity
from accounts.models import SecurityMarking, User
from tests.accounts.test_admin import form_data, html, person_url
from tests.support.cast import Cast
from tests.support.clients import verified_client

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("module_cast")]  # one cast per module

NUMBER = "201506152386"
OTHER_NUMBER = "198112189876"


@pytest.fixture
def admin(cast: Cast) -> Client:
    return verified_client(cast.school_admin)


def _list(admin: Client, query: str = "") -> str:
    with translation.override("sv"):
        response = admin.get(reverse("admin:accounts_user_changelist") + query)
    assert response.status_code == 200
    return html(response)


def test_the_person_list_shows_who_is_protected_and_filters_them(cast: Cast, admin: Client) -> None:
    identity.set_security_marking(SYSTEM, cast.student, SecurityMarking.PROTECTED_REGISTRATION)
    identity.set_security_marking(SYSTEM, cast.guardian_1, SecurityMarking.CONFIDENTIAL)
    page = _list(admin)
    assert "Skyddade personuppgifter" in page
    assert "Skyddad folkbokföring" in page
    assert "Sekretessmarkering" in page
    with translation.override("sv"):
        listed = admin.get(reverse("admin:accounts_user_changelist") + "?protected=yes").context["cl"]
    assert {person.pk for person in listed.result_list} == {cast.student.pk, cast.guardian_1.pk}
    with translation.override("sv"):
        listed = admin.get(
            reverse("admin:accounts_user_changelist") + "?protected=Sekretessmarkering"
        ).context["cl"]
    assert [person.pk for person in listed.result_list] == [cast.guardian_1.pk]


def test_the_person_list_costs_the_same_with_the_column(cast: Cast, admin: Client) -> None:
    identity.set_security_marking(SYSTEM, cast.student, SecurityMarking.PROTECTED_REGISTRATION)
    url = reverse("admin:accounts_user_changelist")
    admin.get(url)
    with CaptureQueriesContext(connection) as captured:
        assert admin.get(url).status_code == 200
    before = len(captured)
    identity.set_security_marking(SYSTEM, cast.guardian_1, SecurityMarking.CONFIDENTIAL)
    identity.set_security_marking(SYSTEM, cast.other_student, SecurityMarking.CONFIDENTIAL)
    with CaptureQueriesContext(connection) as captured:
        assert admin.get(url).status_code == 200
    # The marking is a column of the person: more protected people ask nothing more.
    assert len(captured) == before


def test_the_person_page_shows_the_civic_number_and_the_marking(cast: Cast, admin: Client) -> None:
    identity.set_civic_number(SYSTEM, cast.student, NUMBER)
    identity.set_security_marking(SYSTEM, cast.student, SecurityMarking.CONFIDENTIAL)
    with translation.override("sv"):
        response = admin.get(person_url(cast.student))
    page = html(response)
    assert civic.formatted(NUMBER) in page
    assert "Personnummer" in page
    assert "Skyddade personuppgifter" in page
    assert response.context["adminform"].form["marking"].value() == SecurityMarking.CONFIDENTIAL


def test_the_administrator_sets_the_civic_number_and_the_marking(cast: Cast, admin: Client) -> None:
    data = form_data(admin.get(person_url(cast.student)))
    data["civic_number_text"] = "150615-2386"
    data["marking"] = SecurityMarking.PROTECTED_REGISTRATION
    response = admin.post(person_url(cast.student), data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    student = User.objects.get(pk=cast.student.pk)
    assert student.civic_number == NUMBER
    assert student.security_marking == SecurityMarking.PROTECTED_REGISTRATION
    # Cleared again.
    data = form_data(admin.get(person_url(cast.student)))
    data["civic_number_text"] = ""
    data["marking"] = SecurityMarking.NONE
    assert admin.post(person_url(cast.student), data).status_code == 302
    student.refresh_from_db()
    assert student.civic_number is None
    assert not student.is_protected


def test_a_bad_or_taken_civic_number_is_a_form_error_that_does_not_repeat_it(
    cast: Cast, admin: Client
) -> None:
    identity.set_civic_number(SYSTEM, cast.guardian_1, OTHER_NUMBER)
    data = form_data(admin.get(person_url(cast.student)))
    data["civic_number_text"] = "20150615-2387"  # the control digit is wrong
    with translation.override("sv"):
        response = admin.post(person_url(cast.student), data)
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors["civic_number_text"]
    assert errors == ["Det är inte ett giltigt personnummer."]
    data["civic_number_text"] = OTHER_NUMBER
    with translation.override("sv"):
        response = admin.post(person_url(cast.student), data)
    assert response.context["adminform"].form.errors["civic_number_text"] == [
        "En annan person har redan det personnumret."
    ]
    assert User.objects.get(pk=cast.student.pk).civic_number is None


def test_the_list_does_not_search_civic_numbers_and_outsiders_never_reach_the_page(cast: Cast) -> None:
    """A search term is part of the list's URL, so the number is not searchable; another
    school's principal has no administration (the access matrix covers every role)."""
    identity.set_civic_number(SYSTEM, cast.student, NUMBER)
    response = verified_client(cast.school_admin).get(reverse("admin:accounts_user_changelist") + "?q=2015")
    assert list(response.context["cl"].result_list) == []
    assert verified_client(cast.other_principal).get(person_url(cast.student)).status_code == 403
