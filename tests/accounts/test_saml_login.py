"""Logging in with e-ID and school accounts through the real views, against a real identity
provider in its own process: matching on the civic number and the school account, the level
of assurance deciding whether the one-time code is still asked, ``next`` kept safe."""

from __future__ import annotations

from typing import Any

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.actions.strength import has_recent_strong_login, session_is_assured
from accounts.saml.logout import LOGIN_KEY
from tests.accounts import saml_flow as f
from tests.support.cast import Cast
from tests.support.saml_idp import SamlIdentityProvider


def logged_in_as(client: Client) -> int | None:
    user_id = client.session.get("_auth_user_id")
    return int(user_id) if user_id is not None else None


def test_guardian_logs_in_with_e_id_and_sees_her_child(saml: SamlIdentityProvider, cast: Cast) -> None:
    flow = f.Flow(saml)
    response = flow.log_in(f.GUARDIAN)
    assert response.status_code == 302
    assert response["Location"] == reverse("start")
    assert logged_in_as(flow.client) == cast.guardian_1.pk
    assert has_recent_strong_login(flow.client.session)
    assert response.cookies["django_language"].value == cast.guardian_1.language
    start = flow.client.get(reverse("start"))
    assert start.status_code == 200
    assert cast.student.first_name in start.content.decode()


def test_teacher_at_level_3_with_school_account_is_not_asked_for_a_code(
    saml: SamlIdentityProvider, cast: Cast
) -> None:
    TOTPDevice.objects.create(user=cast.teacher, name="authenticator", confirmed=True)
    flow = f.Flow(saml)
    response = flow.log_in(f.TEACHER_SCHOOL, "school", loa="3")
    assert response.status_code == 302
    assert response["Location"] == reverse("start")
    assert logged_in_as(flow.client) == cast.teacher.pk
    assert session_is_assured(flow.client.session)
    assert flow.client.session["elevdialog_strong_login_method"] == "school"
    page = flow.client.get(reverse("student", args=[cast.student.pk]))
    assert page.status_code == 200


def test_school_account_matches_whatever_the_letter_case(saml: SamlIdentityProvider, cast: Cast) -> None:
    # The register holds the name lower-cased; the provider sends it as it likes.
    flow = f.Flow(saml)
    assert flow.log_in(f.TEACHER_SCHOOL, "school").status_code == 302
    assert logged_in_as(flow.client) == cast.teacher.pk


def test_teacher_at_level_2_is_sent_to_the_code_step(saml: SamlIdentityProvider, cast: Cast) -> None:
    TOTPDevice.objects.create(user=cast.teacher, name="authenticator", confirmed=True)
    flow = f.Flow(saml)
    response = flow.log_in(f.TEACHER_EID, loa="2", next_url="/archive/")
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('otp-verify')}?next=%2Farchive%2F"
    assert logged_in_as(flow.client) == cast.teacher.pk
    assert not session_is_assured(flow.client.session)
    assert not has_recent_strong_login(flow.client.session)
    # Until the code, staff reach nothing.
    assert flow.client.get(reverse("student", args=[cast.student.pk])).status_code == 302


def test_teacher_without_authenticator_at_level_2_is_sent_to_set_one_up(
    saml: SamlIdentityProvider, cast: Cast
) -> None:
    response = f.Flow(saml).log_in(f.TEACHER_EID, loa="2")
    assert response["Location"].startswith(reverse("otp-setup"))


def test_guardian_at_level_2_is_logged_in_without_a_strong_login(
    saml: SamlIdentityProvider, cast: Cast
) -> None:
    flow = f.Flow(saml)
    response = flow.log_in(f.GUARDIAN, loa="2")
    assert response["Location"] == reverse("start")
    assert logged_in_as(flow.client) == cast.guardian_1.pk
    assert not has_recent_strong_login(flow.client.session)


def test_next_travels_through_the_provider(saml: SamlIdentityProvider, cast: Cast) -> None:
    target = reverse("student", args=[cast.student.pk]) + "?tab=goals"
    response = f.Flow(saml).log_in(f.GUARDIAN, next_url=target)
    assert response["Location"] == target


