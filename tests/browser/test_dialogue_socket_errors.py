"""What the dialogue page does with the server's answers about a send and with a server it
cannot reach: a failed send is marked on the message itself (found by its client id), one
the server could not store for a moment is sent again by itself, and reconnecting backs off
to at most 10 s.

The test routes the page's socket through itself (Playwright's WebSocket routing) and
answers some frames in the server's place, so each case is exact and quick.
"""

from __future__ import annotations

import itertools
import json
import re
from collections.abc import Callable

from playwright.sync_api import Page, WebSocketRoute, expect

from tests.browser.servers import (  # noqa: F401 - fixtures used by name
    Person,
    open_as_fixture,
    restartable_server_fixture,
    sessions_fixture,
)
from tests.browser.test_dialogue import open_elsa, token

OpenAs = Callable[..., Person]


class AnsweringLine:
    """Forwards the page's socket to the server, except the first send whose body holds
    ``tag``: the test answers that one itself with an error of ``code``."""

    def __init__(self, page: Page, tag: str, code: str, message: str) -> None:
        self.tag, self.code, self.message = tag, code, message
        self.answered: list[str] = []  # client ids answered in the server's place
        self.forwarded: list[str] = []  # client ids of tagged sends that went to the server
        page.route_web_socket(re.compile(r"/ws/$"), self._route)

    def _route(self, page_side: WebSocketRoute) -> None:
        server_side = page_side.connect_to_server()

        def from_page(message: str | bytes) -> None:
            frame = json.loads(message)
            tagged = frame.get("type") == "send" and self.tag in frame.get("body", "")
            if tagged and not self.answered:
                self.answered.append(frame["client_id"])
                answer = {"type": "error", "code": self.code, "message": self.message}
                page_side.send(json.dumps({**answer, "client_id": frame["client_id"], "retry_after": 1}))
                return
            if tagged:
                self.forwarded.append(frame["client_id"])
            server_side.send(message)

        page_side.on_message(from_page)
        server_side.on_message(page_side.send)


def test_a_send_the_server_could_not_store_is_sent_again_by_itself(open_as: OpenAs) -> None:
    sofia_person = open_as("sofia.lindqvist")
    tag = token("databas")
    notice = "Inget sparades: tjänsten är otillgänglig en kort stund."
    line = AnsweringLine(sofia_person.page, tag, "unavailable", notice)
    sofia = open_elsa(sofia_person.page, "sofia.lindqvist")
    ahmed = open_elsa(open_as("ahmed.hassan").page, "ahmed.hassan")

    sofia.send(f"Skickat när databasen var borta {tag}")
    composer_error = sofia.page.locator("[data-composer-error]")
    expect(composer_error).to_have_text(notice)
    expect(sofia.message(tag)).to_contain_class("message--pending")
    # About a second later (the retry hint, with jitter) it goes again, with the same id.
    sofia.expect_sent(tag)
    assert line.forwarded == line.answered
    expect(composer_error).to_be_hidden()
    expect(ahmed.message(tag)).to_have_count(1)
    assert sofia.message(tag).get_attribute("data-client-id") == line.answered[0]


def test_a_send_that_failed_on_the_server_is_marked_failed_and_can_be_sent_again(open_as: OpenAs) -> None:
    sofia_person = open_as("sofia.lindqvist")
    tag = token("serverfel")
    line = AnsweringLine(sofia_person.page, tag, "server_error", "Något gick fel hos oss.")
    sofia = open_elsa(sofia_person.page, "sofia.lindqvist")
    ahmed = open_elsa(open_as("ahmed.hassan").page, "ahmed.hassan")

    sofia.send(f"Det här gick fel första gången {tag}")
    failed = sofia.message(tag)
    expect(failed).to_contain_class("message--failed")
    expect(sofia.page.locator("[data-notice]")).to_be_hidden()  # about the send, not the page
    failed.get_by_role("button").click()  # "Försök igen"
    sofia.expect_sent(tag)
    assert line.forwarded == line.answered
    expect(ahmed.message(tag)).to_have_count(1)


def test_reconnecting_backs_off_to_at_most_ten_seconds(open_as: OpenAs) -> None:
    """The server is unreachable for a minute (every handshake fails at once): the page
    tries again with growing waits, none longer than 10 s. Time is the page's fake clock,
    advanced by the test in steps of half a second."""
    person = open_as("sofia.lindqvist")
    page = person.page
    page.clock.install()
    clock = {"ms": 0, "down": False}
    attempts: list[int] = []  # the page's time of each handshake while the server is down

    def route(page_side: WebSocketRoute) -> None:
        if clock["down"]:
            attempts.append(clock["ms"])
            page_side.close()
        else:
            page_side.connect_to_server()

    page.route_web_socket(re.compile(r"/ws/$"), route)
    open_elsa(page, "sofia.lindqvist")
    person.problems.offline = True  # failed handshakes are what this test is about
    clock["down"] = True
    page.context.set_offline(True)  # the page drops its socket at once
    page.context.set_offline(False)
    step = 500
    while clock["ms"] < 65_000:
        page.clock.run_for(step)
        clock["ms"] += step
        page.wait_for_timeout(20)  # real time for the handshake and its failure
    gaps = [later - earlier for earlier, later in itertools.pairwise(attempts)]
    assert len(attempts) >= 7, attempts
    assert max(gaps) <= 10_000 + step, gaps
