"""The live dialogue on a student's page, as people use it: two (or three) people in
browser contexts of their own, on a Daphne of this module's own that a test may restart.

Texts are looked up by a token unique to each test run, because the demo database is
shared by the whole session and messages stay on the page.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable
from pathlib import Path

from PIL import Image, ImageDraw
from playwright.sync_api import BrowserContext, Dialog, Locator, Page, WebSocket, WebSocketRoute, expect

from tests.browser.servers import (  # noqa: F401 - fixtures used by name
    HEARTBEAT_SECONDS,
    Person,
    RestartableServer,
    open_as_fixture,
    restartable_server_fixture,
    sessions_fixture,
)

OpenAs = Callable[..., Person]

XSS_FILE = Path(__file__).resolve().parents[1] / "writing" / "data" / "xss_payloads.txt"
GUARDIANS = {"sofia.lindqvist", "henrik.lindqvist"}
SEND = re.compile(r"^(Skicka|Send)$")
# A reconnect after a restart waits out the client's backoff (up to 8 s after a few tries).
RECONNECT_TIMEOUT = 40_000


def token(label: str) -> str:
    return f"{label}-{uuid.uuid4().hex[:8]}"


class Dialogue:
    """The dialogue part of a student page, found by its data attributes."""

    def __init__(self, page: Page) -> None:
        self.page = page
        self.timeline = page.get_by_test_id("timeline")
        self.body = page.locator("[data-composer-body]")
        self.guard = page.locator("[data-guard]")
        self.connection = page.locator("[data-connection]")
        self.typing = page.locator("[data-typing]")

    def messages(self) -> Locator:
        return self.timeline.locator("li.message")

    def message(self, text: str) -> Locator:
        return self.messages().filter(has_text=text)

    def pending(self) -> Locator:
        return self.timeline.locator("li.message--pending")

    def send(self, text: str) -> None:
        self.body.fill(text)
        self.page.get_by_role("button", name=SEND).click()

    def expect_online(self, timeout: float = 10_000) -> None:
        expect(self.connection).to_contain_class("connection--online", timeout=timeout)

    def expect_offline(self, timeout: float = 10_000) -> None:
        expect(self.connection).not_to_contain_class("connection--online", timeout=timeout)

    def texts(self, tag: str) -> list[str]:
        """The bodies of the messages carrying the tag, in timeline order."""
        return [text.strip() for text in self.message(tag).locator(".message__body").all_inner_texts()]

    def expect_sent(self, text: str) -> Locator:
        """The writer's own message, stored: it has an id and no pending state."""
        mine = self.message(text)
        expect(mine).to_have_count(1)
        expect(mine).to_have_attribute("id", re.compile(r"^m-\d+$"))
        expect(mine).not_to_contain_class("message--pending")
        return mine


def open_elsa(page: Page, username: str, *, thread: str | None = None) -> Dialogue:
    """Reach Elsa's page the way the person would: a guardian from the start page's list of
    children, a teacher through the class list."""
    page.goto("/")
    if username in GUARDIANS:
        page.get_by_test_id("children").get_by_role("link", name="Elsa Lindqvist").click()
    else:
        page.get_by_test_id("classes").get_by_role("link", name="Klass 4A").click()
        page.get_by_test_id("roster").get_by_role("link", name="Elsa Lindqvist").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Elsa Lindqvist")
    if thread is not None:
        page.locator("[data-thread-link]").filter(has_text=thread).click()
        expect(page.locator("[data-thread-link][aria-current=page]")).to_contain_text(thread)
    dialogue = Dialogue(page)
    dialogue.expect_online()
    return dialogue


def unread_total(dialogue: Dialogue) -> int:
    """The sum of the thread badges, once the open thread counts as read."""
    expect(dialogue.page.locator("[data-thread-link][aria-current=page] [data-unread-for]")).to_be_hidden()
    return int(
        dialogue.page.evaluate(
            """Array.from(document.querySelectorAll("[data-unread-for] [data-count]"))
                 .reduce((sum, node) => sum + Number(node.textContent || 0), 0)"""
        )
    )


def expect_start_page_unread(page: Page, student: str, count: int) -> None:
    page.goto("/")
    tile = page.get_by_test_id("children").locator("article").filter(has_text=student)
    if count:
        expect(tile.get_by_test_id("unread")).to_have_text(re.compile(rf"^{count} (oläst|olästa|unread)$"))
    else:
        expect(tile.get_by_test_id("unread")).to_have_count(0)


