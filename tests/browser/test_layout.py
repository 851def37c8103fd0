"""The layout check: every page of the access matrix, as each role of the shared cast may see
it, at phone (360 px) and desktop (1280 px) width. A page fails when it scrolls sideways, when
an element or text runs out of its box (a button, a table cell, a card), when a word in a
table cell is broken in the middle, or when axe finds a WCAG 2.2 A/AA violation. Every page
is photographed to var/screenshots/<role>/<url-name>-<width>.png for a person to look through.

The cast lives beside the demo school in the browser tests' database (see layout_world.py).
"""

from __future__ import annotations

import re
import shutil
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from django.conf import settings
from django.db import connection
from playwright.sync_api import Browser, BrowserContext, Page, Route, expect
from playwright.sync_api import Error as PlaywrightError

from tests.browser.checks import axe_violations, install_axe, layout_problems
from tests.browser.conftest import ROOT
from tests.browser.layout_world import (  # noqa: F401 - fixtures used by name
    LayoutWorld,
    layout_world_fixture,
    logged_in_context,
)
from tests.support.cast import ROLES
from tests.support.clients import verified_client

WIDTHS = (360, 1280)
SCREENSHOTS = ROOT / "var" / "screenshots"


def _file_name(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", name).strip("_")


@pytest.fixture(scope="module", autouse=True)
def _fresh_screenshots() -> None:
    shutil.rmtree(SCREENSHOTS, ignore_errors=True)
    SCREENSHOTS.mkdir(parents=True)


@pytest.mark.parametrize("role", ROLES)
def test_every_page_fits_phone_and_desktop_for_the_role(
    role: str, browser: Browser, live_url: str, layout_world: LayoutWorld
) -> None:
    """Covers the issue's findings 1 (thread names out of their buttons on a desktop),
    2 (words broken in the assessment card's and the talk times' tables on a phone),
    3 (checkboxes drawn as a full-width box), 4 (the notification settings 537 px wide on a
    phone) and 5 (the school administration 817 px wide on a phone)."""
    context = logged_in_context(browser, live_url, layout_world, role)
    install_axe(context)
    page = context.new_page()
    folder = SCREENSHOTS / role
    folder.mkdir(parents=True, exist_ok=True)
    failures: list[str] = []
    try:
        for visit in layout_world.visits_of(role):
            for width in WIDTHS:
                page.set_viewport_size({"width": width, "height": 800})
                try:
                    response = page.goto(visit.url)
                except PlaywrightError as error:
                    if "Download is starting" in str(error):
                        break  # a file sent as a download (an export's ZIP): nothing laid out
                    raise
                assert response is not None
                if "text/html" not in response.headers.get("content-type", ""):
                    break  # a file, a script or JSON: nothing laid out
                where = f"{role} {visit.name} {visit.url} at {width} px"
                if response.status != 200:
                    failures.append(f"{where}: answered {response.status}")
                    continue
                settle(page)
                failures += [f"{where}: {problem}" for problem in layout_problems(page)]
                failures += [
                    f"{where}: axe {violation}"
                    for violation in axe_violations(page)
                    if not _django_admins_own(visit.url, violation)
                ]
                page.screenshot(path=folder / f"{_file_name(visit.name)}-{width}.png", full_page=True)
    finally:
        context.close()
    assert not failures, f"{len(failures)} layout problems:\n" + "\n".join(failures)


# The step-up page ("Bekräfta att det är du") shows only to a session without a recent strong
# login, which the matrix's sessions (all strong) never are: checked here with such sessions,
# for staff (the code form) and for a guardian (no authenticator: how to set one up).
@pytest.mark.parametrize("role", ["registrar", "guardian_1"])
def test_the_step_up_page_fits_phone_and_desktop(
    role: str, browser: Browser, live_url: str, layout_world: LayoutWorld, django_db_blocker: Any
) -> None:
    with django_db_blocker.unblock(), ThreadPoolExecutor(max_workers=1) as pool:
        session = pool.submit(_weak_session, layout_world.cast.person(role)).result()
    context = browser.new_context(base_url=live_url, locale="sv-SE")
    context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": session, "url": live_url}])
    install_axe(context)
    page = context.new_page()
    failures: list[str] = []
    try:
        for width in WIDTHS:
            page.set_viewport_size({"width": width, "height": 800})
            response = page.goto("/login/confirm/?next=%2Farchive%2F")
            assert response is not None
            assert response.status == 200, f"{role}: answered {response.status}"
            expect(page.get_by_test_id("step-up")).to_be_visible()
            settle(page)
            where = f"{role} step-up at {width} px"
            failures += [f"{where}: {problem}" for problem in layout_problems(page)]
            failures += [f"{where}: axe {violation}" for violation in axe_violations(page)]
            folder = SCREENSHOTS / role
            folder.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=folder / f"step-up-{width}.png", full_page=True)
    finally:
        context.close()
    assert not failures, "\n".join(failures)


