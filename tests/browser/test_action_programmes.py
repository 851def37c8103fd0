"""Action programmes as people use them: the maths teacher drafts one for Hugo (5B) in the
browser, a guardian on a phone follows its card in the programme's thread and gives a view,
and the principal's decision changes the card live, with the last day to appeal."""

from __future__ import annotations

import datetime
import re
import uuid
from collections.abc import Callable

from playwright.sync_api import Page, expect

from tests.browser.servers import (  # noqa: F401 - fixtures used by name
    Person,
    open_as_fixture,
    restartable_server_fixture,
    sessions_fixture,
)

OpenAs = Callable[..., Person]


def no_sideways_scrolling(page: Page) -> None:
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0, f"{page.url} scrolls sideways by {overflow}px"


def test_a_programme_is_drafted_commented_on_and_decided_with_its_card_live(open_as: OpenAs) -> None:
    tag = f"ap-{uuid.uuid4().hex[:8]}"
    follow_up = (datetime.date.today() + datetime.timedelta(days=10)).isoformat()

    # The maths teacher drafts through the student's page, without any script on the form.
    ahmed = open_as("ahmed.hassan").page
    ahmed.get_by_test_id("classes").get_by_role("link", name="Klass 5B").click()
    ahmed.get_by_test_id("roster").get_by_role("link", name="Hugo Lindqvist").click()
    ahmed.get_by_test_id("action-programmes-link").click()
    ahmed.locator("#new-needs").fill(f"Hugo behöver stöd i bråk ({tag}).")
    ahmed.locator("#new-measures").fill("Speciallärare två gånger i veckan.")
    ahmed.locator("input[name=follow_up_on]").first.fill(follow_up)
    ahmed.locator("input[name=follow_up_what]").first.fill("Bråkdiagnos")
    ahmed.get_by_role("button", name=re.compile("^(Spara utkast|Save draft)$")).click()
    expect(ahmed.get_by_test_id("programme-status")).to_have_text(re.compile("^(Utkast|Draft)$"))
    programme_url = ahmed.url

    # A guardian on a phone opens the programme's thread and sees its card as a draft.
    henrik = open_as("henrik.lindqvist", width=390, height=844).page
    henrik.goto(programme_url)
    no_sideways_scrolling(henrik)
    henrik.locator("#view-body").fill(f"Vi övar gärna hemma ({tag}).")
    henrik.get_by_role("button", name=re.compile("^(Lämna synpunkt|Give your view)$")).click()
    expect(henrik.get_by_test_id("views")).to_contain_text(tag)
    expect(henrik.locator("#decision")).to_have_count(0)  # a guardian never decides
    henrik.get_by_role(
        "link", name=re.compile("^(Samtal om åtgärdsprogrammet|Conversation about the programme)$")
    ).click()
    card = henrik.locator("[data-card^=action_programme]")
    expect(card).to_have_count(1)
    expect(card.locator("[data-programme-status]")).to_have_attribute("data-programme-status", "draft")
    expect(card.locator("[data-programme-views]")).to_have_attribute("data-programme-views", "1")
    no_sideways_scrolling(henrik)

    # The principal adopts it; the guardian's open card changes without reloading.
    eva = open_as("eva.lindgren").page
    eva.goto(programme_url)
    eva.locator("input[name=decision][value=adopt]").check()
    eva.get_by_role("button", name=re.compile("^(Spara beslutet|Record the decision)$")).click()
    appeal = (datetime.date.today() + datetime.timedelta(days=21)).isoformat()
    expect(eva.get_by_test_id("current-version").get_by_test_id("decision-1")).to_contain_text(appeal)
    expect(card.locator("[data-programme-status]")).to_have_attribute("data-programme-status", "adopted")
    expect(card.locator("[data-programme-appeal]")).to_contain_text(appeal)
    expect(card.locator("[data-programme-next]")).to_contain_text(follow_up)
