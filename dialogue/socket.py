"""The dialogue's part of the live socket: each inbound frame type maps to one function
here, which validates the frame and calls one action or query. The consumer
(``frontend.consumer``) stays thin: it authenticates, keeps the subscriptions, and relays.

Frames are JSON objects with a ``type``. Client -> server:

    {"type": "subscribe", "page": 12, "after": 340}        follow a page; missed changes follow
    {"type": "send", "page": 12, "thread": 3, "client_id": "<uuid>", "body": "...",
     "attachments": [7], "send_anyway": false}             -> "ack" | "guard" | "error"
    {"type": "edit", "page": 12, "message": 55, "body": "...", "send_anyway": false, "ref": "x"}
    {"type": "retract", "page": 12, "message": 55, "ref": "x"}
    {"type": "read", "page": 12, "thread": 3, "seq": 341}
    {"type": "typing", "page": 12, "thread": 3}            to the thread's readers only
    {"type": "check", "body": "...", "ref": "x"}           the guard's findings, nothing saved
    {"type": "unread", "page": 12}                          -> the reader's unread counts now
    {"type": "ping"}                                        -> {"type": "pong", "heads": {...},
                                                                "unread": 3}  (the bell's count)

Server -> client: "subscribed", "message" (a created/edited/retracted message), "ack",
"guard", "typing", "unread", "pong", "revoked" (access to a page ended), "error", and on
every socket of a person "inbox" ({"type": "inbox", "unread": 3}: their unread
notifications changed). Read receipts go to the writer alone, on their sockets that follow
the page, when someone's reading reaches their messages:

    {"type": "receipts", "page": 12, "thread": 3, "receipts": {"55": [{"id": 7,
     "name": "Karin", "read": true, "at": "2026-12-03T17:02:00+00:00"}, ...]}}

(every reader of the thread but the writer, for each of the writer's messages newly read;
``at`` is null for a read from before receipts were kept: ``dialogue.queries.receipts``).
Missed receipts are not caught up over the socket: after a reconnect the writer's browser
asks the thread's history view again, which carries the receipts of their messages.

Every answer about a send ("ack", "guard", "error") names it with the send's ``client_id``;
answers about other frames carry the frame's ``ref``. An error is
``{"type": "error", "code": ..., "message": ..., "client_id" | "ref": ...}``, made in one
place (``writing.frames.answer_frame``). A page, thread or message one may not read answers
exactly as a missing one: ``not_found`` for pages, ``unknown_message`` for messages.

Each page is opened through ``dialogue.doors``: a subscription is an opening of the page (the
access log hears of it); the frames that act on a followed page are not.

Errors a client acts on: ``bad_frame`` (a frame that cannot be read: nested too deep, a
character no text can hold), ``too_large`` (over 64 KiB), ``unavailable`` (the database
cannot be reached: nothing was stored; ``retry_after`` says when to send again; a pong then
carries ``"unavailable": "database"``), ``too_many_sockets`` (before a 4429 close). Close
codes: 4401 (not logged in, or the session ended), 4429 (more open sockets than
``WEBSOCKETS_PER_PERSON``; wait a minute), 4503 (the service cannot serve the socket now;
back off and come again), 1009 (a message of 1 MiB or more). Browsers reconnect with
jittered backoff of at most 10 s (``frontend/static/frontend/socket/client.js``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _

from accounts import policy
from accounts.errors import NotFound, Refused
from accounts.models import User
from dialogue import doors, queries
from dialogue.actions import messages as message_actions
from dialogue.payloads import message_payload
from writing import guard
from writing.frames import ids_field, int_field, text_field, uuid_field
from writing.guard import findings_payload

MAX_SUBSCRIPTIONS = 10
CATCH_UP_LIMIT = 500
MAX_CHECK_CHARS = 20_000


@dataclass
class Subscription:
    page_id: int
    student_id: int
    head: int
    changes: list[dict[str, Any]]
    complete: bool


def subscribe(user: User, frame: dict[str, Any]) -> Subscription:
    """Follow a page (an opening), with what changed after ``after`` when given."""
    page_id = int_field(frame, "page", minimum=1)
    after = int_field(frame, "after") if frame.get("after") is not None else None
    page = doors.page(user, page_id, what="live").page
    changes: list[dict[str, Any]] = []
    complete = True
    if after is not None:
        missed = queries.changes_since(page, user, after, limit=CATCH_UP_LIMIT + 1)
        complete = len(missed) <= CATCH_UP_LIMIT
        shown = missed[:CATCH_UP_LIMIT]
        hidden = policy.names_hidden_from(user, [m.author for m in shown])
        changes = [message_payload(m, list(m.attachments.all()), hidden) for m in shown]
    return Subscription(page.pk, page.student_id, page.last_seq, changes, complete)


def still_allowed(user: User, page_ids: list[int]) -> set[int]:
    """Which of the subscribed pages the user may still read (access can end at any time)."""
    return doors.readable_pages(user, page_ids)


def send(user: User, frame: dict[str, Any]) -> dict[str, Any]:
    """Store the message and answer with its ``ack``. Refusals (``Refused``, the guard's
    ``SensitiveText``, ``NotFound``) are raised; the consumer answers them as frames naming
    the send's ``client_id``."""
    client_id = uuid_field(frame, "client_id")
    _message, payload = message_actions.post_message(
        user,
        int_field(frame, "page", minimum=1),
        thread_id=int_field(frame, "thread", minimum=1),
        body=text_field(frame, "body"),
        client_id=client_id,
        attachment_ids=ids_field(frame, "attachments"),
        send_anyway=frame.get("send_anyway") is True,
    )
    return {"type": "ack", "client_id": str(client_id), "message": payload}


