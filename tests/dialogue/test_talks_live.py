"""A talk's card arrives live, and changes live, on the sockets of the page's readers."""

from __future__ import annotations

from typing import Any

import pytest
from channels.db import database_sync_to_async

from dialogue.actions import talks
from tests.support.cast import Cast, build_cast
from tests.support.dialogue import dialogue_objects
from tests.support.sockets import open_socket, receive, send
from tests.support.talks import open_slots

pytestmark = [pytest.mark.django_db(transaction=True, serialized_rollback=True), pytest.mark.asyncio]


async def talk_cards(communicator: Any) -> list[dict[str, Any]]:
    frames: list[dict[str, Any]] = []
    while not await communicator.receive_nothing(timeout=0.5 if frames else 1.0):
        frames.append(await receive(communicator))
    return [
        f["message"]["card"]
        for f in frames
        if f["type"] == "message" and (f["message"]["card"] or {}).get("type") == "talk"
    ]


async def test_a_booked_talks_card_arrives_live_and_changes_when_the_slot_is_cancelled() -> None:
    def build() -> tuple[Cast, dict[str, Any]]:
        cast = build_cast()
        return cast, {**dialogue_objects(cast), "slot": open_slots(cast)[0]}

    cast, extra = await database_sync_to_async(build)()
    sockets = {}
    for role in ("guardian_2", "student", "other_guardian"):
        communicator, connected, _ = await open_socket(cast.person(role))
        assert connected
        await send(communicator, {"type": "subscribe", "page": extra["page"].pk})
        await receive(communicator)  # subscribed, or not_found for the outsider
        sockets[role] = communicator

    talk = await database_sync_to_async(talks.book_talk)(cast.guardian_1, cast.student, extra["slot"].pk)
    for role in ("guardian_2", "student"):
        cards = await talk_cards(sockets[role])
        assert [(c["id"], c["status"], c["guardians"]) for c in cards] == [
            (talk.pk, "booked", ["Karin Andersson"])
        ]
    assert await talk_cards(sockets["other_guardian"]) == []

    await database_sync_to_async(talks.cancel_talk_slot)(cast.teacher, extra["slot"])
    cards = await talk_cards(sockets["guardian_2"])
    assert [(c["id"], c["status"], c["cancelled_by"]) for c in cards] == [(talk.pk, "cancelled", "Lars Lund")]
    for communicator in sockets.values():
        await communicator.disconnect()
