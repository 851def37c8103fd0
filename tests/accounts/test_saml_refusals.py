"""What a SAML login refuses, and how: a clear page with the right status, one log line with a
reason code and the issuer, nothing of the assertion anywhere in the log, no one logged in.
The broken answers come from the real identity provider (``--faults``)."""

from __future__ import annotations

import logging

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import SeenAssertion
from accounts.saml import replay
from tests.accounts import saml_flow as f
from tests.support.cast import Cast
from tests.support.clients import verified_client
from tests.support.saml_idp import SamlIdentityProvider


def assert_refused(response: object, reason: str, status: int, client: Client) -> None:
    assert response.status_code == status  # type: ignore[attr-defined]
    assert f'data-refusal="{reason}"' in response.content.decode()  # type: ignore[attr-defined]
    assert "_auth_user_id" not in client.session


def assert_log_holds_nothing_of_the_assertion(caplog: pytest.LogCaptureFixture) -> None:
    text = caplog.text
    for secret in (
        f.GUARDIAN_CIVIC,
        f.UNKNOWN_CIVIC,
        f.FORMER_CIVIC,
        f.OTHER_GUARDIAN_CIVIC,
        f.TEACHER_CIVIC,
    ):
        assert secret not in text
        assert secret[2:8] not in text  # not even the date of birth
    for name in f.ASSERTION_NAMES:
        assert name not in text


def refusal_lines(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.getMessage().startswith("SAML login refused")]


@pytest.fixture(autouse=True)
def _capture(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG, logger="elevdialog.security")


def test_an_unknown_civic_number_gets_the_page_that_says_whom_to_contact(
    saml: SamlIdentityProvider, caplog: pytest.LogCaptureFixture
) -> None:
    flow = f.Flow(saml)
    response = flow.log_in(f.UNKNOWN)
    assert_refused(response, "saml_unknown_person", 403, flow.client)
    page = response.content.decode()
    assert "expedition" in page or "school's office" in page
    assert refusal_lines(caplog) == [
        f"SAML login refused: saml_unknown_person (saml_unknown_person), issuer '{saml.entity_id('eid')}'"
    ]
    assert_log_holds_nothing_of_the_assertion(caplog)


def test_an_inactive_account_is_refused(saml: SamlIdentityProvider, caplog: pytest.LogCaptureFixture) -> None:
    flow = f.Flow(saml)
    assert_refused(flow.log_in(f.FORMER), "saml_inactive", 403, flow.client)
    assert_log_holds_nothing_of_the_assertion(caplog)


@pytest.mark.parametrize(
    ("fault", "reason"),
    [("tampered", "bad_signature"), ("expired", "expired"), ("audience", "wrong_audience")],
)
def test_a_broken_answer_is_refused(
    saml: SamlIdentityProvider, caplog: pytest.LogCaptureFixture, fault: str, reason: str
) -> None:
    flow = f.Flow(saml)
    response = flow.log_in(f.GUARDIAN, fault=fault)
    assert_refused(response, "saml_protocol", 400, flow.client)
    lines = refusal_lines(caplog)
    assert len(lines) == 1
    assert f"saml_protocol ({reason})" in lines[0], lines
    assert saml.entity_id("eid") in lines[0]
    assert_log_holds_nothing_of_the_assertion(caplog)


def test_the_same_answer_posted_twice_is_refused(
    saml: SamlIdentityProvider, caplog: pytest.LogCaptureFixture
) -> None:
    flow = f.Flow(saml)
    answer = flow.sign_in(flow.start(), f.GUARDIAN)
    assert answer.post_to(flow.client).status_code == 302
    flow.client.post(reverse("logout"))
    again = answer.post_to(flow.client)
    assert_refused(again, "saml_protocol", 400, flow.client)
    assert_log_holds_nothing_of_the_assertion(caplog)


def test_an_answer_taken_to_another_browser_is_refused(saml: SamlIdentityProvider) -> None:
    flow = f.Flow(saml)
    answer = flow.sign_in(flow.start(), f.GUARDIAN)
    thief = f.Flow(saml)
    thief.start()  # a login of its own under way: still not the request this answers
    assert_refused(answer.post_to(thief.client), "saml_protocol", 400, thief.client)
    # ... and the answer was not spent by the thief's attempt:
    assert answer.post_to(flow.client).status_code == 302


def test_an_answer_replayed_with_the_browser_state_copied_is_refused(
    saml: SamlIdentityProvider, caplog: pytest.LogCaptureFixture
) -> None:
    # Even where the outstanding request is still known (a copied SAML session), an assertion
    # is accepted once.
    flow = f.Flow(saml)
    answer = flow.sign_in(flow.start(), f.GUARDIAN)
    copy = Client()
    copy.cookies["saml_session"] = flow.client.cookies["saml_session"].value
    stored = dict(Client().session.__class__(flow.client.cookies["saml_session"].value).load())
    assert answer.post_to(flow.client).status_code == 302
    restored = Client().session.__class__(flow.client.cookies["saml_session"].value)
    restored.update(stored)
    restored.save()
    assert_refused(answer.post_to(copy), "saml_protocol", 400, copy)
    assert "saml_protocol (replay)" in refusal_lines(caplog)[-1]


