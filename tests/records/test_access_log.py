"""The access log: one INSERT per opening with the viewer's part, the channel it came
through, never any content, and rows that PostgreSQL refuses to change or remove except in
the purge."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from django.db import DatabaseError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts import openings, policy
from accounts.policy import StudentRelation
from dialogue.actions.messages import post_message
from dialogue.actions.pages import page_of
from dialogue.models import Thread
from notifications.fanout import fan_out_waiting
from notifications.models import Notification
from records.models import Opening
from records.receivers import role_of
from tests.support.access_log import open_page
from tests.support.cast import Cast
from tests.support.clients import verified_client
from tests.support.dialogue import assessment_objects

pytestmark = pytest.mark.django_db


def test_an_opening_is_one_insert_and_nothing_else(cast: Cast) -> None:
    relation = policy.relation_to_student(cast.teacher, cast.student)
    with CaptureQueriesContext(connection) as queries:
        openings.record_opening(
            viewer_id=cast.teacher.pk,
            student_id=cast.student.pk,
            what="page",
            object_id=None,
            relation=relation,
        )
    assert len(queries) == 1
    assert queries[0]["sql"].startswith('INSERT INTO "records_opening"')
    assert Opening.objects.count() == 1


@pytest.mark.parametrize(
    ("role", "logged_as"),
    [
        ("student", Opening.Role.STUDENT),
        ("guardian_1", Opening.Role.GUARDIAN),
        # The cast's teacher teaches 4A maths and is its mentor: the nearer part wins.
        ("teacher", Opening.Role.MENTOR),
        ("principal", Opening.Role.PRINCIPAL),
    ],
)
def test_the_row_says_who_opened_whose_page_and_as_what(cast: Cast, role: str, logged_as: str) -> None:
    person = cast.person(role)
    assert person is not None
    opening = open_page(person, cast.student, what="goals")
    assert (opening.viewer_id, opening.student_id, opening.role, opening.what, opening.channel) == (
        person.pk,
        cast.student.pk,
        logged_as,
        "goals",
        Opening.Channel.PAGE,
    )


def test_the_role_follows_the_relation_nearest_first() -> None:
    assert role_of(StudentRelation(is_self=True, is_guardian=True)) == Opening.Role.STUDENT
    assert role_of(StudentRelation(is_guardian=True, is_mentor=True)) == Opening.Role.GUARDIAN
    assert role_of(StudentRelation(is_mentor=True, taught_subject_ids=frozenset({1}))) == Opening.Role.MENTOR
    assert (
        role_of(StudentRelation(taught_subject_ids=frozenset({1}), is_principal=True)) == Opening.Role.TEACHER
    )
    assert role_of(StudentRelation(is_principal=True, is_registrar=True)) == Opening.Role.PRINCIPAL
    assert role_of(StudentRelation(is_registrar=True)) == Opening.Role.REGISTRAR
    assert role_of(StudentRelation()) is None


def test_a_page_opened_in_the_browser_is_logged_as_a_page(cast: Cast) -> None:
    assert verified_client(cast.guardian_1).get(reverse("plan", args=[cast.student.pk])).status_code == 200
    assert list(Opening.objects.values_list("what", "channel")) == [("plan", Opening.Channel.PAGE)]


def test_a_page_reached_from_a_notification_is_logged_as_the_notification_link(cast: Cast) -> None:
    objects = assessment_objects(cast)
    fan_out_waiting()
    notification = Notification.objects.get(recipient=cast.guardian_1)
    response = verified_client(cast.guardian_1).get(
        reverse("notification-open", args=[notification.pk]), follow=True
    )
    assert response.status_code == 200
    assert objects["assessment"]
    assert list(Opening.objects.values_list("viewer_id", "what", "channel")) == [
        (cast.guardian_1.pk, "assessment", Opening.Channel.NOTIFICATION)
    ]


def test_the_notification_marker_keeps_the_target_and_its_place(cast: Cast) -> None:
    """The marker goes into the query before the fragment and names nothing but the channel."""
    from frontend.opening_channel import from_notification

    assert from_notification("/students/7/?thread=3#m-10") == "/students/7/?thread=3&via=notification#m-10"
    assert from_notification("/students/7/goals/?via=page") == "/students/7/goals/?via=notification"


def test_a_marker_other_than_the_notification_s_is_a_page(cast: Cast) -> None:
    client = verified_client(cast.guardian_1)
    client.get(reverse("goals", args=[cast.student.pk]) + "?via=nonsense")
    assert list(Opening.objects.values_list("channel", flat=True)) == [Opening.Channel.PAGE]


def test_an_unknown_channel_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown opening channel"), openings.through("carrier pigeon"):
        pass


def test_the_log_holds_no_message_text(cast: Cast) -> None:
    secret = "Zebrakvartetten-7731 spelar fagott"
    page = page_of(cast.student)
    thread = page.threads.get(kind=Thread.Kind.GENERAL)
    message, _payload = post_message(
        cast.guardian_1, page, thread_id=thread.pk, body=secret, client_id=uuid.uuid4()
    )
    for person in (cast.teacher, cast.principal, cast.guardian_2):
        client = verified_client(person)
        assert (
            client.get(reverse("student", args=[cast.student.pk]) + f"?thread={thread.pk}").status_code == 200
        )
        assert client.get(reverse("thread-history", args=[page.pk, thread.pk])).status_code == 200
        assert client.get(reverse("message-revisions", args=[page.pk, message.pk])).status_code == 200
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM records_opening")
        rows: list[tuple[Any, ...]] = cursor.fetchall()
    assert len(rows) == 9
    for word in ("Zebrakvartetten", "7731", "fagott"):
        assert not any(word in str(value) for row in rows for value in row)


def _one_opening(cast: Cast) -> Opening:
    return open_page(cast.principal, cast.student)


def test_postgresql_refuses_to_change_a_row_of_the_log(cast: Cast) -> None:
    opening = _one_opening(cast)
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        Opening.objects.filter(pk=opening.pk).update(what="nothing")
    with (
        pytest.raises(DatabaseError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute("UPDATE records_opening SET viewer_id = NULL")
    opening.refresh_from_db()
    assert (opening.what, opening.viewer_id) == ("page", cast.principal.pk)


def test_postgresql_refuses_to_remove_a_row_of_the_log(cast: Cast) -> None:
    opening = _one_opening(cast)
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        Opening.objects.filter(pk=opening.pk).delete()
    with (
        pytest.raises(DatabaseError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute("DELETE FROM records_opening")
    assert Opening.objects.filter(pk=opening.pk).exists()


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_purge_removes_rows_only_inside_its_own_transaction(cast: Cast) -> None:
    first, second = _one_opening(cast), _one_opening(cast)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL elevdialog.purging = 'on'")
        cursor.execute("DELETE FROM records_opening WHERE id = %s", [first.pk])
    assert not Opening.objects.filter(pk=first.pk).exists()
    # SET LOCAL ended with its transaction: the next one is refused again.
    with (
        pytest.raises(DatabaseError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute("DELETE FROM records_opening WHERE id = %s", [second.pk])
    assert Opening.objects.filter(pk=second.pk).exists()
