"""Frames the live socket cannot handle as sent, and how it answers them: unreadable frames
get a clear error (never a server error in the log), and every answer about a send names
it by its ``client_id``, so that the browser marks that send instead of showing a general
notice."""

from __future__ import annotations

import json
import logging
import uuid
from typing import Any

import pytest
from channels.db import database_sync_to_async
from django.db import OperationalError

from accounts.errors import Forbidden, NotFound
from dialogue.models import Message
from tests.support.cast import Cast
from tests.support.sockets import (
    following,
    open_socket,
    receive,
    receive_type,
    send,
    world_fixture,  # noqa: F401 - a fixture used by name ("world")
)

pytestmark = [pytest.mark.django_db(transaction=True, serialized_rollback=True), pytest.mark.asyncio]


def send_frame(extra: dict[str, Any], body: str = "Hej!", **more: Any) -> dict[str, Any]:
    return {
        "type": "send",
        "page": extra["page"].pk,
        "thread": extra["thread"].pk,
        "client_id": str(uuid.uuid4()),
        "body": body,
        **more,
    }


async def stored(client_id: str) -> bool:
    return await database_sync_to_async(Message.objects.filter(client_id=client_id).exists)()


def nested(depth: int) -> str:
    return "[" * depth + "]" * depth


async def test_deeply_nested_frames_and_lone_surrogates_get_bad_frame_and_log_no_error(
    world: tuple[Cast, dict[str, Any]], caplog: pytest.LogCaptureFixture
) -> None:
    cast, extra = world
    caplog.set_level(logging.WARNING)
    communicator = await following(cast.guardian_1, extra["page"].pk)
    client_id = str(uuid.uuid4())
    page, thread = extra["page"].pk, extra["thread"].pk
    head = f'{{"type": "send", "page": {page}, "thread": {thread}, "client_id": "{client_id}"'
    unreadable = [
        head + f', "body": "Hej", "x": {nested(5000)}}}',  # beyond Python's recursion limit
        head + f', "body": "Hej", "x": {nested(20)}}}',  # parses, but no frame is this deep
        head + ', "body": "Hej \\ud800 då"}',  # a lone surrogate: valid JSON, not storable
        head + ', "body": "Hej", "\\udfff": 1}',
        head + ', "body": "Hej \\ud83d"}',
    ]
    for raw in unreadable:
        await communicator.send_to(text_data=raw)
        answer = await receive(communicator)
        assert answer["type"] == "error", raw[:80]
        assert answer["code"] == "bad_frame", answer
        assert answer["client_id"] == client_id
        assert answer["message"].startswith(("Begäran", "Texten")), answer["message"]  # in Swedish
    assert not await stored(client_id)

    # A surrogate pair (an emoji written as JSON escapes) is a character like any other.
    await send(communicator, {**send_frame(extra), "client_id": client_id, "body": "Glad \ud83d\ude00"})
    assert (await receive_type(communicator, "ack"))["message"]["body"] == "Glad 😀"
    await send(communicator, {"type": "ping"})
    assert (await receive_type(communicator, "pong"))["type"] == "pong"
    await communicator.disconnect()
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR] == []


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        ('{"type": "send", "client_id": "%s", "body": "' + "x" * 70_000 + '"}', "too_large"),
        ('{"type": "send", "client_id": "%s", "body": "no end', "malformed"),
        ('{"type": "send", "client_id": "%s", "page": 0}', "not_subscribed"),
    ],
)
async def test_frames_about_a_send_that_cannot_be_handled_are_answered_with_its_client_id(
    world: tuple[Cast, dict[str, Any]], raw: str, code: str
) -> None:
    cast, _extra = world
    communicator, connected, _ = await open_socket(cast.guardian_1)
    assert connected
    client_id = str(uuid.uuid4())
    await communicator.send_to(text_data=raw % client_id)
    answer = await receive(communicator)
    assert (answer["type"], answer["code"], answer["client_id"]) == ("error", code, client_id)
    await communicator.disconnect()


@pytest.mark.parametrize(
    ("failure", "code"),
    [
        (NotFound("not_found", "Borta."), "not_found"),
        (Forbidden("forbidden", "Nej."), "forbidden"),
        (RuntimeError("a bug"), "server_error"),
        (OperationalError("the database system is shutting down"), "unavailable"),
    ],
)
async def test_whatever_a_send_fails_with_the_answer_names_the_send(
    world: tuple[Cast, dict[str, Any]], monkeypatch: pytest.MonkeyPatch, failure: Exception, code: str
) -> None:
    cast, extra = world
    communicator = await following(cast.guardian_1, extra["page"].pk)

    def failing_send(user: Any, frame: dict[str, Any]) -> dict[str, Any]:
        raise failure

    monkeypatch.setattr("dialogue.socket.send", failing_send)
    frame = send_frame(extra)
    await send(communicator, frame)
    answer = await receive(communicator)
    assert (answer["type"], answer["code"], answer["client_id"]) == ("error", code, frame["client_id"])
    assert "ref" not in answer
    if code == "unavailable":
        assert answer["retry_after"] > 0
        assert answer["message"]
    await communicator.disconnect()


async def test_the_guards_warning_and_the_ack_name_the_send(world: tuple[Cast, dict[str, Any]]) -> None:
    cast, extra = world
    communicator = await following(cast.teacher, extra["page"].pk)
    frame = send_frame(extra, "Anna är lat.")
    await send(communicator, frame)
    warning = await receive(communicator)
    assert (warning["type"], warning["client_id"]) == ("guard", frame["client_id"])
    await send(communicator, {**frame, "send_anyway": True})
    assert (await receive_type(communicator, "ack"))["client_id"] == frame["client_id"]
    await communicator.disconnect()


async def test_while_the_database_is_away_a_ping_still_gets_its_pong(
    world: tuple[Cast, dict[str, Any]], monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    cast, extra = world
    caplog.set_level(logging.WARNING)
    communicator = await following(cast.guardian_1, extra["page"].pk)

    def database_away(*args: Any) -> Any:
        raise OperationalError("connection refused")

    monkeypatch.setattr("dialogue.socket.page_heads", database_away)
    for _ in range(3):
        await send(communicator, {"type": "ping"})
        pong = await receive(communicator)
        assert pong == {
            "type": "pong",
            "heads": {},
            "unavailable": "database",
            "retry_after": pong["retry_after"],
        }
    await communicator.disconnect()
    assert [r for r in caplog.records if r.levelno >= logging.ERROR or r.exc_info] == []
    assert json.dumps(pong)  # plain JSON, nothing else
