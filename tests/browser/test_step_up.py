"""The step-up in the browser (issue 18): the registrar logs in with her password and her
one-time code; a quarter of an hour later (her session's strong login aged past 15 minutes,
in the session store), opening the archive asks "Bekräfta att det är du"; she enters a new
code and lands on the archive, which then opens without asking again. A guardian without an
authenticator confirms with her e-ID instead (the development identity provider), and her
form, refused until then, works after it. The step-up page passes the layout and axe checks,
with a wrong code too."""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any
from urllib.parse import quote

import pytest
from django.conf import settings
from django.contrib.sessions.backends.db import SessionStore
from django.db import connection
from playwright.sync_api import Page, expect

from accounts.actions.strength import STRONG_LOGIN_AT_KEY
from tests.browser.checks import axe_violations, layout_problems
from tests.browser.support import demo_code, log_in
from tests.browser.test_saml_login import E_ID_BUTTON, sign_in_at_provider
from tests.support.saml_idp import GUARDIAN_EID

REGISTRAR = "birgitta.sundstrom"


@pytest.fixture
def age_strong_login(live_url: str, django_db_blocker: Any) -> Callable[[str, int], None]:
    """Makes a session's strong login ``minutes`` old, in the session as the server stores it
    (Django's database sessions). On a thread of its own: Playwright's sync API runs an event
    loop on the test's thread, where Django refuses database work."""

    def edit(session_key: str, minutes: int) -> None:
        try:
            session = SessionStore(session_key=session_key)
            assert session.get(STRONG_LOGIN_AT_KEY), "the code login recorded no strong login"
            session[STRONG_LOGIN_AT_KEY] = int(time.time()) - minutes * 60
            session.save()
        finally:
            connection.close()

    def age(session_key: str, minutes: int) -> None:
        with django_db_blocker.unblock(), ThreadPoolExecutor(max_workers=1) as pool:
            pool.submit(edit, session_key, minutes).result()

    return age


def _session_key(page: Page) -> str:
    cookies = {cookie["name"]: cookie["value"] for cookie in page.context.cookies()}
    return cookies[settings.SESSION_COOKIE_NAME]


def _checked(page: Page, where: str) -> list[str]:
    problems = []
    for width in (360, 1280):
        page.set_viewport_size({"width": width, "height": 800})
        problems += [f"{where} at {width} px: {problem}" for problem in layout_problems(page)]
        problems += [f"{where} at {width} px: axe {violation}" for violation in axe_violations(page)]
    page.set_viewport_size({"width": 1280, "height": 800})
    return problems


def test_the_registrar_confirms_with_a_code_and_lands_on_the_archive(
    page: Page, age_strong_login: Callable[[str, int], None]
) -> None:
    log_in(page, REGISTRAR, staff=True)
    page.goto("/archive/")
    expect(page.get_by_role("heading", name="Arkiv", exact=True)).to_be_visible()  # the code was strong

    age_strong_login(_session_key(page), 16)
    page.goto("/archive/")
    page.wait_for_url(f"**/login/confirm/?next={quote('/archive/', safe='')}")
    expect(page.get_by_test_id("step-up")).to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_have_text("Bekräfta att det är du")
    problems = _checked(page, "step-up page")

    page.get_by_label("Kod").fill("000000")
    page.get_by_role("button", name="Fortsätt").click()
    expect(page.locator(".field--invalid").first).to_be_visible()
    problems += _checked(page, "step-up page with a wrong code")
    assert problems == []

    time.sleep(1.5)  # a wrong code pauses the authenticator for a second
    page.get_by_label("Kod").fill(demo_code(REGISTRAR))
    page.get_by_role("button", name="Fortsätt").click()
    page.wait_for_url("**/archive/")
    expect(page.get_by_role("heading", name="Arkiv", exact=True)).to_be_visible()

    # Strong again: the archive opens again without a second question.
    page.goto("/archive/")
    expect(page.get_by_role("heading", name="Arkiv", exact=True)).to_be_visible()
    expect(page.get_by_test_id("step-up")).to_have_count(0)


def test_the_guardian_confirms_with_her_e_id_and_then_asks_for_the_copy(page: Page, live_url: str) -> None:
    """Sofia logs in with her password only (she has no authenticator). Asking for a copy of
    everything about Elsa sends her to the step-up page, which offers her e-ID (and how to set
    up an authenticator); after the e-ID at level 3 she is back on "My data", where nothing
    was made yet, and asking again makes the copy."""
    log_in(page, "sofia.lindqvist")
    page.goto("/my-data/")
    page.get_by_role("button", name="Ladda ned allt om Elsa").click()
    page.wait_for_url(f"**/login/confirm/?next={quote('/my-data/', safe='')}")
    expect(page.get_by_test_id("step-up-no-authenticator")).to_be_visible()
    expect(page.get_by_test_id("step-up-code")).to_have_count(0)
    assert _checked(page, "step-up page without an authenticator") == []

    page.get_by_role("link", name=E_ID_BUTTON).click()
    sign_in_at_provider(page, GUARDIAN_EID)
    page.wait_for_url(f"{live_url}/my-data/")
    expect(page.locator("[id^=export-]")).to_have_count(0)  # nothing was made before
    page.get_by_role("button", name="Ladda ned allt om Elsa").click()
    page.wait_for_url(re.compile(r".*/my-data/#export-\d+$"))
