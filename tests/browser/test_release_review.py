"""Releasing a public record in the browser: the registrar opens a request, selects a passage
of a message with the mouse (a real selection, after a character outside the basic plane, so
the page's script must count code points), masks it under a ground, sees the preview with
the marker and without the passage, releases with masking and downloads the PDF copy. axe
finds nothing on the list, the registration form, the review page and the preview."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from io import BytesIO
from typing import Any

import pytest
from django.db import connection
from django.utils import timezone
from playwright.sync_api import Page, expect
from pypdf import PdfReader

from accounts.models import User
from dialogue.actions.messages import post_message
from dialogue.actions.pages import page_of
from dialogue.models import Thread
from records.models import ReleaseRequest
from records.release import actions
from tests.browser.checks import axe_violations
from tests.browser.support import log_in

PASSAGE = "träffar skolkuratorn varje tisdag"
BODY = f"Hej! 😀 Hugo {PASSAGE} och tycker att det hjälper.\nHan läser gärna högt i klassen."


@dataclass(frozen=True)
class Waiting:
    request_id: int
    reference: str
    message_id: int


def _make_request() -> Waiting:
    """A message of Hugo's mentor and a request for Hugo's messages, received just after it,
    registered by the registrar Birgitta (the demo school, which the live server serves)."""
    try:
        hugo = User.objects.get(username="hugo.lindqvist")
        mentor = User.objects.get(username="karin.nordin")
        birgitta = User.objects.get(username="birgitta.sundstrom")
        page = page_of(hugo)
        thread = page.threads.get(kind=Thread.Kind.GENERAL)
        message, _payload = post_message(mentor, page, thread_id=thread.pk, body=BODY, client_id=uuid.uuid4())
        request = actions.register_request(
            birgitta,
            student_id=hugo.pk,
            received_at=timezone.now(),
            requester="",
            requester_contact="",
            kinds=["messages"],
            period_from=None,
            period_to=None,
            delivery=ReleaseRequest.Delivery.PAPER,
            handler_id=birgitta.pk,
        )
        return Waiting(request.pk, request.reference, message.pk)
    finally:
        connection.close()


@pytest.fixture
def waiting(live_url: str, django_db_blocker: Any) -> Iterator[Waiting]:
    """Made on a thread of its own: Playwright's sync API runs an event loop on the test's
    thread, where Django refuses database work."""
    with django_db_blocker.unblock(), ThreadPoolExecutor(max_workers=1) as pool:
        yield pool.submit(_make_request).result()


SELECT = """([box, words]) => {
  const walker = document.createTreeWalker(box, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const at = node.data.indexOf(words);
    if (at < 0) continue;
    const range = document.createRange();
    range.setStart(node, at);
    range.setEnd(node, at + words.length);
    const rects = Array.from(range.getClientRects());
    const first = rects[0];
    const last = rects[rects.length - 1];
    return [first.left + 2, first.top + first.height / 2, last.right - 2, last.top + last.height / 2];
  }
  return null;
}"""


def _drag_over(page: Page, box_selector: str, words: str) -> None:
    """Select ``words`` with the mouse: press before the first letter, drag past the last."""
    box = page.locator(box_selector)
    box.scroll_into_view_if_needed()
    where = box.evaluate(f"(box) => ({SELECT})([box, {words!r}])")
    assert where is not None, words
    left, top, right, bottom = where
    page.mouse.move(left, top)
    page.mouse.down()
    page.mouse.move(right, bottom, steps=12)
    page.mouse.up()


def test_the_registrar_masks_a_selected_passage_and_releases_the_copy(page: Page, waiting: Waiting) -> None:
    problems: list[str] = []
    log_in(page, "birgitta.sundstrom", staff=True)
    page.get_by_test_id("releases-link").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Begäran om allmänna handlingar")
    problems += [f"list: {v}" for v in axe_violations(page)]
    page.get_by_test_id("release-new").click()
    problems += [f"registration form: {v}" for v in axe_violations(page)]
    page.get_by_role("button", name="Registrera begäran").click()  # nothing filled in
    expect(page.get_by_text("Välj minst ett slags handling.")).to_be_visible()
    problems += [f"registration form with errors: {v}" for v in axe_violations(page)]

    page.goto(f"/records/releases/{waiting.request_id}/")
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Begäran {waiting.reference}")
    problems += [f"review: {v}" for v in axe_violations(page)]
    document = page.locator(f"#document-message-{waiting.message_id}")
    form = document.locator("form[data-passage]")
    expect(form).to_be_visible()  # shown by the script
    expect(form.get_by_role("button", name="Maskera det markerade avsnittet")).to_be_visible()

    _drag_over(page, f"#document-message-{waiting.message_id} [data-release-text]", PASSAGE)
    expect(form.locator("[data-selection-text]")).to_have_text(PASSAGE)
    start = BODY.index(PASSAGE)  # code points: the emoji before it counts one
    expect(form.locator('input[name="start"]')).to_have_value(str(start))
    expect(form.locator('input[name="end"]')).to_have_value(str(start + len(PASSAGE)))
    form.get_by_label("Sekretessgrund").select_option(label="23 kap. 2 § OSL – Elevhälsa och särskilt stöd")
    form.get_by_label("Skäl (kort, frivilligt)").fill("Uppgift om elevhälsa")
    form.get_by_role("button", name="Maskera det markerade avsnittet").click()

    expect(page.get_by_text("Maskerat.", exact=False).first).to_be_visible()
    mark = document.locator("mark.masked-passage")
    expect(mark).to_have_text(PASSAGE)
    listed = document.get_by_test_id("passage-masking")
    expect(listed).to_contain_text("23 kap. 2 § OSL: Uppgift om elevhälsa")

    page.get_by_test_id("preview-link").click()
    body = page.locator("body")
    expect(body).to_contain_text("23 kap. 2 § OSL")
    expect(body).to_contain_text("Han läser gärna högt i klassen.")
    assert "skolkuratorn" not in page.content()
    problems += [f"preview: {v}" for v in axe_violations(page)]
    page.go_back()

    page.get_by_test_id("decision-form").get_by_label("Lämna ut med maskering").check()
    page.get_by_role("button", name="Besluta").click()
    expect(page.get_by_test_id("decision")).to_contain_text("Utlämnad med maskering")
    with page.expect_download() as downloading:
        page.get_by_test_id("release-files").get_by_role("link", name="Kopian (PDF)").click()
    download = downloading.value
    assert download.suggested_filename == f"{waiting.reference.replace(' ', '-')}-kopia.pdf"
    path = download.path()
    assert path is not None
    data = path.read_bytes()
    assert data.startswith(b"%PDF-")
    text = " ".join(page_.extract_text() or "" for page_ in PdfReader(BytesIO(data)).pages)
    assert "skolkuratorn" not in text
    assert "23 kap. 2 §" in text
    assert "läser gärna högt" in text

    page.get_by_test_id("delivered-button").click()
    expect(page.get_by_test_id("delivered")).to_contain_text("Birgitta Sundström")
    assert problems == []