def _weak_session(user: Any) -> str:
    """A session key of ``user`` logged in without a recent strong login."""
    try:
        return verified_client(user, strong=False).cookies[settings.SESSION_COOKIE_NAME].value
    finally:
        connection.close()


# Django's tabular inlines name their fields by the column's heading, not by a <label>: axe
# reports every inline field. The inlines are the admin's own markup (left to the work on the
# administration's content); everything else in the admin is held to the same rules.
DJANGO_ADMIN_AXE = ("label (critical): #id_", "select-name (critical): #id_")


def _django_admins_own(url: str, violation: str) -> bool:
    return url.startswith("/admin/") and violation.startswith(DJANGO_ADMIN_AXE)


def settle(page: Page) -> None:
    """Fonts loaded and the scripts' first rendering painted."""
    page.evaluate(
        "() => document.fonts.ready.then(() => new Promise((done) => requestAnimationFrame(() => "
        "requestAnimationFrame(done))))"
    )


# --- The check itself finds what it should, and nothing it should not ---------------------


@pytest.fixture
def guardian_page(browser: Browser, live_url: str, layout_world: LayoutWorld) -> Iterator[Page]:
    context: BrowserContext = logged_in_context(browser, live_url, layout_world, "guardian_1")
    page = context.new_page()
    yield page
    context.close()


OVERFLOWING = """() => {
  const main = document.querySelector("main");
  const card = document.createElement("section");
  card.className = "card";
  // 1. A button whose unbreakable label runs out of it.
  const holder = document.createElement("div");
  holder.style.width = "120px";
  const button = document.createElement("button");
  button.className = "button";
  button.style.width = "100%";
  button.style.whiteSpace = "nowrap";
  button.textContent = "Utvecklingssamtalsförberedelser";
  holder.append(button);
  // 2. A table that breaks a word in the middle (narrow cell, break-anywhere wrapping).
  const table = document.createElement("table");
  table.style.width = "4rem";
  table.style.tableLayout = "fixed";
  const cell = table.insertRow().insertCell();
  cell.style.overflowWrap = "anywhere";
  cell.textContent = "Kunskapsnivå";
  // 3. A strip wider than any phone, making the page scroll sideways.
  const strip = document.createElement("div");
  strip.style.width = "900px";
  strip.style.height = "4px";
  card.append(holder, table, strip);
  main.append(card);
}"""

WELL_BEHAVED = """() => {
  const main = document.querySelector("main");
  const card = document.createElement("section");
  card.className = "card";
  // Wide content in a box that scrolls on purpose, and text hidden for screen readers only.
  const scroller = document.createElement("div");
  scroller.className = "table-scroll";
  const wide = document.createElement("table");
  wide.className = "table";
  wide.insertRow().insertCell().textContent = "x".repeat(400);
  scroller.append(wide);
  const hidden = document.createElement("span");
  hidden.className = "visually-hidden";
  hidden.textContent = "En mycket lång text som bara skärmläsare läser upp för den som lyssnar";
  card.append(scroller, hidden);
  main.append(card);
}"""