def test_an_external_next_is_dropped(saml: SamlIdentityProvider) -> None:
    flow = f.Flow(saml)
    location = flow.start(next_url="https://evil.example/phish")
    assert "evil.example" not in location
    response = flow.sign_in(location, f.GUARDIAN).post_to(flow.client)
    assert response["Location"] == reverse("start")


def test_a_changed_relay_state_does_not_redirect_elsewhere(saml: SamlIdentityProvider) -> None:
    # The next page is the one kept with this browser's request, not the posted RelayState.
    flow = f.Flow(saml)
    answer = flow.sign_in(flow.start(next_url="/archive/"), f.GUARDIAN)
    answer.relay_state = "https://evil.example/"
    assert answer.post_to(flow.client)["Location"] == "/archive/"


def test_the_session_key_changes_and_remembers_the_provider(saml: SamlIdentityProvider) -> None:
    flow = f.Flow(saml)
    flow.client.get(reverse("login"))
    before = flow.client.cookies.get("sessionid")
    flow.log_in(f.GUARDIAN)
    after = flow.client.cookies["sessionid"].value
    assert before is None or before.value != after
    remembered = flow.client.session[LOGIN_KEY]
    assert remembered["issuer"] == saml.entity_id("eid")
    assert f.GUARDIAN_CIVIC not in str(remembered)


def test_a_person_whose_memberships_all_ended_lands_on_the_start_page(
    saml: SamlIdentityProvider, cast: Cast
) -> None:
    from accounts.actions import SYSTEM
    from accounts.actions import identity as ident

    ident.set_civic_number(SYSTEM, cast.withdrawn_guardian, f.civic_number("19811111", "222"))
    # Not among the provider's identities: give the guardian's number to the withdrawn one.
    ident.set_civic_number(SYSTEM, cast.guardian_1, None)
    ident.set_civic_number(SYSTEM, cast.withdrawn_guardian, f.GUARDIAN_CIVIC)
    flow = f.Flow(saml)
    response = flow.log_in(f.GUARDIAN)
    assert response["Location"] == reverse("start")
    assert logged_in_as(flow.client) == cast.withdrawn_guardian.pk
    assert flow.client.get(reverse("start")).status_code == 200


def test_an_already_logged_in_person_is_sent_on_without_a_new_login(
    saml: SamlIdentityProvider, cast: Cast, client_for: object
) -> None:
    from tests.support.clients import verified_client

    client = verified_client(cast.guardian_1)
    response = client.get(reverse("saml-login"), {"idp": saml.entity_id("eid"), "next": "/archive/"})
    assert response.status_code == 302
    assert response["Location"] == "/archive/"


def test_an_unknown_provider_is_not_found(saml: SamlIdentityProvider) -> None:
    response = Client().get(reverse("saml-login"), {"idp": "https://unknown.example/idp"})
    assert response.status_code == 404


def test_the_login_page_offers_both_providers_and_keeps_next(saml: SamlIdentityProvider) -> None:
    page = Client().get(reverse("login"), {"next": "/archive/"}).content.decode()
    assert "Log in with e-ID" in page or "Logga in med e-legitimation" in page
    assert "Log in with your school account" in page or "Logga in med skolkonto" in page
    assert "next=%2Farchive%2F" in page


def test_the_service_metadata_is_served(saml: SamlIdentityProvider) -> None:
    response = Client().get(reverse("saml-metadata"))
    assert response.status_code == 200
    body = response.content.decode()
    assert "/saml2/acs/" in body
    assert "/saml2/ls/" in body
    assert "X509Certificate" in body
    assert "public" in response["Cache-Control"]
    assert "no-store" not in response["Cache-Control"]


def test_the_buttons_cost_the_login_page_no_query(saml: SamlIdentityProvider, settings: Any) -> None:
    def queries() -> int:
        client = Client()
        client.get(reverse("login"))
        with CaptureQueriesContext(connection) as captured:
            assert client.get(reverse("login")).status_code == 200
        return len(captured)

    with_buttons = queries()
    settings.SAML_IDENTITY_PROVIDERS = ()
    assert queries() == with_buttons