class SocketLine:
    """The line between a context's dialogue sockets and the server, routed through the
    test. Chromium's offline emulation stops new connections but leaves open WebSockets
    working (microsoft/playwright#4910), whereas a real network loss kills them; the test
    cuts the open ones itself. It can also drop everything the server says (a lost reply),
    or hold back the live message events (a slow channel layer) until released."""

    def __init__(self, context: BrowserContext) -> None:
        self.cut = False
        self.drop_from_server = False
        self.hold_messages = False
        self.held: list[tuple[WebSocketRoute, str | bytes]] = []
        self.open: list[tuple[WebSocketRoute, WebSocketRoute]] = []
        context.route_web_socket(re.compile(r"/ws/$"), self._route)

    def _route(self, page_side: WebSocketRoute) -> None:
        if self.cut:
            page_side.close()
            return
        server_side = page_side.connect_to_server()

        def forward(message: str | bytes) -> None:
            if self.drop_from_server:
                return
            if self.hold_messages and '"type":"message"' in str(message):
                self.held.append((page_side, message))
                return
            page_side.send(message)

        server_side.on_message(forward)
        self.open.append((page_side, server_side))

    def unplug(self) -> None:
        self.cut = True
        for page_side, server_side in self.open:
            page_side.close()
            server_side.close()
        self.open.clear()

    def plug(self) -> None:
        self.cut = False

    def release(self) -> None:
        self.hold_messages = False
        for page_side, message in self.held:
            page_side.send(message)
        self.held.clear()


def watch_sockets(page: Page) -> list[WebSocket]:
    """The page's WebSockets from now on (call before the page opens one)."""
    sockets: list[WebSocket] = []

    def opened(socket: WebSocket) -> None:
        sockets.append(socket)

    page.on("websocket", opened)
    return sockets


def wait_for_heartbeat_reply(sockets: list[WebSocket]) -> None:
    """Return just after the page's next heartbeat reply, so that what follows happens far
    from the next one."""
    sockets[-1].wait_for_event(
        "framereceived", lambda payload: '"type":"pong"' in str(payload), timeout=3 * HEARTBEAT_SECONDS * 1000
    )


def remember_document(page: Page) -> None:
    """Mark the document, so that a later check can tell it was never reloaded."""
    page.evaluate("window.__sameDocument = true")


def record_timeline(page: Page) -> None:
    """Record every message element added to the timeline (client id, pending, stored id),
    so that a state too short to catch with a locator can still be asserted."""
    page.evaluate(
        """() => {
          window.__added = [];
          const timeline = document.querySelector("[data-timeline]");
          new MutationObserver((records) => {
            for (const record of records) {
              for (const node of record.addedNodes) {
                if (node.nodeType === 1 && node.classList.contains("message")) {
                  window.__added.push({
                    client: node.dataset.clientId,
                    pending: node.classList.contains("message--pending"),
                    id: node.id,
                  });
                }
              }
            }
          }).observe(timeline, {childList: true});
        }"""
    )


def states_of(page: Page, client_id: str) -> list[str]:
    added = page.evaluate("window.__added")
    return ["pending" if entry["pending"] else "sent" for entry in added if entry["client"] == client_id]


# --- 1. Live chat ---------------------------------------------------------------------------


def test_guardian_and_teacher_chat_live_with_markdown(open_as: OpenAs) -> None:
    sofia = open_elsa(open_as("sofia.lindqvist").page, "sofia.lindqvist")
    ahmed = open_elsa(open_as("ahmed.hassan").page, "ahmed.hassan")
    for side in (sofia, ahmed):
        remember_document(side.page)
        record_timeline(side.page)
    tag = token("chatt")

    sofia.send(
        f"Hej! **Viktigt {tag}**\n\n- ta med gympapåse\n- skriv på lappen\n\n"
        "Se [schemat](https://www.skolverket.se/schema) i veckan."
    )

    seen = ahmed.message(tag)
    expect(seen).to_have_count(1)
    expect(seen.locator(".message__author")).to_have_text("Sofia Lindqvist")
    expect(seen.locator(".message__body strong")).to_have_text(f"Viktigt {tag}")
    expect(seen.locator(".message__body li")).to_have_text(["ta med gympapåse", "skriv på lappen"])
    link = seen.locator(".message__body a")
    expect(link).to_have_text("schemat")
    expect(link).to_have_attribute("href", "https://www.skolverket.se/schema")
    expect(link).to_have_attribute("rel", "noopener noreferrer nofollow")

    mine = sofia.expect_sent(tag)
    expect(sofia.pending()).to_have_count(0)
    client_id = mine.get_attribute("data-client-id")
    assert client_id
    states = states_of(sofia.page, client_id)
    assert states[0] == "pending", states
    assert states[-1] == "sent", states

    answer = token("svar")
    ahmed.send(f"Tack, jag *påminner* dem. {answer}")
    reply = sofia.message(answer)
    expect(reply).to_have_count(1)
    expect(reply.locator(".message__body em")).to_have_text("påminner")
    expect(reply.locator(".message__author")).to_have_text("Ahmed Hassan")
    ahmed_mine = ahmed.expect_sent(answer)
    expect(ahmed.pending()).to_have_count(0)
    ahmed_client_id = ahmed_mine.get_attribute("data-client-id")
    assert ahmed_client_id
    assert states_of(ahmed.page, ahmed_client_id)[0] == "pending"

    # Both saw everything live, in the document they started with.
    for side in (sofia, ahmed):
        assert side.page.evaluate("window.__sameDocument === true")
        assert len(side.texts(tag)) == 1
        assert len(side.texts(answer)) == 1


