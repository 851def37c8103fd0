"""How many live sockets each person has open, over every server process: at most
WEBSOCKETS_PER_PERSON (one session once opened 200, each holding a server's memory and a
share of every fan-out).

Counted in the channel layer's Redis, under its key prefix: one sorted set per person whose
members are the sockets' ids, scored by when their place expires (by Redis' own
clock, so the servers' clocks do not matter). A socket takes a place as it connects and gives
it back when it closes; each process renews the places of its open sockets every third of
WEBSOCKET_SLOT_SECONDS. The places of a process that died without closing its sockets
(kill -9) therefore expire within that time, and a restarted Redis learns the open sockets
again at the next renewal.

When Redis cannot be reached a socket is let in: the limit stops a runaway client, and must
not lock everyone out while Redis restarts. Without Redis (the embedded default of
``make run``: one process, the in-memory channel layer) the count is kept in the process.
"""

from __future__ import annotations

import asyncio
import logging
import time
import weakref
from collections import defaultdict
from typing import Any

from django.conf import settings

log = logging.getLogger("elevdialog.socket")

# KEYS[1] the person's set; ARGV: socket id, limit, lifetime in ms. 1 if the socket has a
# place (now or already), 0 if the person's places are all taken.
_TAKE = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
if not redis.call('ZSCORE', KEYS[1], ARGV[1]) and redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[2]) then
  return 0
end
redis.call('ZADD', KEYS[1], now + tonumber(ARGV[3]), ARGV[1])
redis.call('PEXPIRE', KEYS[1], ARGV[3])
return 1
"""
# KEYS: the people's sets; ARGV: lifetime in ms, then one socket id per key.
_RENEW = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
for i, key in ipairs(KEYS) do
  redis.call('ZADD', key, now + tonumber(ARGV[1]), ARGV[i + 1])
  redis.call('PEXPIRE', key, ARGV[1])
end
return #KEYS
"""
_RENEW_BATCH = 500
_WARN_EVERY_SECONDS = 60.0


class SocketSlots:
    """The places of the sockets served by one event loop of this process."""

    def __init__(self, layer: Any) -> None:
        self.layer = layer
        self.redis = all(hasattr(layer, name) for name in ("connection", "consistent_hash", "prefix"))
        self.open: dict[str, int] = {}  # socket id -> user id, the sockets holding a place
        self.renewer: asyncio.Task[None] | None = None
        self.warned_at = -_WARN_EVERY_SECONDS

    async def take(self, user_id: int, socket: str) -> bool:
        """Whether the socket may stay: False when the person has all their places taken."""
        limit = settings.WEBSOCKETS_PER_PERSON
        if not self.redis:
            allowed = sum(1 for holder in self.open.values() if holder == user_id) < limit
        else:
            try:
                allowed = bool(
                    await self._script(_TAKE, [self._key(user_id)], [socket, limit, self._lifetime_ms()])
                )
            except Exception:  # Redis unreachable: let the socket in (see the module's docstring)
                self._warn("could not count sockets in Redis; letting the socket in")
                allowed = True
        if allowed:
            self.open[socket] = user_id
            if self.renewer is None or self.renewer.done():
                self.renewer = asyncio.get_running_loop().create_task(self._renew_while_open())
        return allowed

    async def give_back(self, socket: str) -> None:
        user_id = self.open.pop(socket, None)
        if not self.open and self.renewer is not None:
            self.renewer.cancel()
            self.renewer = None
        if user_id is None or not self.redis:
            return
        key = self._key(user_id)
        try:
            await self.layer.connection(self.layer.consistent_hash(key)).zrem(key, socket)
        except Exception:  # the place expires by itself
            log.debug("could not give a socket's place back", exc_info=True)

    async def give_all_back(self) -> None:
        """When the server stops (SIGTERM, a deploy): Daphne cancels its sockets without
        closing them one by one, and their people reconnect to another server at once, where
        these places would otherwise count until they expire."""
        held, self.open = self.open, {}
        if self.renewer is not None:
            self.renewer.cancel()
            self.renewer = None
        if not self.redis or not held:
            return
        by_shard: dict[int, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
        for socket, user_id in held.items():
            key = self._key(user_id)
            by_shard[self.layer.consistent_hash(key)][key].append(socket)
        for shard, sockets_by_key in by_shard.items():
            pipeline = self.layer.connection(shard).pipeline(transaction=False)
            for key, sockets in sockets_by_key.items():
                pipeline.zrem(key, *sockets)
            try:
                await pipeline.execute()
            except Exception:  # the places expire by themselves
                log.warning("could not give the sockets' places back at shutdown", exc_info=True)

    async def _renew_while_open(self) -> None:
        while self.open:
            await asyncio.sleep(settings.WEBSOCKET_SLOT_SECONDS / 3)
            if self.redis:
                try:
                    await self.renew()
                except Exception:
                    self._warn("could not renew the sockets' places in Redis; trying again later")

    async def renew(self) -> None:
        """Extend the places of every socket open here (and put them back after Redis lost
        them)."""
        by_shard: dict[int, list[tuple[str, str]]] = defaultdict(list)
        for socket, user_id in list(self.open.items()):
            key = self._key(user_id)
            by_shard[self.layer.consistent_hash(key)].append((key, socket))
        for entries in by_shard.values():
            for start in range(0, len(entries), _RENEW_BATCH):
                batch = entries[start : start + _RENEW_BATCH]
                await self._script(
                    _RENEW,
                    [key for key, _c in batch],
                    [self._lifetime_ms(), *(socket for _k, socket in batch)],
                )

    async def _script(self, script: str, keys: list[str], args: list[Any]) -> Any:
        connection = self.layer.connection(self.layer.consistent_hash(keys[0]))
        return await connection.eval(script, len(keys), *keys, *args)

    def _key(self, user_id: int) -> str:
        return f"{self.layer.prefix}:sockets:{user_id}"

    @staticmethod
    def _lifetime_ms() -> int:
        return int(settings.WEBSOCKET_SLOT_SECONDS * 1000)

    def _warn(self, text: str) -> None:
        """At most one warning a minute: while Redis is away every handshake would log one."""
        now = time.monotonic()
        if now - self.warned_at >= _WARN_EVERY_SECONDS:
            self.warned_at = now
            log.warning(text, exc_info=True)


_by_loop: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, SocketSlots] = weakref.WeakKeyDictionary()


async def give_back_every_place() -> None:
    """Give back the places of every socket of this process (on the running loop)."""
    slots = _by_loop.get(asyncio.get_running_loop())
    if slots is not None:
        await slots.give_all_back()


def socket_slots(layer: Any) -> SocketSlots:
    """The places of the sockets on the running event loop."""
    loop = asyncio.get_running_loop()
    slots = _by_loop.get(loop)
    if slots is None or slots.layer is not layer:
        slots = _by_loop[loop] = SocketSlots(layer)
    return slots
