"""The socket's database work (``frontend.socket_database``): a persistent connection is
health-checked (Django's ``SELECT 1`` before its first query) at most once a second, not
before every frame; after a frame whose query failed it is checked at once (and closed if
it no longer works). A PostgreSQL that stops and starts under a running server:
``tests/deployment/test_database_outage.py``.
"""

from __future__ import annotations

import concurrent.futures
from collections.abc import Iterator
from typing import Any

import pytest
from django.db import DatabaseError, connection, connections

from accounts.models import User
from frontend import socket_database
from frontend.socket_database import SocketDatabaseWork

pytestmark = [pytest.mark.django_db(transaction=True, serialized_rollback=True), pytest.mark.asyncio]


@pytest.fixture
def checks(monkeypatch: pytest.MonkeyPatch) -> list[bool]:
    """Persistent connections as in production, and each health check's answer."""
    monkeypatch.setitem(connection.settings_dict, "CONN_MAX_AGE", 600)
    monkeypatch.setitem(connection.settings_dict, "CONN_HEALTH_CHECKS", True)
    wrapper = type(connections["default"])
    real = wrapper.is_usable
    seen: list[bool] = []

    def is_usable(self: Any) -> bool:
        seen.append(real(self))
        return seen[-1]

    monkeypatch.setattr(wrapper, "is_usable", is_usable)
    return seen


@pytest.fixture
def one_thread() -> Iterator[concurrent.futures.ThreadPoolExecutor]:
    """One pool thread, so that every call uses the same connection; closed at the end."""
    executor = concurrent.futures.ThreadPoolExecutor(1)
    yield executor
    executor.submit(connections.close_all).result()
    executor.shutdown()


def _work(executor: concurrent.futures.ThreadPoolExecutor, function: Any) -> Any:
    return SocketDatabaseWork(function, thread_sensitive=False, executor=executor)


async def test_a_busy_connection_is_checked_once_a_second_not_before_every_frame(
    checks: list[bool], one_thread: concurrent.futures.ThreadPoolExecutor, monkeypatch: pytest.MonkeyPatch
) -> None:
    count = _work(one_thread, lambda: User.objects.count())
    identity = _work(one_thread, lambda: id(connections["default"].connection))
    for _frame in range(10):
        assert await count() == 0
    first = await identity()
    # Connected at the first frame (no check), checked once at its next one.
    assert checks == [True]
    monkeypatch.setattr(socket_database, "HEALTH_CHECK_SECONDS", 0.0)  # a second later, each time
    for _frame in range(3):
        assert await count() == 0
    assert checks == [True] * 4
    assert await identity() == first  # one persistent connection all along


async def test_a_connection_whose_query_failed_is_checked_after_the_frame(
    checks: list[bool], one_thread: concurrent.futures.ThreadPoolExecutor
) -> None:
    def fail() -> None:
        with connections["default"].cursor() as cursor:
            cursor.execute("SELECT * FROM no_such_table")

    assert await _work(one_thread, lambda: User.objects.count())() == 0
    with pytest.raises(DatabaseError):
        await _work(one_thread, fail)()
    # The error made Django ask whether the connection still works; it does, so it is kept.
    assert checks[-1] is True
    assert await _work(one_thread, lambda: connections["default"].connection is not None)()
    assert await _work(one_thread, lambda: User.objects.count())() == 0
