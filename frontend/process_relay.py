"""The sockets of one server process, together: one membership of each group, and the
heartbeat's answers from one read.

Fan-out: every socket used to have a channel of its own and join its groups with it, so a
message on a page with five open tabs crossed the channel layer five times and was encoded as
JSON five times, and each idle socket held a receive of its own (a queue and two tasks, about
5 KiB). Here the process joins each group once, through one channel of its own, when the
first of its sockets joins it, and leaves it when the last one leaves; an event crosses the
layer once per process and group and is handed to each local member of the group it names
(``accounts.events.group_send`` puts the group in every event). Every group goes this way:
pages (messages and typing in threads everyone on the page reads), a person's own group
(private threads, notifications, access checks), a student's and a class blog's. A socket has
no channel of its own (``frontend.consumer.LiveConsumer``).

A member's handler is awaited in the relay's task, in the order the events came: handlers
must not wait for anything slow (a socket send is quick), and those that need the database
start a task of their own.

Heartbeats: each socket pings every 20 s and is told each followed page's latest event number
and the bell's count, so that it catches up on anything the channel layer dropped. Read per
ping, 2,000 sockets were 100 database reads a second. Here one refresh reads the heads of every
page the process follows and the unread counts of everyone connected to it (two queries) at most
every ``HEARTBEAT_CACHE_SECONDS``, and pings between refreshes are answered from it. The
answer is a safety net, not news: live frames bring changes at once, and a head a second old
only moves a missed frame's catch-up to the next ping.

With Redis, a membership is a subscription of the process's connection, which redis-py
renews itself when it reconnects (``config.channel_layer``). The in-memory layer of the
embedded default forgets members after a day, so the relay joins its groups again hourly, at a
heartbeat.

One relay per event loop (a server process has one; each test has its own).
"""

from __future__ import annotations

import asyncio
import logging
import time
import weakref
from collections import Counter
from collections.abc import Awaitable, Callable
from typing import Any, Protocol

from channels.consumer import get_handler_name
from channels.layers import BaseChannelLayer

from accounts.events import page_group, page_of

log = logging.getLogger("elevdialog.socket")

HEARTBEAT_CACHE_SECONDS = 2.0
# The in-memory layer forgets group members after a day; the relay joins its groups again hourly.
GROUP_REFRESH_SECONDS = 3600


class Member(Protocol):
    """A socket: the relay calls its handler for each event of its groups, by the event's
    type as Channels names handlers ("dialogue.message" -> ``dialogue_message``)."""


HeartbeatRead = Callable[[list[int], list[int]], Awaitable[tuple[dict[int, int], dict[int, int]]]]


