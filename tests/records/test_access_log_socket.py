"""Following a page over the live socket is an opening through the socket; acting on a page
already followed is none. And the channel reaches the view under ASGI, as Daphne serves it."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from channels.db import database_sync_to_async
from django.test import AsyncClient
from django.urls import reverse

from records.models import Opening
from tests.support.cast import Cast
from tests.support.sockets import (
    open_socket,
    receive_type,
    send,
    subscribe,
    world_fixture,  # noqa: F401 - a fixture used by name ("world")
)

pytestmark = [pytest.mark.django_db(transaction=True, serialized_rollback=True), pytest.mark.asyncio]


def _log() -> list[tuple[int | None, str, str, str]]:
    return list(Opening.objects.order_by("pk").values_list("viewer_id", "role", "what", "channel"))


async def test_following_a_page_over_the_socket_is_logged_as_the_socket(
    world: tuple[Cast, dict[str, Any]],
) -> None:
    cast, extra = world
    communicator, connected, _ = await open_socket(cast.teacher)
    assert connected
    try:
        assert (await subscribe(communicator, extra["page"].pk))["type"] == "subscribed"
        # A send on the followed page acts on what is open: no second opening.
        await send(
            communicator,
            {
                "type": "send",
                "page": extra["page"].pk,
                "thread": extra["thread"].pk,
                "body": "Hej!",
                "client_id": str(uuid.uuid4()),
            },
        )
        await receive_type(communicator, "ack")  # (the page's own frame may come first)
    finally:
        await communicator.disconnect()
    assert await database_sync_to_async(_log)() == [
        (cast.teacher.pk, Opening.Role.MENTOR, "live", Opening.Channel.SOCKET)
    ]


async def test_a_refused_subscription_logs_nothing(world: tuple[Cast, dict[str, Any]]) -> None:
    cast, extra = world
    communicator, connected, _ = await open_socket(cast.other_teacher)
    assert connected
    try:
        assert (await subscribe(communicator, extra["page"].pk))["type"] == "error"
    finally:
        await communicator.disconnect()
    assert await database_sync_to_async(_log)() == []


async def test_a_notification_link_is_logged_as_such_under_asgi_too(
    world: tuple[Cast, dict[str, Any]],
) -> None:
    """The channel is a context variable set by a middleware: it must reach the view through
    the ASGI handler's thread hops as it does under the test client."""
    cast, _extra = world
    client = AsyncClient()
    await database_sync_to_async(client.force_login)(cast.guardian_1)
    response = await client.get(reverse("goals", args=[cast.student.pk]) + "?via=notification")
    assert response.status_code == 200
    response = await client.get(reverse("plan", args=[cast.student.pk]))
    assert response.status_code == 200
    assert await database_sync_to_async(_log)() == [
        (cast.guardian_1.pk, Opening.Role.GUARDIAN, "goals", Opening.Channel.NOTIFICATION),
        (cast.guardian_1.pk, Opening.Role.GUARDIAN, "plan", Opening.Channel.PAGE),
    ]
