"""Read receipts: the writer of a message (the publisher of a card) sees who in its thread's
audience has read it and when; nobody else does. Kept by ``mark_read``, shown with the page,
sent live to the writer's own sockets, and summed up in the assessment flow."""

from __future__ import annotations

import datetime
import uuid
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.actions import SYSTEM
from accounts.actions import memberships as m
from accounts.actions import people as p
from accounts.models import Enrolment, Subject, User
from dialogue import queries
from dialogue.actions import assessments as a
from dialogue.actions.messages import mark_read, post_message, retract_message
from dialogue.actions.pages import page_of
from dialogue.models import Message, ReadProgress, StudentPage, Thread
from dialogue.queries.receipts import guardians_not_seen
from tests.dialogue.test_demo_elsa import run_the_demo_seeds
from tests.support.cast import Cast
from tests.support.clients import verified_client

pytestmark = pytest.mark.django_db


def general(cast: Cast) -> tuple[StudentPage, Thread]:
    page = page_of(cast.student)
    return page, page.threads.get(kind=Thread.Kind.GENERAL)


def write(author: User, page: StudentPage, thread: Thread, body: str = "Hej!") -> Message:
    message, _payload = post_message(author, page, thread_id=thread.pk, body=body, client_id=uuid.uuid4())
    return message


def read_all(reader: User, page: StudentPage, thread: Thread) -> None:
    page.refresh_from_db(fields=["last_seq"])
    mark_read(reader, page, thread_id=thread.pk, seq=page.last_seq)


def shown(viewer: User, cast: Cast, thread: Thread | None = None) -> dict[str, Any]:
    url = f"/students/{cast.student.pk}/" + (f"?thread={thread.pk}" if thread else "")
    response = verified_client(viewer).get(url)
    assert response.status_code == 200
    return response.context["dialogue"]


