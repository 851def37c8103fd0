"""The live socket's limits, on real Daphne processes: how large a message may be (the app's
own limit answers, Daphne's closes with 1009), and how many sockets one person may have
open over all the server processes, also when a process dies without closing them."""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import Iterator
from typing import Any

import pytest
from django.conf import settings
from redis.asyncio import Redis
from websockets.asyncio.client import ClientConnection
from websockets.exceptions import ConnectionClosed

from frontend.socket_slots import SocketSlots
from tests.support.processes import DaphneServer, open_websocket, start_all, stop_all
from tests.support.scenes import make_scene, server_env

WAIT = 20.0  # limit for anything that should happen "soon"
LIMIT = 3  # sockets per person in these servers
SLOT_SECONDS = 3  # a place lasts this long unless renewed (every second here)


@pytest.fixture(scope="module")
def pair(
    django_db_setup: None, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[DaphneServer, DaphneServer]]:
    """Two server processes for this module; the test that kills one runs last."""
    logs = tmp_path_factory.mktemp("socket-limits")
    env = server_env(WEBSOCKETS_PER_PERSON=str(LIMIT), WEBSOCKET_SLOT_SECONDS=str(SLOT_SECONDS))
    a, b = DaphneServer(env, logs / "a.log"), DaphneServer(env, logs / "b.log")
    try:
        start_all(a, b)
        yield a, b
    finally:
        stop_all(a, b)


class Socket:
    """A raw socket as a tab opens it, and what became of it."""

    def __init__(self, connection: ClientConnection) -> None:
        self.connection = connection

    @classmethod
    async def open(cls, server: DaphneServer, cookie: str) -> Socket:
        return cls(await open_websocket(server.ws_url, server.origin, cookie))

    async def ask(self, frame: dict[str, Any] | str) -> dict[str, Any]:
        await self.connection.send(frame if isinstance(frame, str) else json.dumps(frame))
        return dict(json.loads(await asyncio.wait_for(self.connection.recv(), WAIT)))

    async def served(self) -> bool:
        """Whether the server serves it (a pong), rather than closing it with 4429 after
        saying why. Anything else fails the test."""
        with contextlib.suppress(ConnectionClosed):  # it may be closing already
            await self.connection.send(json.dumps({"type": "ping"}))
        try:
            answer = json.loads(await asyncio.wait_for(self.connection.recv(), WAIT))
        except ConnectionClosed:
            raise AssertionError("closed without saying why") from None
        if answer["type"] == "pong":
            return True
        assert answer["code"] == "too_many_sockets", answer
        assert answer["message"]
        with pytest.raises(ConnectionClosed) as closed:
            await asyncio.wait_for(self.connection.recv(), WAIT)
        assert closed.value.rcvd is not None
        assert closed.value.rcvd.code == 4429
        return False

    async def close(self) -> None:
        await self.connection.close()


async def open_served(server: DaphneServer, cookie: str) -> Socket:
    socket = await Socket.open(server, cookie)
    assert await socket.served()
    return socket


async def refused(server: DaphneServer, cookie: str) -> bool:
    socket = await Socket.open(server, cookie)
    served = await socket.served()
    await socket.close()
    return not served


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.asyncio
async def test_a_message_over_the_apps_limit_is_refused_and_one_over_daphnes_closes_with_1009(
    pair: tuple[DaphneServer, DaphneServer],
) -> None:
    _a, b = pair
    scene = await make_scene()
    socket = await open_served(b, scene.cookies["guardian_1"])
    answer = await socket.ask(json.dumps({"type": "check", "body": "x" * 100_000, "ref": "c"}))
    assert (answer["type"], answer["code"]) == ("error", "too_large")
    assert (await socket.ask({"type": "ping"}))["type"] == "pong"

    await socket.connection.send("x" * (1024 * 1024 + 1))
    with pytest.raises(ConnectionClosed) as closed:
        await asyncio.wait_for(socket.connection.recv(), WAIT)
    assert closed.value.rcvd is not None, "the connection was dropped without a close frame"
    assert closed.value.rcvd.code == 1009
    assert closed.value.rcvd.reason


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.asyncio
async def test_one_person_has_at_most_the_limit_of_sockets_over_all_processes_even_after_a_crash(
    pair: tuple[DaphneServer, DaphneServer],
) -> None:
    a, b = pair
    scene = await make_scene()
    mine, other = scene.cookies["guardian_1"], scene.cookies["guardian_2"]
    sockets = [await open_served(a, mine), await open_served(a, mine), await open_served(b, mine)]
    try:
        assert await refused(b, mine)
        assert await refused(a, mine)
        sockets.append(await open_served(b, other))  # someone else's count is their own

        # Places are renewed while the sockets stay open, however long that is.
        await asyncio.sleep(SLOT_SECONDS + 2)
        assert await refused(b, mine)

        # A socket that closes gives its place back at once.
        await sockets.pop(0).close()
        sockets.append(await open_served(b, mine))
        assert await refused(b, mine)

        # A process killed with its sockets open cannot give their places back: they expire.
        a.kill()
        deadline = asyncio.get_running_loop().time() + WAIT
        while True:
            probe = await Socket.open(b, mine)
            if await probe.served():
                sockets.append(probe)
                break
            assert asyncio.get_running_loop().time() < deadline, "the dead process's places never expired"
            await asyncio.sleep(0.5)
        assert await refused(b, mine), "the places of the killed process's sockets are free, no more"
    finally:
        for socket in sockets:
            await socket.close()


@pytest.mark.asyncio
async def test_without_redis_the_count_is_kept_in_the_process(settings: Any) -> None:
    """The embedded default (make run): the in-memory channel layer, one process."""
    settings.WEBSOCKETS_PER_PERSON = 2
    slots = SocketSlots(layer=object())
    assert await slots.take(1, "tab-1")
    assert await slots.take(1, "tab-2")
    assert not await slots.take(1, "tab-3")
    assert await slots.take(2, "someone-else")
    await slots.give_back("tab-1")
    assert await slots.take(1, "tab-3")
    for channel in ("tab-2", "tab-3", "someone-else"):
        await slots.give_back(channel)
    assert slots.renewer is None


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.asyncio
async def test_a_server_stopped_with_sigterm_gives_its_sockets_places_back_at_once(
    pair: tuple[DaphneServer, DaphneServer],
) -> None:
    """A deploy: the browsers move to another server at once, and must not find their
    places still taken by the sockets of the stopped one. (Runs last: it stops B.)"""
    _a, b = pair
    scene = await make_scene()
    key = f"test-{settings.DATABASES['default']['NAME']}:sockets:{scene.users['guardian_1']}"
    assert settings.REDIS_URL is not None
    redis = Redis.from_url(settings.REDIS_URL)
    sockets = [await open_served(b, scene.cookies["guardian_1"]) for _ in range(LIMIT)]
    try:
        assert await redis.zcard(key) == LIMIT
        assert await asyncio.to_thread(b.terminate, 10) is not None
        assert await redis.zcard(key) == 0
    finally:
        for socket in sockets:
            await socket.close()
        await redis.aclose()