# --- 2. Server restart ---------------------------------------------------------------------


def test_messages_written_while_the_server_restarts_arrive_once_in_the_same_order(
    open_as: OpenAs, restartable_server: RestartableServer
) -> None:
    sofia_person = open_as("sofia.lindqvist")
    sofia = open_elsa(sofia_person.page, "sofia.lindqvist")
    ahmed = open_elsa(open_as("ahmed.hassan").page, "ahmed.hassan")
    tag = token("omstart")

    sofia.send(f"1 innan {tag}")
    expect(ahmed.message(f"1 innan {tag}")).to_have_count(1)
    ahmed.send(f"2 innan {tag}")
    expect(sofia.message(f"2 innan {tag}")).to_have_count(1)

    with restartable_server.stopped():
        sofia.expect_offline()
        ahmed.expect_offline()
        sofia.send(f"3 under {tag}")
        ahmed.send(f"4 under {tag}")
        sofia.send(f"5 under {tag}")
        expect(sofia.pending()).to_have_count(2)
        expect(ahmed.pending()).to_have_count(1)
        expect(sofia.pending()).to_have_text([re.compile(f"3 under {tag}"), re.compile(f"5 under {tag}")])

    sofia.expect_online(timeout=RECONNECT_TIMEOUT)
    ahmed.expect_online(timeout=RECONNECT_TIMEOUT)
    restartable_server.recovered()
    for side in (sofia, ahmed):
        expect(side.pending()).to_have_count(0, timeout=RECONNECT_TIMEOUT)
        expect(side.message(tag)).to_have_count(5, timeout=RECONNECT_TIMEOUT)

    sent = {f"1 innan {tag}", f"2 innan {tag}", f"3 under {tag}", f"4 under {tag}", f"5 under {tag}"}
    on_sofias = sofia.texts(tag)
    on_ahmeds = ahmed.texts(tag)
    assert on_sofias == on_ahmeds
    assert sorted(on_sofias) == sorted(sent)
    assert on_sofias[:2] == [f"1 innan {tag}", f"2 innan {tag}"]
    assert on_sofias.index(f"3 under {tag}") < on_sofias.index(f"5 under {tag}")

    # What was stored, in stored order: a fresh load of the page.
    fresh = open_elsa(sofia_person.new_page(), "sofia.lindqvist")
    expect(fresh.message(tag)).to_have_count(5)
    assert fresh.texts(tag) == on_sofias


# --- 3. XSS ----------------------------------------------------------------------------------

TRAPS = [
    "<script>window.__xss++</script>",
    "<img src=x onerror=window.__xss++>",
    '<img src="x" onerror="alert(1)">',
    "<svg onload=window.__xss++>",
    "<svg><script>window.__xss++</script></svg>",
    "[klicka här](javascript:window.__xss++)",
    '<a href="javascript:window.__xss++">länk</a>',
    "<iframe src=javascript:window.__xss++></iframe>",
    "<details open ontoggle=window.__xss++>",
    '<div onmouseover="window.__xss++">hovra här</div>',
]
# Straight from the shared payload list (lines without escape sequences).
FROM_FILE = [
    "<script>alert(1)</script>",
    "<IMG SRC=x ONERROR=alert(1)>",
    "<svg/onload=alert(1)>",
    "<body onload=alert(1)>",
    "<input autofocus onfocus=alert(1)>",
    '"><script>alert(1)</script>',
]


def test_xss_payloads_show_as_text_and_run_nothing(open_as: OpenAs) -> None:
    listed = XSS_FILE.read_text().splitlines()
    assert all(payload in listed for payload in FROM_FILE)
    sofia = open_elsa(open_as("sofia.lindqvist").page, "sofia.lindqvist")
    henrik = open_elsa(open_as("henrik.lindqvist").page, "henrik.lindqvist")
    dialogs: list[str] = []

    def refuse(dialog: Dialog) -> None:
        dialogs.append(dialog.message)
        dialog.dismiss()

    for side in (sofia, henrik):
        side.page.evaluate("window.__xss = 0")
        side.page.on("dialog", refuse)
    tag = token("xss")
    payloads = TRAPS + FROM_FILE
    sofia.send(f"{tag}\n\n" + "\n\n".join(payloads))

    received = henrik.message(tag)
    expect(received).to_have_count(1)
    sofia.expect_sent(tag)
    body = received.locator(".message__body")
    # Shown as typed (Markdown keeps HTML-looking text as text).
    for payload in [
        "<script>window.__xss++</script>",
        "<img src=x onerror=window.__xss++>",
        "<svg/onload=alert(1)>",
    ]:
        expect(body).to_contain_text(payload)
    expect(body).to_contain_text("[klicka här](javascript:window.__xss++)")
    body.get_by_text("hovra här").hover()
    body.get_by_text("klicka här").click()
    # Give anything that would run (an image's onerror, a focus) the time of a round trip.
    end = token("slut")
    sofia.send(end)
    expect(henrik.message(end)).to_have_count(1)

    for side in (sofia, henrik):
        assert side.page.evaluate("window.__xss") == 0
        bodies = side.timeline.locator(".message__body")
        expect(
            bodies.locator("script, img, svg, iframe, object, embed, style, input, details, body")
        ).to_have_count(0)
        expect(
            side.timeline.locator("[onerror], [onload], [onmouseover], [onfocus], [ontoggle]")
        ).to_have_count(0)
        expect(side.timeline.locator("a[href^='javascript' i]")).to_have_count(0)
        expect(side.page.locator("script:not([src]):not([type='application/json'])")).to_have_count(0)
    assert dialogs == []


