"""Automated accessibility check (axe-core, WCAG 2.2 A and AA rules) of every page of the
site's own UI, for a family member and for staff. The Django admin is Django's own."""

from __future__ import annotations

import datetime

import pytest
from playwright.sync_api import Page, expect

from tests.browser.checks import AXE, axe_violations
from tests.browser.support import demo_code, log_in


def check(page: Page, path: str) -> list[str]:
    page.goto(path)
    return [f"{path}: {violation}" for violation in axe_violations(page)]


@pytest.fixture(autouse=True)
def _axe_installed() -> None:
    if not AXE.exists():
        pytest.fail("axe-core is missing: `make test` installs it with npm ci.")


def test_pages_a_guardian_uses_have_no_accessibility_violations(page: Page) -> None:
    problems = check(page, "/login/")
    page.get_by_label("Användarnamn").fill("x")
    page.get_by_role("button", name="Logga in").click()  # a form showing errors
    problems += [f"/login/ with errors: {v}" for v in axe_violations(page)]
    log_in(page, "sofia.lindqvist")
    problems += check(page, "/")
    page.get_by_role("link", name="Elsa Lindqvist").click()
    problems += [f"student page: {v}" for v in axe_violations(page)]
    page.get_by_role("link", name="Utvecklingsplan (IUP)").click()
    problems += [f"plan page: {v}" for v in axe_violations(page)]
    page.get_by_test_id("goals-link").click()
    problems += [f"goals page: {v}" for v in axe_violations(page)]
    page.locator("details.goal-form").evaluate("form => { form.open = true; }")
    page.locator("#new-goal-text").fill("Läsa mer. " * 120)  # too long: comes back with the reason
    page.get_by_test_id("goal-propose-form").locator('button[type="submit"]').click()
    expect(page.get_by_test_id("form-error")).to_be_visible()
    problems += [f"goals page with a refused proposal: {v}" for v in axe_violations(page)]
    page.get_by_test_id("self-assessments-link").click()
    problems += [f"self-assessments page: {v}" for v in axe_violations(page)]
    # The account pages, the notification settings and the step-up without an authenticator
    # are the same for every guardian: test_layout.py runs axe on them for its guardian
    # (the access matrix's pages, and the step-up test) at both widths.
    for path in (
        "/students/999999/",
        "/notifications/",  # the demo guardian has notifications; the layout's guardian none
        "/search/?q=hemma",  # results with highlights
        "/search/?q=%25%25",  # a query of symbols only: the reason shown
    ):
        problems += check(page, path)
    # Private threads (issue 16): the form that starts one (empty, then sent without a
    # title: its errors), and the thread it starts, with who reads it.
    page.goto("/")
    page.get_by_role("link", name="Elsa Lindqvist").click()
    page.get_by_test_id("new-thread").click()
    problems += [f"new conversation: {v}" for v in axe_violations(page)]
    page.get_by_role("button", name="Starta samtalet").click()
    expect(page.locator(".field--invalid").first).to_be_visible()
    problems += [f"new conversation with errors: {v}" for v in axe_violations(page)]
    page.get_by_label("Rubrik").fill("Hämtning på onsdagar")
    page.get_by_label("Bara jag och skolan").check()
    page.get_by_label("Första meddelandet").fill("Hej! Elsa hämtas av sin morfar på onsdag.")
    page.get_by_role("button", name="Starta samtalet").click()
    expect(page.get_by_test_id("thread-readers")).to_contain_text("Syns för Sofia Lindqvist och skolan")
    problems += [f"private thread: {v}" for v in axe_violations(page)]
    page.set_viewport_size({"width": 360, "height": 740})
    problems += check(page, "/")
    assert problems == []


def test_pages_staff_use_have_no_accessibility_violations(page: Page) -> None:
    page.goto("/login/")
    page.get_by_label("Användarnamn").fill("eva.lindgren")
    page.get_by_label("Lösenord").fill("elevdialog-demo")
    page.get_by_role("button", name="Logga in").click()
    problems = [f"code page: {v}" for v in axe_violations(page)]
    page.get_by_label("Kod").fill(demo_code("eva.lindgren"))
    page.get_by_role("button", name="Fortsätt").click()
    page.wait_for_url("**/")
    problems += check(page, "/")
    page.get_by_role("link", name="Björkbackaskolan").click()
    problems += [f"school page: {v}" for v in axe_violations(page)]
    page.get_by_role("link", name="Uppföljning").click()
    problems += [f"follow-up page: {v}" for v in axe_violations(page)]
    page.go_back()
    page.get_by_role("link", name="Form för skriftliga omdömen").click()
    problems += [f"assessment form page: {v}" for v in axe_violations(page)]
    page.go_back()
    page.get_by_role("link", name="4A").click()
    problems += [f"class page: {v}" for v in axe_violations(page)]
    page.get_by_test_id("roster").get_by_role("link", name="Elsa Lindqvist").click()
    page.get_by_test_id("goals-link").click()
    problems += [f"goals page (principal): {v}" for v in axe_violations(page)]
    # The notification settings with working hours instead of quiet hours: test_layout.py
    # runs axe on them for every staff role of the access matrix.
    assert problems == []