def by_name(entries: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {entry["name"]: entry for entry in entries}


def test_the_teacher_who_wrote_sees_which_guardian_read_it_and_when(cast: Cast) -> None:
    page, thread = general(cast)
    message = write(cast.teacher, page, thread, "Utflykt på torsdag.")
    before = timezone.now()
    read_all(cast.guardian_1, page, thread)
    after = timezone.now()
    receipts = by_name(shown(cast.teacher, cast)["receipts"][str(message.pk)])
    # Everyone who reads the thread but the writer: the family first, then the school.
    assert list(receipts) == ["Anna", "Johan", "Karin", "Ingrid"]
    karin = receipts["Karin"]
    assert karin["read"] is True
    assert before <= datetime.datetime.fromisoformat(karin["at"]) <= after
    assert receipts["Johan"] == {"id": cast.guardian_2.pk, "name": "Johan", "read": False, "at": None}
    assert not receipts["Anna"]["read"]
    assert not receipts["Ingrid"]["read"]


def test_nobody_but_the_writer_sees_the_receipts(cast: Cast) -> None:
    page, thread = general(cast)
    write(cast.teacher, page, thread)
    read_all(cast.guardian_1, page, thread)
    for viewer in (cast.student, cast.guardian_1, cast.guardian_2, cast.principal):
        data = shown(viewer, cast)
        assert data["receipts"] == {}
        assert all("receipts" not in message for message in data["messages"])


def test_the_students_own_message_shows_who_read_it(cast: Cast) -> None:
    page, thread = general(cast)
    message = write(cast.student, page, thread, "Jag har glömt min gympapåse.")
    read_all(cast.teacher, page, thread)
    receipts = by_name(shown(cast.student, cast)["receipts"][str(message.pk)])
    assert "Anna" not in receipts  # the writer is not listed
    assert receipts["Lars"]["read"]
    assert not receipts["Karin"]["read"]


def test_reading_further_never_moves_the_time_a_message_was_read(cast: Cast) -> None:
    page, thread = general(cast)
    first = write(cast.teacher, page, thread, "Första.")
    read_all(cast.guardian_1, page, thread)
    at_first = by_name(shown(cast.teacher, cast)["receipts"][str(first.pk)])["Karin"]["at"]
    second = write(cast.teacher, page, thread, "Andra.")
    mark_read(cast.guardian_1, page, thread_id=thread.pk, seq=0)  # never backwards
    read_all(cast.guardian_1, page, thread)
    read_all(cast.guardian_1, page, thread)  # again: nothing new is kept
    receipts = shown(cast.teacher, cast)["receipts"]
    assert by_name(receipts[str(first.pk)])["Karin"]["at"] == at_first
    assert by_name(receipts[str(second.pk)])["Karin"]["read"]
    assert ReadProgress.objects.filter(user=cast.guardian_1, thread=thread).count() == 2


def test_a_read_from_before_receipts_were_kept_shows_without_a_time(cast: Cast) -> None:
    page, thread = general(cast)
    message = write(cast.teacher, page, thread)
    read_all(cast.guardian_1, page, thread)
    ReadProgress.objects.filter(user=cast.guardian_1).delete()  # as before this feature
    karin = by_name(shown(cast.teacher, cast)["receipts"][str(message.pk)])["Karin"]
    assert karin == {"id": cast.guardian_1.pk, "name": "Karin", "read": True, "at": None}


def test_a_retracted_message_has_no_receipts(cast: Cast) -> None:
    page, thread = general(cast)
    message = write(cast.teacher, page, thread)
    kept = write(cast.teacher, page, thread, "Den här står kvar.")
    retract_message(cast.teacher, message.pk)
    read_all(cast.guardian_1, page, thread)
    receipts = shown(cast.teacher, cast)["receipts"]
    assert str(message.pk) not in receipts
    assert by_name(receipts[str(kept.pk)])["Karin"]["read"]


def test_the_publisher_of_an_assessment_sees_who_has_read_its_card(cast: Cast) -> None:
    draft, _findings = a.save_draft(
        cast.teacher,
        cast.class_4a,
        cast.student,
        cast.maths,
        levels={},
        can_text="Anna räknar säkert.",
        develop_text="",
    )
    published = a.publish_assessment(cast.teacher, draft.pk)
    assert published.message_id is not None
    card = Message.objects.get(pk=published.message_id)
    page = page_of(cast.student)
    read_all(cast.guardian_2, page, card.thread)
    receipts = by_name(shown(cast.teacher, cast, card.thread)["receipts"][str(card.pk)])
    assert receipts["Johan"]["read"]
    assert not receipts["Karin"]["read"]
    assert shown(cast.guardian_2, cast, card.thread)["receipts"] == {}


def test_two_readers_with_the_same_first_name_are_told_apart(cast: Cast) -> None:
    page, thread = general(cast)
    namesake = p.create_person(SYSTEM, username="karin.berg", first_name="Karin", last_name="Berg")
    m.add_guardianship(SYSTEM, namesake, cast.student)
    message = write(cast.teacher, page, thread)
    names = set(by_name(shown(cast.teacher, cast)["receipts"][str(message.pk)]))
    assert {"Karin Andersson", "Karin Berg"} <= names
    assert "Karin" not in names


def _count(client: Any, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured)


def test_the_page_with_receipts_costs_the_same_for_any_number_of_messages(cast: Cast) -> None:
    page, thread = general(cast)
    write(cast.teacher, page, thread)
    read_all(cast.guardian_1, page, thread)
    client = verified_client(cast.teacher)
    url = f"/students/{cast.student.pk}/"
    client.get(url)
    # The page as any reader sees it (tests/frontend/test_pages.py: 3 + 13) and three for
    # the receipts: the page's readers with their parts, their names with how far they have
    # read the thread, the times they read.
    expected = 3 + 13 + 3
    assert _count(client, url) == expected
    for index in range(12):
        write(cast.teacher, page, thread, f"Meddelande {index}")
        if index % 3 == 0:
            read_all(cast.guardian_1 if index % 2 else cast.guardian_2, page, thread)
    response = client.get(url)
    assert len(response.context["dialogue"]["receipts"]) == 13
    assert _count(client, url) == expected
    # A reader who wrote nothing on the page pays nothing for receipts.
    guardian = verified_client(cast.guardian_2)
    guardian.get(url)
    assert _count(guardian, url) == 3 + 13


def _reading_costs(reader: User, page: StudentPage, thread: Thread) -> int:
    page.refresh_from_db(fields=["last_seq"])
    with CaptureQueriesContext(connection) as captured:
        mark_read(reader, page, thread_id=thread.pk, seq=page.last_seq)
    return len(captured)


def test_reading_costs_the_same_however_many_messages_and_writers_it_reaches(cast: Cast) -> None:
    page, thread = general(cast)
    write(cast.teacher, page, thread)
    read_all(cast.guardian_1, page, thread)  # the first read makes the reader's position
    write(cast.teacher, page, thread)
    one = _reading_costs(cast.guardian_1, page, thread)
    for index in range(4):
        for writer in (cast.teacher, cast.student, cast.guardian_2):
            write(writer, page, thread, f"Meddelande {index}")
    assert _reading_costs(cast.guardian_1, page, thread) == one
    # Reading only one's own messages keeps the time and tells nobody: no receipts built.
    write(cast.guardian_1, page, thread)
    assert _reading_costs(cast.guardian_1, page, thread) == one - 3


def test_earlier_messages_carry_the_writers_receipts_too(cast: Cast) -> None:
    page, thread = general(cast)
    message = write(cast.teacher, page, thread)
    read_all(cast.guardian_1, page, thread)
    url = f"/pages/{page.pk}/threads/{thread.pk}/messages/?before={page.last_seq + 1}"
    answer = verified_client(cast.teacher).get(url).json()
    assert by_name(answer["receipts"][str(message.pk)])["Karin"]["read"]
    assert verified_client(cast.guardian_1).get(url).json()["receipts"] == {}


# --- the assessment flow -------------------------------------------------------------------


def _publish(cast: Cast, student: User) -> None:
    draft, _findings = a.save_draft(
        cast.teacher,
        cast.class_4a,
        student,
        cast.maths,
        levels={},
        can_text="Räknar säkert.",
        develop_text="",
    )
    a.publish_assessment(cast.teacher, draft.pk)


def test_the_flow_shows_which_guardians_have_not_seen_a_published_assessment(cast: Cast) -> None:
    _publish(cast, cast.student)
    url = f"/classes/{cast.class_4a.pk}/assessments/{cast.maths.pk}/"
    client = verified_client(cast.teacher)
    page = client.get(url).content.decode()
    assert "Inte sett: Johan Berg, Karin Andersson" in page
    card_thread = page_of(cast.student).threads.get(subject=cast.maths)
    read_all(cast.guardian_1, page_of(cast.student), card_thread)
    page = client.get(url).content.decode()
    assert "Inte sett: Johan Berg" in page
    assert "Karin Andersson" not in page
    read_all(cast.guardian_2, page_of(cast.student), card_thread)
    assert "Sett av alla vårdnadshavare" in client.get(url).content.decode()


def test_a_guardian_who_read_another_childs_thread_has_not_seen_this_one(cast: Cast) -> None:
    sibling = p.create_person(SYSTEM, username="lilla.andersson", first_name="Lilla", last_name="Andersson")
    m.enrol_student(SYSTEM, sibling, cast.class_4a)
    m.add_guardianship(SYSTEM, cast.guardian_1, sibling)
    _publish(cast, cast.student)
    _publish(cast, sibling)
    sibling_page = page_of(sibling)
    read_all(cast.guardian_1, sibling_page, sibling_page.threads.get(subject=cast.maths))
    rows = {
        row.student.pk: row.published
        for row in queries.assessment_flow(
            cast.class_4a,
            cast.maths,
            school_year_id=cast.class_4a.school_year_id,
            term=a.period_of(cast.class_4a, a.school_form(cast.school.pk))[1],
        )
        if row.published
    }
    unseen = guardians_not_seen(rows)
    assert cast.guardian_1 in unseen[cast.student.pk]
    assert sibling.pk not in unseen


def test_the_flow_costs_one_query_more_for_any_number_of_published_assessments(cast: Cast) -> None:
    _publish(cast, cast.student)
    client = verified_client(cast.teacher)
    url = f"/classes/{cast.class_4a.pk}/assessments/{cast.maths.pk}/"
    expected = _count(client, url)
    for index in range(4):
        pupil = p.create_person(SYSTEM, username=f"elev{index}", first_name="Elev", last_name=f"{index:02d}")
        m.enrol_student(SYSTEM, pupil, cast.class_4a)
        parent = p.create_person(
            SYSTEM, username=f"vh{index}", first_name="Förälder", last_name=f"{index:02d}"
        )
        m.add_guardianship(SYSTEM, parent, pupil)
        _publish(cast, pupil)
    assert _count(client, url) == expected


# --- the demo -------------------------------------------------------------------------------


def test_the_demo_shows_receipts_and_guardians_who_have_not_seen_an_assessment() -> None:
    run_the_demo_seeds()
    run_the_demo_seeds()  # a second run changes nothing
    alva = User.objects.get(username="alva.eriksson")
    lars = User.objects.get(username="lars.berglund")
    lars_message = Message.objects.get(
        author=lars, page__student=alva, thread__kind="general", card__isnull=True
    )
    response = verified_client(lars).get(f"/students/{alva.pk}/")
    receipts = by_name(response.context["dialogue"]["receipts"][str(lars_message.pk)])
    assert receipts["Sara"]["read"]
    assert receipts["Sara"]["at"]
    assert not receipts["Johan"]["read"]
    assert ReadProgress.objects.filter(user__username="sara.lind").count() == 3
    ahmed = User.objects.get(username="ahmed.hassan")
    alva_class = Enrolment.objects.active().get(student=alva).school_class
    maths = Subject.objects.get(code="MA")
    flow = verified_client(ahmed).get(f"/classes/{alva_class.pk}/assessments/{maths.pk}/").content.decode()
    assert "Inte sett: Johan Eriksson" in flow