# --- 4. Sensitive-text guard ---------------------------------------------------------------


def test_sensitive_text_is_warned_about_and_reviewed_by_the_principal(open_as: OpenAs) -> None:
    ahmed = open_elsa(open_as("ahmed.hassan").page, "ahmed.hassan")
    sofia = open_elsa(open_as("sofia.lindqvist").page, "sofia.lindqvist")
    tag = token("vakt")
    text = f"Elsa har en diagnos och är lat ({tag})"
    send_anyway = ahmed.guard.get_by_role("button", name=re.compile("^(Skicka ändå|Send anyway)$"))
    edit = ahmed.guard.get_by_role("button", name=re.compile("^(Ändra texten|Edit the text)$"))

    # While typing: the warning names the words, nothing to confirm yet; it follows the text.
    ahmed.body.fill(text)
    expect(ahmed.guard).to_be_visible()
    expect(ahmed.guard.locator("mark")).to_have_text(["diagnos", "lat"])
    expect(send_anyway).to_have_count(0)
    ahmed.body.fill(f"Elsa har en kompis i klassen ({tag})")
    expect(ahmed.guard).to_be_hidden()
    ahmed.body.fill(text)
    expect(ahmed.guard).to_be_visible()

    # Sending: nothing is saved; the guard asks, naming the words again.
    ahmed.page.get_by_role("button", name=SEND).click()
    expect(send_anyway).to_be_visible()
    expect(edit).to_be_visible()
    expect(ahmed.guard.locator("mark")).to_have_text(["diagnos", "lat"])
    expect(ahmed.message(tag)).to_have_count(0)
    expect(ahmed.body).to_have_value(text)

    # "Edit the text" clears the question and leaves the text to be edited.
    edit.click()
    expect(ahmed.guard).to_be_hidden()
    expect(ahmed.body).to_have_value(text)
    expect(ahmed.message(tag)).to_have_count(0)

    # Sending again, and deciding to send anyway.
    ahmed.page.get_by_role("button", name=SEND).click()
    send_anyway.click()
    expect(ahmed.guard).to_be_hidden()
    expect(ahmed.body).to_have_value("")
    ahmed.expect_sent(tag)
    expect(sofia.message(tag)).to_have_count(1)
    expect(sofia.message(tag).locator(".message__body")).to_have_text(text)

    # The principal finds it among the flagged texts of the school and marks it reviewed.
    eva = open_as("eva.lindgren").page
    eva.get_by_test_id("schools").get_by_role("link", name="Björkbackaskolan").click()
    eva.get_by_role("link", name=re.compile(r"^(Flaggade texter|Flagged texts)")).click()
    flag = eva.get_by_test_id("flags").locator("li").filter(has_text=tag)
    expect(flag).to_have_count(1)
    expect(flag).to_contain_text("Ahmed Hassan")
    expect(flag).to_contain_text("Elsa Lindqvist")
    expect(flag).to_contain_text("diagnos, lat")
    flag.get_by_role("button", name=re.compile("^(Markera som granskad|Mark as reviewed)$")).click()
    expect(eva.get_by_test_id("flags").locator("li").filter(has_text=tag)).to_have_count(0)
    eva.get_by_role("link", name=re.compile("^(Visa granskade texter|Show reviewed texts)$")).click()
    reviewed = eva.get_by_test_id("flags").locator("li").filter(has_text=tag)
    expect(reviewed).to_have_count(1)
    expect(reviewed).to_contain_text("Eva Lindgren")


# --- 5. Unread -------------------------------------------------------------------------------


