"""The store of a new message, both ways: one statement on PostgreSQL (what every send uses) and
statement by statement (SQLite, the embedded default), checked alike on the test database."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from django.db import IntegrityError, transaction

from dialogue.actions.message_store import NewMessage, store_message
from dialogue.actions.pages import page_of
from dialogue.models import Message, StudentPage, Thread
from notifications.models import Event
from tests.support.cast import Cast

pytestmark = pytest.mark.django_db

WAYS = pytest.mark.parametrize("one_statement", [True, False], ids=["one-statement", "step-by-step"])


def _new(cast: Cast, client_id: uuid.UUID | None = None, body: str = "Hej") -> NewMessage:
    page = page_of(cast.student)
    thread = page.threads.get(kind=Thread.Kind.GENERAL)
    return NewMessage(page, thread, cast.guardian_1, client_id or uuid.uuid4(), body, f"<p>{body}</p>")


def _store(new: NewMessage, one_statement: bool) -> Message | None:
    with transaction.atomic():
        return store_message(new, one_statement=one_statement)


@WAYS
def test_a_message_takes_the_next_number_and_its_outbox_row_with_it(cast: Cast, one_statement: bool) -> None:
    new = _new(cast)
    head = new.page.last_seq
    message = _store(new, one_statement)
    assert message is not None
    stored = Message.objects.get(pk=message.pk)
    assert (stored.seq, stored.change_seq, stored.body_html) == (head + 1, head + 1, "<p>Hej</p>")
    assert (message.seq, message.created_at) == (stored.seq, stored.created_at)
    assert StudentPage.objects.get(pk=new.page.pk).last_seq == new.page.last_seq == head + 1
    event = Event.objects.filter(kind="message.posted").latest("pk")
    assert event.data == {
        "actor_id": cast.guardian_1.pk,
        "student_id": cast.student.pk,
        "page_id": new.page.pk,
        "thread_id": new.thread.pk,
        "message_id": message.pk,
    }
    assert (event.attempts, event.done_at, event.last_error) == (0, None, "")


@WAYS
def test_a_repeated_client_id_stores_nothing_and_takes_no_number(cast: Cast, one_statement: bool) -> None:
    client_id = uuid.uuid4()
    assert _store(_new(cast, client_id), one_statement) is not None
    new = _new(cast, client_id, "En kopia")
    head, events = new.page.last_seq, Event.objects.count()
    with pytest.raises(IntegrityError):
        _store(new, one_statement)
    assert StudentPage.objects.get(pk=new.page.pk).last_seq == head
    assert Event.objects.count() == events
    assert not Message.objects.filter(body="En kopia").exists()


@WAYS
def test_at_the_send_limit_nothing_is_stored_and_no_number_taken(
    cast: Cast, one_statement: bool, settings: Any
) -> None:
    settings.DIALOGUE_SEND_LIMIT_PER_MINUTE = 2
    sent = Message.objects.filter(author=cast.guardian_1).count()
    for _ in range(2 - sent):
        assert _store(_new(cast), one_statement) is not None
    new = _new(cast, body="En för mycket")
    head, events = new.page.last_seq, Event.objects.count()
    assert _store(new, one_statement) is None
    assert StudentPage.objects.get(pk=new.page.pk).last_seq == head
    assert Event.objects.count() == events
    assert not Message.objects.filter(body="En för mycket").exists()
