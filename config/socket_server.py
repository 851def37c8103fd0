"""How the live socket is served, where the application's own code cannot see: a handshake
that meets a database outage, and a message larger than Daphne accepts. Both used to end
without a word a browser could act on (an HTTP 500 with a traceback in the log, a dropped TCP
connection); both now close with a code.
"""

from __future__ import annotations

import sys
from importlib import import_module
from typing import Any

from channels.security.websocket import WebsocketDenier
from django.conf import settings
from django.http.cookie import parse_cookie

from config.security import origin_admitted
from frontend.socket_slots import give_back_every_place


class SocketDoor:
    """The live socket's handshake before its consumer, in one layer: the path, the Origin
    (``config.security.origin_admitted``: refused and logged), and the session named by the
    cookie, loaded when the consumer first reads it (``frontend.consumer``: the person, and
    the 4503 close while the database cannot be reached).

    Channels' stack did this in five layers (origin, cookies, session, auth, router) and ours
    in a sixth around them (the database watch). Each kept a copy of the scope and a waiting
    coroutine for the socket's whole life, and two of them wrapped every frame the socket
    sent: memory and CPU for every open socket, and nothing a socket uses after its
    handshake."""

    def __init__(self, consumer_class: Any) -> None:
        self.consumer_class = consumer_class

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        path = str(scope.get("path", "")).removeprefix(str(scope.get("root_path", "")))
        if path != "/ws/" or not origin_admitted(scope):
            await WebsocketDenier()(scope, receive, send)
            return
        cookie = next((value for key, value in scope.get("headers", ()) if key == b"cookie"), b"")
        session_key = parse_cookie(cookie.decode("latin-1")).get(settings.SESSION_COOKIE_NAME)
        session = import_module(settings.SESSION_ENGINE).SessionStore(session_key)
        await self.consumer_class()(dict(scope, session=session), receive, send)


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