def test_the_check_finds_each_kind_of_overflow_on_a_page_made_to_overflow(guardian_page: Page) -> None:
    page = guardian_page
    page.set_viewport_size({"width": 360, "height": 800})
    page.goto("/notifications/")
    settle(page)
    page.evaluate(WELL_BEHAVED)
    assert layout_problems(page) == []  # scrolling on purpose and hidden text are no problem
    page.evaluate(OVERFLOWING)
    problems = layout_problems(page)
    print("\n".join(["The layout check on a page made to overflow:", *problems]))
    assert any(p.startswith("page is ") and "in a 360 px viewport" in p for p in problems), problems
    label = 'text "Utvecklingssamtalsförberedelser" runs out of'
    assert any(label in p and "button.button" in p for p in problems), problems
    broken = re.compile(r'word "Kunsk\w*\|\w+" is broken over two lines in .*td')
    assert any(broken.search(p) for p in problems), problems


# --- Findings the layout check does not see by itself ---------------------------------------

# Where the content starts (the top of <main> in the document), frame by frame from the
# first frame that has it, for two seconds; and the page's layout shifts for the record.
WATCH_CONTENT = """
window.__contentTops = [];
window.__layoutShifts = [];
new PerformanceObserver((list) => {
  for (const entry of list.getEntries()) {
    if (!entry.hadRecentInput) window.__layoutShifts.push(entry.value);
  }
}).observe({ type: "layout-shift", buffered: true });
const started = performance.now();
const watch = () => {
  const main = document.getElementById("main");
  if (main) window.__contentTops.push(Math.round(main.getBoundingClientRect().top + window.scrollY));
  if (performance.now() - started < 2000) requestAnimationFrame(watch);
};
requestAnimationFrame(watch);
"""


def test_the_menu_is_drawn_collapsed_from_the_start_on_a_phone(
    browser: Browser, live_url: str, layout_world: LayoutWorld
) -> None:
    """Finding 16: below 412 px the menu was drawn open and app.js collapsed it after load,
    moving the content up 76 px (cumulative layout shift 0.074-0.101). app.js arrives late
    here (a slow network), so the page is painted before it runs."""
    context = logged_in_context(browser, live_url, layout_world, "guardian_1")
    context.add_init_script(WATCH_CONTENT)

    def late_script(route: Route) -> None:
        time.sleep(0.5)
        route.continue_()

    context.route(re.compile(r"/static/frontend/app(\.[0-9a-f]+)?\.js$"), late_script)
    page = context.new_page()
    page.set_viewport_size({"width": 360, "height": 740})
    cast = layout_world.cast
    moves, shifts = {}, {}
    try:
        for path in ("/", f"/students/{cast.student.pk}/", f"/classes/{cast.class_4a.pk}/blog/"):
            page.goto(path)
            page.wait_for_function("window.__contentTops.length > 0")
            page.wait_for_timeout(300)
            tops = page.evaluate("window.__contentTops")
            moves[path] = max(tops) - min(tops)
            shifts[path] = round(sum(page.evaluate("window.__layoutShifts")), 4)
            expect(page.get_by_role("button", name="Meny")).to_be_visible()
            expect(page.get_by_role("link", name="Mitt konto")).to_be_hidden()
        page.get_by_role("button", name="Meny").click()
        expect(page.get_by_role("link", name="Mitt konto")).to_be_visible()
    finally:
        context.close()
    print(f"content moved (px): {moves}; cumulative layout shift (all causes): {shifts}")
    assert all(move == 0 for move in moves.values()), f"the content moved (px): {moves}"


