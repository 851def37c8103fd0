"""Search as a guardian uses it: from the header, a result opens the student's page at the
message, also one too old to be on the thread's first screen."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from django.db import connection
from django.test import override_settings
from playwright.sync_api import Page, expect

from tests.browser.support import log_in

GUARDIAN = "sofia.lindqvist"
# More than the thread's first screen (``dialogue.queries.PAGE_SIZE``, 50).
LATER_MESSAGES = 60


def _old_message(word: str) -> int:
    from accounts.models import User
    from dialogue.actions.messages import post_message
    from dialogue.actions.pages import page_of
    from dialogue.models import Thread

    try:
        guardian = User.objects.get(username=GUARDIAN)
        student = User.objects.get(username="elsa.lindqvist")
        page = page_of(student)
        thread = page.threads.get(kind=Thread.Kind.GENERAL)
        with override_settings(DIALOGUE_SEND_LIMIT_PER_MINUTE=1000):
            old, _payload = post_message(
                guardian,
                page,
                thread_id=thread.pk,
                body=f"Läxorna {word} ligger i väskan.",
                client_id=uuid.uuid4(),
            )
            for n in range(LATER_MESSAGES):
                post_message(
                    guardian, page, thread_id=thread.pk, body=f"Fyllnad {n}.", client_id=uuid.uuid4()
                )
        return old.pk
    finally:
        connection.close()


@pytest.fixture
def old_message(live_url: str, django_db_blocker: Any) -> Iterator[tuple[str, int]]:
    """A message with a word of its own, then enough later ones to push it off the first screen.
    Made on a thread of its own: Django refuses database work in Playwright's event loop."""
    word = f"ord{uuid.uuid4().hex[:8]}"
    with django_db_blocker.unblock(), ThreadPoolExecutor(max_workers=1) as pool:
        yield word, pool.submit(_old_message, word).result()


def test_a_result_opens_the_page_at_an_old_message(page: Page, old_message: tuple[str, int]) -> None:
    word, message_id = old_message
    log_in(page, GUARDIAN)
    page.get_by_role("navigation", name="Huvudmeny").get_by_role("link", name="Sök").click()
    page.get_by_label("Sök i dialogen").fill(f"läxa {word}")
    page.get_by_role("button", name="Sök", exact=True).click()
    hits = page.get_by_test_id("search-hit")
    expect(hits).to_have_count(1)
    expect(hits.locator("mark").first).to_have_text("Läxorna")
    hits.get_by_role("link").click()
    target = page.locator(f"#m-{message_id}")
    expect(target).to_be_visible()
    expect(target).to_have_class(re.compile(r"\bmessage--linked\b"))
    expect(target).to_be_in_viewport()