class ProcessRelay:
    def __init__(self, layer: BaseChannelLayer, read: HeartbeatRead) -> None:
        self.layer = layer
        self.read = read  # (page ids, user ids) -> (heads, unread counts): one read of both
        self.channel = ""  # every group's events come through it
        self.members: dict[str, set[Member]] = {}  # group -> the sockets here that joined it
        self.connected: Counter[int] = Counter()  # user id -> open sockets in this process
        self.task: asyncio.Task[None] | None = None
        self.changing = asyncio.Lock()  # joins and leaves of groups, in order
        self.joined_at = 0.0
        self.rejoin = False  # a join failed: the next heartbeat joins every group again
        self.heads: dict[int, int] = {}
        self.unread: dict[int, int] = {}
        self.refreshed_at = -HEARTBEAT_CACHE_SECONDS
        self.refreshing: asyncio.Future[None] | None = None

    # --- Who is here ---------------------------------------------------------------------

    def connect(self, user_id: int) -> None:
        self.connected[user_id] += 1

    def disconnect(self, user_id: int) -> None:
        self.connected[user_id] -= 1
        if self.connected[user_id] <= 0:
            del self.connected[user_id]
            self.unread.pop(user_id, None)

    async def follow(self, page_id: int, member: Member) -> bool:
        return await self.join(page_group(page_id), member)

    async def join(self, group: str, member: Member) -> bool:
        """Hand the group's events to ``member``; False if the group could not be joined
        (Redis is away: a later heartbeat joins again, and catch-up covers the gap)."""
        async with self.changing:
            members = self.members.setdefault(group, set())
            first = not members
            members.add(member)
            if self.task is None or self.task.done():
                return await self._start()  # joins every group, this one too
            return True if not first else await self._join(group)

    async def leave(self, group: str, member: Member) -> None:
        async with self.changing:
            members = self.members.get(group)
            if members is None or member not in members:
                return
            members.discard(member)
            if members:
                return
            del self.members[group]
            page_id = page_of(group)
            if page_id is not None:
                self.heads.pop(page_id, None)
            try:
                await self.layer.group_discard(group, self.channel)
            except Exception:  # leaving is best effort; memberships expire
                log.debug("group_discard failed", exc_info=True)
            if not self.members:
                self._stop()  # nothing to relay; the next join starts again

    async def _start(self) -> bool:
        """Open the relay's channel and join every group with it; False if Redis is away
        (the next heartbeat starts again)."""
        self._stop()
        try:
            self.channel = await self.layer.new_channel("relay.")
        except Exception:
            log.warning("could not open the relay's channel (retried at the next heartbeat)", exc_info=True)
            self.rejoin = True
            return False
        self.task = asyncio.get_running_loop().create_task(self._relay(self.channel))
        self.joined_at, self.rejoin = time.monotonic(), False  # a failed join below sets it again
        joined = [await self._join(group) for group in list(self.members)]
        return all(joined)

    def _stop(self) -> None:
        if self.task is not None:
            self.task.cancel()
            self.task = None

    async def _join(self, group: str) -> bool:
        try:
            await self.layer.group_add(group, self.channel)
        except Exception:
            log.warning("could not join %s (will retry at the next heartbeat)", group, exc_info=True)
            self.rejoin = True
            return False
        return True

    async def rejoin_if_needed(self) -> None:
        """At a heartbeat: join every group again if a join failed or an hour has passed."""
        stale = time.monotonic() - self.joined_at > GROUP_REFRESH_SECONDS
        if not self.members or not (self.rejoin or stale):
            return
        async with self.changing:
            if self.task is None or self.task.done():
                await self._start()
                return
            self.joined_at, self.rejoin = time.monotonic(), False
            for group in list(self.members):
                await self._join(group)

    # --- Relaying ------------------------------------------------------------------------

    async def _relay(self, channel: str) -> None:
        while True:
            try:
                event = await self.layer.receive(channel)
            except asyncio.CancelledError:
                raise
            except Exception:  # the layer retries its connection itself; do not spin
                log.warning("relay receive failed", exc_info=True)
                await asyncio.sleep(1.0)
                continue
            await self.hand_out(event)

    async def hand_out(self, event: dict[str, Any]) -> None:
        """Call the handler of each member of the event's group here."""
        try:
            name = get_handler_name(event)
        except ValueError:
            name = ""
        if not name or name.startswith("websocket_"):  # those come from the socket, never a group
            log.warning("the relay dropped an event of type %r", event.get("type"))
            return
        for member in list(self.members.get(event.get("group", ""), ())):
            handler = getattr(member, name, None)
            if handler is None:
                log.warning("no handler for %s", event["type"])
                return
            try:
                await handler(event)
            except Exception:  # one closing socket must not keep the event from the others
                log.debug("relaying %s failed", event["type"], exc_info=True)

    # --- Heartbeats ----------------------------------------------------------------------

    async def heartbeat(self, page_ids: list[int], user_id: int) -> tuple[dict[str, int], int]:
        """The heads of the pages and the person's unread count, at most
        ``HEARTBEAT_CACHE_SECONDS`` old (a page or person new since the last read waits for a
        new one). Database errors are raised to the caller."""
        fresh = time.monotonic() - self.refreshed_at < HEARTBEAT_CACHE_SECONDS
        known = user_id in self.unread and all(pk in self.heads for pk in page_ids)
        if not (fresh and known):
            await self._refresh()
        heads = {str(pk): self.heads[pk] for pk in page_ids if pk in self.heads}
        return heads, self.unread.get(user_id, 0)

    async def _refresh(self) -> None:
        """One read for every ping waiting at once (the first starts it, the others wait)."""
        if self.refreshing is not None:
            await asyncio.shield(self.refreshing)
            return
        self.refreshing = asyncio.get_running_loop().create_future()
        try:
            started = time.monotonic()
            pages = [page_id for page_id in map(page_of, self.members) if page_id is not None]
            heads, unread = await self.read(pages, list(self.connected))
            self.heads = heads
            self.unread = {pk: unread.get(pk, 0) for pk in self.connected}
            self.refreshed_at = started
            self.refreshing.set_result(None)
        except BaseException as error:
            self.refreshing.set_exception(error)
            self.refreshing.exception()  # retrieved: the waiters get it, nobody else must
            raise
        finally:
            self.refreshing = None


_relays: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, ProcessRelay] = weakref.WeakKeyDictionary()


def relay_for(layer: BaseChannelLayer, read: HeartbeatRead) -> ProcessRelay:
    """This process's relay (one per event loop and channel layer)."""
    loop = asyncio.get_running_loop()
    relay = _relays.get(loop)
    if relay is None or relay.layer is not layer:
        relay = _relays[loop] = ProcessRelay(layer, read)
    return relay
