"""The door to a request (opened only by its handlers, every opening in the access log), the
handlers' lists, and the documents in scope read with a bounded number of queries."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.errors import NotFound
from dialogue.actions.attachments import upload_attachment
from dialogue.actions.goals import edit_goal, set_goal
from dialogue.actions.messages import edit_message, post_message
from dialogue.actions.pages import page_of
from dialogue.models import Thread
from records.labels import WHAT
from records.models import Opening, ReleaseRequest
from records.release.actions import register_request
from records.release.documents import KINDS, documents_in_scope
from records.release.doors import OPENINGS, handled_requests, release_request, students_for_request
from tests.records.release_page import seed_page
from tests.support.cast import Cast
from tests.support.dialogue import png_bytes


def register(cast: Cast, **changes: Any) -> ReleaseRequest:
    values: dict[str, Any] = {
        "student_id": cast.student.pk,
        "received_at": timezone.now(),
        "requester": "",
        "requester_contact": "",
        "kinds": list(KINDS),
        "period_from": None,
        "period_to": None,
        "delivery": "paper",
        "handler_id": cast.registrar.pk,
    }
    values.update(changes)
    return register_request(cast.registrar, **values)


@pytest.mark.django_db
def test_opening_a_request_is_logged_with_the_handlers_role(cast: Cast) -> None:
    request = register(cast)
    found, relation = release_request(cast.registrar, request.pk)
    assert found == request
    assert relation.may_handle_release
    release_request(cast.principal, request.pk, what="release_copy")
    release_request(cast.principal, request.pk, opening=False)
    rows = list(
        Opening.objects.filter(student=cast.student).order_by("pk").values_list("viewer", "role", "what")
    )
    assert rows == [
        (cast.registrar.pk, Opening.Role.REGISTRAR, "release"),
        (cast.principal.pk, Opening.Role.PRINCIPAL, "release_copy"),
    ]
    assert set(Opening.objects.filter(student=cast.student).values_list("object_id", flat=True)) == {
        request.pk
    }
    with pytest.raises(ValueError, match="unknown opening"):
        release_request(cast.registrar, request.pk, what="something")
    # The family's view of the log names each of them.
    assert all(what in WHAT and len(what) <= 30 for what in OPENINGS)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "role", ["teacher", "guardian_1", "student", "other_principal", "school_admin", "operator", "anonymous"]
)
def test_anyone_else_finds_no_request_and_nothing_is_logged(cast: Cast, role: str) -> None:
    request = register(cast)
    viewer = cast.person(role) or AnonymousUser()
    for request_id in (request.pk, request.pk + 1000):
        with pytest.raises(NotFound):
            release_request(viewer, request_id)
    assert not Opening.objects.filter(student=cast.student).exists()


@pytest.mark.django_db
def test_the_handlers_list_their_schools_requests_in_one_query(
    cast: Cast, django_assert_num_queries: Any
) -> None:
    first = register(cast)
    second = register(cast, student_id=cast.left_student.pk)
    with django_assert_num_queries(1):
        listed = list(handled_requests(cast.registrar))
        names = [
            (request.reference, request.student.display_name, request.handler.display_name)
            for request in listed
        ]
    assert [request.pk for request in listed] == [second.pk, first.pk]
    assert names[0][1] == cast.left_student.display_name
    assert list(handled_requests(cast.principal)) == listed
    for outsider in (cast.other_principal, cast.teacher, AnonymousUser()):
        assert list(handled_requests(outsider)) == []


@pytest.mark.django_db
def test_the_registration_form_finds_the_schools_students_now_and_those_who_left(cast: Cast) -> None:
    assert list(students_for_request(cast.registrar, "anna")) == [cast.student]
    assert list(students_for_request(cast.registrar, "Andersson Anna")) == [cast.student]
    assert list(students_for_request(cast.registrar, "lisa flytt")) == [cast.left_student]
    assert list(students_for_request(cast.principal, "olle")) == [cast.other_student]
    assert list(students_for_request(cast.registrar, "")) == []
    assert list(students_for_request(cast.registrar, "Lars")) == []  # a teacher, not a student
    for outsider in (cast.other_principal, cast.teacher, cast.guardian_1, AnonymousUser()):
        assert list(students_for_request(outsider, "anna")) == []


def _more(cast: Cast, number: int) -> None:
    """More of everything: messages with files and edits, goals changed."""
    page = page_of(cast.student)
    thread = page.threads.get(kind=Thread.Kind.GENERAL)
    for index in range(number):
        file = upload_attachment(cast.guardian_1, page, name=f"bild-{index}.png", data=png_bytes())
        message, _payload = post_message(
            cast.guardian_1, page, thread_id=thread.pk, body=f"Extra {index}", client_id=uuid.uuid4(),
            attachment_ids=[file.pk],
        )  # fmt: skip
        edit_message(cast.guardian_1, message.pk, body=f"Extra {index}, ändrat")
        goal = set_goal(cast.teacher, cast.student, subject=cast.maths, text=f"Mål {index}")
        edit_goal(cast.teacher, goal.pk, text=f"Mål {index}, ändrat")


def _queries(request: ReleaseRequest) -> tuple[int, int]:
    with CaptureQueriesContext(connection) as captured:
        found = documents_in_scope(request)
    return len(captured.captured_queries), len(found)


@pytest.mark.django_db
def test_the_documents_in_scope_are_read_with_the_same_queries_whatever_their_number(
    cast: Cast, settings: Any
) -> None:
    settings.DIALOGUE_SEND_LIMIT_PER_MINUTE = 10_000
    seed_page(cast, filler=2)
    _more(cast, 2)
    few = _queries(register(cast))
    _more(cast, 12)
    many = _queries(register(cast))
    assert many[1] > few[1] + 30
    assert many[0] == few[0]
