"""A protected guardian on their child's page: the child's other guardian (often the very
person the marking protects against) reads "A guardian" where the name would be: in "Who can
see this page", in a private thread's audience line, in the read receipts of their own
messages, and as the writer of messages (on the page, its history, and the live frames).
The child and the school read the name."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from channels.db import database_sync_to_async
from django.urls import reverse
from django.utils import translation

from accounts.actions import SYSTEM, identity
from accounts.models import SecurityMarking, User
from dialogue.actions.goals import propose_goal
from dialogue.actions.messages import mark_read, post_message
from dialogue.actions.pages import page_of
from dialogue.actions.talks import book_talk
from dialogue.actions.threads import start_private_thread
from dialogue.models import Message, StudentPage, Thread
from tests.support.cast import Cast, build_cast
from tests.support.clients import queries_of_page, verified_client
from tests.support.sockets import open_socket, receive, send, subscribe
from tests.support.talks import open_slots

KARIN = "Karin Andersson"
LABEL = "En vårdnadshavare"
INSIDERS = ("student", "guardian_1", "teacher", "principal")


def _protect(person: User) -> None:
    identity.set_security_marking(SYSTEM, person, SecurityMarking.CONFIDENTIAL)


def _general(cast: Cast) -> tuple[StudentPage, Thread]:
    page = page_of(cast.student)
    return page, page.threads.get(kind=Thread.Kind.GENERAL)


def _write(author: User, page: StudentPage, thread: Thread, body: str = "Hej!") -> Message:
    message, _payload = post_message(author, page, thread_id=thread.pk, body=body, client_id=uuid.uuid4())
    return message


def _page(viewer: User, cast: Cast, thread: Thread | None = None) -> Any:
    url = reverse("student", args=[cast.student.pk]) + (f"?thread={thread.pk}" if thread else "")
    with translation.override("sv"):
        response = verified_client(viewer).get(url)
    assert response.status_code == 200
    return response


def _visible_to(html: str) -> str:
    start = html.index('data-testid="visible-to"')
    return html[start : html.index("</details>", start)]


@pytest.mark.django_db
def test_who_can_see_this_page_names_a_protected_guardian_only_to_those_who_need_it(cast: Cast) -> None:
    _protect(cast.guardian_1)
    line = _visible_to(_page(cast.guardian_2, cast).content.decode())
    assert KARIN not in line
    assert LABEL in line
    assert "Johan Berg" in line
    for role in INSIDERS:
        line = _visible_to(_page(getattr(cast, role), cast).content.decode())
        assert KARIN in line, role
        assert LABEL not in line, role


@pytest.mark.django_db
def test_a_private_threads_audience_line_names_a_protected_guardian_only_to_those_who_need_it(
    cast: Cast,
) -> None:
    thread, _first = start_private_thread(
        cast.teacher,
        cast.student,
        audience="adults",
        title="Hämtning",
        body="Om hämtningen.",
        client_id=uuid.uuid4(),
    )
    _protect(cast.guardian_1)
    line = _page(cast.guardian_2, cast, thread).context["thread_readers"]
    assert KARIN not in line
    assert "Karin" not in line
    assert LABEL in line
    assert KARIN in _page(cast.teacher, cast, thread).context["thread_readers"]
    # Left out of the thread: the student, by first name, as before.
    assert "Anna" in line


@pytest.mark.django_db
def test_the_other_guardians_read_receipts_name_a_protected_guardian_with_the_label(cast: Cast) -> None:
    page, thread = _general(cast)
    johans = _write(cast.guardian_2, page, thread, "Tack!")
    teachers = _write(cast.teacher, page, thread, "Utflykt på torsdag.")
    page.refresh_from_db(fields=["last_seq"])
    mark_read(cast.guardian_1, page, thread_id=thread.pk, seq=page.last_seq)
    _protect(cast.guardian_1)
    with translation.override("sv"):
        johan_sees = _page(cast.guardian_2, cast).context["dialogue"]["receipts"][str(johans.pk)]
        teacher_sees = _page(cast.teacher, cast).context["dialogue"]["receipts"][str(teachers.pk)]
    assert LABEL in {entry["name"] for entry in johan_sees}
    assert not [entry for entry in johan_sees if "Karin" in entry["name"]]
    assert "Karin" in {entry["name"] for entry in teacher_sees}


@pytest.mark.django_db
def test_a_protected_guardians_messages_are_signed_with_the_label_for_the_other_guardian(cast: Cast) -> None:
    page, thread = _general(cast)
    _write(cast.guardian_1, page, thread, "Jag hämtar på fredag.")
    _protect(cast.guardian_1)
    authors = {m["author"]["name"] for m in _page(cast.guardian_2, cast).context["dialogue"]["messages"]}
    assert authors == {LABEL}
    for role in INSIDERS:
        shown = _page(getattr(cast, role), cast).context["dialogue"]["messages"]
        assert {m["author"]["name"] for m in shown} == {KARIN}, role
    history = reverse("thread-history", args=[page.pk, thread.pk]) + "?before=1000"
    with translation.override("sv"):
        answer = verified_client(cast.guardian_2).get(history).json()
    assert KARIN not in str(answer)


@pytest.mark.django_db
@pytest.mark.parametrize("protected", [False, True])
def test_the_page_asks_the_policy_only_when_someone_on_it_is_protected(cast: Cast, protected: bool) -> None:
    page, thread = _general(cast)
    for number in range(4):
        _write(cast.guardian_1, page, thread, f"Meddelande {number}")
    if protected:
        _protect(cast.guardian_1)
    # tests/frontend/test_pages.py: 3 + 13 for any reader who wrote nothing on the page. A
    # protected guardian on the page adds the policy's three (the marked people, the
    # guardian's children, the viewer's relations to them).
    url = reverse("student", args=[cast.student.pk])
    assert queries_of_page(cast.guardian_2, url) == 3 + 13 + (3 if protected else 0)


@pytest.mark.django_db
def test_the_goals_page_names_a_protected_guardians_proposal_only_to_those_who_need_it(cast: Cast) -> None:
    propose_goal(cast.guardian_1, cast.student, text="Läsa en bok i veckan.")
    _protect(cast.guardian_1)
    url = reverse("goals", args=[cast.student.pk])
    with translation.override("sv"):
        johans = verified_client(cast.guardian_2).get(url).content.decode()
        teachers = verified_client(cast.teacher).get(url).content.decode()
    assert KARIN not in johans
    assert LABEL in johans
    assert KARIN in teachers


@pytest.mark.django_db
def test_search_hits_name_a_protected_writer_only_to_those_who_need_it(cast: Cast) -> None:
    page, thread = _general(cast)
    _write(cast.guardian_1, page, thread, "Glöm inte läxan i matte.")
    _protect(cast.guardian_1)
    url = reverse("student-search", args=[cast.student.pk]) + "?q=läxan"
    with translation.override("sv"):
        johans = verified_client(cast.guardian_2).get(url).content.decode()
        teachers = verified_client(cast.teacher).get(url).content.decode()
    assert "Glöm inte" in johans
    assert KARIN not in johans
    assert LABEL in johans
    assert KARIN in teachers


@pytest.mark.django_db
def test_the_talk_pages_name_a_protected_guardian_only_to_those_who_need_it(cast: Cast) -> None:
    """Who booked the talk (offered to the other guardian to join) and who comes."""
    slots = open_slots(cast)
    talk = book_talk(cast.guardian_1, cast.student, slots[0].pk)
    _protect(cast.guardian_1)
    urls = (
        reverse("student-talks", args=[cast.student.pk]),
        reverse("talk", args=[cast.student.pk, talk.pk]),
    )
    for url in urls:
        with translation.override("sv"):
            johans = verified_client(cast.guardian_2).get(url).content.decode()
            teachers = verified_client(cast.teacher).get(url).content.decode()
        assert "Karin" not in johans, url
        assert LABEL in johans, url
        assert KARIN in teachers, url


# --- Live -----------------------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.asyncio
async def test_the_frame_to_the_page_signs_a_protected_guardians_message_with_the_label() -> None:
    def build() -> tuple[Cast, StudentPage, Thread]:
        cast = build_cast()
        _protect(cast.guardian_1)
        page, thread = _general(cast)
        return cast, page, thread

    cast, page, thread = await database_sync_to_async(build)()
    communicator, connected, _ = await open_socket(cast.guardian_2)
    assert connected
    assert (await subscribe(communicator, page.pk))["type"] == "subscribed"
    await database_sync_to_async(_write)(cast.guardian_1, page, thread, "Jag hämtar.")
    frame = await receive(communicator)
    while frame["type"] != "message":
        frame = await receive(communicator)
    assert "Karin" not in str(frame)
    assert frame["message"]["author"]["name"] in ("A guardian", LABEL)
    await communicator.disconnect()


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.asyncio
async def test_live_read_receipts_name_a_protected_guardian_with_the_label_for_the_other_guardian() -> None:
    def build() -> tuple[Cast, StudentPage, Thread, Message, Message]:
        cast = build_cast()
        page, thread = _general(cast)
        johans = _write(cast.guardian_2, page, thread, "Tack!")
        teachers = _write(cast.teacher, page, thread, "Utflykt.")
        _protect(cast.guardian_1)
        page.refresh_from_db()
        return cast, page, thread, johans, teachers

    cast, page, thread, johans, teachers = await database_sync_to_async(build)()
    sockets = {}
    for name, person in (
        ("guardian_1", cast.guardian_1),
        ("guardian_2", cast.guardian_2),
        ("teacher", cast.teacher),
    ):
        communicator, connected, _ = await open_socket(person)
        assert connected
        assert (await subscribe(communicator, page.pk))["type"] == "subscribed"
        sockets[name] = communicator
    await send(
        sockets["guardian_1"], {"type": "read", "page": page.pk, "thread": thread.pk, "seq": page.last_seq}
    )

    async def receipts_of(name: str) -> dict[str, Any]:
        while True:
            frame = await receive(sockets[name])
            if frame["type"] == "receipts":
                return frame["receipts"]

    johan = await receipts_of("guardian_2")
    assert "Karin" not in str(johan)
    assert {entry["name"] for entry in johan[str(johans.pk)]} >= {"A guardian"} or LABEL in str(johan)
    teacher = await receipts_of("teacher")
    assert "Karin" in {entry["name"] for entry in teacher[str(teachers.pk)]}
    for communicator in sockets.values():
        await communicator.disconnect()