def test_unread_messages_in_another_thread_are_counted_live(open_as: OpenAs) -> None:
    henrik_person = open_as("henrik.lindqvist")
    sockets = watch_sockets(henrik_person.page)
    henrik = open_elsa(henrik_person.page, "henrik.lindqvist")
    ahmed = open_elsa(open_as("ahmed.hassan").page, "ahmed.hassan", thread="Matematik")
    maths = henrik.page.locator("[data-thread-link]").filter(has_text="Matematik")
    thread_id = maths.get_attribute("data-thread-link")
    badge = henrik.page.locator(f"[data-unread-for='{thread_id}']")
    before = int(badge.locator("[data-count]").inner_text() or "0")
    remember_document(henrik.page)
    tag = token("oläst")

    # Away from a heartbeat: a reply that overtakes a live event makes the page count that
    # event twice (see test_a_change_that_arrives_twice_is_counted_unread_once).
    wait_for_heartbeat_reply(sockets)
    ahmed.send(f"Läxa till fredag: sidan 12. {tag}")
    ahmed.send(f"Och glöm inte linjalen. {tag}")
    ahmed.expect_sent(f"linjalen. {tag}")

    expect(badge).to_be_visible()
    expect(badge.locator("[data-count]")).to_have_text(str(before + 2))
    expect(henrik.page).to_have_title(re.compile(r"^\(\d+\) "))
    assert henrik.page.evaluate("window.__sameDocument === true")
    expect(henrik.message(tag)).to_have_count(0)  # not in the general thread
    total = unread_total(henrik)
    assert total >= before + 2

    # The start page counts what is unread on Elsa's page.
    expect_start_page_unread(henrik_person.new_page(), "Elsa Lindqvist", total)

    # Opening the thread: the marker sits before the first unread message, with a way to it.
    maths.click()
    expect(henrik.page.locator("[data-thread-link][aria-current=page]")).to_contain_text("Matematik")
    marker = henrik.timeline.locator(".unread-marker")
    expect(marker).to_have_count(1)
    expect(marker).to_have_text(re.compile("^(Nya meddelanden|New messages)$"))
    after_marker = henrik.page.evaluate(
        """() => {
          let count = 0;
          for (let node = document.getElementById("first-unread").nextElementSibling; node;
               node = node.nextElementSibling) { count += node.classList.contains("message") ? 1 : 0; }
          return count;
        }"""
    )
    assert after_marker == before + 2
    if before == 0:
        first_unread = marker.locator("xpath=following-sibling::li[1]")
        expect(first_unread).to_contain_text(f"sidan 12. {tag}")
    jump = henrik.page.locator("[data-jump-unread]")
    expect(jump).to_be_visible()
    expect(jump).to_have_text(re.compile("^(Gå till första olästa|Jump to first unread)$"))
    jump.click()
    expect(jump).to_be_hidden()
    expect(marker).to_be_in_viewport()
    # Reading it clears the thread's badge.
    expect(henrik.page.locator(f"[data-unread-for='{thread_id}']")).to_be_hidden()


def test_a_retracted_message_in_another_thread_is_no_longer_counted_unread(open_as: OpenAs) -> None:
    henrik_person = open_as("henrik.lindqvist")
    sockets = watch_sockets(henrik_person.page)
    henrik = open_elsa(henrik_person.page, "henrik.lindqvist")
    ahmed = open_elsa(open_as("ahmed.hassan").page, "ahmed.hassan", thread="Naturorienterande")
    thread_id = (
        henrik.page.locator("[data-thread-link]")
        .filter(has_text="Naturorienterande")
        .get_attribute("data-thread-link")
    )
    count = henrik.page.locator(f"[data-unread-for='{thread_id}'] [data-count]")
    before = int(count.inner_text() or "0")
    total = unread_total(henrik)
    tag = token("fel")
    wait_for_heartbeat_reply(sockets)
    ahmed.send(f"Det här var till fel elev {tag}")
    expect(count).to_have_text(str(before + 1))
    mine = ahmed.timeline.locator(f"#{ahmed.expect_sent(tag).get_attribute('id')}")
    ahmed.page.once("dialog", lambda dialog: dialog.accept())
    mine.get_by_role("button", name=re.compile("^(Återkalla|Retract)$")).click()
    expect(mine).to_contain_class("message--retracted")
    # The server no longer counts it (the start page reads without marking anything) ...
    expect_start_page_unread(henrik_person.new_page(), "Elsa Lindqvist", total)
    # ... and so should the page that was open.
    expect(count).to_have_text(str(before))


def test_a_change_that_arrives_twice_is_counted_unread_once(open_as: OpenAs) -> None:
    henrik_person = open_as("henrik.lindqvist")
    line = SocketLine(henrik_person.context)
    henrik = open_elsa(henrik_person.page, "henrik.lindqvist")
    sofia = open_elsa(open_as("sofia.lindqvist").page, "sofia.lindqvist")
    ahmed = open_elsa(open_as("ahmed.hassan").page, "ahmed.hassan", thread="Engelska")
    thread_id = (
        henrik.page.locator("[data-thread-link]")
        .filter(has_text="Engelska")
        .get_attribute("data-thread-link")
    )
    count = henrik.page.locator(f"[data-unread-for='{thread_id}'] [data-count]")
    before = int(count.inner_text() or "0")
    tag = token("dubbel")

    line.hold_messages = True  # the channel layer is slow to deliver the live event
    ahmed.send(f"Glosförhör på tisdag {tag}")
    ahmed.expect_sent(tag)
    # Henrik's next heartbeat reply says the page has moved on, and the page catches up.
    expect(count).to_have_text(str(before + 1), timeout=3 * HEARTBEAT_SECONDS * 1000)
    line.release()  # then the live event arrives after all
    # Sofia's typing announcement comes after it on the same socket: once it shows, the
    # late event has been handled.
    sofia.body.press_sequentially("Hej", delay=20)
    expect(henrik.typing).to_contain_text("Sofia Lindqvist")
    expect(count).to_have_text(str(before + 1))


