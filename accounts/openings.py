"""Openings of a student's records: the hook of the access log.

Every door to a student's records (``dialogue.doors``) sends ``opened`` exactly once per
opening: a page shown, a document shown, a file downloaded, a live subscription started.
Acting on a page that is already open (a send over the socket, a form's action) is not an
opening. The records floor listens and keeps the access log; nothing here stores anything.
The signal never carries what was read, only who opened what, as whom, and through which
channel.
"""

from __future__ import annotations

import contextvars
import datetime
from collections.abc import Iterator, Mapping
from contextlib import contextmanager

from django.dispatch import Signal

# Sent with: viewer_id, student_id, what (a noun: "page", "thread", "attachment",
# "assessment", "goals", ...), object_id (or None), relation (``policy.StudentRelation``),
# channel (one of CHANNELS) and at (None: now; the demo's past openings give a time).
opened = Signal()
# Several openings of one kind at once (the search's snippets of many students' pages):
# viewer_id, what, relations (student id -> ``policy.StudentRelation``), channel. The log
# writes them in one INSERT.
opened_together = Signal()

PAGE = "page"
SOCKET = "socket"
NOTIFICATION = "notification"
CHANNELS = (PAGE, SOCKET, NOTIFICATION)

# Which way the openings of the work in hand came: a web page unless the socket's consumer
# or a request followed from a notification says otherwise. A context variable rather than a
# parameter of every door, so that the doors stay the same whatever the channel; it follows
# the work into the thread pool (asgiref copies the context).
_channel: contextvars.ContextVar[str] = contextvars.ContextVar("opening_channel", default=PAGE)


@contextmanager
def through(channel: str) -> Iterator[None]:
    """Openings inside the block came through ``channel``."""
    if channel not in CHANNELS:
        raise ValueError(f"unknown opening channel {channel!r}")
    token = _channel.set(channel)
    try:
        yield
    finally:
        _channel.reset(token)


def current_channel() -> str:
    return _channel.get()


def record_opening(
    *,
    viewer_id: int,
    student_id: int,
    what: str,
    object_id: int | None,
    relation: object,
    at: datetime.datetime | None = None,
) -> None:
    opened.send(
        sender=None,
        viewer_id=viewer_id,
        student_id=student_id,
        what=what,
        object_id=object_id,
        relation=relation,
        channel=current_channel(),
        at=at,
    )


def record_openings(*, viewer_id: int, what: str, relations: Mapping[int, object]) -> None:
    """One opening of ``what`` per student of ``relations`` (student id -> the viewer's
    relation), recorded together."""
    if relations:
        opened_together.send(
            sender=None, viewer_id=viewer_id, what=what, relations=dict(relations), channel=current_channel()
        )