def test_the_teachers_assessment_flow_has_no_accessibility_violations(page: Page) -> None:
    log_in(page, "ahmed.hassan", staff=True)
    page.get_by_test_id("classes").get_by_role("link", name="Klass 4A").click()
    page.get_by_role("link", name="Skriv omdömen i Matematik").click()
    problems = [f"assessment flow: {v}" for v in axe_violations(page)]
    page.set_viewport_size({"width": 360, "height": 740})
    problems += [f"assessment flow, phone: {v}" for v in axe_violations(page)]
    assert problems == []


def test_the_special_support_pages_have_no_accessibility_violations(page: Page) -> None:
    """Through the forms, on Alva's page: the mentor records an adaptation and (after a
    refused try) a report; the principal decides to investigate and then not to write a
    programme; the guardian reads the appeal and gives a view. Each page checked by axe."""
    later = (datetime.date.today() + datetime.timedelta(days=14)).isoformat()
    log_in(page, "lars.berglund", staff=True)
    page.get_by_test_id("classes").get_by_role("link", name="Klass 4A").click()
    page.get_by_test_id("roster").get_by_role("link", name="Alva Eriksson").click()
    page.get_by_test_id("support-link").click()
    problems = [f"support page (mentor): {v}" for v in axe_violations(page)]
    page.locator("#adaptation-subject").select_option(label="Svenska")
    page.locator("#adaptation-description").fill("Texterna i förväg.")
    page.locator("#adaptation-follow-up").fill(later)
    page.get_by_role("button", name="Dokumentera anpassningen").click()
    page.get_by_role("button", name="Skicka anmälan till rektor").click()  # nothing written: refused
    problems += [f"support page with a refused report: {v}" for v in axe_violations(page)]
    page.locator("#report-observations").fill("Alva tappar sammanhanget i längre texter.")
    page.get_by_role("button", name="Skicka anmälan till rektor").click()
    expect(page.get_by_test_id("support-stage")).to_be_visible()
    problems += [f"case page (mentor): {v}" for v in axe_violations(page)]
    case_url = page.url
    page.context.clear_cookies()
    log_in(page, "eva.lindgren", staff=True)
    page.goto(case_url)
    problems += [f"case page (principal, to decide): {v}" for v in axe_violations(page)]
    page.get_by_label("Behovet utreds", exact=True).check()
    page.locator("#investigator").select_option(label="Lars Berglund")
    page.locator("#investigate-by").fill(later)
    page.get_by_role("button", name="Spara beslutet").click()
    problems += [f"case page (principal, investigating): {v}" for v in axe_violations(page)]
    page.get_by_label("Inget åtgärdsprogram upprättas", exact=True).check()
    page.locator("#outcome-summary").fill("Anpassningarna räcker.")
    page.locator("#outcome-grounds").fill("Alva når kunskapskraven med anpassningarna.")
    page.get_by_role("button", name="Spara beslutet").click()
    expect(page.get_by_test_id("appeal")).to_be_visible()
    page.context.clear_cookies()
    log_in(page, "sara.lind")
    page.goto(case_url)
    expect(page.get_by_test_id("appeal")).to_be_visible()
    page.locator("#view-body").fill("Vi vill vara med när ni följer upp.")
    page.get_by_role("button", name="Lämna synpunkt").click()
    expect(page.get_by_test_id("support-views")).to_contain_text("Vi vill vara med")
    problems += [f"decision without a programme (guardian): {v}" for v in axe_violations(page)]
    page.set_viewport_size({"width": 360, "height": 740})
    problems += [f"decision without a programme, phone: {v}" for v in axe_violations(page)]
    # The card in the report's own thread, drawn by the browser, carries the appeal's date.
    page.get_by_role("link", name="Samtal om anmälan").click()
    expect(page.locator("[data-support-appeal]")).to_be_visible()
    expect(page.locator("[data-support-stage]")).to_have_attribute("data-support-stage", "no_programme")
    assert problems == []