# --- 6. Edit and retract ---------------------------------------------------------------------


def test_edits_and_retractions_reach_the_other_person_live(open_as: OpenAs) -> None:
    sofia = open_elsa(open_as("sofia.lindqvist").page, "sofia.lindqvist")
    ahmed = open_elsa(open_as("ahmed.hassan").page, "ahmed.hassan")
    tag = token("ändra")

    sofia.send(f"Vi kommer klockan 8 {tag}")
    mine = sofia.expect_sent(tag)
    expect(ahmed.message(tag)).to_have_count(1)
    message_id = mine.get_attribute("id")
    mine = sofia.timeline.locator(f"#{message_id}")  # the text leaves the element while editing
    mine.get_by_role("button", name=re.compile("^(Ändra|Edit)$")).click()
    area = mine.locator("form textarea")
    expect(area).to_have_value(f"Vi kommer klockan 8 {tag}")
    area.fill(f"Vi kommer klockan 9 {tag}")
    mine.get_by_role("button", name=re.compile("^(Spara|Save)$")).click()

    theirs = ahmed.timeline.locator(f"#{message_id}")
    expect(theirs.locator(".message__body")).to_have_text(f"Vi kommer klockan 9 {tag}")
    expect(theirs.locator(".message__edited")).to_have_text(re.compile(r"^\((ändrat|ändrad|edited)\)$"))
    expect(sofia.timeline.locator(f"#{message_id} .message__body")).to_have_text(f"Vi kommer klockan 9 {tag}")
    expect(sofia.timeline.locator(f"#{message_id} form")).to_have_count(0)

    gone = token("återkalla")
    sofia.send(f"Fel tråd, förlåt {gone}")
    wrong = sofia.expect_sent(gone)
    wrong_id = wrong.get_attribute("id")
    expect(ahmed.message(gone)).to_have_count(1)
    sofia.page.once("dialog", lambda dialog: dialog.accept())
    wrong.get_by_role("button", name=re.compile("^(Återkalla|Retract)$")).click()

    for side in (ahmed, sofia):
        retracted = side.timeline.locator(f"#{wrong_id}")
        expect(retracted).to_contain_class("message--retracted")
        expect(retracted).to_contain_text(re.compile("återkallats|retracted"))
        expect(side.message(gone)).to_have_count(0)
    # The edited message is untouched by the retraction, and its earlier version is on record.
    expect(theirs.locator(":scope > .message__body")).to_have_text(f"Vi kommer klockan 9 {tag}")
    theirs.locator(".message__edited").click()
    expect(theirs.locator(".message__revisions")).to_have_text(re.compile(f"Vi kommer klockan 8 {tag}"))
    expect(theirs.locator(":scope > .message__body")).to_have_text(f"Vi kommer klockan 9 {tag}")


def test_editing_starts_from_the_markdown_that_was_written(open_as: OpenAs) -> None:
    sofia = open_elsa(open_as("sofia.lindqvist").page, "sofia.lindqvist")
    ahmed = open_elsa(open_as("ahmed.hassan").page, "ahmed.hassan")
    tag = token("källa")
    source = f"**Viktigt** {tag}\n\n- punkt ett\n\nSe [schemat](https://www.skolverket.se/schema)"
    sofia.send(source)
    mine = sofia.timeline.locator(f"#{sofia.expect_sent(tag).get_attribute('id')}")
    mine.get_by_role("button", name=re.compile("^(Ändra|Edit)$")).click()
    area = mine.locator("form textarea")
    expect(area).to_have_value(source)
    # Fixing a typo must not lose the formatting or the link.
    area.fill(area.input_value().replace("punkt ett", "punkt 1"))
    mine.get_by_role("button", name=re.compile("^(Spara|Save)$")).click()
    edited = ahmed.message(tag)
    expect(edited.locator(".message__edited")).to_have_count(1)
    expect(edited.locator(".message__body li")).to_have_text(["punkt 1"])
    expect(edited.locator(".message__body strong")).to_have_text("Viktigt")
    expect(edited.locator(".message__body a")).to_have_attribute("href", "https://www.skolverket.se/schema")


def test_editing_with_earlier_versions_shown_starts_from_the_current_text(open_as: OpenAs) -> None:
    sofia = open_elsa(open_as("sofia.lindqvist").page, "sofia.lindqvist")
    tag = token("version")
    sofia.send(f"Första versionen {tag}")
    mine = sofia.timeline.locator(f"#{sofia.expect_sent(tag).get_attribute('id')}")
    edit = mine.get_by_role("button", name=re.compile("^(Ändra|Edit)$"))
    edit.click()
    mine.locator("form textarea").fill(f"Andra versionen {tag}")
    mine.get_by_role("button", name=re.compile("^(Spara|Save)$")).click()
    expect(mine.locator(":scope > .message__body")).to_have_text(f"Andra versionen {tag}")

    mine.locator(".message__edited").click()
    expect(mine.locator(".message__revisions")).to_have_text(re.compile(f"Första versionen {tag}"))
    edit.click()
    expect(mine.locator("form textarea")).to_have_value(f"Andra versionen {tag}")
    expect(mine.locator(".message__revisions")).to_have_text(re.compile(f"Första versionen {tag}"))