def test_an_unsolicited_answer_is_refused(
    saml: SamlIdentityProvider, caplog: pytest.LogCaptureFixture
) -> None:
    flow = f.Flow(saml)
    answer = flow.sign_in(flow.start(), f.GUARDIAN)
    stranger = Client()
    assert_refused(answer.post_to(stranger), "saml_protocol", 400, stranger)
    assert "saml_protocol (unsolicited)" in refusal_lines(caplog)[-1]


def test_a_post_without_a_response_or_with_rubbish_is_refused(saml: SamlIdentityProvider) -> None:
    client = Client()
    assert_refused(client.post(reverse("saml-acs"), {}), "saml_protocol", 400, client)
    assert_refused(
        client.post(reverse("saml-acs"), {"SAMLResponse": "bm90IHhtbA=="}), "saml_protocol", 400, client
    )


def test_step_up_with_someone_elses_e_id_is_refused(
    saml: SamlIdentityProvider, cast: Cast, caplog: pytest.LogCaptureFixture
) -> None:
    client = verified_client(cast.guardian_1, strong=False)
    flow = f.Flow(saml, client)
    response = flow.log_in(f.OTHER_GUARDIAN, step_up=True, next_url="/archive/")
    assert response.status_code == 403
    assert 'data-refusal="saml_someone_else"' in response.content.decode()
    assert int(client.session["_auth_user_id"]) == cast.guardian_1.pk  # still who she was
    assert "elevdialog_strong_login_at" not in client.session
    assert_log_holds_nothing_of_the_assertion(caplog)


def test_step_up_with_ones_own_e_id_records_a_strong_login_and_continues(
    saml: SamlIdentityProvider, cast: Cast
) -> None:
    client = verified_client(cast.teacher, strong=False)
    flow = f.Flow(saml, client)
    response = flow.sign_in(flow.start(next_url="/archive/", step_up=True), f.TEACHER_EID).post_to(client)
    assert response.status_code == 302
    assert response["Location"] == "/archive/"
    assert int(client.session["_auth_user_id"]) == cast.teacher.pk
    assert client.session["elevdialog_strong_login_method"] == "eid"


def test_step_up_asks_the_provider_to_authenticate_again(saml: SamlIdentityProvider, cast: Cast) -> None:
    import base64
    import zlib
    from urllib.parse import parse_qs, urlsplit

    flow = f.Flow(saml, verified_client(cast.teacher, strong=False))
    request = parse_qs(urlsplit(flow.start(step_up=True)).query)["SAMLRequest"][0]
    xml = zlib.decompress(base64.b64decode(request), -15).decode()
    assert 'ForceAuthn="true"' in xml
    plain = parse_qs(urlsplit(f.Flow(saml).start()).query)["SAMLRequest"][0]
    assert 'ForceAuthn="true"' not in zlib.decompress(base64.b64decode(plain), -15).decode()


def test_seen_assertions_are_kept_until_they_expire_then_forgotten(db: None) -> None:
    assert replay.remember_assertion("_abc", "https://idp.example/", "2000-01-01T00:00:00Z")
    assert replay.remember_assertion("_def", "https://idp.example/", "2999-01-01T00:00:00Z")
    assert not replay.remember_assertion("_def", "https://idp.example/", "2999-01-01T00:00:00Z")
    # The expired one went on the way (an id that can no longer be accepted anyway).
    assert list(SeenAssertion.objects.values_list("assertion_id", flat=True)) == ["_def"]
    assert replay.forget_expired() == 0


def test_nothing_of_the_assertion_reaches_the_log_even_at_debug_level(
    saml: SamlIdentityProvider, cast: Cast, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    for label, fault in [(f.GUARDIAN, ""), (f.UNKNOWN, ""), (f.GUARDIAN, "tampered"), (f.FORMER, "expired")]:
        f.Flow(saml).log_in(label, fault=fault)
    step_up = f.Flow(saml, verified_client(cast.guardian_1, strong=False))
    step_up.log_in(f.OTHER_GUARDIAN, step_up=True)
    assert len(refusal_lines(caplog)) == 4
    assert_log_holds_nothing_of_the_assertion(caplog)


def test_the_worker_forgets_expired_assertion_ids(db: None) -> None:
    from notifications.kinds import periodic_jobs

    (job,) = [job for job in periodic_jobs() if job.name == "accounts.saml_seen_assertions"]
    replay.remember_assertion("_old", "https://idp.example/", "2000-01-01T00:00:00Z")
    job.run()
    assert not SeenAssertion.objects.exists()
