"""Private threads on the live socket (issue 16, item 6), through the real ASGI application
and the real Redis channel layer: a private thread's messages and typing reach only its
audience's sockets, and catch-up after a reconnect holds none of it for anyone else."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
import pytest_asyncio
from channels.db import database_sync_to_async

from accounts import policy
from dialogue.actions.pages import page_of
from dialogue.actions.threads import start_private_thread
from dialogue.models import Thread
from tests.support.cast import Cast, build_cast
from tests.support.sockets import frames_of_each, open_socket, receive, send, subscribe

pytestmark = [pytest.mark.django_db(transaction=True, serialized_rollback=True), pytest.mark.asyncio]

ROLES = ("student", "guardian_1", "guardian_2", "teacher", "principal")


@pytest_asyncio.fixture
async def world() -> tuple[Cast, dict[str, Thread], int]:
    def build() -> tuple[Cast, dict[str, Thread], int]:
        cast = build_cast()
        page = page_of(cast.student)
        karins, _m = start_private_thread(
            cast.guardian_1,
            page,
            audience=policy.ONE_GUARDIAN,
            title="Hämtning",
            body="Karins första",
            client_id=uuid.uuid4(),
        )
        adults, _m = start_private_thread(
            cast.teacher,
            page,
            audience=policy.ADULTS,
            title="Om Anna",
            body="Till er",
            client_id=uuid.uuid4(),
        )
        general = page.threads.get(kind=Thread.Kind.GENERAL)
        return cast, {"one": karins, "adults": adults, "general": general}, page.pk

    return await database_sync_to_async(build)()


async def sockets_of(cast: Cast, page_id: int) -> dict[str, Any]:
    sockets = {}
    for role in ROLES:
        communicator, connected, _ = await open_socket(cast.person(role))
        assert connected, role
        assert (await subscribe(communicator, page_id))["type"] == "subscribed", role
        sockets[role] = communicator
    return sockets


async def who_got(sockets: dict[str, Any], frame_type: str, thread_id: int) -> set[str]:
    got = set()
    for role, frames in (await frames_of_each(sockets)).items():
        for frame in frames:
            thread = frame["message"]["thread"] if frame["type"] == "message" else frame.get("thread")
            if frame["type"] == frame_type and thread == thread_id:
                got.add(role)
    return got


@pytest.mark.parametrize(
    ("thread", "writer", "readers"),
    [
        ("one", "teacher", {"guardian_1", "teacher", "principal"}),
        ("adults", "guardian_2", {"guardian_1", "guardian_2", "teacher", "principal"}),
        ("general", "teacher", set(ROLES)),
    ],
)
async def test_a_message_reaches_exactly_the_threads_readers(
    world: tuple[Cast, dict[str, Thread], int], thread: str, writer: str, readers: set[str]
) -> None:
    cast, threads, page_id = world
    sockets = await sockets_of(cast, page_id)
    await send(
        sockets[writer],
        {
            "type": "send",
            "page": page_id,
            "thread": threads[thread].pk,
            "client_id": str(uuid.uuid4()),
            "body": "Live",
        },
    )
    assert await who_got(sockets, "message", threads[thread].pk) == readers
    for communicator in sockets.values():
        await communicator.disconnect()


async def test_typing_in_a_private_thread_reaches_only_its_readers(
    world: tuple[Cast, dict[str, Thread], int],
) -> None:
    cast, threads, page_id = world
    sockets = await sockets_of(cast, page_id)
    await send(sockets["guardian_1"], {"type": "typing", "page": page_id, "thread": threads["one"].pk})
    assert await who_got(sockets, "typing", threads["one"].pk) == {"teacher", "principal"}
    # Someone outside the thread typing "in" it announces nothing.
    await send(sockets["guardian_2"], {"type": "typing", "page": page_id, "thread": threads["one"].pk})
    assert await who_got(sockets, "typing", threads["one"].pk) == set()
    # A thread everyone reads: everyone else on the page.
    await send(sockets["student"], {"type": "typing", "page": page_id, "thread": threads["general"].pk})
    assert await who_got(sockets, "typing", threads["general"].pk) == set(ROLES) - {"student"}
    for communicator in sockets.values():
        await communicator.disconnect()


async def test_catch_up_after_a_reconnect_holds_only_the_threads_one_reads(
    world: tuple[Cast, dict[str, Thread], int],
) -> None:
    cast, threads, page_id = world
    expected = {
        "student": set(),
        "guardian_1": {threads["one"].pk, threads["adults"].pk},
        "guardian_2": {threads["adults"].pk},
        "teacher": {threads["one"].pk, threads["adults"].pk},
        "principal": {threads["one"].pk, threads["adults"].pk},
    }
    for role, seen in expected.items():
        communicator, connected, _ = await open_socket(cast.person(role))
        assert connected
        answer = await subscribe(communicator, page_id, after=0)
        assert answer["type"] == "subscribed"
        assert {m["thread"] for m in answer["messages"]} == seen, role
        # The heartbeat carries the page's event number only, never a message.
        await send(communicator, {"type": "ping"})
        pong = next(f for f in [await receive(communicator)] if f["type"] == "pong")
        assert set(pong) <= {"type", "heads", "unread", "blogs"}
        await communicator.disconnect()