# --- 7. Attachments ---------------------------------------------------------------------------


def test_an_image_is_sent_and_a_disguised_text_file_is_refused(open_as: OpenAs, tmp_path: Path) -> None:
    sofia_person = open_as("sofia.lindqvist")
    sofia = open_elsa(sofia_person.page, "sofia.lindqvist")
    henrik = open_elsa(open_as("henrik.lindqvist").page, "henrik.lindqvist")
    picture = tmp_path / "teckning.png"
    image = Image.new("RGB", (120, 80), "white")
    ImageDraw.Draw(image).ellipse((20, 10, 100, 70), fill="red", outline="navy")
    image.save(picture)
    tag = token("bild")
    file_input = sofia.page.locator("[data-file]")
    files = sofia.page.locator("[data-files] li")

    file_input.set_input_files(picture)
    expect(files).to_have_count(1)
    expect(files).to_contain_text("teckning")
    expect(files.get_by_role("button", name=re.compile("^(Ta bort|Remove)$"))).to_be_visible()
    sofia.send(f"Elsas teckning {tag}")
    sofia.expect_sent(tag)
    expect(files).to_have_count(0)

    received = henrik.message(tag)
    expect(received).to_have_count(1)
    shown = received.locator(".message__files img")
    expect(shown).to_have_count(1)
    expect(shown).to_be_visible()
    shown.scroll_into_view_if_needed()
    henrik.page.wait_for_function(
        "(image) => image.complete && image.naturalWidth === 120", arg=shown.element_handle()
    )
    assert shown.evaluate("(image) => image.naturalHeight") == 80

    # A text file named .jpg: refused with a clear message, nothing attached, nothing sent.
    fake = tmp_path / "semesterbild.jpg"
    fake.write_text("Det här är ingen bild, bara text.\n" * 20)
    sofia_person.problems.expected_statuses.append((400, "/attachments/"))
    file_input.set_input_files(fake)
    error = sofia.page.locator("[data-composer-error]")
    expect(error).to_be_visible()
    expect(error).to_have_text(re.compile("(Bara bilder|Only images).*PDF"))
    expect(files).to_have_count(0)
    after = token("efter")
    sofia.send(f"Den andra bilden gick inte att skicka. {after}")
    follow_up = henrik.message(after)
    expect(follow_up).to_have_count(1)
    expect(follow_up.locator(".message__files")).to_have_count(0)
    # Nothing came between the picture and the follow-up.
    expect(henrik.messages().last).to_contain_text(after)
    expect(henrik.messages().nth(-2)).to_contain_text(tag)


# --- 8. Typing --------------------------------------------------------------------------------


def test_the_other_person_sees_who_is_typing(open_as: OpenAs) -> None:
    sofia = open_elsa(open_as("sofia.lindqvist").page, "sofia.lindqvist")
    ahmed = open_elsa(open_as("ahmed.hassan").page, "ahmed.hassan")
    expect(ahmed.typing).to_have_text("")
    sofia.body.press_sequentially("Hej, jag undrar över", delay=20)
    expect(ahmed.typing).to_have_text(re.compile("^Sofia Lindqvist (skriver|is writing)"))
    expect(sofia.typing).to_have_text("")
    # It goes away a few seconds after she stops.
    expect(ahmed.typing).to_have_text("", timeout=10_000)


# --- 9. Small screens -------------------------------------------------------------------------


def overflowing(page: Page, width: int) -> list[str]:
    """Elements reaching past the right edge of the screen, except inside the thread strip,
    which scrolls sideways in its own box."""
    return list(
        page.evaluate(
            """(width) => Array.from(document.querySelectorAll("body *"))
                 .filter((node) => !node.closest(".threads ul"))
                 .filter((node) => node.getBoundingClientRect().right > width + 0.5)
                 .map((node) => `${node.tagName}.${node.className}: ${node.textContent.slice(0, 40)}`)""",
            width,
        )
    )


def test_student_page_with_messages_fits_a_360_pixel_phone(open_as: OpenAs) -> None:
    sofia = open_elsa(open_as("sofia.lindqvist", width=360, height=740).page, "sofia.lindqvist")
    tag = token("mobil")
    sofia.send(
        f"Länken: https://www.skolverket.se/undervisning/grundskolan/laroplan-och-kursplaner-for-grundskolan/"
        f"laroplan-lgr22-for-grundskolan-samt-for-forskoleklassen-och-fritidshemmet?url=-996270488 {tag}\n\n"
        "Ettmycketlångtordutanmellanslagsomintefårtryckautsidanåtsidanheltochhållet"
    )
    sofia.expect_sent(tag)
    expect(sofia.messages()).not_to_have_count(0)
    assert overflowing(sofia.page, 360) == []
    strip = sofia.page.locator(".threads ul")
    assert strip.evaluate("(node) => node.getBoundingClientRect().right") <= 360
    assert strip.evaluate("(node) => node.scrollWidth > node.clientWidth")  # it scrolls instead
    sofia.body.fill("Elsa har en diagnos")  # the guard's box must fit as well
    expect(sofia.guard).to_be_visible()
    assert overflowing(sofia.page, 360) == []


