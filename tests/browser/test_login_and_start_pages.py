"""Logging in as each demo role and seeing the right start page."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

from playwright.sync_api import Page, expect

from tests.browser.servers import (  # noqa: F401 - fixtures used by name
    Person,
    open_as_fixture,
    restartable_server_fixture,
    sessions_fixture,
)
from tests.browser.support import demo_code, log_in
from tests.browser.test_dialogue import token

OpenAs = Callable[..., Person]
SCREENSHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots"

# Links whose text (as textContent gives it, hidden parts included) starts or ends with
# white space: drawn with an underlined space at the start or end.
PADDED_LINKS = """Array.from(document.querySelectorAll("main a"))
    .map((link) => link.textContent)
    .filter((text) => text !== text.trim())"""
# Cards whose content is wider than the card (a word or a table running out of it).
OVERFLOWING_CARDS = """Array.from(document.querySelectorAll(".news-card"))
    .filter((card) => card.scrollWidth > card.clientWidth + 1)
    .map((card) => card.textContent.trim().slice(0, 60))"""


def tile_names(page: Page, section: str) -> list[str]:
    """The names heading the cards of a section of the start page (children, classes, schools)."""
    return page.get_by_test_id(section).locator(".news-card__title a").all_inner_texts()


def test_guardian_with_two_children_sees_both_and_nobody_elses(page: Page) -> None:
    log_in(page, "sofia.lindqvist")
    expect(page.get_by_role("heading", name="Mina barn")).to_be_visible()
    assert tile_names(page, "children") == ["Elsa Lindqvist", "Hugo Lindqvist"]
    expect(page.get_by_test_id("children")).to_contain_text("Klass 4A, Björkbackaskolan")
    expect(page.get_by_test_id("children")).to_contain_text("Klass 5B, Björkbackaskolan")
    # No class lists or school pages for a guardian.
    expect(page.get_by_test_id("classes")).to_have_count(0)
    expect(page.get_by_test_id("schools")).to_have_count(0)

    page.get_by_role("link", name="Hugo Lindqvist").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Hugo Lindqvist")
    visible_to = page.get_by_test_id("visible-to")
    expect(visible_to).to_contain_text("Sofia Lindqvist")
    expect(visible_to).to_contain_text("Karin Nordin")  # mentor of 5B

    # Another child's page answers exactly like a page that does not exist.
    hugo_id = int(re.search(r"/students/(\d+)/", page.url).group(1))  # type: ignore[union-attr]
    for other_id in (hugo_id + 1, 999_999):  # hugo_id + 1 is Alva Eriksson (seed order)
        response = page.goto(f"/students/{other_id}/")
        assert response is not None
        assert response.status == 404
        expect(page.get_by_role("heading", level=1)).to_have_text("Sidan kunde inte hittas")


def test_separated_guardian_sees_the_one_child(page: Page) -> None:
    log_in(page, "sara.lind")
    assert tile_names(page, "children") == ["Alva Eriksson"]
    page.get_by_role("link", name="Alva Eriksson").click()
    visible_to = page.get_by_test_id("visible-to")
    expect(visible_to).to_contain_text("Johan Eriksson")  # the other home
    expect(visible_to).to_contain_text("Sara Lind")


def test_student_sees_own_page_only(page: Page) -> None:
    log_in(page, "elsa.lindqvist")
    expect(page.get_by_role("heading", name="Min sida")).to_be_visible()
    expect(page.get_by_text("Klass 4A, Björkbackaskolan")).to_be_visible()
    page.get_by_role("link", name="Min utvecklingsplan och dialog").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Elsa Lindqvist")


def test_mentor_needs_a_code_and_then_sees_the_class(page: Page) -> None:
    page.goto("/login/")
    page.get_by_label("Användarnamn").fill("Lars.Berglund")  # capitalised by a phone keyboard
    page.get_by_label("Lösenord").fill("elevdialog-demo")
    page.get_by_role("button", name="Logga in").click()
    expect(page.get_by_role("heading", name="Ange din engångskod")).to_be_visible()
    page.get_by_label("Kod").fill("000000")
    page.get_by_role("button", name="Fortsätt").click()
    expect(page.get_by_text("Koden var inte rätt eller har redan använts.")).to_be_visible()
    page.wait_for_timeout(1100)  # after a wrong code the next try is allowed after a second
    page.get_by_label("Kod").fill(demo_code("lars.berglund"))
    page.get_by_role("button", name="Fortsätt").click()
    page.wait_for_url("**/")
    assert tile_names(page, "classes") == ["Klass 4A"]
    expect(page.get_by_test_id("classes")).to_contain_text("Mentor")
    expect(page.get_by_test_id("classes")).to_contain_text("25 elever")
    page.get_by_role("link", name="Klass 4A").click()
    expect(page.get_by_test_id("roster").get_by_role("link")).to_have_count(25)


def test_teacher_of_two_classes_sees_both(page: Page) -> None:
    log_in(page, "ahmed.hassan", staff=True)
    assert tile_names(page, "classes") == ["Klass 4A", "Klass 5B"]
    expect(page.get_by_test_id("classes").first).to_contain_text("Matematik")


def test_principal_sees_the_school(page: Page) -> None:
    log_in(page, "eva.lindgren", staff=True)
    assert tile_names(page, "schools") == ["Björkbackaskolan"]
    page.get_by_role("link", name="Björkbackaskolan").click()
    rows = page.get_by_test_id("school-classes").locator("tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.nth(0)).to_contain_text("4A")
    expect(rows.nth(1)).to_contain_text("5B")


def test_school_administrator_reaches_the_administration(page: Page) -> None:
    log_in(page, "maria.holm", staff=True)
    page.get_by_role("link", name="Personer, klasser och medlemskap").click()
    expect(page.get_by_role("heading", name="Personer och medlemskap")).to_be_visible()
    page.get_by_role("link", name="Personer", exact=True).click()
    expect(page.locator("#result_list")).to_contain_text("Lindqvist")


def test_switching_to_english_is_remembered_after_logging_in_again(page: Page) -> None:
    log_in(page, "sofia.lindqvist")
    page.get_by_role("button", name="English").click()
    expect(page.get_by_role("heading", name="My children")).to_be_visible()
    page.get_by_role("button", name="Log out").click()
    page.context.clear_cookies()
    page.goto("/login/")
    page.get_by_label("Användarnamn").fill("sofia.lindqvist")
    page.get_by_label("Lösenord").fill("elevdialog-demo")
    page.get_by_role("button", name="Logga in").click()
    expect(page.get_by_role("heading", name="My children")).to_be_visible()
    page.get_by_role("button", name="Svenska").click()
    expect(page.get_by_role("heading", name="Mina barn")).to_be_visible()


def test_start_page_fits_a_360_pixel_phone(page: Page) -> None:
    page.set_viewport_size({"width": 360, "height": 740})
    log_in(page, "sofia.lindqvist")
    expect(page.get_by_role("button", name="Meny")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    page.get_by_role("button", name="Meny").click()
    expect(page.get_by_role("link", name="Mitt konto")).to_be_visible()


def test_guardian_sees_what_is_new_per_child_on_a_phone_and_a_desktop(open_as: OpenAs) -> None:
    # Ahmed (maths in 4A and 5B) writes twice in Hugo's maths thread.
    ahmed = open_as("ahmed.hassan").page
    ahmed.get_by_test_id("classes").get_by_role("link", name="Klass 5B").click()
    ahmed.get_by_test_id("roster").get_by_role("link", name="Hugo Lindqvist").click()
    ahmed.locator("[data-thread-link]").filter(has_text="Matematik").click()
    tag = token("start")
    for text in (f"Vi börjar med bråk på måndag. {tag}", f"Ta med miniräknaren. {tag}"):
        ahmed.locator("[data-composer-body]").fill(text)
        ahmed.get_by_role("button", name="Skicka").click()
        expect(
            ahmed.get_by_test_id("timeline").locator("li.message").filter(has_text=text)
        ).to_have_attribute("id", re.compile(r"^m-\d+$"))

    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    sofia = open_as("sofia.lindqvist", width=360, height=740).page
    sofia.goto("/")
    hugo = sofia.get_by_test_id("children").locator("article").filter(has_text="Hugo Lindqvist")
    maths = hugo.locator(".news__item").filter(has_text="Matematik")
    expect(maths).to_contain_text(re.compile(r"\d+ nya meddelanden"))
    expect(hugo.get_by_test_id("unread")).to_be_visible()
    elsa = sofia.get_by_test_id("children").locator("article").filter(has_text="Elsa Lindqvist")
    expect(elsa).to_be_visible()
    assert sofia.evaluate("document.documentElement.scrollWidth") <= 360
    assert sofia.evaluate(OVERFLOWING_CARDS) == []
    assert sofia.evaluate(PADDED_LINKS) == []
    sofia.screenshot(path=str(SCREENSHOTS / "start-guardian-360.png"), full_page=True)

    # On a desktop the children stand side by side.
    sofia.set_viewport_size({"width": 1280, "height": 900})
    assert sofia.evaluate("document.documentElement.scrollWidth") <= 1280
    assert sofia.evaluate(OVERFLOWING_CARDS) == []
    elsa_box, hugo_box = elsa.bounding_box(), hugo.bounding_box()
    assert elsa_box is not None
    assert hugo_box is not None
    assert elsa_box["y"] == hugo_box["y"]
    assert elsa_box["x"] < hugo_box["x"]
    sofia.screenshot(path=str(SCREENSHOTS / "start-guardian-1280.png"), full_page=True)

    # Reading the thread makes it old news.
    maths.get_by_role("link", name="Matematik").click()
    expect(sofia.get_by_test_id("timeline")).to_contain_text(tag)
    expect(sofia.locator("[data-thread-link][aria-current=page] [data-unread-for]")).to_be_hidden()
    for _attempt in range(20):  # the page tells the server it was read over its socket
        sofia.goto("/")
        if hugo.locator(".news__item").filter(has_text="Matematik").count() == 0:
            break
        sofia.wait_for_timeout(250)
    expect(hugo.locator(".news__item").filter(has_text="Matematik")).to_have_count(0)

    # The inbox has one line for both messages, and no link in it starts with a space.
    sofia.goto("/notifications/")
    line = sofia.get_by_test_id("inbox").locator("li").filter(has_text="från Ahmed Hassan i Matematik").first
    expect(line).to_contain_text(re.compile(r"\d+ nya meddelanden från Ahmed Hassan i Matematik"))
    assert sofia.evaluate(PADDED_LINKS) == []


def test_teacher_and_principal_start_pages_fit_a_phone(open_as: OpenAs) -> None:
    for username, section in (("ahmed.hassan", "classes"), ("eva.lindgren", "schools")):
        page = open_as(username, width=360, height=740).page
        expect(page.get_by_test_id(section)).to_be_visible()
        assert page.evaluate("document.documentElement.scrollWidth") <= 360
        assert page.evaluate(OVERFLOWING_CARDS) == []
        assert page.evaluate(PADDED_LINKS) == []
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / f"start-{section}-360.png"), full_page=True)
