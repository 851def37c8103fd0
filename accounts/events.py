"""Publishing live events to the channel layer, after the transaction commits.

The channel layer delivers at most once and may be down; it is never the source of truth.
A failure to publish is logged and swallowed: what was saved stays saved, and clients
catch up from the database (they compare the page heads sent with every heartbeat).

Groups: ``user.<id>`` (every socket of a person), ``page.<id>`` (sockets showing a
student's page), ``student.<id>`` (sockets showing anything about a student).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Any

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import transaction
from django.dispatch import Signal

log = logging.getLogger("elevdialog.events")


def user_group(user_id: int) -> str:
    return f"user.{user_id}"


def student_group(student_id: int) -> str:
    return f"student.{student_id}"


def page_group(page_id: int) -> str:
    return f"page.{page_id}"


def send_many(messages: Iterable[tuple[str, dict[str, Any]]]) -> bool:
    """Send each (group, event) at once, in one pass of the event loop (one person told of
    84 notifications costs one loop entry, not 84); False (and a log line) if the layer
    failed."""
    layer = get_channel_layer()
    if layer is None:
        return False
    messages = list(messages)

    async def send_all() -> None:
        for group, event in messages:
            await layer.group_send(group, event)

    try:
        async_to_sync(send_all)()
    except Exception:  # the channel layer's errors are many (Redis, network, capacity)
        kinds = sorted({str(event.get("type")) for _group, event in messages})
        log.warning("could not publish %s to %s", kinds, [g for g, _e in messages][:20], exc_info=True)
        return False
    return True


def send_now(groups: Iterable[str], event: dict[str, Any]) -> bool:
    """Send to every group at once; False (and a log line) if the layer failed."""
    return send_many((group, event) for group in groups)


def publish(groups: Iterable[str], event: dict[str, Any]) -> None:
    """Send after the current transaction commits (at once outside a transaction)."""
    publish_many((group, event) for group in groups)


def publish_many(messages: Iterable[tuple[str, dict[str, Any]]]) -> None:
    """Send each (group, event) after the current transaction commits."""
    messages = list(messages)
    transaction.on_commit(lambda: send_many(messages))


def recheck_access(*, user_ids: Iterable[int] = (), student_ids: Iterable[int] = ()) -> None:
    """Ask open sockets to check their subscriptions against the policy again (a membership
    changed, an account was deactivated)."""
    groups = [user_group(pk) for pk in user_ids] + [student_group(pk) for pk in student_ids]
    publish(groups, {"type": "access.recheck"})


def recheck_sessions(user_id: int) -> None:
    """Ask the person's open sockets to check that their session is still valid (logout,
    password change, log out everywhere)."""
    publish([user_group(user_id)], {"type": "session.recheck"})


# Something happened that other parts may act on. Receivers get ``kind`` and the event's
# data (JSON-serialisable) as keywords.
# ``announcing`` is sent at once, inside the announcing transaction, to receivers that must
# store the event together with what it tells (the notifications outbox: an event is stored
# exactly when the change commits, and never lost between the commit and a crash); such a
# receiver's failure fails the action. ``announced`` is sent after the commit.
announcing = Signal()
announced = Signal()


def announce(kind: str, **data: Any) -> None:
    """Announce: ``announcing`` now, ``announced`` after the current transaction commits
    (a failing ``announced`` receiver is logged and never undoes or hides what was saved)."""
    announcing.send(sender=None, kind=kind, **data)

    def send() -> None:
        for receiver, result in announced.send_robust(sender=None, kind=kind, **data):
            if isinstance(result, Exception):
                log.error("receiver %r failed on %s", receiver, kind, exc_info=result)

    transaction.on_commit(send)
