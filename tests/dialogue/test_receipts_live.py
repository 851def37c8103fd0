"""Read receipts live: when a reader's position moves past a message, its writer's sockets
that follow the page hear who read it, and no one else's do (real sockets, real Redis)."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
import pytest_asyncio
from channels.db import database_sync_to_async

from dialogue.actions.messages import post_message, retract_message
from dialogue.actions.pages import page_of
from dialogue.models import Thread
from tests.support.cast import Cast, build_cast
from tests.support.sockets import open_socket, receive, send, subscribe

pytestmark = [pytest.mark.django_db(transaction=True, serialized_rollback=True), pytest.mark.asyncio]


@pytest_asyncio.fixture
async def world() -> tuple[Cast, dict[str, Any]]:
    def build() -> tuple[Cast, dict[str, Any]]:
        cast = build_cast()
        page = page_of(cast.student)
        thread = page.threads.get(kind=Thread.Kind.GENERAL)
        teachers, _payload = post_message(
            cast.teacher, page, thread_id=thread.pk, body="Utflykt på torsdag.", client_id=uuid.uuid4()
        )
        johans, _payload = post_message(
            cast.guardian_2, page, thread_id=thread.pk, body="Tack!", client_id=uuid.uuid4()
        )
        page.refresh_from_db()
        return cast, {"page": page, "thread": thread, "teachers": teachers, "johans": johans}

    return await database_sync_to_async(build)()


async def frames_within(communicator: Any, seconds: float = 1.0) -> list[dict[str, Any]]:
    frames = []
    while not await communicator.receive_nothing(timeout=seconds):
        frames.append(await receive(communicator))
        seconds = 0.2
    return frames


async def test_a_read_reaches_the_writers_sockets_only(world: tuple[Cast, dict[str, Any]]) -> None:
    cast, extra = world
    page, thread, teachers, johans = extra["page"], extra["thread"], extra["teachers"], extra["johans"]
    sockets = {}
    for name, person in (
        ("teacher", cast.teacher),
        ("student", cast.student),
        ("guardian_1", cast.guardian_1),
        ("guardian_2", cast.guardian_2),
        ("principal", cast.principal),
    ):
        communicator, connected, _ = await open_socket(person)
        assert connected
        assert (await subscribe(communicator, page.pk))["type"] == "subscribed"
        sockets[name] = communicator
    # The teacher's second tab, on another page: the frame is for the page it follows.
    elsewhere, connected, _ = await open_socket(cast.teacher)
    assert connected

    await send(
        sockets["guardian_1"], {"type": "read", "page": page.pk, "thread": thread.pk, "seq": page.last_seq}
    )

    got = {name: await frames_within(communicator) for name, communicator in sockets.items()}
    receipts = [frame for frame in got["teacher"] if frame["type"] == "receipts"]
    assert len(receipts) == 1
    frame = receipts[0]
    assert frame["page"] == page.pk
    assert frame["thread"] == thread.pk
    assert list(frame["receipts"]) == [str(teachers.pk)]  # only the teacher's own message
    karin = next(entry for entry in frame["receipts"][str(teachers.pk)] if entry["name"] == "Karin")
    assert karin["read"]
    assert karin["at"]
    # Johan wrote a message that Karin read too: he hears of his own, nothing of the teacher's.
    johans_frames = [frame for frame in got["guardian_2"] if frame["type"] == "receipts"]
    assert [list(frame["receipts"]) for frame in johans_frames] == [[str(johans.pk)]]
    for name in ("student", "guardian_1", "principal"):
        assert not [frame for frame in got[name] if frame["type"] == "receipts"], name
    assert await elsewhere.receive_nothing(timeout=0.3)

    # Reading again, or less, tells nobody anything.
    await send(sockets["guardian_1"], {"type": "read", "page": page.pk, "thread": thread.pk, "seq": 1})
    assert not [frame for frame in await frames_within(sockets["teacher"]) if frame["type"] == "receipts"]
    for communicator in [*sockets.values(), elsewhere]:
        await communicator.disconnect()


async def test_a_retracted_message_sends_no_receipts(world: tuple[Cast, dict[str, Any]]) -> None:
    cast, extra = world
    page, thread = extra["page"], extra["thread"]
    await database_sync_to_async(retract_message)(cast.teacher, extra["teachers"].pk)
    await database_sync_to_async(page.refresh_from_db)()
    teacher, connected, _ = await open_socket(cast.teacher)
    assert connected
    assert (await subscribe(teacher, page.pk))["type"] == "subscribed"
    reader, connected, _ = await open_socket(cast.guardian_1)
    assert connected
    assert (await subscribe(reader, page.pk))["type"] == "subscribed"
    await send(reader, {"type": "read", "page": page.pk, "thread": thread.pk, "seq": page.last_seq})
    assert not [frame for frame in await frames_within(teacher) if frame["type"] == "receipts"]
    await teacher.disconnect()
    await reader.disconnect()
