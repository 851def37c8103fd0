"""Read receipts in the browser: the teacher writes on Elsa's page, a guardian opens the page
in a browser of her own, and the teacher's page says "Läst av Sofia" under the message at
once, without a reload; the guardian sees no receipts on the teacher's message."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.browser.servers import (  # noqa: F401 - fixtures used by name
    open_as_fixture,
    restartable_server_fixture,
    sessions_fixture,
)
from tests.browser.test_dialogue import (
    RECONNECT_TIMEOUT,
    OpenAs,
    SocketLine,
    open_elsa,
    remember_document,
    token,
)


def test_the_writer_sees_live_who_has_read_the_message(open_as: OpenAs) -> None:
    ahmed = open_elsa(open_as("ahmed.hassan").page, "ahmed.hassan")
    remember_document(ahmed.page)
    tag = token("kvitto")
    ahmed.send(f"Läxan till fredag: sidan 12. {tag}")
    mine = ahmed.expect_sent(tag)
    receipts = mine.locator(".message__receipts")
    expect(mine).not_to_contain_text("Läst av")

    sofia = open_elsa(open_as("sofia.lindqvist").page, "sofia.lindqvist")
    expect(sofia.message(tag)).to_have_count(1)

    expect(receipts).to_have_text(re.compile(r"^Läst av (.+, )?Sofia \d\d:\d\d(, .+)? · inte av .*Henrik"))
    assert ahmed.page.evaluate("window.__sameDocument === true")
    # Only the writer has them.
    expect(sofia.message(tag).locator(".message__receipts")).to_have_count(0)


def test_reads_while_the_writer_was_offline_show_once_the_connection_is_back(open_as: OpenAs) -> None:
    ahmed_person = open_as("ahmed.hassan")
    line = SocketLine(ahmed_person.context)
    ahmed = open_elsa(ahmed_person.page, "ahmed.hassan")
    remember_document(ahmed.page)
    tag = token("borta")
    ahmed.send(f"Glöm inte gympakläderna. {tag}")
    mine = ahmed.expect_sent(tag)

    ahmed_person.problems.offline = True
    ahmed_person.context.set_offline(True)
    line.unplug()
    ahmed.expect_offline()
    henrik = open_elsa(open_as("henrik.lindqvist").page, "henrik.lindqvist")
    expect(henrik.message(tag)).to_have_count(1)  # read while Ahmed's socket was away

    line.plug()
    ahmed_person.context.set_offline(False)
    ahmed.expect_online(timeout=RECONNECT_TIMEOUT)
    ahmed_person.problems.offline = False
    expect(mine.locator(".message__receipts")).to_have_text(re.compile(r"^Läst av (.+, )?Henrik \d\d:\d\d"))
    assert ahmed.page.evaluate("window.__sameDocument === true")
