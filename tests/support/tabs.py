"""A WebSocket client that behaves like the browser's dialogue (``dialogue/feed.js``), for
the tests that run real server processes (``tests.support.processes``).

Nothing here imports Django: the benchmark uses it before settings are configured.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import uuid
from collections import Counter
from collections.abc import Callable
from typing import Any

from websockets.asyncio.client import ClientConnection
from websockets.exceptions import ConnectionClosed

from tests.support.processes import DaphneServer, open_websocket

Frame = dict[str, Any]


class SocketClosed(Exception):
    """The server closed the socket (or the process died) before the awaited frame came."""


class DialogueTab:
    """One page open in a browser tab, as ``dialogue/feed.js`` keeps it: it applies changes by
    message id (upsert), remembers the highest change number applied (``last_seq``), and
    catches up with ``subscribe`` + ``after`` when a live change skips a number or a pong
    says the page has moved on. Optionally it reconnects by itself when the socket drops.

    Every frame is kept in ``frames`` (of the current socket) and every delivery of a
    change (live or in a catch-up list) is counted in ``deliveries`` by (id, change_seq),
    so tests can tell a duplicate from an upsert.
    """

    def __init__(self, server: DaphneServer, session_cookie: str, page: int, *, name: str = "tab") -> None:
        self.server = server
        self.session_cookie = session_cookie
        self.page = page
        self.name = name
        self.messages: dict[int, Frame] = {}  # id -> payload (latest change applied)
        self.last_seq = 0
        self.deliveries: Counter[tuple[int, int]] = Counter()
        self.live_frames: list[Frame] = []  # "message" frames, in arrival order
        self.frames: list[Frame] = []
        self.connections = 0
        self.close_codes: list[int | None] = []  # the server's close code per socket it ended
        self.connection: ClientConnection | None = None
        self.auto_reconnect = False
        self.subscribed = asyncio.Event()
        self._changed = asyncio.Condition()
        self._reader: asyncio.Task[None] | None = None
        self._heartbeat: asyncio.Task[None] | None = None

    # Connection -------------------------------------------------------------------------

    async def open(self, server: DaphneServer | None = None, *, after: int | None = None) -> Frame:
        """Connect (to ``server`` if given: a reconnect elsewhere) and subscribe with
        ``after`` (default: the last change applied, 0 on a first visit), as the browser
        does on every (re)connect."""
        if server is not None:
            self.server = server
        await self._drop_connection()
        self.connection = await open_websocket(self.server.ws_url, self.server.origin, self.session_cookie)
        self.connections += 1
        self.frames = []
        self.subscribed.clear()
        self._reader = asyncio.create_task(self._read(self.connection))
        return await self.subscribe(self.last_seq if after is None else after)

    async def close(self) -> None:
        self.auto_reconnect = False
        if self._heartbeat is not None:
            self._heartbeat.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._heartbeat
            self._heartbeat = None
        await self._drop_connection()

    async def _drop_connection(self) -> None:
        if self.connection is not None:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self.connection.close(), 5)
        if self._reader is not None:
            self._reader.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._reader
        self.connection = None
        self._reader = None

    @property
    def is_open(self) -> bool:
        return self.connection is not None and self._reader is not None and not self._reader.done()

    def start_heartbeat(self, interval: float, *, reconnect: bool = True) -> None:
        """Ping every ``interval`` seconds as the browser does (which makes the server
        re-join its groups and report the page heads); with ``reconnect``, open a new
        socket (with ``after``) whenever the old one is gone."""
        self.auto_reconnect = reconnect
        self._heartbeat = asyncio.create_task(self._beat(interval))

    async def _beat(self, interval: float) -> None:
        while True:
            await asyncio.sleep(interval)
            if not self.is_open:
                if self.auto_reconnect:
                    with contextlib.suppress(Exception):  # server away: try again next beat
                        await self.open()
                continue
            with contextlib.suppress(ConnectionClosed, SocketClosed):
                if not self.subscribed.is_set():  # the last subscribe was refused: again
                    await self.catch_up()
                await self.send_frame({"type": "ping"})

    # Frames -----------------------------------------------------------------------------

    async def send_frame(self, frame: Frame) -> None:
        if self.connection is None:
            raise SocketClosed(self.name)
        await self.connection.send(json.dumps(frame))

    async def _read(self, connection: ClientConnection) -> None:
        try:
            async for raw in connection:
                frame = json.loads(raw)
                await self._handle(frame)
                async with self._changed:
                    self.frames.append(frame)
                    self._changed.notify_all()
        except ConnectionClosed as closed:
            # The server went away (is_open turns false); None when it sent no close frame.
            self.close_codes.append(closed.rcvd.code if closed.rcvd is not None else None)
        finally:
            async with self._changed:
                self._changed.notify_all()  # waiters see the closed socket

    async def _handle(self, frame: Frame) -> None:
        kind = frame["type"]
        if kind == "subscribed" and frame["page"] == self.page:
            for message in frame["messages"]:
                self._apply(message, live=False)
            self.subscribed.set()
        elif kind == "message" and frame["message"]["page"] == self.page:
            self.live_frames.append(frame)
            self._apply(frame["message"], live=True)
        elif kind == "ack" and frame.get("message"):
            self._upsert(frame["message"])
        elif kind == "pong" and frame["heads"].get(str(self.page), 0) > self.last_seq:
            await self.catch_up()

    def _apply(self, message: Frame, *, live: bool) -> None:
        self.deliveries[(message["id"], message["change_seq"])] += 1
        if live and message["change_seq"] > self.last_seq + 1 and self.subscribed.is_set():
            # A change number was skipped: something was missed in transit.
            asyncio.get_running_loop().create_task(self.catch_up())
            return
        self._upsert(message)

    def _upsert(self, message: Frame) -> None:
        known = self.messages.get(message["id"])
        if known is None or known["change_seq"] < message["change_seq"]:
            self.messages[message["id"]] = message
        # (Catch-up lists skip numbers whose message changed again later; the highest
        # number applied is what the next catch-up starts from.)
        self.last_seq = max(self.last_seq, message["change_seq"])

    async def catch_up(self) -> None:
        with contextlib.suppress(ConnectionClosed, SocketClosed):
            await self.send_frame({"type": "subscribe", "page": self.page, "after": self.last_seq})

    async def wait_for(self, match: Callable[[Frame], bool], timeout: float = 15, *, since: int = 0) -> Frame:
        """The first frame on the current socket (from index ``since``) that ``match``es.
        SocketClosed if the socket ends first, TimeoutError after ``timeout`` seconds."""

        def found() -> Frame | None:
            return next((f for f in self.frames[since:] if match(f)), None)

        async def wait() -> Frame:
            async with self._changed:
                while True:
                    frame = found()
                    if frame is not None:
                        return frame
                    if not self.is_open:
                        raise SocketClosed(f"{self.name}: the socket closed")
                    await self._changed.wait()

        try:
            return await asyncio.wait_for(wait(), timeout)
        except TimeoutError:
            raise TimeoutError(f"{self.name}: no matching frame within {timeout} s") from None

    async def wait_until(self, condition: Callable[[], bool], timeout: float = 15) -> None:
        """Until ``condition()`` holds after some frame (TimeoutError otherwise)."""

        async def wait() -> None:
            async with self._changed:
                await self._changed.wait_for(condition)

        try:
            await asyncio.wait_for(wait(), timeout)
        except TimeoutError:
            raise TimeoutError(f"{self.name}: the condition did not hold within {timeout} s") from None

    async def subscribe(self, after: int | None = None) -> Frame:
        since = len(self.frames)
        await self.send_frame({"type": "subscribe", "page": self.page, "after": after})
        return await self.wait_for(lambda f: f["type"] in ("subscribed", "error"), since=since)

    async def ping(self) -> Frame:
        since = len(self.frames)
        await self.send_frame({"type": "ping"})
        return await self.wait_for(lambda f: f["type"] == "pong", since=since)

    async def post(self, thread: int, body: str, client_id: str | None = None, timeout: float = 15) -> Frame:
        """Send a message and return the answer to it: ack, guard or error."""
        client_id = client_id or str(uuid.uuid4())
        since = len(self.frames)
        await self.send_frame(
            {"type": "send", "page": self.page, "thread": thread, "client_id": client_id, "body": body}
        )
        return await self.wait_for(lambda f: answers(f, client_id), timeout, since=since)


def answers(frame: Frame, client_id: str) -> bool:
    """Whether ``frame`` is the server's answer to the send with ``client_id``."""
    return frame["type"] in ("ack", "guard", "error") and client_id in (
        frame.get("client_id"),
        frame.get("ref"),
    )


def live_message(pk: int) -> Callable[[Frame], bool]:
    """Matches the live "message" frame of the message with id ``pk``."""
    return lambda frame: frame["type"] == "message" and frame["message"]["id"] == pk
