"""Notifications as people meet them: a guardian on her phone sees the bell count rise the
moment a teacher writes on her child's page, opens the inbox, follows the notification to
the page, and sets her choices; the settings page offers push on this device."""

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
PHONE = "https://push.example.org/send/sofias-phone"
PHONE_KEYS = {
    "p256dh": "BHXy8Ek3TjVyr8ipI8vaZjX2hiMg0_u6hd02w36VDJoR95URM1I5Z8QIAiKBBdiVZSI1weeY6EsW12-8bECwjIk",
    "auth": "Q2BoAjC09xH3ywDLNJr-dA",
}


def test_the_bell_counts_live_and_the_notification_leads_to_the_page(open_as: OpenAs) -> None:
    sofia = open_as("sofia.lindqvist", width=390, height=844)
    page = sofia.page
    page.goto("/notifications/")
    mark_all = page.get_by_role("button", name="Markera alla som lästa")
    if mark_all.count():  # earlier tests in this database may have left some
        mark_all.click()
    expect(page.locator("[data-bell-count]")).to_be_hidden()

    # The teacher writes on Elsa's page; Sofia's bell counts it without a reload.
    teacher = open_elsa(open_as("lars.berglund").page, "lars.berglund")
    tag = token("hej")
    teacher.body.fill(f"Hej! Elsa har gjort fina framsteg. {tag}")
    teacher.page.get_by_role("button", name="Skicka").click()
    expect(page.locator("[data-bell-number]")).to_have_text("1")
    if page.get_by_role("button", name="Meny").is_visible():
        page.get_by_role("button", name="Meny").click()
    expect(page.locator("[data-bell]")).to_contain_text("1 olästa")

    # She is on the inbox: it says that something new has come, and shows it on request.
    page.get_by_role("link", name="Nya aviseringar har kommit: visa dem").click()
    item = page.get_by_test_id("inbox").locator("li").first
    expect(item).to_contain_text("Nytt meddelande från Lars Berglund")
    expect(item).to_contain_text("På sidan för Elsa.")
    assert tag not in item.inner_text()  # the message itself stays on the page
    item.get_by_role("link").click()
    expect(page).to_have_url(re.compile(r"/students/\d+/\?thread=\d+&via=notification#m-\d+$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Elsa Lindqvist")
    expect(page.get_by_test_id("timeline")).to_contain_text(tag)  # in its thread, on the page
    expect(page.locator("[data-bell-count]")).to_be_hidden()  # opening marked it read


def test_choices_are_saved_and_push_is_offered_for_this_device(open_as: OpenAs) -> None:
    page = open_as("sofia.lindqvist").page
    page.goto("/notifications/settings/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Inställningar för aviseringar")
    # The push section knows this browser and offers to turn push on.
    expect(page.locator("[data-push-status]")).to_have_text("Push är av för den här enheten.")
    expect(page.get_by_role("button", name="Slå på push på den här enheten")).to_be_visible()

    messages_push = page.locator("#c-messages-push")
    messages_push.uncheck()
    page.get_by_label("En gång om dagen, i ett mejl").check()
    page.get_by_label("Tyst från").fill("20:30")
    page.get_by_role("button", name="Spara inställningar").click()
    expect(page.get_by_role("status").first).to_contain_text("Dina inställningar för aviseringar är sparade.")
    expect(page.locator("#c-messages-push")).not_to_be_checked()
    expect(page.get_by_label("En gång om dagen, i ett mejl")).to_be_checked()
    expect(page.get_by_label("Tyst från")).to_have_value("20:30")
    # Back to the defaults for the other tests.
    page.locator("#c-messages-push").check()
    page.get_by_label("Direkt").check()
    page.get_by_label("Tyst från").fill("21:00")
    page.get_by_role("button", name="Spara inställningar").click()
    expect(page.locator("#c-messages-push")).to_be_checked()


def test_push_on_this_device_says_what_happened_and_devices_can_be_removed(open_as: OpenAs) -> None:
    sofia = open_as("sofia.lindqvist")
    sofia.context.grant_permissions(["notifications"])
    # Chromium's own words when a test context (like incognito) asks for a push subscription.
    sofia.problems.expected_console.append("does not support the Push API in incognito mode")
    page = sofia.page
    page.goto("/notifications/settings/")
    page.get_by_role("button", name="Slå på push på den här enheten").click()
    # This machine's Chromium reaches no push service, so the browser refuses to subscribe:
    # the page says so in words instead of failing silently.
    status = page.locator("[data-push-status]")
    expect(status).to_contain_text("Push kunde inte slås på.")

    # A phone subscribed earlier (as its browser would send it), then removed from here.
    answer = page.evaluate(
        """([endpoint, keys]) => fetch("/notifications/push/subscribe/", {
            method: "POST",
            headers: {"Content-Type": "application/json",
                      "X-CSRFToken": document.querySelector("input[name=csrfmiddlewaretoken]").value},
            body: JSON.stringify({endpoint, keys}),
        }).then((response) => response.status)""",
        [PHONE, PHONE_KEYS],
    )
    assert answer == 201
    page.reload()
    phone = page.get_by_test_id("devices").locator(
        "[data-endpoint='https://push.example.org/send/sofias-phone']"
    )
    expect(phone).to_have_count(1)
    phone.get_by_role("button", name="Ta bort").click()
    expect(page.get_by_role("status").first).to_contain_text("Enheten får inga fler pushaviseringar.")
    expect(phone).to_have_count(0)
