"""Logging in with e-ID and the school account in Chromium, against the development identity
provider running in its own process with keys made for this run (issue 18, "How we will
check it"): the guardian sees her two children; the teacher at level 3 is not asked for a
code, at level 2 he is; an unknown civic number, a tampered signature, an expired assertion,
a wrong audience and a replay are each refused with the right page; single logout ends the
session both ways. The login page with its buttons and the refusal page pass the layout and
axe checks.

The identities are the demo school's people, known to the service through its register
(``tests.support.saml_idp``)."""

from __future__ import annotations

import re
from html import escape
from urllib.parse import parse_qsl

import pytest
from playwright.sync_api import Page, expect

from tests.browser.checks import axe_violations, layout_problems
from tests.browser.support import demo_code
from tests.support.saml_idp import (
    GUARDIAN_EID,
    TEACHER_SCHOOL,
    UNKNOWN_EID,
    SamlIdentityProvider,
)

E_ID_BUTTON = re.compile(r"^(Logga in med e-legitimation|Log in with e-ID)$")
SCHOOL_BUTTON = re.compile(r"^(Logga in med skolkonto|Log in with your school account)$")
LOGOUT_BUTTON = re.compile(r"^(Logga ut|Log out)$")
TEACHER = "lars.berglund"


def sign_in_at_provider(page: Page, label: str, *, loa: str = "3", fault: str = "") -> None:
    """On the provider's page: who, which level, which fault; then back to the service."""
    expect(page.get_by_role("button", name="Logga in")).to_be_visible()
    page.get_by_label(label).check()
    page.get_by_label("Tillitsnivå").select_option(loa)
    page.get_by_label("Fel att framkalla (för test)").select_option(fault)
    page.get_by_role("button", name="Logga in").click()


def saml_log_in(
    page: Page, live_url: str, label: str, *, school: bool = False, loa: str = "3", fault: str = ""
) -> None:
    page.goto("/login/")
    page.get_by_role("link", name=SCHOOL_BUTTON if school else E_ID_BUTTON).click()
    sign_in_at_provider(page, label, loa=loa, fault=fault)
    page.wait_for_url(f"{live_url}/**")


def logged_out(page: Page, live_url: str) -> bool:
    """Whether the start page now sends this browser to the login page."""
    page.goto(f"{live_url}/")
    return page.url.startswith(f"{live_url}/login/")


def refusal(page: Page) -> str | None:
    return page.locator("[data-refusal]").get_attribute("data-refusal")


def checked(page: Page, where: str) -> list[str]:
    problems = []
    for width in (360, 1280):
        page.set_viewport_size({"width": width, "height": 800})
        problems += [f"{where} at {width} px: {problem}" for problem in layout_problems(page)]
        problems += [f"{where} at {width} px: axe {violation}" for violation in axe_violations(page)]
    return problems


def test_guardian_logs_in_with_e_id_and_sees_her_two_children(page: Page, live_url: str) -> None:
    saml_log_in(page, live_url, GUARDIAN_EID)
    page.wait_for_url(f"{live_url}/")
    expect(page.get_by_role("heading", name="Mina barn")).to_be_visible()
    names = page.get_by_test_id("children").locator(".news-card__title a").all_inner_texts()
    assert names == ["Elsa Lindqvist", "Hugo Lindqvist"]


def test_teacher_with_school_account_at_level_3_is_not_asked_for_a_code(page: Page, live_url: str) -> None:
    saml_log_in(page, live_url, TEACHER_SCHOOL, school=True, loa="3")
    page.wait_for_url(f"{live_url}/")
    assert "/login/code/" not in page.url
    expect(page.locator(".signed-in-as")).to_contain_text("Lars Berglund")


def test_teacher_at_level_2_is_asked_for_his_code(page: Page, live_url: str) -> None:
    page.goto("/login/?next=/search/")
    page.get_by_role("link", name=SCHOOL_BUTTON).click()
    sign_in_at_provider(page, TEACHER_SCHOOL, loa="2")
    page.wait_for_url(re.compile(re.escape(f"{live_url}/login/code/") + r"\?next=%2Fsearch%2F$"))
    page.get_by_label("Kod").fill(demo_code(TEACHER))
    page.get_by_role("button", name="Fortsätt").click()
    page.wait_for_url(f"{live_url}/search/")


