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
    {"type": "typing", "page": 12, "thread": 3}
    {"type": "check", "body": "...", "ref": "x"}           the guard's findings, nothing saved
    {"type": "unread", "page": 12}                          -> the reader's unread counts now
    {"type": "ping"}                                        -> {"type": "pong", "heads": {...},
                                                                "unread": 3}  (the bell's count)

Server -> client: "subscribed", "message" (a created/edited/retracted message), "ack",
"guard", "typing", "unread", "pong", "revoked" (access to a page ended), "error", and on
every socket of a person "inbox" ({"type": "inbox", "unread": 3}: their unread
notifications changed).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from accounts import policy
from accounts.errors import Forbidden, NotFound, Refused
from accounts.models import User
from dialogue import queries
from dialogue.actions import messages as message_actions
from dialogue.models import StudentPage
from dialogue.payloads import message_payload
from writing import guard
from writing.frames import ids_field, int_field, text_field, uuid_field
from writing.guard import findings_payload

MAX_SUBSCRIPTIONS = 10
CATCH_UP_LIMIT = 500


def _not_found() -> NotFound:
    return NotFound("not_found", _("That page does not exist or you do not have access to it."))


def _page(user: User, page_id: int) -> StudentPage:
    """The page if the user may read it; the same refusal for missing and forbidden."""
    page = _page_row(page_id)
    if not policy.can_read_student_page(user, page.student):
        raise _not_found()
    return page


def _page_row(page_id: int) -> StudentPage:
    """The page, for handing to an action, which asks the policy itself (asking twice
    would double the cost of every send)."""
    page = StudentPage.objects.select_related("student").filter(pk=page_id).first()
    if page is None:
        raise _not_found()
    return page


@dataclass
class Subscription:
    page_id: int
    student_id: int
    head: int
    changes: list[dict[str, Any]]
    complete: bool


def subscribe(user: User, frame: dict[str, Any]) -> Subscription:
    page = _page(user, int_field(frame, "page", minimum=1))
    after = frame.get("after")
    changes: list[dict[str, Any]] = []
    complete = True
    if after is not None:
        after = int_field(frame, "after")
        missed = queries.changes_since(page, after, limit=CATCH_UP_LIMIT + 1)
        complete = len(missed) <= CATCH_UP_LIMIT
        changes = [message_payload(m, list(m.attachments.all())) for m in missed[:CATCH_UP_LIMIT]]
    return Subscription(page.pk, page.student_id, page.last_seq, changes, complete)


def still_allowed(user: User, page_ids: list[int]) -> set[int]:
    """Which of the subscribed pages the user may still read (access can end at any time)."""
    pages = StudentPage.objects.select_related("student").filter(pk__in=page_ids)
    return {page.pk for page in pages if policy.can_read_student_page(user, page.student)}


def send(user: User, frame: dict[str, Any]) -> dict[str, Any]:
    """Store the message and answer with its ``ack``. Refusals (``Refused``, the guard's
    ``SensitiveText``, ``NotFound``) are raised; the consumer answers them as frames naming
    the send's ``client_id``."""
    client_id = uuid_field(frame, "client_id")
    page = _page_row(int_field(frame, "page", minimum=1))
    _message, payload = message_actions.post_message(
        user,
        page,
        thread_id=int_field(frame, "thread", minimum=1),
        body=text_field(frame, "body"),
        client_id=client_id,
        attachment_ids=ids_field(frame, "attachments"),
        send_anyway=frame.get("send_anyway") is True,
    )
    return {"type": "ack", "client_id": str(client_id), "message": payload}


def change(user: User, frame: dict[str, Any]) -> dict[str, Any]:
    """Edit or retract one's message (principals may retract any on their school's pages)."""
    _page_row(int_field(frame, "page", minimum=1))
    message_id = int_field(frame, "message", minimum=1)
    try:
        if frame["type"] == "edit":
            _message, payload = message_actions.edit_message(
                user, message_id, body=text_field(frame, "body"), send_anyway=frame.get("send_anyway") is True
            )
        else:
            _message, payload = message_actions.retract_message(user, message_id)
    except PermissionDenied:
        raise Forbidden("forbidden", _("You cannot change that message.")) from None
    return {"type": "ack", "ref": frame.get("ref"), "message": payload}


def read(user: User, frame: dict[str, Any]) -> None:
    page = _page(user, int_field(frame, "page", minimum=1))
    message_actions.mark_read(
        user, page, thread_id=int_field(frame, "thread", minimum=1), seq=int_field(frame, "seq")
    )


def unread(user: User, frame: dict[str, Any]) -> dict[str, Any]:
    """The reader's unread counts per thread (after a retraction changed them)."""
    page = _page(user, int_field(frame, "page", minimum=1))
    counts = queries.unread_counts(user, page)
    return {"type": "unread", "page": page.pk, "unread": {str(k): v for k, v in counts.items()}}


def check(user: User, frame: dict[str, Any]) -> dict[str, Any]:
    body = text_field(frame, "body")
    if len(body) > 20_000:
        raise Refused("too_long", _("The text is too long to check."))
    return {"type": "guard", "ref": frame.get("ref"), "findings": findings_payload(guard.check_text(body))}


def heads(page_ids: list[int]) -> dict[str, int]:
    return {str(pk): seq for pk, seq in queries.page_heads(page_ids).items()}
