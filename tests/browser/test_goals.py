"""Goals and self-assessments in the browser: the pages' plain forms, and the cards they put
on the student page, which change live for everyone who has the page open.

Words are matched in Swedish or English (the Swedish catalogue may lag behind the code)."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from tests.browser.servers import (  # noqa: F401 - fixtures used by name
    open_as_fixture,
    restartable_server_fixture,
    sessions_fixture,
)
from tests.browser.test_dialogue import OpenAs, open_elsa, token


def either(swedish: str, english: str) -> re.Pattern[str]:
    return re.compile(rf"^({re.escape(swedish)}|{re.escape(english)})$")


def open_goals(page: Page, username: str) -> None:
    open_elsa(page, username)
    page.get_by_test_id("goals-link").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        either("Mål: Elsa Lindqvist", "Goals: Elsa Lindqvist")
    )


def open_new_goal_form(page: Page) -> None:
    """The form is folded away once the student has goals."""
    page.locator("details.goal-form").evaluate("form => { form.open = true; }")


def test_a_guardians_proposal_is_accepted_and_its_card_changes_live(open_as: OpenAs) -> None:
    tag = token("mål")
    sofia = open_as("sofia.lindqvist").page
    open_goals(sofia, "sofia.lindqvist")
    open_new_goal_form(sofia)
    sofia.locator("#new-goal-text").fill(f"Elsa läser en **bok** i veckan. {tag}")
    sofia.get_by_role("button", name=either("Skicka förslaget", "Send the proposal")).click()
    proposal = sofia.get_by_test_id("goals-proposed").get_by_test_id("goal").filter(has_text=tag)
    expect(proposal).to_have_count(1)
    expect(proposal.locator("strong")).to_have_text("bok")

    # The guardian keeps the student page open on the general thread, where the card is.
    sofia.get_by_test_id("dialogue-link").click()
    card = sofia.locator("li.message--card").filter(has_text=tag)
    expect(card).to_have_count(1)
    expect(card.locator(".goal__status")).to_have_text(either("Föreslaget", "Proposed"))

    lars = open_as("lars.berglund").page
    open_goals(lars, "lars.berglund")
    waiting = lars.get_by_test_id("goals-proposed").get_by_test_id("goal").filter(has_text=tag)
    waiting.get_by_role("button", name=either("Godkänn", "Accept")).click()
    expect(lars.get_by_test_id("goals-active").get_by_test_id("goal").filter(has_text=tag)).to_have_count(1)

    # Without a reload: the same card, now active and saying who accepted it.
    expect(card.locator(".goal__status")).to_have_text(either("Aktivt", "Active"))
    expect(card).to_contain_text(re.compile("(godkänt|accepted) (av|by) Lars Berglund"))
    expect(sofia.locator("li.message--card").filter(has_text=tag)).to_have_count(1)
    card.locator("a.card-item__link").click()
    expect(sofia.locator("article.goal").filter(has_text=tag)).to_be_visible()


def test_the_student_writes_a_self_assessment_that_shows_as_a_card(open_as: OpenAs) -> None:
    tag = token("skattning")
    elsa = open_as("elsa.lindqvist").page
    elsa.goto("/")
    elsa.get_by_role("link", name="Min utvecklingsplan och dialog").click()
    elsa.get_by_test_id("self-assessments-link").click()
    # First the subject, then what in it: the subject as a whole is chosen already.
    topics = elsa.get_by_test_id("self-assessment-topics")
    topics.get_by_role("link", name="Svenska", exact=True).click()
    expect(elsa.get_by_role("radio", name=either("Svenska som helhet", "Svenska as a whole"))).to_be_checked()
    expect(elsa.locator('input[name="about"][value^="area:"]')).not_to_have_count(0)
    elsa.locator('input[name="level"][value="fairly_well"]').check()
    elsa.locator("#self-assessment-text").fill(f"Jag läser fortare nu. {tag}")
    elsa.get_by_test_id("self-assessment-form").locator('button[type="submit"]').click()
    saved = elsa.get_by_test_id("self-assessment").filter(has_text=tag)
    expect(saved.locator(".scale-result--fairly_well")).to_have_count(1)
    elsa.get_by_test_id("dialogue-link").click()
    elsa.locator("[data-thread-link]").filter(has_text="Svenska").click()
    card = elsa.locator("li.message--card").filter(has_text=tag)
    expect(card.locator(".scale-result--fairly_well")).to_have_text(
        either("Det går ganska bra", "It is going fairly well")
    )