def test_an_unknown_civic_number_gets_the_page_that_says_whom_to_contact(page: Page, live_url: str) -> None:
    saml_log_in(page, live_url, UNKNOWN_EID)
    page.wait_for_url(f"{live_url}/saml2/acs/")
    assert refusal(page) == "saml_unknown_person"
    expect(page.get_by_role("heading", level=1)).to_have_text(
        re.compile("Vi hittar dig inte i Elevdialog|We cannot find you in Elevdialog")
    )
    expect(page.locator("main")).not_to_contain_text("197904129983")
    assert checked(page, "refusal (unknown person)") == []
    assert logged_out(page, live_url)  # no one logged in


@pytest.mark.parametrize("fault", ["tampered", "expired", "audience"])
def test_a_broken_answer_is_refused(page: Page, live_url: str, fault: str) -> None:
    saml_log_in(page, live_url, GUARDIAN_EID, fault=fault)
    page.wait_for_url(f"{live_url}/saml2/acs/")
    assert refusal(page) == "saml_protocol"
    expect(page.get_by_role("heading", level=1)).to_have_text(
        re.compile("Inloggningen kunde inte godkännas|The login could not be accepted")
    )
    assert logged_out(page, live_url)


def test_a_replayed_answer_is_refused(page: Page, live_url: str) -> None:
    posted: list[str] = []
    page.on(
        "request",
        lambda request: (
            posted.append(request.post_data or "")
            if request.method == "POST" and request.url == f"{live_url}/saml2/acs/"
            else None
        ),
    )
    saml_log_in(page, live_url, GUARDIAN_EID)
    page.wait_for_url(f"{live_url}/")
    page.get_by_role("button", name=LOGOUT_BUTTON).click()
    page.wait_for_url(f"{live_url}/login/")
    # The same answer, posted again from this browser.
    fields = "".join(
        f'<input type="hidden" name="{escape(name)}" value="{escape(value)}">'
        for name, value in parse_qsl(posted[0], keep_blank_values=True)
    )
    page.goto("about:blank")
    page.set_content(
        f'<form method="post" action="{live_url}/saml2/acs/">{fields}<button>Skicka igen</button></form>'
    )
    page.get_by_role("button", name="Skicka igen").click()
    page.wait_for_url(f"{live_url}/saml2/acs/")
    assert refusal(page) == "saml_protocol"
    assert logged_out(page, live_url)


def test_logging_out_here_ends_the_session_at_the_provider_too(
    page: Page, live_url: str, saml_idp: SamlIdentityProvider
) -> None:
    saml_log_in(page, live_url, GUARDIAN_EID)
    page.wait_for_url(f"{live_url}/")
    page.get_by_role("button", name=LOGOUT_BUTTON).click()
    page.wait_for_url(f"{live_url}/login/")
    assert logged_out(page, live_url)
    page.goto(f"{saml_idp.base_url}/eid/")
    expect(page.locator("body")).to_contain_text("Du är inte inloggad")


def test_logging_out_at_the_provider_ends_the_session_here(
    page: Page, live_url: str, saml_idp: SamlIdentityProvider
) -> None:
    saml_log_in(page, live_url, GUARDIAN_EID)
    page.wait_for_url(f"{live_url}/")
    page.goto(f"{saml_idp.base_url}/eid/")
    page.get_by_role("button", name="Logga ut").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Utloggad")
    assert logged_out(page, live_url)


def test_the_login_page_with_its_buttons_passes_the_checks(page: Page, live_url: str) -> None:
    page.goto("/login/?next=/search/")
    for button in (E_ID_BUTTON, SCHOOL_BUTTON):
        link = page.get_by_role("link", name=button)
        expect(link).to_be_visible()
        assert "next=%2Fsearch%2F" in (link.get_attribute("href") or "")
    assert checked(page, "/login/ with the SAML buttons") == []
