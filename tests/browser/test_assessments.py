"""Written assessments as people use them: the maths teacher writes in the class flow with
the keyboard and a phrase, publishes, and a guardian who already has the page open sees the
card arrive without reloading."""

from __future__ import annotations

import re
from collections.abc import Callable

from playwright.sync_api import expect

from tests.browser.servers import (  # noqa: F401 - fixtures used by name
    Person,
    open_as_fixture,
    restartable_server_fixture,
    sessions_fixture,
)
from tests.browser.test_dialogue import open_elsa, token

OpenAs = Callable[..., Person]


def test_a_published_assessment_appears_live_on_the_guardians_open_page(open_as: OpenAs) -> None:
    sofia = open_elsa(open_as("sofia.lindqvist").page, "sofia.lindqvist", thread="Matematik")
    cards_before = sofia.timeline.locator("li.message--card").count()

    teacher = open_as("ahmed.hassan").page
    teacher.get_by_test_id("classes").get_by_role("link", name="Klass 4A").click()
    teacher.get_by_test_id("assessment-links").get_by_role("link", name="Skriv omdömen i Matematik").click()
    expect(teacher.get_by_role("heading", level=1)).to_have_text("Skriftliga omdömen i Matematik, klass 4A")

    elsa = teacher.locator("section.flow-student").filter(
        has=teacher.get_by_role("link", name="Elsa Lindqvist")
    )
    tag = token("omdome")
    # The phrase bank: add a phrase, then insert it with Alt+1 where the cursor is.
    teacher.get_by_label("Ny fras").fill(f"Visar god förståelse för tal. {tag}")
    teacher.get_by_role("button", name="Lägg till fras").click()
    expect(teacher.locator("[data-phrase]").filter(has_text=tag)).to_have_count(1)
    phrase_number = teacher.locator("[data-phrase]").count()

    elsa.get_by_role("radiogroup", name="Geometri").get_by_label("Mer än godtagbara").check()
    can = elsa.get_by_label("Vad eleven kan")
    can.fill("Elsa räknar säkert. ")
    can.press("End")
    if phrase_number <= 9:
        can.press(f"Alt+{phrase_number}")
        expect(can).to_have_value(f"Elsa räknar säkert. Visar god förståelse för tal. {tag}")
    else:  # the bank is long in a reused database: click the phrase instead
        teacher.locator("[data-phrase]").filter(has_text=tag).click()
    elsa.get_by_label("Hur eleven utvecklas vidare").fill("Nästa steg är **bråk**.")
    # Autosave, then the keyboard jump to the next student's first field.
    expect(elsa.locator("[data-saved]")).to_have_text(re.compile(r"^Sparat "))
    sections = teacher.locator("section.flow-student").evaluate_all("nodes => nodes.map(node => node.id)")
    here = sections.index(elsa.get_attribute("id"))
    key, expected = ("Alt+ArrowUp", sections[here - 1]) if here else ("Alt+ArrowDown", sections[1])
    elsa.get_by_label("Hur eleven utvecklas vidare").press(key)
    assert teacher.evaluate("document.activeElement.closest('section.flow-student').id") == expected

    elsa.get_by_role("button", name="Publicera", exact=True).click()
    expect(elsa.locator("[data-state]")).to_have_text("Publicerat (version 1)")

    # Sofia had the page open all along: the card arrives live, in the maths thread.
    cards = sofia.timeline.locator("li.message--card")
    expect(cards).to_have_count(cards_before + 1)
    card = cards.filter(has_text=tag)
    expect(card).to_have_count(1)
    expect(card.locator(".card-item__title")).to_contain_text("Skriftligt omdöme · Matematik")
    expect(card.locator("tr").filter(has_text="Geometri")).to_contain_text("Mer än godtagbara")
    expect(card.locator("strong")).to_have_text("bråk")
    card.get_by_role("link", name="Alla versioner").click()
    expect(sofia.page.get_by_test_id("assessment-version")).to_have_count(1)
    expect(sofia.page.get_by_test_id("assessment-version")).to_contain_text(tag)
