"""Written assessments as people use them: the maths teacher writes in the class flow with
the keyboard and a phrase, publishes, and a guardian who already has the page open sees the
card arrive without reloading."""

from __future__ import annotations

import re
from collections.abc import Callable

from playwright.sync_api import Locator, Page, expect

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


def _words_broken_in_cells(scope: Locator) -> list[str]:
    """Words of the table cells under ``scope`` drawn on more than one line."""
    return scope.evaluate(
        """root => Array.from(root.querySelectorAll("td, th")).flatMap(cell => {
             const broken = [];
             const walker = document.createTreeWalker(cell, NodeFilter.SHOW_TEXT);
             for (let node = walker.nextNode(); node; node = walker.nextNode()) {
               for (const match of node.textContent.matchAll(/\\S+/g)) {
                 const range = document.createRange();
                 range.setStart(node, match.index);
                 range.setEnd(node, match.index + match[0].length);
                 const lines = new Set(Array.from(range.getClientRects()).map(r => Math.round(r.top)));
                 if (lines.size > 1) broken.push(match[0]);
               }
             }
             return broken;
           })"""
    )


def _open_flow(teacher: Page) -> None:
    teacher.goto("/")
    teacher.get_by_test_id("classes").get_by_role("link", name="Klass 4A").click()
    teacher.get_by_test_id("assessment-links").get_by_role("link", name="Skriv omdömen i Matematik").click()
    expect(teacher.get_by_role("heading", level=1)).to_have_text("Skriftliga omdömen i Matematik, klass 4A")


def test_the_teacher_jumps_to_a_student_from_the_index_that_shows_each_ones_state(open_as: OpenAs) -> None:
    teacher = open_as("ahmed.hassan").page
    _open_flow(teacher)
    index = teacher.get_by_test_id("flow-index")
    # One jump link per student of the class, each saying where that student is.
    expect(index.get_by_role("link")).to_have_count(teacher.locator("section.flow-student").count())
    signe = index.get_by_role("link", name=re.compile(r"^Signe Jansson"))
    expect(signe).to_have_accessible_name(re.compile(r"^Signe Jansson ?, Inte påbörjat$"))
    drafts = int(index.locator('[data-count="draft"]').inner_text())

    # By keyboard: the link takes focus and the view to her section, far down the page.
    signe.focus()
    teacher.keyboard.press("Enter")
    expect(teacher).to_have_url(re.compile(r"#student-\d+$"))
    section_id = teacher.locator("section.flow-student:target").get_attribute("id")
    section = teacher.locator(f"#{section_id}")
    expect(section.get_by_role("heading", level=2)).to_contain_text("Signe Jansson")
    expect(section).to_be_in_viewport()
    assert teacher.evaluate("document.activeElement.id") == section_id
    teacher.keyboard.press("Tab")  # the next stop is inside her section
    assert teacher.evaluate("document.activeElement.closest('section.flow-student').id") == section_id

    # Writing changes her state in the index at once; publishing too.
    section.get_by_label("Vad eleven kan").fill(f"Signe läser tabeller. {token('index')}")
    expect(section.locator("[data-saved]")).to_have_text(re.compile(r"^Sparat "))
    expect(signe.locator("[data-index-state]")).to_have_text("Utkast")
    expect(index.locator('[data-count="draft"]')).to_have_text(str(drafts + 1))
    section.get_by_role("link", name="Elevlistan").click()
    expect(index).to_be_in_viewport()
    section.get_by_role("button", name="Publicera", exact=True).click()
    expect(section.locator("[data-state]")).to_have_text("Publicerat (version 1)")
    expect(signe.locator("[data-index-state]")).to_have_text("Publicerat")
    teacher.reload()
    expect(index.get_by_role("link", name=re.compile(r"^Signe Jansson ?, Publicerat$"))).to_have_count(1)

    # On a phone the index and the flow fit the screen's width.
    teacher.set_viewport_size({"width": 360, "height": 740})
    assert teacher.evaluate("document.documentElement.scrollWidth") <= 360


def test_a_corrected_assessment_shows_the_current_card_and_folds_the_replaced_one(open_as: OpenAs) -> None:
    teacher = open_as("ahmed.hassan").page
    _open_flow(teacher)
    theo = teacher.locator("section.flow-student").filter(
        has=teacher.get_by_role("link", name="Theo Holmberg")
    )
    tag = token("rattelse")
    first, second = f"Första versionen. {tag}", f"Rättad version. {tag}"
    statistics = theo.get_by_role("radiogroup", name="Sannolikhet och statistik")
    statistics.get_by_label("Ännu inte godtagbara").check()
    can = theo.get_by_label("Vad eleven kan")
    can.fill(first)
    expect(theo.locator("[data-saved]")).to_have_text(re.compile(r"^Sparat "))
    theo.get_by_role("button", name="Publicera", exact=True).click()
    expect(theo.locator("[data-state]")).to_have_text("Publicerat (version 1)")
    can.fill(second)
    expect(theo.locator("[data-saved]")).to_have_text(re.compile(r"^Sparat "))
    theo.get_by_role("button", name="Publicera rättelse").click()
    expect(theo.locator("[data-state]")).to_have_text("Publicerat (version 2)")

    theo.get_by_role("heading", level=2).get_by_role("link", name="Theo Holmberg").click()
    teacher.locator("[data-thread-link]").filter(has_text="Matematik").click()
    replaced = teacher.locator("article.card-item--assessment.card-item--superseded")
    current = teacher.locator("article.card-item--assessment:not(.card-item--superseded)")
    expect(replaced).to_have_count(1)
    expect(current).to_have_count(1)
    # The current version reads in full; the replaced one is a line that opens on request.
    expect(current.get_by_text(second)).to_be_visible()
    expect(replaced.get_by_text("Ersatt av version 2")).to_be_visible()
    expect(replaced.get_by_text(first)).to_be_hidden()
    replaced.get_by_text("Visa den ersatta versionen (version 1)").click()
    expect(replaced.get_by_text(first)).to_be_visible()
    # On a phone the card's table breaks between words, never inside one ("Kunskaps|nivå").
    teacher.set_viewport_size({"width": 360, "height": 740})
    expect(current.locator("table.levels")).to_contain_text("Kunskapsnivå")
    assert _words_broken_in_cells(current) == []
    assert teacher.evaluate("document.documentElement.scrollWidth") <= 360
    teacher.set_viewport_size({"width": 1280, "height": 900})

    # The history page the same way: the current version, the earlier one folded.
    current.get_by_role("link", name="Alla versioner").click()
    expect(teacher.get_by_test_id("assessment-version").first).to_contain_text(second)
    expect(teacher.get_by_text(first)).to_be_hidden()
    teacher.get_by_text("Tidigare version (1)").click()
    expect(teacher.get_by_text(first)).to_be_visible()
