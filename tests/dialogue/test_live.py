"""The live socket, through the real ASGI application (origin check, session
authentication, the consumer) and the real Redis channel layer."""

from __future__ import annotations

import datetime
import logging
import uuid
from typing import Any

import pytest
from channels.db import database_sync_to_async
from django.test import Client
from django.utils import timezone

from accounts import policy
from accounts.actions import SYSTEM
from accounts.actions import memberships as m
from accounts.actions.sessions import change_own_password
from accounts.models import Guardianship, TeachingAssignment
from dialogue.actions.assessments import publish_assessment, save_draft
from dialogue.models import Message, MessageRevision
from tests.support.cast import PASSWORD, ROLES, Cast
from tests.support.sockets import (
    following,
    frames_of_each,
    open_socket,
    receive,
    receive_type,
    send,
    session_cookie,
    subscribe,
    world_fixture,  # noqa: F401 - a fixture used by name ("world")
)
from writing.models import FlaggedText

pytestmark = [pytest.mark.django_db(transaction=True, serialized_rollback=True), pytest.mark.asyncio]


async def send_and_ack(communicator: Any, frame: dict[str, Any]) -> dict[str, Any]:
    """Send and wait for this frame's acknowledgement (other frames may come first)."""
    await send(communicator, frame)
    while True:
        answer = await receive_type(communicator, "ack")
        if answer.get("client_id") == frame.get("client_id") or answer.get("ref") == frame.get("ref"):
            return answer


def send_frame(extra: dict[str, Any], body: str, client_id: str | None = None, **more: Any) -> dict[str, Any]:
    return {
        "type": "send",
        "page": extra["page"].pk,
        "thread": extra["thread"].pk,
        "client_id": client_id or str(uuid.uuid4()),
        "body": body,
        **more,
    }


async def test_a_guardians_message_reaches_exactly_the_policys_readers(
    world: tuple[Cast, dict[str, Any]],
) -> None:
    cast, extra = world
    sockets = {}
    for role in ROLES[1:]:  # everyone but the anonymous visitor
        communicator, connected, _ = await open_socket(cast.person(role))
        assert connected, role
        await send(communicator, {"type": "subscribe", "page": extra["page"].pk})
        answer = await receive(communicator)
        if answer["type"] == "subscribed":
            sockets[role] = communicator
        else:
            assert answer["code"] == "not_found", (role, answer)
            sockets[role] = communicator

    sender = sockets["guardian_1"]
    await send(sender, send_frame(extra, "Hej! Anna har **glömt** gympapåsen."))

    received = set()
    for role, frames in (await frames_of_each(sockets)).items():
        if any(frame["type"] == "message" for frame in frames):
            received.add(role)
    readers = await database_sync_to_async(lambda: set(policy.readers_of_student_page(cast.student)))()
    assert {cast.person(role) for role in received} == readers
    assert received == {"student", "guardian_1", "guardian_2", "teacher", "principal"}
    for communicator in sockets.values():
        await communicator.disconnect()


async def test_a_foreign_or_missing_origin_is_refused_and_logged(
    world: tuple[Cast, dict[str, Any]], caplog: pytest.LogCaptureFixture
) -> None:
    cast, _extra = world
    caplog.set_level(logging.WARNING, logger="elevdialog.security")
    refused = (
        b"https://evil.example",
        b"http://testserver.evil.example",
        None,
        # An allowed host is not enough: scheme and port must be the site's too.
        b"http://testserver:9999",
        b"https://testserver",
        b"http://127.0.0.1:9999",
        b"ftp://testserver",
        b"null",
        b"http://199001011234.evil.example",
    )
    for origin in refused:
        _communicator, connected, _ = await open_socket(cast.guardian_1, origin=origin)
        assert not connected, origin
    refusals = [r.getMessage() for r in caplog.records if "WebSocket refused" in r.getMessage()]
    assert len(refusals) == len(refused)
    assert "evil.example" in refusals[0]
    assert "(missing)" in refusals[2]
    assert "http://testserver:9999" in refusals[3]
    assert "(malformed)" in refusals[7]
    assert "199001011234" not in " ".join(refusals)  # digits that could be a civic number

    # The site's own origin (the Host it was reached at), and the configured SITE_URL.
    for origin in (b"http://testserver", b"http://127.0.0.1:8000"):
        communicator, connected, _ = await open_socket(cast.guardian_1, origin=origin)
        assert connected, origin
        await communicator.disconnect()