def test_an_unread_badge_far_along_the_thread_strip_does_not_widen_a_phone_page(open_as: OpenAs) -> None:
    henrik = open_elsa(open_as("henrik.lindqvist").page, "henrik.lindqvist", thread="Idrott och hälsa")
    tag = token("idrott")
    henrik.send(f"Elsa har glömt gympapåsen i omklädningsrummet. {tag}")
    henrik.expect_sent(tag)
    sofia = open_elsa(open_as("sofia.lindqvist", width=360, height=740).page, "sofia.lindqvist")
    last = sofia.page.locator("[data-thread-link]").filter(has_text="Idrott och hälsa")
    expect(last.locator("[data-unread-for]")).not_to_have_attribute("hidden", "")
    assert sofia.page.evaluate("document.documentElement.scrollWidth") <= 360


# --- 10. Offline ------------------------------------------------------------------------------


def test_a_message_written_offline_stays_pending_and_is_sent_once_when_back_online(open_as: OpenAs) -> None:
    sofia_person = open_as("sofia.lindqvist")
    line = SocketLine(sofia_person.context)
    sofia = open_elsa(sofia_person.page, "sofia.lindqvist")
    ahmed = open_elsa(open_as("ahmed.hassan").page, "ahmed.hassan")
    record_timeline(sofia.page)
    tag = token("offline")

    sofia_person.problems.offline = True
    sofia_person.context.set_offline(True)
    line.unplug()
    sofia.expect_offline()
    sofia.send(f"Skrivet på bussen {tag}")
    pending = sofia.message(tag)
    expect(pending).to_contain_class("message--pending")
    # It stays pending, and nothing reaches the other side, for a few heartbeats (and
    # reconnection attempts) -- a negative, so a fixed wait.
    sofia.page.wait_for_timeout(2 * HEARTBEAT_SECONDS * 1000)
    expect(pending).to_contain_class("message--pending")
    expect(ahmed.message(tag)).to_have_count(0)

    line.plug()
    sofia_person.context.set_offline(False)
    sofia.expect_online(timeout=RECONNECT_TIMEOUT)
    sofia.expect_sent(tag)
    sofia_person.problems.offline = False
    expect(ahmed.message(tag)).to_have_count(1)
    client_id = sofia.message(tag).get_attribute("data-client-id")
    assert client_id
    assert states_of(sofia.page, client_id)[0] == "pending"
    assert states_of(sofia.page, client_id)[-1] == "sent"
    # Exactly once, also in what was stored.
    fresh = open_elsa(sofia_person.new_page(), "sofia.lindqvist")
    expect(fresh.message(tag)).to_have_count(1)
    expect(ahmed.message(tag)).to_have_count(1)


def test_going_offline_is_noticed_at_once(open_as: OpenAs) -> None:
    sofia_person = open_as("sofia.lindqvist")
    sofia = open_elsa(sofia_person.page, "sofia.lindqvist")
    ahmed = open_elsa(open_as("ahmed.hassan").page, "ahmed.hassan")
    tag = token("nät")
    sofia_person.problems.offline = True
    sofia_person.context.set_offline(True)
    sofia.expect_offline(timeout=3 * HEARTBEAT_SECONDS * 1000)
    sofia.send(f"Skrivet utan nät {tag}")
    expect(sofia.message(tag)).to_contain_class("message--pending")
    sofia_person.context.set_offline(False)
    sofia.expect_online(timeout=RECONNECT_TIMEOUT)
    sofia.expect_sent(tag)
    expect(ahmed.message(tag)).to_have_count(1)


def test_a_message_whose_acknowledgement_was_lost_shows_as_sent_after_a_reload(open_as: OpenAs) -> None:
    sofia_person = open_as("sofia.lindqvist")
    line = SocketLine(sofia_person.context)
    sofia = open_elsa(sofia_person.page, "sofia.lindqvist")
    ahmed = open_elsa(open_as("ahmed.hassan").page, "ahmed.hassan")
    tag = token("kvitto")

    line.drop_from_server = True  # the connection dies after the server stored the message
    sofia.send(f"Kom ihåg utflykten {tag}")
    expect(ahmed.message(tag)).to_have_count(1)
    expect(sofia.message(tag)).to_contain_class("message--pending")
    line.drop_from_server = False
    sofia.page.reload()  # what a person does when a message seems stuck

    sofia = Dialogue(sofia.page)
    sofia.expect_online()
    expect(sofia.message(tag)).to_have_count(1)
    sofia.expect_sent(tag)
    expect(ahmed.message(tag)).to_have_count(1)
