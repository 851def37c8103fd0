"""Publishing live events to the channel layer, after the transaction commits.

The channel layer delivers at most once and may be down; it is never the source of truth.
A failure to publish is logged and swallowed: what was saved stays saved, and clients
catch up from the database (they compare the page heads sent with every heartbeat).

Groups: ``user.<id>`` (every socket of a person), ``page.<id>`` (sockets showing a
student's page), ``student.<id>`` (sockets showing anything about a student).

A private thread (``accounts.policy.threads``) is read by fewer people than its page, so its
live frames (messages, typing) never go to ``page.<id>``, which every subscriber of the page
joins. They go to ``user.<id>`` of each of the thread's readers, asked of the policy when the
frame is published (``thread_audience(roles_on_student_page(student), thread)``); the
consumer relays them only to sockets that follow the page. Nothing is kept per socket, so
when someone's access ends (a guardianship, a teaching assignment) the next frame already
leaves them out. Catch-up (``dialogue.queries.changes_since``) filters by the same policy;
the heartbeat's page heads are bare event numbers and carry no message.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import logging
import os
import time
from collections.abc import Callable, Coroutine, Iterable
from typing import Any

from asgiref.sync import SyncToAsync, async_to_sync
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


def page_of(group: str) -> int | None:
    """The page a page's group is for (None for other groups)."""
    prefix, _dot, number = group.partition(".")
    return int(number) if prefix == "page" and number.isdigit() else None


async def group_send(layer: Any, group: str, event: dict[str, Any]) -> None:
    """Send ``event`` to ``group``'s members, naming the group in it: a server process
    receives the events of all its sockets' groups through one channel of its own and
    hands each to the sockets that joined the group it names (``frontend.process_relay``)."""
    await layer.group_send(group, {**event, "group": group})


# How long a database thread waits for the server's event loop to publish its events. A
# healthy channel layer takes milliseconds; past this, the events are given up (clients catch
# up from the database) rather than holding the thread that answers the sender.
PUBLISH_WAIT_SECONDS = 5.0
_publishing: set[asyncio.Task[None]] = set()  # running on the server's loop (strong references)


def send_many(messages: Iterable[tuple[str, dict[str, Any]]]) -> bool:
    """Send each (group, event) at once, in one pass of the event loop (one person told of
    84 notifications costs one loop entry, not 84); False (and a log line) if the layer
    failed or the server is stopping."""
    layer = get_channel_layer()
    if layer is None:
        return False
    messages = list(messages)

    async def send_all() -> None:
        for group, event in messages:
            await group_send(layer, group, event)

    kinds = sorted({str(event.get("type")) for _group, event in messages})
    try:
        loop = _server_loop()
        if loop is None:  # a command, the worker, a test: a loop of this thread's own
            async_to_sync(send_all)()
        else:
            outcome = _run_on(loop, send_all)
            if outcome == "stopped":  # clients catch up from the database on reconnecting
                log.info("did not publish %s: the server is stopping", kinds)
                return False
            if outcome == "late":
                log.warning("did not publish %s within %s s", kinds, PUBLISH_WAIT_SECONDS)
                return False
    except Exception:  # the channel layer's errors are many (Redis, network, capacity)
        log.warning("could not publish %s to %s", kinds, [g for g, _e in messages][:20], exc_info=True)
        return False
    return True


def _server_loop() -> asyncio.AbstractEventLoop | None:
    """The event loop of the server that handed this thread its work (a socket frame, a
    request), as asgiref records it for ``async_to_sync``; None outside a server."""
    local = SyncToAsync.threadlocal
    if getattr(local, "main_event_loop_pid", None) != os.getpid():
        return None  # never set in this thread, or inherited across a fork
    loop = getattr(local, "main_event_loop", None)
    return loop if isinstance(loop, asyncio.AbstractEventLoop) else None


def _run_on(loop: asyncio.AbstractEventLoop, make: Callable[[], Coroutine[Any, Any, None]]) -> str:
    """Run ``make()`` on the server's loop and wait for it: "done" (its errors are raised),
    "stopped" if the loop stopped before it finished, "late" if it took longer than
    PUBLISH_WAIT_SECONDS.

    Not ``async_to_sync``: it waits for ever, and a server stops its loop at SIGTERM while
    database threads are still committing what sockets sent. Their publish then waited on a
    loop that would never run again, and the process could not exit.
    """
    if not loop.is_running():
        return "stopped"
    done: concurrent.futures.Future[None] = concurrent.futures.Future()

    def start() -> None:  # on the loop; the coroutine is made only if the loop runs this
        task = loop.create_task(make())
        _publishing.add(task)
        task.add_done_callback(finished)

    def finished(task: asyncio.Task[None]) -> None:
        _publishing.discard(task)
        if task.cancelled():
            done.set_exception(RuntimeError("publishing was cancelled"))
        elif task.exception() is not None:
            done.set_exception(task.exception())
        else:
            done.set_result(None)

    try:
        loop.call_soon_threadsafe(start)
    except RuntimeError:  # the loop is closed
        return "stopped"
    deadline = time.monotonic() + PUBLISH_WAIT_SECONDS
    while True:
        try:
            done.result(timeout=0.1)
            return "done"
        except concurrent.futures.TimeoutError:
            if not loop.is_running():
                return "stopped"
            if time.monotonic() > deadline:
                return "late"


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
    announce_stored(kind, **data)


def announce_stored(kind: str, **data: Any) -> None:
    """Announce an event whose outbox row the caller wrote in its own statement (the send of
    a message: ``notifications.receivers.event_insert``): ``announced`` after the commit."""

    def send() -> None:
        for receiver, result in announced.send_robust(sender=None, kind=kind, **data):
            if isinstance(result, Exception):
                log.error("receiver %r failed on %s", receiver, kind, exc_info=result)

    transaction.on_commit(send)
