"""Development talks as people use them: the mentor of 4A opens times in the browser, a
separated guardian books one on her phone, the other guardian joins it, and the talk's
card appears on the student's page and updates live.

The pages are found by their test ids and form fields rather than by their words, so the
test reads the same in Swedish and English.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable

from playwright.sync_api import Page, expect

from tests.browser.servers import (  # noqa: F401 - fixtures used by name
    Person,
    open_as_fixture,
    restartable_server_fixture,
    sessions_fixture,
)
from tests.browser.test_accessibility import axe_violations
from tests.browser.test_dialogue import Dialogue, overflowing

OpenAs = Callable[..., Person]


def open_alva(page: Page) -> None:
    page.goto("/")
    page.get_by_test_id("children").get_by_role("link", name="Alva Eriksson").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Alva Eriksson")


def test_a_guardian_books_a_talk_on_her_phone_and_its_card_appears_on_the_page(open_as: OpenAs) -> None:
    day = (datetime.date.today() + datetime.timedelta(days=9)).isoformat()
    problems: list[str] = []

    # The mentor opens two 30-minute times, 13:00 and 13:30.
    lars = open_as("lars.berglund").page
    lars.get_by_test_id("classes").get_by_role("link", name=re.compile(r"^(Klass|Class) 4A$")).click()
    lars.get_by_test_id("class-talks-link").click()
    form = lars.get_by_test_id("open-slots")
    form.locator("#slot-day").fill(day)
    form.locator("#slot-start").fill("13:00")
    form.locator("#slot-until").fill("14:00")
    form.locator("#slot-place").fill("Klassrum 4A")
    form.locator("button[type=submit]").click()
    slots = lars.get_by_test_id("class-slots").locator("tbody tr")
    expect(slots).to_have_count(2)
    problems += [f"class talks: {v}" for v in axe_violations(lars)]

    # Sara books the first one on her phone, from Alva's page.
    sara = open_as("sara.lind", width=360, height=740).page
    open_alva(sara)
    sara.get_by_test_id("talks-link").click()
    free = sara.get_by_test_id("free-slots").locator("li").filter(has_text="13:00")
    expect(free).to_have_count(1)
    assert overflowing(sara, 360) == []
    problems += [f"booking page: {v}" for v in axe_violations(sara)]
    free.locator("button[type=submit]").click()
    booked = sara.get_by_test_id("talks").get_by_test_id("talk").filter(has_text="13:00")
    expect(booked).to_have_count(1)
    expect(booked.get_by_test_id("talk-coming")).to_have_text("Sara Lind")
    expect(sara.get_by_test_id("free-slots").locator("li").filter(has_text="13:00")).to_have_count(0)
    assert overflowing(sara, 360) == []

    # The talk has its own thread on Alva's page, with the card.
    open_alva(sara)
    sara.locator("[data-thread-link]").filter(has_text=day).click()
    dialogue = Dialogue(sara)
    dialogue.expect_online()
    talk_card = dialogue.timeline.locator("[data-card^='talk-']")
    expect(talk_card).to_have_count(1)
    expect(talk_card).to_contain_text("Sara Lind")
    expect(talk_card).to_contain_text("Klassrum 4A")
    assert overflowing(sara, 360) == []

    # Johan joins the talk Sara booked; her open page shows him coming without a reload.
    johan = open_as("johan.eriksson").page
    open_alva(johan)
    johan.get_by_test_id("talks-link").click()
    johan.get_by_test_id("talks").get_by_test_id("talk").filter(has_text="13:00").locator(
        "form[action$='/join/'] button"
    ).click()
    expect(johan.get_by_test_id("talks").get_by_test_id("talk-coming")).to_have_text(
        "Sara Lind, Johan Eriksson"
    )
    expect(talk_card).to_contain_text("Johan Eriksson")

    # The talk page: preparation beforehand.
    sara.goto(talk_card.locator("a.card-item__link").get_attribute("href") or "/")
    sara.locator("#prep-body").fill("Hur går det med läsningen?")
    sara.locator("#preparation button[type=submit]").first.click()
    expect(sara.get_by_test_id("talk-preparations")).to_contain_text("Hur går det med läsningen?")
    problems += [f"talk page: {v}" for v in axe_violations(sara)]
    assert problems == []
