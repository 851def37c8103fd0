"""Storing a new message: the page's next event number, the message, and its outbox event.

On PostgreSQL one statement does it all, so a send costs one round trip to the database for
its write rather than a transaction of five: it takes the page's next number under the page
row's lock (numbers commit in order and without gaps), takes nothing and stores nothing when the
author has sent ``DIALOGUE_SEND_LIMIT_PER_MINUTE`` messages in the last minute, and inserts the
message and the notifications outbox row (``notifications.receivers.event_insert``) together.
On its own (autocommit) the statement is its own transaction; inside the caller's transaction
it is one more statement of it.

Elsewhere (SQLite, the embedded default of ``make run``) the same steps run one by one.
"""

from __future__ import annotations

import datetime
import uuid
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import connection
from django.utils import timezone

from accounts import events
from accounts.models import User
from accounts.statements import prepared_cursor
from dialogue.models import Message, StudentPage, Thread
from notifications.receivers import after_event_insert, event_insert
from writing.counters import next_seq

POSTED = "message.posted"


@dataclass(frozen=True)
class NewMessage:
    page: StudentPage
    thread: Thread
    author: User
    client_id: uuid.UUID
    body: str
    html: str

    def message(self, *, seq: int, **more: Any) -> Message:
        """The message as a model instance (not saved), numbered ``seq``."""
        return Message(
            page=self.page,
            thread=self.thread,
            author=self.author,
            client_id=self.client_id,
            body=self.body,
            body_html=self.html,
            seq=seq,
            change_seq=seq,
            **more,
        )

    def event(self) -> dict[str, Any]:
        """The outbox event's data (the message's id is added when it is stored)."""
        return {
            "actor_id": self.author.pk,
            "student_id": self.page.student_id,
            "page_id": self.page.pk,
            "thread_id": self.thread.pk,
        }


def recent_window_start() -> datetime.datetime:
    return timezone.now() - datetime.timedelta(minutes=1)


def store_message(new: NewMessage, *, one_statement: bool | None = None) -> Message | None:
    """The stored message (its page's ``last_seq`` updated in memory), or None when the author
    is at the send limit (nothing stored, no number taken). A repeated client id raises
    ``IntegrityError`` (nothing stored, no number taken). Precondition: outside a transaction
    only on PostgreSQL (``one_statement``: for tests of both ways, default by the database)."""
    if one_statement is None:
        one_statement = connection.vendor == "postgresql"
    stored = _in_one_statement(new) if one_statement else _step_by_step(new)
    if stored is not None:
        new.page.last_seq = stored.seq
    return stored


def _in_one_statement(new: NewMessage) -> Message | None:
    now = timezone.now()
    pages, messages = StudentPage._meta.db_table, Message._meta.db_table
    members = [
        # At most LIMIT rows are looked at (the index on author and time), however busy.
        f"recent AS (SELECT 1 FROM {messages} WHERE author_id = %s AND created_at >= %s LIMIT %s)",  # noqa: S608
        f"taken AS (UPDATE {pages} SET last_seq = last_seq + 1 "  # noqa: S608
        f"WHERE id = %s AND (SELECT count(*) FROM recent) < %s RETURNING last_seq)",
        f"message AS (INSERT INTO {messages} (page_id, thread_id, author_id, client_id, body, "  # noqa: S608
        "body_html, seq, change_seq, created_at) "
        "SELECT %s, %s, %s, %s, %s, %s, last_seq, last_seq, %s FROM taken RETURNING id, seq)",
    ]
    limit = settings.DIALOGUE_SEND_LIMIT_PER_MINUTE
    params: list[Any] = [new.author.pk, now - datetime.timedelta(minutes=1), limit, new.page.pk, limit]
    params += [new.page.pk, new.thread.pk, new.author.pk, new.client_id, new.body, new.html, now]
    outbox = event_insert(POSTED, new.event(), source="message", id_key="message_id")
    if outbox is not None:
        members.append(outbox[0])
        params += outbox[1]
    with prepared_cursor() as cursor:
        cursor.execute("WITH " + ", ".join(members) + " SELECT id, seq FROM message", params)  # noqa: S608
        row = cursor.fetchone()
    if row is None:
        return None
    if outbox is not None:
        after_event_insert()
    events.announce_stored(POSTED, **new.event(), message_id=row[0])
    return _in_memory(new, pk=row[0], seq=row[1], created_at=now)


def _step_by_step(new: NewMessage) -> Message | None:
    """The same, statement by statement. Precondition: inside a transaction."""
    limit = settings.DIALOGUE_SEND_LIMIT_PER_MINUTE
    recent = Message.objects.filter(author=new.author, created_at__gte=recent_window_start())
    if recent[:limit].count() >= limit:
        return None
    message = new.message(seq=next_seq(new.page))
    message.save(force_insert=True)
    events.announce(POSTED, **new.event(), message_id=message.pk)
    return message


def _in_memory(new: NewMessage, *, pk: int, seq: int, created_at: datetime.datetime) -> Message:
    """The message the statement stored, as a saved model instance (no query)."""
    message = new.message(seq=seq, pk=pk, created_at=created_at)
    message._state.adding = False
    message._state.db = connection.alias
    return message
