"""The socket answers through the one door: a message on a page one may not read is answered
exactly as a missing one (no existence oracle), and every answer about a send names it by
its ``client_id``."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
import pytest_asyncio
from channels.db import database_sync_to_async

from dialogue.actions.goals import set_goal
from dialogue.actions.messages import post_message
from dialogue.actions.pages import page_of
from dialogue.models import Thread
from tests.support.cast import Cast, build_cast
from tests.support.dialogue import dialogue_objects
from tests.support.sockets import open_socket, receive, send, subscribe

pytestmark = [pytest.mark.django_db(transaction=True, serialized_rollback=True), pytest.mark.asyncio]


@pytest_asyncio.fixture
async def world() -> tuple[Cast, dict[str, Any]]:
    def build() -> tuple[Cast, dict[str, Any]]:
        cast = build_cast()
        extra = dialogue_objects(cast)
        # A message and a card on another student's page, which guardian_1 may not read.
        other_page = page_of(cast.other_student)
        other_thread = other_page.threads.get(kind=Thread.Kind.GENERAL)
        hidden, _payload = post_message(
            cast.other_guardian,
            other_page,
            thread_id=other_thread.pk,
            body="Olle har fått en ny cykel.",
            client_id=uuid.uuid4(),
        )
        card = set_goal(cast.principal, cast.other_student, text="Olle läser en bok i veckan.")
        return cast, extra | {"hidden": hidden, "hidden_card": card.message_id}

    return await database_sync_to_async(build)()


async def _answer(communicator: Any, frame: dict[str, Any]) -> dict[str, Any]:
    await send(communicator, frame)
    return await receive(communicator)


@pytest.mark.parametrize("action", ["edit", "retract"])
async def test_a_message_one_may_not_read_is_answered_like_a_missing_one(
    world: tuple[Cast, dict[str, Any]], action: str
) -> None:
    cast, extra = world
    communicator, connected, _ = await open_socket(cast.guardian_1)
    assert connected
    assert (await subscribe(communicator, extra["page"].pk))["type"] == "subscribed"
    own_page = extra["page"].pk

    def frame(message_id: int) -> dict[str, Any]:
        return {"type": action, "page": own_page, "message": message_id, "body": "Ändrat.", "ref": "x"}

    answers = {
        "missing": await _answer(communicator, frame(10**9)),
        "on a page one may not read": await _answer(communicator, frame(extra["hidden"].pk)),
        "a card on a page one may not read": await _answer(communicator, frame(extra["hidden_card"])),
    }
    await communicator.disconnect()
    shapes = {name: (a["type"], a["code"], a["message"], a["ref"]) for name, a in answers.items()}
    assert len(set(shapes.values())) == 1, shapes
    assert shapes["missing"][:2] == ("error", "unknown_message")


async def test_a_message_of_another_readable_page_is_not_changed_through_this_one(
    world: tuple[Cast, dict[str, Any]],
) -> None:
    """The principal reads both pages, but a frame names the page it is about: a message of
    the other page is unknown on this one."""
    cast, extra = world
    communicator, connected, _ = await open_socket(cast.principal)
    assert connected
    assert (await subscribe(communicator, extra["page"].pk))["type"] == "subscribed"
    answer = await _answer(
        communicator, {"type": "retract", "page": extra["page"].pk, "message": extra["hidden"].pk, "ref": "r"}
    )
    await communicator.disconnect()
    assert (answer["type"], answer["code"]) == ("error", "unknown_message")
    hidden = extra["hidden"]
    await database_sync_to_async(hidden.refresh_from_db)()
    assert hidden.retracted_at is None


async def test_every_answer_about_a_send_names_it_by_its_client_id(
    world: tuple[Cast, dict[str, Any]],
) -> None:
    cast, extra = world
    communicator, connected, _ = await open_socket(cast.guardian_1)
    assert connected
    assert (await subscribe(communicator, extra["page"].pk))["type"] == "subscribed"
    base = {"type": "send", "page": extra["page"].pk, "thread": extra["thread"].pk}
    sends = {
        "ack": base | {"body": "Hej!"},
        "guard": base | {"body": "Hon har en diagnos."},
        "error": base | {"body": ""},
        "unknown thread": base | {"thread": 10**9, "body": "Hej!"},
    }
    for name, frame in sends.items():
        client_id = str(uuid.uuid4())
        answer = await _answer(communicator, frame | {"client_id": client_id})
        while answer["type"] in ("message", "typing", "unread"):  # the live echo of the ack
            answer = await receive(communicator)
        assert answer.get("client_id") == client_id, (name, answer)
        assert "ref" not in answer, (name, answer)
    await communicator.disconnect()
