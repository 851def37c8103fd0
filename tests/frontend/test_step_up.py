"""The step-up (issue 18, point 3): opening the archive, producing an export and reviewing and
releasing a public record need a strong login within the last 15 minutes. Without one a page
sends the person to "Bekräfta att det är du" and comes back after it; a form does nothing and
comes back to the page it was on; a script gets the one JSON error shape. Those who may not see
the page get the outsiders' 404, never the question. An archive's opening is logged only once
the page is shown."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.actions.strength import STRONG_LOGIN_AT_KEY
from dialogue.actions.messages import post_message
from dialogue.actions.pages import page_of
from dialogue.models import Thread
from records.models import DataExport, Masking, Opening, ReleaseRequest
from records.release import actions as release_actions
from tests.accounts.flows import code_for, wrong_code_for
from tests.support.cast import ROLES, STAFF_ROLES, Cast
from tests.support.clients import JSON, STEP_UP, asked_for_step_up, verified_client
from tests.support.releases import ground, mask_passage, register

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("module_cast")]  # one cast per module


def _message(cast: Cast) -> Any:
    page = page_of(cast.student)
    thread = page.threads.get(kind=Thread.Kind.GENERAL)
    message, _payload = post_message(
        cast.guardian_1,
        page,
        thread_id=thread.pk,
        body="Anna går hos kuratorn varje vecka.",
        client_id=uuid.uuid4(),
    )
    return message


def _decided(cast: Cast) -> ReleaseRequest:
    request = register(cast, kinds=["assessments"])
    return release_actions.decide_release(cast.registrar, request.pk, outcome=ReleaseRequest.Outcome.FULL)


# --- Pages (GET) ---------------------------------------------------------------------------


def _pages(cast: Cast) -> dict[str, str]:
    """Every sensitive page, for the registrar (who may open each)."""
    release = register(cast, kinds=["messages"])
    decided = _decided(cast)
    return {
        "archive": reverse("archive"),
        "archived page": reverse("student", args=[cast.left_student.pk]),
        "registrar exports": reverse("registrar-exports"),
        "review": reverse("release", args=[release.pk]),
        "preview": reverse("release-preview", args=[release.pk]),
        "file": reverse("release-file", args=[decided.pk, "copy.pdf"]),
    }


def test_each_sensitive_page_asks_for_a_strong_login_and_opens_after_one(cast: Cast) -> None:
    weak = verified_client(cast.registrar, strong=False)
    strong = verified_client(cast.registrar)
    for name, url in _pages(cast).items():
        query = f"{url}?thread=1" if name == "archived page" else url
        assert asked_for_step_up(weak.get(query)) == query, name  # back to the same URL, query and all
        assert strong.get(url).status_code == 200, name


def test_nothing_is_logged_until_the_archive_is_shown(cast: Cast) -> None:
    url = reverse("student", args=[cast.left_student.pk])

    def openings() -> list[str]:
        rows = Opening.objects.filter(student_id=cast.left_student.pk, viewer_id=cast.registrar.pk)
        return list(rows.values_list("what", flat=True))

    weak = verified_client(cast.registrar, strong=False)
    asked_for_step_up(weak.get(url))
    assert openings() == []
    assert verified_client(cast.registrar).get(url).status_code == 200
    assert openings() == ["archive"]


def test_the_student_who_left_reads_her_own_archive_without_a_step_up(cast: Cast) -> None:
    """Her own records (and her guardians'): the question is for the school opening them."""
    client = verified_client(cast.left_student, strong=False)
    assert client.get(reverse("student", args=[cast.left_student.pk])).status_code == 200


def test_a_strong_login_older_than_fifteen_minutes_is_asked_again(cast: Cast) -> None:
    assert settings.STRONG_LOGIN_MAX_AGE_SECONDS == 15 * 60
    client = verified_client(cast.registrar)
    url = reverse("archive")

    def aged(minutes: int) -> None:
        session = client.session
        session[STRONG_LOGIN_AT_KEY] = int(time.time()) - minutes * 60
        session.save()

    aged(14)
    assert client.get(url).status_code == 200
    aged(16)
    assert asked_for_step_up(client.get(url)) == url


# --- Forms (POST) --------------------------------------------------------------------------


@dataclass
class Form:
    """A sensitive form: who sends it, where, what, the page it is on, and what would have
    changed had it been done."""

    sender: str
    url: str
    data: dict[str, str]
    page: str
    state: Callable[[], object]


def _forms(cast: Cast) -> dict[str, Form]:
    message = _message(cast)
    release = register(cast, kinds=["messages"])
    masking = mask_passage(cast.registrar, release, message, "kuratorn")
    decided = _decided(cast)
    review = reverse("release", args=[release.pk])

    def maskings() -> object:
        return sorted(Masking.objects.filter(request=release).values_list("pk", flat=True))

    def release_state(pk: int) -> Callable[[], object]:
        return lambda: (
            ReleaseRequest.objects.filter(pk=pk).values_list("status", "outcome", "delivered_at").get()
        )

    def exports() -> object:
        return DataExport.objects.count()

    return {
        "export": Form(
            "guardian_1",
            reverse("export-request"),
            {"scope": "student", "subject": str(cast.student.pk)},
            reverse("my-data"),
            exports,
        ),
        "registrar export": Form(
            "registrar",
            reverse("registrar-exports"),
            {"student": str(cast.student.pk), "reference": "DNR 2026-17"},
            reverse("registrar-exports"),
            exports,
        ),
        "mask": Form(
            "registrar",
            reverse("release-mask", args=[release.pk]),
            {
                "form": "whole",
                "document": "message",
                "document_id": str(message.pk),
                "ground": str(ground().pk),
            },
            review,
            maskings,
        ),
        "unmask": Form(
            "registrar", reverse("release-unmask", args=[release.pk, masking.pk]), {}, review, maskings
        ),
        "decide": Form(
            "registrar",
            reverse("release-decide", args=[release.pk]),
            {"outcome": "masked"},
            review,
            release_state(release.pk),
        ),
        "delivered": Form(
            "registrar",
            reverse("release-delivered", args=[decided.pk]),
            {},
            reverse("release", args=[decided.pk]),
            release_state(decided.pk),
        ),
    }


def test_a_sensitive_form_does_nothing_and_comes_back_to_its_page_after_the_step_up(cast: Cast) -> None:
    for name, form in _forms(cast).items():
        client = verified_client(cast.person(form.sender), strong=False)
        before = form.state()
        # From the page (a Referer on this site): back to that page, as it was.
        on_page = f"{form.page}?from=form"
        sent = client.post(form.url, form.data, headers={"Referer": f"http://testserver{on_page}"})
        assert asked_for_step_up(sent) == on_page, name
        # Without a Referer, or one from another site: back to the form's own page.
        assert asked_for_step_up(client.post(form.url, form.data)) == form.page, name
        evil = client.post(form.url, form.data, headers={"Referer": "https://evil.example/records/"})
        assert asked_for_step_up(evil) == form.page, name
        assert form.state() == before, f"{name}: something was done without the step-up"
        # With a strong login the same form does its work.
        done = verified_client(cast.person(form.sender)).post(form.url, form.data)
        assert done.status_code == 302, name
        assert urlsplit(done["Location"]).path != STEP_UP, name
        assert form.state() != before, f"{name}: nothing was done with a strong login"


def test_a_script_gets_the_one_error_shape_with_the_step_up_page(cast: Cast) -> None:
    form = _forms(cast)["mask"]
    before = form.state()
    client = verified_client(cast.registrar, strong=False)
    response = client.post(form.url, form.data, headers={**JSON, "Referer": f"http://testserver{form.page}"})
    assert response.status_code == 403
    body = response.json()
    assert set(body) == {"error"}
    error = body["error"]
    assert error["code"] == "strong_login_needed"
    assert error["message"]
    assert urlsplit(error["step_up_url"]).path == STEP_UP
    assert parse_qs(urlsplit(error["step_up_url"]).query)["next"] == [form.page]
    assert form.state() == before
    archive = client.get(reverse("archive"), headers=JSON)
    assert archive.status_code == 403
    assert archive.json()["error"]["code"] == "strong_login_needed"


# --- Who may not see the page ----------------------------------------------------------------


def test_those_who_may_not_see_a_page_get_404_never_the_question(cast: Cast) -> None:
    """Asked without a strong login too: the step-up page would tell them the thing exists."""
    pages = _pages(cast)
    forms = _forms(cast)
    outsiders = [role for role in ROLES if role not in {"anonymous", "registrar", "principal"}]
    for role in outsiders:
        client = verified_client(cast.person(role), strong=False)
        for name, url in pages.items():
            if name == "archived page" and role == "left_student":
                continue  # her own page
            if name == "archive" and role == "other_principal":
                continue  # her own school's (empty) archive
            assert client.get(url).status_code == 404, f"{role} {name}"
        for name, form in forms.items():
            if name == "export":
                continue  # everyone has "My data"; the action answers for the subject
            assert client.post(form.url, form.data).status_code == 404, f"{role} {name}"
    for name, url in pages.items():
        assert Client().get(url).status_code == 302, name  # anonymous: to the login page


def test_the_principal_of_another_school_gets_404_for_a_request_not_hers(cast: Cast) -> None:
    client = verified_client(cast.other_principal, strong=False)
    release = register(cast, kinds=["messages"])
    assert client.get(reverse("release", args=[release.pk])).status_code == 404
    assert client.get(reverse("release", args=[10**9])).status_code == 404
    assert asked_for_step_up(client.get(reverse("archive"))) == reverse("archive")  # her own school's


# --- The step-up page ------------------------------------------------------------------------


def test_the_code_on_the_step_up_page_continues_to_next(cast: Cast) -> None:
    client = verified_client(cast.registrar, strong=False)
    device = TOTPDevice.objects.get(user=cast.registrar, confirmed=True)
    archive = reverse("archive")
    asked = client.get(archive)
    page = client.get(asked["Location"])
    assert page.status_code == 200
    html = page.content.decode()
    assert 'data-testid="step-up"' in html
    assert f'name="next" value="{archive}"' in html
    assert 'data-testid="step-up-code"' in html
    wrong = client.post(STEP_UP, {"code": wrong_code_for(device), "next": archive})
    assert wrong.status_code == 400
    assert 'aria-invalid="true"' in wrong.content.decode() or "field--invalid" in wrong.content.decode()
    asked_for_step_up(client.get(archive))
    time.sleep(2)  # a wrong code pauses the authenticator for a second (django-otp)
    right = client.post(STEP_UP, {"code": code_for(device), "next": archive})
    assert right.status_code == 302
    assert right["Location"] == archive
    assert client.get(archive).status_code == 200


def test_an_unsafe_next_is_dropped(cast: Cast) -> None:
    client = verified_client(cast.registrar, strong=False)
    device = TOTPDevice.objects.get(user=cast.registrar, confirmed=True)
    for target in ("https://evil.example/", "//evil.example/archive/", "archive"):
        page = client.get(STEP_UP, {"next": target})
        assert page.status_code == 200
        assert f'name="next" value="{reverse("start")}"' in page.content.decode()
    right = client.post(f"{STEP_UP}?next=https://evil.example/", {"code": code_for(device)})
    assert right.status_code == 302
    assert right["Location"] == reverse("start")
    # Already strong: straight on, but never off the site.
    assert client.get(STEP_UP, {"next": "https://evil.example/"})["Location"] == reverse("start")
    assert client.get(STEP_UP, {"next": "/archive/"})["Location"] == "/archive/"


def test_every_role_without_a_recent_strong_login_gets_the_step_up_page(cast: Cast) -> None:
    """Staff (all with an authenticator) are offered the code; the family, who have none,
    are told how to set one up. Anonymous visitors are sent to log in."""
    for role in ROLES:
        person = cast.person(role)
        response = verified_client(person, strong=False).get(STEP_UP, {"next": "/my-data/"})
        if person is None:
            assert response.status_code == 302
            assert urlsplit(response["Location"]).path == reverse("login")
            continue
        assert response.status_code == 200, role
        assert "no-store" in response["Cache-Control"], role
        html = response.content.decode()
        if role in STAFF_ROLES:
            assert 'data-testid="step-up-code"' in html, role
        else:
            assert 'data-testid="step-up-no-authenticator"' in html, role
            assert f"{reverse('otp-setup')}?next=%2Fmy-data%2F" in html, role


def test_a_recent_strong_login_goes_straight_on(cast: Cast) -> None:
    client = verified_client(cast.guardian_1)
    assert client.get(STEP_UP, {"next": "/my-data/"})["Location"] == "/my-data/"
    assert client.get(STEP_UP)["Location"] == reverse("start")