def test_without_javascript_the_menu_is_open_on_a_phone(
    browser: Browser, live_url: str, layout_world: LayoutWorld
) -> None:
    """Finding 16, the other side: drawn collapsed, the menu must still be usable without
    JavaScript (nojs.css draws it open and hides the button that could not open it)."""
    context = browser.new_context(
        base_url=live_url, locale="sv-SE", viewport={"width": 360, "height": 740}, java_script_enabled=False
    )
    session = layout_world.sessions["guardian_1"]
    context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": session, "url": live_url}])
    page = context.new_page()
    try:
        page.goto("/")
        expect(page.get_by_role("link", name="Mitt konto")).to_be_visible()
        expect(page.get_by_role("button", name="Meny")).to_be_hidden()
    finally:
        context.close()


@pytest.mark.parametrize(
    ("missing", "said"),
    [
        ("delete window.PushManager;", "Den här webbläsaren har inget stöd för push."),
        ("delete Navigator.prototype.serviceWorker;", "låter inte Elevdialog köra en service worker"),
    ],
)
def test_push_settings_say_what_the_browser_is_missing(
    missing: str, said: str, browser: Browser, live_url: str, layout_world: LayoutWorld
) -> None:
    """Finding 4: where the browser cannot do push the page said "Push kräver JavaScript"
    although JavaScript was on; it now says what is really missing."""
    context = logged_in_context(browser, live_url, layout_world, "guardian_1")
    context.add_init_script(missing)
    page = context.new_page()
    try:
        page.goto("/notifications/settings/")
        status = page.locator("[data-push-status]")
        expect(status).to_contain_text(said)
        assert "JavaScript" not in status.inner_text()
        expect(page.get_by_role("button", name="Slå på push på den här enheten")).to_be_hidden()
    finally:
        context.close()


def test_checkboxes_sit_beside_their_label(
    browser: Browser, live_url: str, layout_world: LayoutWorld
) -> None:
    """Finding 3: "Videomöte" on the class talks page and the level option of the assessment
    form were drawn as a full-width box above their label."""
    cast = layout_world.cast
    pages = {
        "teacher": (f"/classes/{cast.class_4a.pk}/talks/", "Videomöte"),
        "principal": (f"/schools/{cast.school.pk}/assessment-form/", "En kunskapsnivå"),
    }
    for role, (path, label) in pages.items():
        context = logged_in_context(browser, live_url, layout_world, role)
        page = context.new_page()
        try:
            for width in WIDTHS:
                page.set_viewport_size({"width": width, "height": 800})
                page.goto(path)
                box = page.get_by_label(label).bounding_box()
                text = page.locator("label", has_text=label).bounding_box()
                assert box is not None
                assert text is not None
                assert max(box["width"], box["height"]) <= 24, (path, width, box)
                assert box["y"] < text["y"] + 24, f"{path} at {width} px: the box is above its label"
        finally:
            context.close()


def test_the_assessment_cards_levels_break_no_word_on_a_phone(
    browser: Browser, live_url: str, layout_world: LayoutWorld
) -> None:
    """Finding 2: on a phone the assessment card's table of levels broke words in the middle
    ("Godtagbar|a", "Kunskaps|nivå"): the message bubble's break-anywhere wrapping squeezed
    the table's columns. The card is in the subject's thread, not on the page's first view."""
    context = logged_in_context(browser, live_url, layout_world, "guardian_1")
    page = context.new_page()
    try:
        page.set_viewport_size({"width": 360, "height": 800})
        page.goto(f"/students/{layout_world.cast.student.pk}/")
        page.locator("[data-thread-link]", has_text=re.compile(r"^\s*Matematik")).click()
        levels = page.locator("table.levels").last
        expect(levels).to_contain_text("Mer än godtagbara")
        settle(page)
        page.screenshot(path=SCREENSHOTS / "guardian_1" / "student-maths-thread-360.png", full_page=True)
        assert layout_problems(page) == []
    finally:
        context.close()
