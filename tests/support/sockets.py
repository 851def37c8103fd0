"""Live-socket helpers: a logged-in WebSocket to the real ASGI application (origin check,
session authentication and all), as a browser tab would open it."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Mapping
from typing import Any

import pytest_asyncio
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.conf import settings

from accounts.models import User

# Imported with this module, not in the first test that opens a socket: building the ASGI
# application sets Django up again, which applies LOGGING again and detached pytest's log
# capture from that test (a test of what is logged saw nothing when it ran first).
from config.asgi import application
from tests.support.cast import Cast, build_cast
from tests.support.clients import verified_client
from tests.support.dialogue import dialogue_objects

ORIGIN = b"http://testserver"
# The Host header a browser sends with the handshake: the socket's own origin is this host
# with the scheme and port the browser used.
HOST = b"testserver"


def session_cookie(user: User | None, *, strong: bool = True) -> str | None:
    """A real session (the one-time-code step passed where needed), as after logging in;
    ``strong``: with a strong login just now (``verified_client``)."""
    if user is None:
        return None
    return verified_client(user, strong=strong).cookies[settings.SESSION_COOKIE_NAME].value


async def open_socket(
    user: User | None, *, origin: bytes | None = ORIGIN, strong: bool = True
) -> tuple[WebsocketCommunicator, bool, Any]:
    """Connect as ``user`` (anonymous for None). Returns the communicator, whether the
    connection was accepted, and the close code (or subprotocol) Channels reported.
    ``strong=False``: a password-only session (no recent strong login)."""
    cookie = await database_sync_to_async(session_cookie)(user, strong=strong)
    headers = [(b"host", HOST)]
    if origin is not None:
        headers.append((b"origin", origin))
    if cookie is not None:
        headers.append((b"cookie", f"{settings.SESSION_COOKIE_NAME}={cookie}".encode()))
    communicator = WebsocketCommunicator(application, "/ws/", headers=headers)
    connected, detail = await communicator.connect(timeout=5)
    return communicator, connected, detail


async def send(communicator: WebsocketCommunicator, frame: dict[str, Any]) -> None:
    await communicator.send_to(text_data=json.dumps(frame))


async def receive(communicator: WebsocketCommunicator, timeout: float = 3) -> dict[str, Any]:
    return json.loads(await communicator.receive_from(timeout=timeout))


async def receive_type(
    communicator: WebsocketCommunicator, frame_type: str, timeout: float = 3
) -> dict[str, Any]:
    """The next frame of ``frame_type``, skipping others (typing, unread...)."""
    while True:
        frame = await receive(communicator, timeout)
        if frame["type"] == frame_type:
            return frame


async def subscribe(
    communicator: WebsocketCommunicator, page_id: int, after: int | None = None
) -> dict[str, Any]:
    await send(communicator, {"type": "subscribe", "page": page_id, "after": after})
    return await receive(communicator)


async def frames_until_quiet(
    communicator: WebsocketCommunicator, wait: float = 1.0, quiet: float = 0.3
) -> list[dict[str, Any]]:
    """Every frame that arrives within ``wait``, and any that follow closely (until ``quiet``
    passes without one). receive_nothing waits without cancelling the consumer, as a
    timed-out receive would."""
    frames: list[dict[str, Any]] = []
    while not await communicator.receive_nothing(timeout=quiet if frames else wait):
        frames.append(await receive(communicator))
    return frames


async def frames_of_each(
    sockets: Mapping[str, WebsocketCommunicator], wait: float = 2.0, quiet: float = 0.3
) -> dict[str, list[dict[str, Any]]]:
    """Every socket's frames (``frames_until_quiet``), listened to at the same time: proving
    that 18 people got nothing takes one wait, not 18 (so each may be a generous one)."""
    received = await asyncio.gather(*(frames_until_quiet(c, wait, quiet) for c in sockets.values()))
    return dict(zip(sockets, received, strict=True))


@pytest_asyncio.fixture(name="world")
async def world_fixture() -> tuple[Cast, dict[str, Any]]:
    """The shared cast and the student's page with messages (``dialogue_objects``), built from
    the ORM's thread for a socket test (a module imports it: ``from tests.support.sockets
    import world``)."""

    def build() -> tuple[Cast, dict[str, Any]]:
        cast = build_cast()
        return cast, dialogue_objects(cast)

    return await database_sync_to_async(build)()


async def following(user: User, page_id: int) -> WebsocketCommunicator:
    """A logged-in socket that follows the page."""
    communicator, connected, _ = await open_socket(user)
    assert connected
    frame = await subscribe(communicator, page_id)
    assert frame["type"] == "subscribed", frame
    return communicator
