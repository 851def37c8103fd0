"""One server process's sockets together (``frontend.process_relay``): a group (a page's, a
person's) has one member per process however many tabs joined it, a page's frame is encoded
once, and the heartbeats of many sockets are answered from one read."""

from __future__ import annotations

import asyncio
import contextlib
import json
import uuid
from pathlib import Path
from typing import Any

import pytest
from channels.db import database_sync_to_async
from channels.layers import get_channel_layer
from django.conf import settings

from accounts.events import group_send, page_group, user_group
from config.channel_layer import ResilientRedisChannelLayer
from dialogue.models import StudentPage
from frontend import process_relay
from tests.support.cast import Cast
from tests.support.processes import RedisServer
from tests.support.sockets import (
    following,
    frames_of_each,
    receive,
    receive_type,
    send,
    world_fixture,  # noqa: F401 - a fixture used by name ("world")
)

pytestmark = [pytest.mark.django_db(transaction=True, serialized_rollback=True), pytest.mark.asyncio]


async def _members(group: str, expected: int) -> int:
    """How many connections to Redis (server processes) are subscribed to the group: waits
    up to two seconds for ``expected``, since (un)subscriptions travel on the layer's own
    connection and this asks on another."""
    layer: Any = get_channel_layer()
    name = layer._get_group_channel_name(group)
    connection = layer.connection(layer.consistent_hash(name))
    for _attempt in range(40):
        count = int(dict(await connection.pubsub_numsub(name))[name.encode()])
        if count == expected:
            break
        await asyncio.sleep(0.05)
    return count


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
    assert await _members(page_group(page_id), 0) == 0
    tabs = [await following(user, page_id) for user in (cast.guardian_1, cast.guardian_1, cast.teacher)]
    assert await _members(page_group(page_id), 1) == 1

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
    assert await _members(page_group(page_id), 1) == 1  # the teacher's tab still follows
    await tabs[2].disconnect()
    assert await _members(page_group(page_id), 0) == 0


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


async def test_a_persons_two_tabs_are_one_member_of_their_group_and_only_they_hear_its_events(
    world: tuple[Cast, dict[str, Any]],
) -> None:
    cast, extra = world
    group = user_group(cast.guardian_1.pk)
    assert await _members(group, 0) == 0
    tabs = {name: await following(cast.guardian_1, extra["page"].pk) for name in ("phone", "laptop")}
    tabs["teacher"] = await following(cast.teacher, extra["page"].pk)
    assert await _members(group, 1) == 1

    await group_send(get_channel_layer(), group, {"type": "inbox.changed", "unread": 7})
    heard = await frames_of_each(tabs)
    assert heard["phone"] == heard["laptop"] == [{"type": "inbox", "unread": 7}]
    assert heard["teacher"] == []

    await tabs["phone"].disconnect()
    assert await _members(group, 1) == 1  # the laptop is still open
    await tabs["laptop"].disconnect()
    assert await _members(group, 0) == 0
    await tabs["teacher"].disconnect()


async def test_an_event_that_would_act_as_the_socket_itself_is_dropped(
    world: tuple[Cast, dict[str, Any]],
) -> None:
    """Only the socket's own connection speaks for it: an event on a group named like the
    socket's own messages (a frame, a disconnect) is not handed to it."""
    cast, extra = world
    tab = await following(cast.guardian_1, extra["page"].pk)
    layer = get_channel_layer()
    group = user_group(cast.guardian_1.pk)
    await group_send(
        layer, group, {"type": "websocket.receive", "text": json.dumps({"type": "check", "body": "x"})}
    )
    await group_send(layer, group, {"type": "websocket.disconnect", "code": 1000})
    await group_send(layer, group, {"type": "inbox.changed", "unread": 2})

    assert await receive(tab) == {"type": "inbox", "unread": 2}  # the events before it were dropped
    await send(tab, {"type": "ping"})
    assert (await receive(tab))["type"] == "pong"  # still open, and nothing else came
    await tab.disconnect()


async def _no_heartbeat_read(pages: list[int], users: list[int]) -> tuple[dict[int, int], dict[int, int]]:
    raise AssertionError("no heartbeat is answered here")


class _Tab:
    """A member that keeps what the relay hands it."""

    def __init__(self) -> None:
        self.events: asyncio.Queue[dict[str, Any]] = asyncio.Queue()

    async def inbox_changed(self, event: dict[str, Any]) -> None:
        await self.events.put(event)


async def test_a_socket_that_joins_while_redis_is_away_is_let_in_and_joined_at_a_later_heartbeat(
    tmp_path: Path,
) -> None:
    """The first socket of a process opens the relay's channel; with Redis away that fails,
    and the socket must still be let in (catch-up covers it), its group joined at a heartbeat
    once Redis answers."""
    redis = RedisServer(None, tmp_path / "redis.log")
    config = {**settings.CHANNEL_LAYERS["default"]["CONFIG"], "hosts": [{"address": redis.url}]}
    layer = ResilientRedisChannelLayer(**config)
    relay = process_relay.ProcessRelay(layer, _no_heartbeat_read)
    tab = _Tab()
    try:
        assert await relay.join("user.1", tab) is False
        assert relay.task is None

        redis.start()
        await relay.rejoin_if_needed()
        assert relay.task is not None
        assert relay.rejoin is False  # joined: the next heartbeat has nothing to join again
        publisher = ResilientRedisChannelLayer(**config)
        try:
            for _attempt in range(50):  # until Redis has taken the subscription
                await group_send(publisher, "user.1", {"type": "inbox.changed", "unread": 3})
                with contextlib.suppress(TimeoutError):
                    event = await asyncio.wait_for(tab.events.get(), 0.1)
                    break
            else:
                raise AssertionError("the group was never joined")
        finally:
            await publisher.flush()
        assert (event["unread"], event["group"]) == (3, "user.1")
    finally:
        relay._stop()
        await layer.flush()
        redis.stop()