async def test_no_session_and_an_unverified_staff_session_are_refused(
    world: tuple[Cast, dict[str, Any]],
) -> None:
    cast, _extra = world
    _communicator, connected, code = await open_socket(None)
    assert not connected
    assert code == 4401

    def password_only_session() -> str:
        client = Client()
        client.post("/login/", {"username": cast.teacher.username, "password": PASSWORD})
        return client.cookies["sessionid"].value

    from channels.testing import WebsocketCommunicator

    from config.asgi import application

    cookie = await database_sync_to_async(password_only_session)()
    communicator = WebsocketCommunicator(
        application,
        "/ws/",
        headers=[
            (b"host", b"testserver"),
            (b"origin", b"http://testserver"),
            (b"cookie", f"sessionid={cookie}".encode()),
        ],
    )
    connected, code = await communicator.connect()
    assert not connected
    assert code == 4401


async def test_the_socket_is_served_at_its_own_path_only_and_not_to_a_session_of_an_old_password(
    world: tuple[Cast, dict[str, Any]],
) -> None:
    from channels.testing import WebsocketCommunicator
    from django.conf import settings

    from config.asgi import application

    cast, _extra = world
    cookie = await database_sync_to_async(session_cookie)(cast.guardian_1)
    headers = [
        (b"host", b"testserver"),
        (b"origin", b"http://testserver"),
        (b"cookie", f"{settings.SESSION_COOKIE_NAME}={cookie}".encode()),
    ]
    for path in ("/ws/other/", "/ws", "/"):
        communicator = WebsocketCommunicator(application, path, headers=headers)
        connected, _code = await communicator.connect()
        assert not connected, path
    communicator = WebsocketCommunicator(application, "/ws/", headers=headers)
    connected, _code = await communicator.connect()
    assert connected
    await communicator.disconnect()

    def change_password() -> None:
        cast.guardian_1.set_password("ett helt annat lösenord")
        cast.guardian_1.save()

    await database_sync_to_async(change_password)()
    communicator = WebsocketCommunicator(application, "/ws/", headers=headers)
    connected, code = await communicator.connect()
    assert not connected
    assert code == 4401


async def test_a_withdrawn_guardians_open_socket_stops_receiving(world: tuple[Cast, dict[str, Any]]) -> None:
    cast, extra = world
    guardian = await following(cast.guardian_2, extra["page"].pk)
    teacher = await following(cast.teacher, extra["page"].pk)

    def withdraw() -> None:
        guardianship = Guardianship.objects.get(guardian=cast.guardian_2, student=cast.student)
        m.end_membership(cast.school_admin, guardianship, reason="Court decision")

    await database_sync_to_async(withdraw)()
    revoked = await receive_type(guardian, "revoked")
    assert revoked["page"] == extra["page"].pk

    await send(teacher, send_frame(extra, "Utvecklingssamtalet flyttas till tisdag."))
    assert (await receive_type(teacher, "ack"))["message"]["html"]
    assert await guardian.receive_nothing(timeout=1.0)
    await send(guardian, send_frame(extra, "Går det att skriva fortfarande?"))
    assert (await receive(guardian))["code"] == "not_subscribed"
    await send(guardian, {"type": "subscribe", "page": extra["page"].pk})
    assert (await receive(guardian))["code"] == "not_found"
    for communicator in (guardian, teacher):
        await communicator.disconnect()


async def test_a_teacher_whose_assignment_ends_is_dropped_from_the_page(
    world: tuple[Cast, dict[str, Any]],
) -> None:
    cast, extra = world
    teacher = await following(cast.teacher, extra["page"].pk)

    def end_teaching() -> None:
        for assignment in TeachingAssignment.objects.filter(teacher=cast.teacher):
            m.end_membership(SYSTEM, assignment)
        m.end_membership(SYSTEM, cast.teacher.mentorships.get())

    await database_sync_to_async(end_teaching)()
    assert (await receive_type(teacher, "revoked"))["page"] == extra["page"].pk
    await teacher.disconnect()


