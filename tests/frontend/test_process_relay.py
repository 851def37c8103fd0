"""One server process's sockets together (``frontend.process_relay``): a page's group has one
member per process however many tabs follow the page, its frame is encoded once, and the
heartbeats of many sockets are answered from one read."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from channels.db import database_sync_to_async
from channels.layers import get_channel_layer

from accounts.events import page_group
from dialogue.models import StudentPage
from frontend import process_relay
from tests.support.cast import Cast
from tests.support.sockets import (
    following,
    receive,
    receive_type,
    send,
    world_fixture,  # noqa: F401 - a fixture used by name ("world")
)

pytestmark = [pytest.mark.django_db(transaction=True, serialized_rollback=True), pytest.mark.asyncio]


async def _members(group: str, *, forget: bool = False) -> int:
    """How many channels the group has in Redis (``forget``: drop what a run that crashed
    left there first)."""
    layer: Any = get_channel_layer()
    async with layer.connection(layer.consistent_hash(group)) as connection:
        if forget:
            await connection.delete(layer._group_key(group))
        return int(await connection.zcard(layer._group_key(group)))


async def test_three_tabs_on_a_page_are_one_member_of_its_group_and_get_one_encoded_frame(
    world: tuple[Cast, dict[str, Any]], monkeypatch: pytest.MonkeyPatch
) -> None:
    cast, extra = world
    page_id = extra["page"].pk
    encoded: list[str] = []
    from dialogue.actions import messages

    original = messages.encode_frame

    def counting(frame: dict[str, Any]) -> str:
        text = original(frame)
        encoded.append(text)
        return text

    monkeypatch.setattr(messages, "encode_frame", counting)
    assert await _members(page_group(page_id), forget=True) == 0
    tabs = [await following(user, page_id) for user in (cast.guardian_1, cast.guardian_1, cast.teacher)]
    assert await _members(page_group(page_id)) == 1

    client_id = str(uuid.uuid4())
    frame = {"type": "send", "page": page_id, "thread": extra["thread"].pk, "client_id": client_id}
    await send(tabs[0], {**frame, "body": "Hej från tre flikar"})
    # The sender's tab gets the answer and the page's frame, in either order.
    answers = {frame["type"]: frame for frame in [await receive(tabs[0]), await receive(tabs[0])]}
    assert answers["ack"]["client_id"] == client_id
    for received in [answers["message"]] + [await receive_type(tab, "message") for tab in tabs[1:]]:
        message = received["message"]
        assert (message["client_id"], message["body"]) == (client_id, "Hej från tre flikar")
    assert len(encoded) == 1  # once for the three sockets

    for tab in tabs[:2]:
        await tab.disconnect()
    assert await _members(page_group(page_id)) == 1  # the teacher's tab still follows
    await tabs[2].disconnect()
    assert await _members(page_group(page_id)) == 0


async def test_pings_of_many_sockets_are_answered_from_one_read(
    world: tuple[Cast, dict[str, Any]], monkeypatch: pytest.MonkeyPatch
) -> None:
    cast, extra = world
    page_id = extra["page"].pk
    from dialogue import socket as dialogue_socket

    reads: list[list[int]] = []
    original = dialogue_socket.page_heads

    def counting(page_ids: list[int]) -> dict[int, int]:
        reads.append(page_ids)
        return original(page_ids)

    monkeypatch.setattr(dialogue_socket, "page_heads", counting)
    tabs = [await following(user, page_id) for user in (cast.guardian_1, cast.guardian_2, cast.student)]
    head = (await database_sync_to_async(StudentPage.objects.get)(pk=page_id)).last_seq
    for tab in tabs:
        await send(tab, {"type": "ping"})
        pong = await receive_type(tab, "pong")
        assert pong["heads"] == {str(page_id): head}
    assert reads == [[page_id]]  # one read for the three pings

    # Past the cache's age a ping reads again, and sees what was sent since.
    monkeypatch.setattr(process_relay, "HEARTBEAT_CACHE_SECONDS", 0.0)
    client_id = str(uuid.uuid4())
    frame = {"type": "send", "page": page_id, "thread": extra["thread"].pk, "client_id": client_id}
    await send(tabs[0], {**frame, "body": "Ett till"})
    await receive_type(tabs[1], "message")  # stored and sent
    await send(tabs[1], {"type": "ping"})
    assert (await receive_type(tabs[1], "pong"))["heads"] == {str(page_id): head + 1}
    assert len(reads) == 2
    for tab in tabs:
        await tab.disconnect()


async def test_the_bell_count_in_a_pong_is_each_persons_own(world: tuple[Cast, dict[str, Any]]) -> None:
    cast, extra = world
    from notifications.queries import unread_count

    tabs = {user: await following(user, extra["page"].pk) for user in (cast.guardian_1, cast.teacher)}
    for user, tab in tabs.items():
        await send(tab, {"type": "ping"})
        pong = await receive(tab)
        while pong["type"] != "pong":
            pong = await receive(tab)
        assert pong["unread"] == await database_sync_to_async(unread_count)(user)
        await tab.disconnect()
