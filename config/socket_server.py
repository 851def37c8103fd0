"""How the live socket is served, where the application's own code cannot see: a handshake
that meets a database outage, and a message larger than Daphne accepts. Both used to end
without a word a browser could act on (an HTTP 500 with a traceback in the log, a dropped TCP
connection); both now close with a code.
"""

from __future__ import annotations

import logging
import sys
import time
from typing import Any

from frontend.socket_protocol import CLOSE_UNAVAILABLE, DATABASE_UNAVAILABLE
from frontend.socket_slots import give_back_every_place

log = logging.getLogger("elevdialog.socket")


class RefuseWhileDatabaseIsDown:
    """Around the handshake (session, user, code step: all read from the database): when
    the database cannot be reached, accept and close at once with 4503, which the browser
    backs off from, instead of failing the handshake with HTTP 500 and a traceback. (An HTTP
    refusal would reach the browser only as "connection failed", code 1006.) Once the socket
    is accepted the consumer answers outages itself."""

    def __init__(self, application: Any) -> None:
        self.application = application
        self.warned_at = -60.0
        self.refused = 0

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> Any:
        answered = False

        async def watched_send(message: dict[str, Any]) -> None:
            nonlocal answered
            answered = answered or message["type"] in ("websocket.accept", "websocket.close")
            await send(message)

        try:
            return await self.application(scope, receive, watched_send)
        except DATABASE_UNAVAILABLE:
            if answered:
                raise
            self._note()
            await send({"type": "websocket.accept"})
            await send({"type": "websocket.close", "code": CLOSE_UNAVAILABLE})
            return None

    def _note(self) -> None:
        """One warning a minute (every browser retries), without a traceback: not a bug."""
        self.refused += 1
        now = time.monotonic()
        if now - self.warned_at >= 60:
            log.warning("database unavailable: %d socket handshakes closed with 4503", self.refused)
            self.warned_at, self.refused = now, 0


def close_oversized_messages_with_1009() -> None:
    """Daphne hands autobahn a 1 MiB limit per message, and autobahn's default on a message
    over it is to drop the TCP connection without a close frame ("failByDrop"): the browser
    saw only a broken connection and reconnected. Make it close with 1009 (message too big)
    and a reason instead. Daphne builds its WebSocket factory after loading the application,
    so the factory it builds is this one. (Its server module is imported wherever Django is
    set up, the daphne app's doing; elsewhere the class is simply never built.)"""
    server: Any = sys.modules.get("daphne.server")
    if server is None or getattr(server.WebSocketFactory, "closes_oversized_messages", False):
        return

    class ClosingWebSocketFactory(server.WebSocketFactory):  # Daphne's (untyped)
        closes_oversized_messages = True

        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self.setProtocolOptions(failByDrop=False)

    server.WebSocketFactory = ClosingWebSocketFactory


def give_back_socket_places_at_shutdown() -> None:
    """When Daphne stops (SIGTERM), give back the places its sockets hold in the per-person
    count before it cancels them (it does not close them one by one): their browsers
    reconnect to another server at once, where the old places would otherwise count until
    they expire. (A process that is killed cannot; its places expire.) The trigger fires only
    where Twisted's reactor runs, that is under Daphne."""
    if sys.modules.get("daphne.server") is None:
        return
    import asyncio

    from twisted.internet import defer, reactor

    def give_back() -> Any:
        return defer.Deferred.fromFuture(asyncio.ensure_future(give_back_every_place()))

    running: Any = reactor  # (typed as a zope interface, whose methods mypy reads without self)
    running.addSystemEventTrigger("before", "shutdown", give_back)
