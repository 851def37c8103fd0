"""channels-redis, made to survive a Redis restart without restarting the server.

channels-redis keeps a pool of Redis connections per event loop. When Redis restarts, the
pooled connections are dead and every operation on them fails (WebSocket handshakes end in
500) until the process restarts. This layer drops the loop's pool on a connection error and
tries again: once for sends and group changes (then the error propagates, so callers fail
loudly instead of pretending), and with backoff, indefinitely, for the receive loop of a
connected socket, so sockets stay open across the restart.

Group memberships live in Redis and are lost when it restarts without persistence;
consumers re-join theirs at the next heartbeat after this layer reconnected (see
``reconnections``; the receive loop notices a restart within seconds), and clients catch
up on missed events from the database (heartbeat replies carry each page's latest event
number).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from channels_redis.core import RedisChannelLayer
from redis import exceptions as redis_errors

log = logging.getLogger("elevdialog.channels")

CONNECTION_ERRORS = (redis_errors.ConnectionError, redis_errors.TimeoutError, ConnectionError, OSError)
T = TypeVar("T")


class ResilientRedisChannelLayer(RedisChannelLayer):
    receive_backoff_max = 5.0
    # How many times this process has reconnected to Redis. A restarted Redis has forgotten
    # every group membership, so consumers re-join when this has moved since they joined.
    reconnections = 0

    def __init__(self, *, receive_timeout: float | None = None, **config: Any) -> None:
        """``receive_timeout``: how long one blocking receive waits in Redis (channels-redis'
        ``brpop_timeout``). The hosts' ``socket_timeout`` must be well above it, or an idle
        receive that Redis answers "nothing yet" on time is cut off as a dead connection
        (settings.REDIS_SOCKET_TIMEOUT says more)."""
        super().__init__(**config)
        if receive_timeout is not None:
            self.brpop_timeout = receive_timeout

    async def _reset_connections(self) -> None:
        """Forget this event loop's connections; the next operation opens new ones."""
        self.reconnections += 1
        layer = self._layers.pop(asyncio.get_running_loop(), None)
        if layer is not None:
            try:
                await layer.flush()
            except Exception:  # closing dead connections may fail in many ways
                log.debug("closing dead Redis connections failed", exc_info=True)

    async def _once_more_on_disconnect(self, operation: Callable[..., Awaitable[T]], *args: Any) -> T:
        try:
            return await operation(*args)
        except CONNECTION_ERRORS:
            log.warning("Redis connection lost; reconnecting")
            await self._reset_connections()
            return await operation(*args)

    async def send(self, channel: str, message: dict[str, Any]) -> None:
        await self._once_more_on_disconnect(super().send, channel, message)

    async def group_add(self, group: str, channel: str) -> None:
        await self._once_more_on_disconnect(super().group_add, group, channel)

    async def group_discard(self, group: str, channel: str) -> None:
        await self._once_more_on_disconnect(super().group_discard, group, channel)

    async def group_send(self, group: str, message: dict[str, Any]) -> None:
        await self._once_more_on_disconnect(super().group_send, group, message)

    async def _brpop_with_clean(self, index: int, channel: str, timeout: float) -> Any:
        """channels-redis' blocking pop, which its receive repeats until a message comes.

        On Python 3.11, ``asyncio.wait_for`` (redis-py's, while it opens a connection) swallows
        a cancellation that lands just as what it waits for completes. A receive cancelled
        then went on polling its channel for ever: a relay's lanes stopped a millisecond
        after they started never ended, and kept a test's event loop from closing. The task
        still counts the cancellation (``cancelling()``), so it is honoured here, between
        pops: within one ``receive_timeout`` at the latest."""
        _end_if_cancelled()
        result = await super()._brpop_with_clean(index, channel, timeout)
        _end_if_cancelled()
        return result

    async def receive(self, channel: str) -> dict[str, Any]:
        delay = 0.1
        while True:
            try:
                return await super().receive(channel)
            except CONNECTION_ERRORS:
                log.warning("Redis unreachable while receiving; retrying in %.1f s", delay)
                await self._reset_connections()
                await asyncio.sleep(delay)
                delay = min(delay * 2, self.receive_backoff_max)


def _end_if_cancelled() -> None:
    task = asyncio.current_task()
    if task is not None and task.cancelling():
        raise asyncio.CancelledError
