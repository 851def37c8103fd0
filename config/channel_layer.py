"""The channel layer: groups fan out between server processes by Redis pub/sub.

channels-redis' pub/sub layer (``channels_redis.pubsub``): a group send is one PUBLISH, and
each server process subscribes once to each group one of its sockets follows (the process
relay, ``frontend.process_relay``, joins a group once per process). Redis pushes the messages
down one connection per process; nothing is polled, and nothing waits in Redis for a
receiver. channels-redis' list-based layer, used before, took two round trips to Redis for
each message a process received and a sorted-set walk for each group send: at 200 messages a
second that was a quarter of the servers' CPU and all of Redis' (bench/dialogue_load.py).

Nothing is kept in Redis for a group: a message published while a process's subscription is
down (Redis restarting) does not reach that process, and its sockets catch up from the
database (heartbeat replies carry each page's latest event number). redis-py subscribes the
connection again to everything it had when it reconnects.

What this adds to channels-redis' layer:

- a Redis that stops answering is noticed: when the subscription has been quiet for
  ``ping_seconds`` it is pinged, and a pong that does not come within the hosts'
  ``socket_timeout`` is logged ("Redis unreachable") and the connection opened again; a
  refused or lost connection is logged once per attempt, with backoff, not as a traceback
  a second;
- publishing does not queue behind the subscription's lock (channels-redis holds one lock per
  Redis for both), so a burst of sends is published concurrently over the pool;
- ``connection`` and ``consistent_hash``: the same Redis counts each person's sockets
  (``frontend.socket_slots``), through the pool this layer publishes with.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from channels_redis.pubsub import RedisPubSubChannelLayer, RedisPubSubLoopLayer, RedisSingleShardConnection
from channels_redis.utils import _consistent_hash, _wrap_close, decode_hosts
from redis import exceptions as redis_errors

log = logging.getLogger("elevdialog.channels")

CONNECTION_ERRORS = (redis_errors.ConnectionError, redis_errors.TimeoutError, ConnectionError, OSError)
BACKOFF_MAX_SECONDS = 5.0


class ResilientRedisChannelLayer(RedisPubSubChannelLayer):
    def _get_layer(self) -> RedisPubSubLoopLayer:
        loop = asyncio.get_running_loop()
        layer = self._layers.get(loop)
        if layer is None:
            layer = self._layers[loop] = _LoopLayer(*self._args, **self._kwargs, channel_layer=self)
            _wrap_close(self, loop)
        return layer

    def connection(self, index: int) -> Any:
        """The Redis client of shard ``index`` on the running event loop."""
        shard = self._get_layer()._shards[index]
        shard._ensure_redis()
        return shard._redis

    def consistent_hash(self, name: str) -> int:
        return int(_consistent_hash(name, len(self._get_layer()._shards)))


class _LoopLayer(RedisPubSubLoopLayer):
    def __init__(self, *args: Any, ping_seconds: float = 5.0, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._shards = [_Shard(host, self, ping_seconds) for host in decode_hosts(kwargs.get("hosts"))]


class _Shard(RedisSingleShardConnection):
    def __init__(self, host: dict[str, Any], layer: _LoopLayer, ping_seconds: float) -> None:
        super().__init__(host, layer)
        self.ping_seconds = ping_seconds
        self.answer_seconds = float(host.get("socket_timeout") or 2 * ping_seconds)

    async def publish(self, channel: str, message: bytes) -> None:
        self._ensure_redis()
        await self._redis.publish(channel, message)

    async def _do_receiving(self) -> None:
        loop = asyncio.get_running_loop()
        heard_at = loop.time()
        pinged_at: float | None = None
        delay = 0.1
        while True:
            if not (self._pubsub and self._pubsub.subscribed):
                await asyncio.sleep(0.1)
                heard_at, pinged_at = loop.time(), None
                continue
            try:
                message = await self._pubsub.get_message(ignore_subscribe_messages=True, timeout=0.1)
                now = loop.time()
                if message is not None:
                    heard_at, pinged_at, delay = now, None, 0.1
                    if message["type"] != "pong":
                        self._receive_message(message)
                elif pinged_at is not None and now - pinged_at > self.answer_seconds:
                    log.warning("Redis unreachable: no pong in %.1f s; reconnecting", self.answer_seconds)
                    await self._pubsub.connection.disconnect()
                    heard_at, pinged_at = now, None
                elif pinged_at is None and now - heard_at > self.ping_seconds:
                    await self._pubsub.ping()
                    pinged_at = now
            except CONNECTION_ERRORS:
                log.warning("Redis unreachable while receiving; retrying in %.1f s", delay)
                await asyncio.sleep(delay)
                delay = min(delay * 2, BACKOFF_MAX_SECONDS)
                heard_at, pinged_at = loop.time(), None
            except Exception:  # do not spin on what is not a connection problem
                log.exception("receiving from Redis failed")
                await asyncio.sleep(1.0)