async def test_the_first_frame_of_a_new_day_rechecks_access(
    world: tuple[Cast, dict[str, Any]], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Memberships end at midnight without any event: a socket open across midnight must
    notice on its next frame."""
    cast, extra = world
    guardian = await following(cast.guardian_2, extra["page"].pk)
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)

    def end_tomorrow() -> None:
        guardianship = Guardianship.objects.get(guardian=cast.guardian_2, student=cast.student)
        guardianship.ends_on = tomorrow
        guardianship.save(update_fields=["ends_on"])  # as if decided earlier: no event now

    await database_sync_to_async(end_tomorrow)()
    monkeypatch.setattr("accounts.policy.base.today", lambda: tomorrow)
    monkeypatch.setattr("frontend.consumer.timezone.localdate", lambda: tomorrow)
    await send(guardian, {"type": "ping"})
    assert (await receive_type(guardian, "revoked"))["page"] == extra["page"].pk
    await guardian.disconnect()


async def test_logout_and_password_change_close_the_sockets_of_that_session(
    world: tuple[Cast, dict[str, Any]],
) -> None:
    cast, extra = world
    socket = await following(cast.guardian_1, extra["page"].pk)

    def change_password() -> None:
        change_own_password(
            cast.guardian_1, current_password=PASSWORD, new_password="ett nytt långt lösenord"
        )

    await database_sync_to_async(change_password)()
    output = await socket.receive_output(timeout=3)
    assert output["type"] == "websocket.close"
    assert output["code"] == 4401


async def test_a_retried_send_is_stored_and_delivered_once(world: tuple[Cast, dict[str, Any]]) -> None:
    cast, extra = world
    sender = await following(cast.guardian_1, extra["page"].pk)
    reader = await following(cast.teacher, extra["page"].pk)
    frame = send_frame(extra, "Vi kommer tio minuter sent i morgon.")

    await send(sender, frame)
    first = await receive_type(sender, "ack")
    await send(sender, frame)  # the acknowledgement was lost; the browser sends again
    second = await receive_type(sender, "ack")

    assert first["message"]["id"] == second["message"]["id"]
    count = await database_sync_to_async(Message.objects.filter(client_id=frame["client_id"]).count)()
    assert count == 1
    assert (await receive_type(reader, "message"))["message"]["id"] == first["message"]["id"]
    assert await reader.receive_nothing(timeout=1.0)
    for communicator in (sender, reader):
        await communicator.disconnect()


async def test_reconnecting_with_the_last_seq_brings_exactly_the_missed_changes(
    world: tuple[Cast, dict[str, Any]],
) -> None:
    cast, extra = world
    reader = await following(cast.teacher, extra["page"].pk)
    writer = await following(cast.guardian_1, extra["page"].pk)
    await send_and_ack(writer, send_frame(extra, "Första."))
    last_seen = (await receive_type(reader, "message"))["message"]["change_seq"]
    await reader.disconnect()

    sent_ids = []
    for text in ("Andra.", "Tredje.", "Fjärde."):
        sent_ids.append((await send_and_ack(writer, send_frame(extra, text)))["message"]["id"])
    edit = {
        "type": "edit",
        "page": extra["page"].pk,
        "message": sent_ids[0],
        "body": "Andra (rättat).",
        "ref": "e",
    }
    await send_and_ack(writer, edit)

    reader, connected, _ = await open_socket(cast.teacher)
    assert connected
    resumed = await subscribe(reader, extra["page"].pk, after=last_seen)
    changes = resumed["messages"]
    # Each missed change once, in order; the edited message comes once, as edited.
    assert [change["id"] for change in changes] == [sent_ids[1], sent_ids[2], sent_ids[0]]
    assert [c["change_seq"] for c in changes] == sorted(c["change_seq"] for c in changes)
    assert changes[-1]["edited_at"] is not None
    assert "Andra (rättat)" in changes[-1]["html"]
    assert resumed["head"] == changes[-1]["change_seq"]
    for communicator in (reader, writer):
        await communicator.disconnect()


async def test_pong_carries_the_page_head_so_a_dropped_event_is_noticed(
    world: tuple[Cast, dict[str, Any]],
) -> None:
    cast, extra = world
    reader = await following(cast.teacher, extra["page"].pk)
    await send(reader, {"type": "ping"})
    pong = await receive_type(reader, "pong")
    page = extra["page"]
    await database_sync_to_async(page.refresh_from_db)()
    assert pong["heads"] == {str(page.pk): page.last_seq}
    await reader.disconnect()


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        ("not json", "malformed"),
        ("[1, 2]", "malformed"),
        ('{"no": "type"}', "malformed"),
        ('{"type": "launch-missiles"}', "unknown_type"),
        ('{"type": "send", "page": "12"}', "not_subscribed"),
        ('{"type": "subscribe", "page": -1}', "malformed"),
        ('{"type": "subscribe", "page": true}', "malformed"),
        ('{"type": "subscribe", "page": 99999999}', "not_found"),
        ('{"type": "check", "body": 5}', "malformed"),
        ("x" * 70_000, "too_large"),
    ],
)
async def test_bad_frames_get_an_error_and_the_socket_keeps_working(
    world: tuple[Cast, dict[str, Any]], raw: str, code: str
) -> None:
    cast, _extra = world
    communicator, connected, _ = await open_socket(cast.guardian_1)
    assert connected
    await communicator.send_to(text_data=raw)
    answer = await receive(communicator)
    assert answer["type"] == "error"
    assert answer["code"] == code
    assert answer["message"]
    await send(communicator, {"type": "ping"})
    assert (await receive(communicator))["type"] == "pong"
    await communicator.disconnect()


async def test_binary_frames_and_bad_send_fields_are_refused_clearly(
    world: tuple[Cast, dict[str, Any]],
) -> None:
    cast, extra = world
    communicator = await following(cast.guardian_1, extra["page"].pk)
    await communicator.send_to(bytes_data=b"\x00\x01")
    assert (await receive(communicator))["code"] == "malformed"
    for bad in (
        {"client_id": "not-a-uuid"},
        {"attachments": ["7"]},
        {"thread": 10**9},
        {"body": "x" * 6000},
        {"body": "   "},
    ):
        await send(communicator, {**send_frame(extra, "Hej"), **bad})
        answer = await receive(communicator)
        assert answer["type"] == "error", bad
        assert answer["code"] in {"malformed", "unknown_thread", "too_long", "empty"}, (bad, answer)
    count = await database_sync_to_async(Message.objects.filter(page=extra["page"]).count)()
    assert count == 2  # only the two of dialogue_objects
    await communicator.disconnect()


async def test_sending_too_fast_is_refused_with_a_wait_time(
    world: tuple[Cast, dict[str, Any]], settings: Any
) -> None:
    settings.DIALOGUE_SEND_LIMIT_PER_MINUTE = 3
    cast, extra = world
    communicator = await following(cast.teacher, extra["page"].pk)
    answers = []
    for index in range(4):
        await send(communicator, send_frame(extra, f"Meddelande {index}"))
        answers.append(await receive_type(communicator, "ack" if index < 3 else "error"))
    assert answers[-1]["code"] == "rate_limited"
    assert 1 <= answers[-1]["retry_after"] <= 61
    await communicator.disconnect()


async def test_the_guard_warns_before_saving_and_send_anyway_flags_for_the_principal(
    world: tuple[Cast, dict[str, Any]],
) -> None:
    cast, extra = world
    communicator = await following(cast.teacher, extra["page"].pk)
    frame = send_frame(extra, "Anna är lat och har ADHD.")
    await send(communicator, frame)
    warning = await receive(communicator)
    assert warning["type"] == "guard"
    assert {f["category"] for f in warning["findings"]} >= {"personal_characteristics", "health"}
    assert not await database_sync_to_async(Message.objects.filter(client_id=frame["client_id"]).exists)()

    await send(communicator, {**frame, "send_anyway": True})
    ack = await receive_type(communicator, "ack")
    flags = await database_sync_to_async(
        lambda: list(FlaggedText.objects.filter(source_id=ack["message"]["id"]))
    )()
    assert len(flags) == 1
    assert flags[0].school_id == cast.school.pk
    assert flags[0].author_id == cast.teacher.pk
    await communicator.disconnect()


async def test_an_edit_keeps_the_history_and_a_retraction_shows_to_members(
    world: tuple[Cast, dict[str, Any]],
) -> None:
    cast, extra = world
    author = await following(cast.guardian_1, extra["page"].pk)
    reader = await following(cast.student, extra["page"].pk)
    message_id = extra["message"].pk
    await send(
        author,
        {"type": "edit", "page": extra["page"].pk, "message": message_id, "body": "Ny text.", "ref": "e"},
    )
    edited = await receive_type(reader, "message")
    assert edited["message"]["id"] == message_id
    assert edited["message"]["edited_at"]
    revisions = await database_sync_to_async(
        lambda: list(MessageRevision.objects.filter(message_id=message_id))
    )()
    assert [r.body for r in revisions] == ["Anna har **ritat** en teckning hemma."]

    await send(author, {"type": "retract", "page": extra["page"].pk, "message": message_id, "ref": "r"})
    retracted = await receive_type(reader, "message")
    assert retracted["message"]["retracted"] is True
    assert retracted["message"]["html"] == ""
    assert retracted["message"]["attachments"] == []
    stored = await database_sync_to_async(Message.objects.get)(pk=message_id)
    assert stored.body == "Ny text."  # on record
    assert stored.retracted_by_id == cast.guardian_1.pk
    for communicator in (author, reader):
        await communicator.disconnect()


async def test_typing_reaches_others_and_is_not_stored(world: tuple[Cast, dict[str, Any]]) -> None:
    cast, extra = world
    writer = await following(cast.guardian_1, extra["page"].pk)
    reader = await following(cast.teacher, extra["page"].pk)
    before = await database_sync_to_async(Message.objects.count)()
    await send(writer, {"type": "typing", "page": extra["page"].pk, "thread": extra["thread"].pk})
    typing = await receive_type(reader, "typing")
    assert typing["user"]["name"] == "Karin Andersson"
    assert await writer.receive_nothing(timeout=0.5)  # not echoed to the writer
    assert await database_sync_to_async(Message.objects.count)() == before
    for communicator in (writer, reader):
        await communicator.disconnect()


async def test_reading_updates_the_unread_counts_on_every_tab_of_the_reader(
    world: tuple[Cast, dict[str, Any]],
) -> None:
    cast, extra = world
    tab_1 = await following(cast.teacher, extra["page"].pk)
    tab_2 = await following(cast.teacher, extra["page"].pk)
    page = extra["page"]
    await database_sync_to_async(page.refresh_from_db)()
    await send(tab_1, {"type": "read", "page": page.pk, "thread": extra["thread"].pk, "seq": 1})
    partly = await receive_type(tab_2, "unread")
    assert partly["unread"] == {str(extra["thread"].pk): 1}
    await send(tab_1, {"type": "read", "page": page.pk, "thread": extra["thread"].pk, "seq": page.last_seq})
    assert (await receive_type(tab_2, "unread"))["unread"] == {}
    await send(
        tab_1, {"type": "read", "page": page.pk, "thread": extra["thread"].pk, "seq": 1}
    )  # never backwards
    assert (await receive_type(tab_2, "unread"))["unread"] == {}
    for communicator in (tab_1, tab_2):
        await communicator.disconnect()


async def test_messages_of_a_page_one_cannot_read_never_arrive(world: tuple[Cast, dict[str, Any]]) -> None:
    cast, extra = world
    communicator, connected, _ = await open_socket(cast.other_guardian)
    assert connected
    await send(communicator, {"type": "subscribe", "page": extra["page"].pk})
    assert (await receive(communicator))["code"] == "not_found"
    writer = await following(cast.guardian_1, extra["page"].pk)
    await send(writer, send_frame(extra, "Hemligt för andra."))
    await receive_type(writer, "ack")
    assert await communicator.receive_nothing(timeout=1.0)
    for item in (communicator, writer):
        await item.disconnect()


async def test_publishing_an_assessment_shows_its_card_live_to_the_page_and_nobody_else(
    world: tuple[Cast, dict[str, Any]],
) -> None:
    cast, extra = world
    sockets = {}
    for role in ROLES[1:]:  # everyone but the anonymous visitor; outsiders are refused
        communicator, connected, _ = await open_socket(cast.person(role))
        assert connected, role
        await send(communicator, {"type": "subscribe", "page": extra["page"].pk})
        await receive(communicator)
        sockets[role] = communicator

    def publish() -> int:
        draft, _findings = save_draft(
            cast.teacher,
            cast.class_4a,
            cast.student,
            cast.maths,
            levels={},
            can_text="Räknar säkert.",
            develop_text="",
        )
        return publish_assessment(cast.teacher, draft.pk).pk

    assessment_id = await database_sync_to_async(publish)()
    received = set()
    for role, frames in (await frames_of_each(sockets)).items():
        cards = [f["message"]["card"] for f in frames if f["type"] == "message" and f["message"]["card"]]
        if cards:
            assert [card["id"] for card in cards] == [assessment_id], role
            received.add(role)
    assert {"student", "guardian_1", "guardian_2"} <= received
    readers = await database_sync_to_async(lambda: set(policy.readers_of_student_page(cast.student)))()
    assert {cast.person(role) for role in received} == readers
    for communicator in sockets.values():
        await communicator.disconnect()
