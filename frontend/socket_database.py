"""How the live socket's handlers reach the database: in the thread pool, with persistent
connections that are checked at most once a second.

Channels' ``database_sync_to_async`` runs ``close_old_connections`` before and after each call.
With ``CONN_HEALTH_CHECKS`` on (settings: a restarted PostgreSQL must not fail the first
query of each pooled connection), that makes the first query of every call a ``SELECT 1``
first: a send of three round trips was four, and a heartbeat's read of two was three. Here a
connection is checked again only when its last check is ``HEALTH_CHECK_SECONDS`` old. A
connection that failed is still closed after the call (``close_if_unusable_or_obsolete``), and
one older than ``CONN_MAX_AGE`` is still replaced; a connection idle through an outage (which
lasts longer than a second) is checked before it is used again.
"""

from __future__ import annotations

import time
import weakref
from collections.abc import Awaitable, Callable
from typing import Any

from asgiref.sync import SyncToAsync
from django.db import close_old_connections, connections
from django.db.backends.base.base import BaseDatabaseWrapper

HEALTH_CHECK_SECONDS = 1.0

# When each connection wrapper (one per thread and alias) last had its health check allowed.
_checked_at: weakref.WeakKeyDictionary[BaseDatabaseWrapper, float] = weakref.WeakKeyDictionary()


def close_old_connections_checking_once_a_second(now: float) -> None:
    """Django's ``close_old_connections``, with the health check left out for a connection
    checked less than ``HEALTH_CHECK_SECONDS`` ago."""
    for wrapper in connections.all(initialized_only=True):
        connection: Any = wrapper  # (the stubs leave out the health-check attributes)
        connection.close_if_unusable_or_obsolete()
        if connection.connection is None or not connection.health_check_enabled:
            continue
        if now - _checked_at.get(connection, -HEALTH_CHECK_SECONDS) < HEALTH_CHECK_SECONDS:
            connection.health_check_done = True
        else:
            _checked_at[connection] = now  # its next query checks it first


class SocketDatabaseWork(SyncToAsync):
    def thread_handler(self, loop: Any, *args: Any, **kwargs: Any) -> Any:
        close_old_connections_checking_once_a_second(time.monotonic())
        try:
            return super().thread_handler(loop, *args, **kwargs)
        finally:
            close_old_connections()  # Django's: a failed or too old connection is closed


def database_sync_to_async(function: Callable[..., Any]) -> Callable[..., Awaitable[Any]]:
    """Run ORM work in the thread pool rather than on the one "thread-sensitive" thread
    that Channels would use by default: that thread would serialise the database work of
    every socket in the process, and a slow frame would stall everyone's live messages.
    (Each pool thread keeps its own persistent connection.)"""
    return SocketDatabaseWork(function, thread_sensitive=False)
