"""The one door to a student's records (``dialogue.doors``): every opening goes through it
exactly once, the viewer's relation is computed once, missing and forbidden look the same,
and reading writes nothing but its one access-log row."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.db import connection
from django.http import Http404
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.errors import NotFound
from accounts.openings import opened
from dialogue import doors, queries
from dialogue.models import StudentPage
from tests.support.cast import Cast
from tests.support.clients import verified_client
from tests.support.dialogue import action_programme_objects, assessment_objects, dialogue_objects
from tests.support.talks import talk_objects

RELATION_MARK = "/* relation_to_student */"
WRITES = ("INSERT", "UPDATE", "DELETE")
ACCESS_LOG_ROW = 'INSERT INTO "records_opening"'


@pytest.fixture
def extra(cast: Cast) -> dict[str, Any]:
    return dialogue_objects(cast) | assessment_objects(cast)


@pytest.fixture
def openings() -> Iterator[list[dict[str, Any]]]:
    heard: list[dict[str, Any]] = []

    def listen(sender: object, **kwargs: Any) -> None:
        heard.append({key: value for key, value in kwargs.items() if key != "signal"})

    opened.connect(listen, dispatch_uid="test-openings")
    try:
        yield heard
    finally:
        opened.disconnect(dispatch_uid="test-openings")


def _sql(captured: CaptureQueriesContext) -> list[str]:
    return [query["sql"] for query in captured.captured_queries]


def _writes(sql: list[str]) -> list[str]:
    """The statements that write, each named by its first words."""
    return [s[: len(ACCESS_LOG_ROW)] for s in sql if s.lstrip().upper().startswith(WRITES)]


def test_a_student_page_view_computes_the_relation_once_and_writes_only_its_access_log_row(
    cast: Cast, extra: dict[str, Any]
) -> None:
    client = verified_client(cast.guardian_1)
    client.get(reverse("student", args=[cast.student.pk]))  # the session is warm
    with CaptureQueriesContext(connection) as captured:
        response = client.get(reverse("student", args=[cast.student.pk]))
    assert response.status_code == 200
    sql = _sql(captured)
    assert sum(RELATION_MARK in statement for statement in sql) == 1
    assert _writes(sql) == [ACCESS_LOG_ROW]


@pytest.mark.parametrize("name", ["goals", "self-assessments", "plan", "student-talks", "action-programmes"])
def test_every_part_of_the_page_computes_the_relation_once_and_writes_only_its_access_log_row(
    name: str, cast: Cast, extra: dict[str, Any]
) -> None:
    client = verified_client(cast.teacher)
    url = reverse(name, args=[cast.student.pk])
    client.get(url)
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    sql = _sql(captured)
    assert sum(RELATION_MARK in statement for statement in sql) == 1, name
    assert _writes(sql) == [ACCESS_LOG_ROW], name


def test_a_page_view_is_one_opening_with_who_opened_it_and_as_whom(
    cast: Cast, extra: dict[str, Any], openings: list[dict[str, Any]]
) -> None:
    verified_client(cast.guardian_1).get(reverse("student", args=[cast.student.pk]))
    assert len(openings) == 1
    opening = openings[0]
    assert (opening["viewer_id"], opening["student_id"], opening["what"]) == (
        cast.guardian_1.pk,
        cast.student.pk,
        "page",
    )
    assert opening["relation"].is_guardian
    # Never what was read: who, whose, which noun and id, as whom, how and when.
    assert set(opening) == {"viewer_id", "student_id", "what", "object_id", "relation", "channel", "at"}
    assert (opening["channel"], opening["at"]) == ("page", None)


def test_a_refused_opening_is_not_recorded(
    cast: Cast, extra: dict[str, Any], openings: list[dict[str, Any]]
) -> None:
    response = verified_client(cast.other_guardian).get(reverse("student", args=[cast.student.pk]))
    assert response.status_code == 404
    assert openings == []


def test_acting_on_an_open_page_is_not_an_opening(
    cast: Cast, extra: dict[str, Any], openings: list[dict[str, Any]]
) -> None:
    from dialogue.actions.messages import post_message

    post_message(cast.teacher, extra["page"], thread_id=extra["thread"].pk, body="Hej.", client_id=_uuid())
    assert openings == []


def _uuid() -> Any:
    import uuid

    return uuid.uuid4()


# --- Missing and forbidden look the same through every door --------------------------------


def _refusal(call: Any) -> tuple[str, str, int]:
    with pytest.raises(Http404) as raised:
        call()
    error = raised.value
    assert isinstance(error, NotFound)
    return error.code, error.message, error.status


def test_every_door_answers_missing_and_forbidden_alike(cast: Cast, extra: dict[str, Any]) -> None:
    talk = talk_objects(cast)["talk"]
    programme = action_programme_objects(cast)["programme"]
    page, thread, message, attachment = extra["page"], extra["thread"], extra["message"], extra["attachment"]
    missing = 10**9
    outsider = cast.other_guardian
    cases = {
        "student page": (
            lambda: doors.student_page(outsider, cast.student.pk),
            lambda: doors.student_page(outsider, missing),
        ),
        "page": (lambda: doors.page(outsider, page.pk), lambda: doors.page(outsider, missing)),
        "thread": (
            lambda: doors.thread(outsider, page.pk, thread.pk),
            lambda: doors.thread(cast.guardian_1, page.pk, missing),
        ),
        "message": (
            lambda: doors.message(outsider, page.pk, message.pk),
            lambda: doors.message(cast.guardian_1, page.pk, missing),
        ),
        "attachment": (
            lambda: doors.attachment(outsider, page.pk, attachment.pk),
            lambda: doors.attachment(cast.guardian_1, page.pk, missing),
        ),
        "talk": (
            lambda: doors.document(
                outsider, cast.student.pk, "talk", lambda s: queries.talk_of_student(s, talk.pk)
            ),
            lambda: doors.document(
                cast.guardian_1, cast.student.pk, "talk", lambda s: queries.talk_of_student(s, missing)
            ),
        ),
        "action programme": (
            lambda: doors.document(
                outsider, cast.student.pk, "programme", lambda s: queries.action_programme(s, programme.pk)
            ),
            lambda: doors.document(
                cast.guardian_1, cast.student.pk, "programme", lambda s: queries.action_programme(s, missing)
            ),
        ),
    }
    for noun, (forbidden, absent) in cases.items():
        assert _refusal(forbidden) == _refusal(absent), noun


def test_an_unsent_file_opens_for_its_uploader_only_and_a_retracted_messages_file_for_nobody(
    cast: Cast, extra: dict[str, Any]
) -> None:
    from dialogue.actions.attachments import upload_attachment
    from dialogue.actions.messages import retract_message
    from tests.support.dialogue import png_bytes

    unsent = upload_attachment(cast.guardian_2, extra["page"], name="utkast.png", data=png_bytes())
    assert doors.attachment(cast.guardian_2, extra["page"].pk, unsent.pk)[1] == unsent
    with pytest.raises(NotFound):
        doors.attachment(cast.guardian_1, extra["page"].pk, unsent.pk)
    retract_message(cast.guardian_1, extra["message"].pk)
    for viewer in (cast.guardian_1, cast.principal):
        with pytest.raises(NotFound):
            doors.attachment(viewer, extra["page"].pk, extra["attachment"].pk)


def test_pages_are_made_when_students_are_enrolled_not_when_someone_looks(cast: Cast) -> None:
    assert set(StudentPage.objects.values_list("student_id", flat=True)) >= {
        cast.student.pk,
        cast.other_student.pk,
    }


# --- The thread a send asks for ---------------------------------------------------------------


def _fields(instance: Any) -> dict[str, Any]:
    return {field.attname: getattr(instance, field.attname) for field in type(instance)._meta.concrete_fields}


def test_the_thread_of_a_send_is_loaded_in_one_statement_as_the_orm_loads_it(
    cast: Cast, extra: dict[str, Any]
) -> None:
    from dialogue.models import Thread

    page, thread = extra["page"], extra["thread"]
    with CaptureQueriesContext(connection) as captured:
        access, found = doors.thread(cast.teacher, page.pk, thread.pk, opening=False)
    assert len(captured) == 2  # the thread with its page and student, and the relation
    expected = Thread.objects.select_related("page__student").get(pk=thread.pk)
    assert _fields(found) == _fields(expected)
    assert _fields(found.page) == _fields(expected.page)
    assert _fields(found.page.student) == _fields(expected.page.student)
    assert found.created_at.tzinfo is not None
    assert found.page.student.date_joined.tzinfo is not None
    assert access.page is found.page
    assert not found._state.adding
    other = StudentPage.objects.exclude(pk=page.pk).first()
    assert other is not None
    with pytest.raises(NotFound):  # the thread's id with another page's: not found
        doors.thread(cast.principal, other.pk, thread.pk, opening=False)