def change(user: User, frame: dict[str, Any]) -> dict[str, Any]:
    """Edit or retract one's message (principals may retract any on their school's pages).
    The message must be on the frame's page."""
    page_id = int_field(frame, "page", minimum=1)
    message_id = int_field(frame, "message", minimum=1)
    if frame["type"] == "edit":
        _message, payload = message_actions.edit_message(
            user,
            message_id,
            body=text_field(frame, "body"),
            send_anyway=frame.get("send_anyway") is True,
            page_id=page_id,
        )
    else:
        _message, payload = message_actions.retract_message(user, message_id, page_id=page_id)
    return {"type": "ack", "ref": frame.get("ref"), "message": payload}


def read(user: User, frame: dict[str, Any]) -> None:
    message_actions.mark_read(
        user,
        int_field(frame, "page", minimum=1),
        thread_id=int_field(frame, "thread", minimum=1),
        seq=int_field(frame, "seq"),
    )


def unread(user: User, frame: dict[str, Any]) -> dict[str, Any]:
    """The reader's unread counts per thread (after a retraction changed them)."""
    page = doors.page(user, int_field(frame, "page", minimum=1), opening=False).page
    counts = queries.unread_counts(user, page)
    return {"type": "unread", "page": page.pk, "unread": {str(k): v for k, v in counts.items()}}


def check(user: User, frame: dict[str, Any]) -> dict[str, Any]:
    body = text_field(frame, "body")
    if len(body) > MAX_CHECK_CHARS:
        raise Refused("too_long", _("The text is too long to check."))
    return {"type": "guard", "ref": frame.get("ref"), "findings": findings_payload(guard.check_text(body))}


def typing_groups(user: User, page_id: int, thread_id: int) -> tuple[list[str], bool]:
    """Where a typing announcement in the thread goes (``thread_groups``), and whether the
    thread is read by everyone on the page (its groups never change: the consumer keeps them).
    A thread the user may not read, or not on the page, is announced to nobody."""
    try:
        access, thread = doors.thread(user, page_id, thread_id, opening=False)
    except NotFound:
        return [], False
    return message_actions.thread_groups(thread, access.page.student_id), not thread.is_private


def page_heads(page_ids: list[int]) -> dict[int, int]:
    """The latest event number of each page (one query)."""
    return queries.page_heads(page_ids) if page_ids else {}
