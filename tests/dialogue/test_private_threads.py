"""Private threads (issue 16, item 6): who may start one, and that every read of the dialogue
(doors, actions, lists, catch-up, unread counts, start-page lines, notifications, the export
and the public-record release) follows the thread's audience. The separated family of the
cast: guardian_1 (Karin) and guardian_2 (Johan), and the student."""

from __future__ import annotations

import json
import uuid
from typing import Any

import pytest
from django.urls import reverse

from accounts import policy
from accounts.errors import Forbidden, NotFound, Refused
from dialogue import doors, queries
from dialogue.actions.messages import edit_message, mark_read, post_message, retract_message
from dialogue.actions.pages import page_of
from dialogue.actions.threads import start_private_thread
from dialogue.models import Message, Thread
from notifications.fanout import fan_out_waiting
from notifications.models import Notification
from records.exports.actions import request_export
from records.models import DataExport
from tests.support.cast import ROLES, Cast
from tests.support.exports import build_ready, open_zip

ADULTS, ONE = policy.ADULTS, policy.ONE_GUARDIAN
SECRET = "Bara för Karin och skolan"


def start(
    actor: Any, cast: Cast, audience: str = ONE, guardian: Any = None, **more: Any
) -> tuple[Thread, Message]:
    values: dict[str, Any] = {
        "audience": audience,
        "guardian_id": guardian.pk if guardian is not None else None,
        "title": "Hämtning",
        "body": SECRET,
        "client_id": uuid.uuid4(),
    }
    values.update(more)
    return start_private_thread(actor, cast.student, **values)


@pytest.fixture
def karins(cast: Cast) -> tuple[Thread, Message]:
    """A thread for guardian_1 and the school, started by guardian_1, with a teacher's reply."""
    thread, first = start(cast.guardian_1, cast, ONE)
    post_message(
        cast.teacher, page_of(cast.student), thread_id=thread.pk, body="Tack Karin!", client_id=uuid.uuid4()
    )
    return thread, first


# --- starting ------------------------------------------------------------------------------


def test_a_guardian_starts_one_for_themselves_and_the_school_with_its_first_message(cast: Cast) -> None:
    thread, message = start(cast.guardian_1, cast, ONE)
    assert (thread.kind, thread.audience, thread.guardian_id, thread.started_by_id) == (
        Thread.Kind.PRIVATE,
        ONE,
        cast.guardian_1.pk,
        cast.guardian_1.pk,
    )
    assert (message.thread_id, message.body, message.author_id) == (thread.pk, SECRET, cast.guardian_1.pk)
    # and one for both guardians and the school
    adults, _message = start(cast.guardian_2, cast, ADULTS)
    assert (adults.audience, adults.guardian_id) == (ADULTS, None)


def test_a_guardian_cannot_start_one_naming_the_other_guardian(cast: Cast) -> None:
    with pytest.raises(Forbidden):
        start(cast.guardian_1, cast, ONE, guardian=cast.guardian_2)
    assert not Thread.objects.filter(kind=Thread.Kind.PRIVATE).exists()


def test_a_teacher_starts_one_naming_the_guardian_and_only_a_guardian_of_the_student(cast: Cast) -> None:
    thread, _message = start(cast.teacher, cast, ONE, guardian=cast.guardian_2)
    assert thread.guardian_id == cast.guardian_2.pk
    for wrong in (cast.other_guardian, cast.withdrawn_guardian, None):
        with pytest.raises(Refused) as refused:
            start(cast.teacher, cast, ONE, guardian=wrong)
        assert refused.value.code == "unknown_guardian"


@pytest.mark.parametrize(
    "role", ["student", "principal", "other_teacher", "former_teacher", "other_guardian"]
)
def test_others_may_not_start_one(cast: Cast, role: str) -> None:
    with pytest.raises((Forbidden, NotFound)):
        start(cast.person(role), cast, ADULTS)
    assert not Thread.objects.filter(kind=Thread.Kind.PRIVATE).exists()


def test_nobody_starts_one_in_an_archive(cast: Cast) -> None:
    page_of(cast.left_student)
    with pytest.raises((Forbidden, NotFound)):
        start_private_thread(
            cast.registrar, cast.left_student, audience=ADULTS, title="X", body="Y", client_id=uuid.uuid4()
        )


def test_a_title_is_required_and_at_most_200_characters_and_nothing_is_saved_without(cast: Cast) -> None:
    for title, code in (("  ", "title_missing"), ("x" * 201, "title_too_long")):
        with pytest.raises(Refused) as refused:
            start(cast.guardian_1, cast, ADULTS, title=title)
        assert refused.value.code == code
    with pytest.raises(Refused):  # an empty first message: no thread either (one transaction)
        start(cast.guardian_1, cast, ADULTS, body="  ")
    assert not Thread.objects.filter(kind=Thread.Kind.PRIVATE).exists()


def test_a_repeated_start_returns_the_thread_it_made(cast: Cast) -> None:
    client_id = uuid.uuid4()
    first, _m = start(cast.guardian_1, cast, ADULTS, client_id=client_id)
    again, _m = start(cast.guardian_1, cast, ADULTS, client_id=client_id)
    assert first == again
    assert Thread.objects.filter(kind=Thread.Kind.PRIVATE).count() == 1


# --- the policy's three statements agree ----------------------------------------------------


@pytest.mark.parametrize("audience", [policy.EVERYONE, ADULTS, ONE])
def test_may_read_thread_readable_threads_q_and_thread_audience_agree_for_every_role(
    cast: Cast, audience: str
) -> None:
    page = page_of(cast.student)
    thread = Thread.objects.create(
        page=page,
        kind=Thread.Kind.PRIVATE,
        title="t",
        audience=audience,
        guardian=cast.guardian_1 if audience == ONE else None,
    )
    readers = policy.thread_audience(policy.roles_on_student_page(cast.student), thread)
    for role in ROLES[1:]:
        person = cast.person(role)
        assert person is not None
        relation = policy.relation_to_student(person, cast.student)
        by_relation = policy.may_read_thread(relation, thread)
        by_query = (
            relation.may_read
            and Thread.objects.filter(policy.readable_threads_q(person), pk=thread.pk).exists()
        )
        by_audience = person.pk in readers
        assert by_relation == by_query == by_audience, role
        expected = {
            policy.EVERYONE: {"student", "guardian_1", "guardian_2", "teacher", "principal"},
            ADULTS: {"guardian_1", "guardian_2", "teacher", "principal"},
            ONE: {"guardian_1", "teacher", "principal"},
        }[audience]
        assert by_relation == (role in expected), role


# --- doors and actions ----------------------------------------------------------------------


def test_outside_the_audience_the_thread_and_its_messages_are_not_found(cast: Cast, karins: Any) -> None:
    thread, message = karins
    page = page_of(cast.student)
    for person in (cast.guardian_2, cast.student):
        with pytest.raises(NotFound) as missing:
            doors.thread(person, page.pk, thread.pk)
        assert missing.value.code == doors.not_found().code
        with pytest.raises(NotFound) as missing:
            doors.message(person, page.pk, message.pk)
        assert missing.value.code == "unknown_message"
    assert doors.thread(cast.teacher, page.pk, thread.pk)[1] == thread
    assert doors.message(cast.principal, page.pk, message.pk)[1] == message


def test_outside_the_audience_nobody_posts_edits_retracts_or_marks_read_in_it(
    cast: Cast, karins: Any
) -> None:
    thread, message = karins
    page = page_of(cast.student)
    with pytest.raises(Refused) as refused:
        post_message(cast.guardian_2, page, thread_id=thread.pk, body="?", client_id=uuid.uuid4())
    assert refused.value.code == "unknown_thread"
    with pytest.raises(Refused):
        mark_read(cast.guardian_2, page, thread_id=thread.pk, seq=page.last_seq)
    with pytest.raises(NotFound):
        edit_message(cast.guardian_2, message.pk, body="!")
    with pytest.raises(NotFound):
        retract_message(cast.guardian_2, message.pk)
    # the principal, a reader of the thread, may retract it
    retract_message(cast.principal, message.pk)


# --- lists, catch-up and unread counts ------------------------------------------------------


def test_lists_catch_up_and_unread_counts_leave_the_thread_out_for_those_outside(
    cast: Cast, karins: Any
) -> None:
    thread, _first = karins
    page = page_of(cast.student)
    for person, sees in (
        (cast.guardian_1, True),
        (cast.teacher, True),
        (cast.principal, True),
        (cast.guardian_2, False),
        (cast.student, False),
    ):
        assert (thread in queries.threads_of(page, person)) == sees
        caught_up = {m.thread_id for m in queries.changes_since(page, person, 0)}
        assert (thread.pk in caught_up) == sees
        unread = queries.unread_counts(person, page)
        assert (thread.pk in unread) == sees, person
        assert (queries.first_unread_seq(person, thread) is not None) == sees
        by_student = queries.unread_by_student(person, [cast.student.pk]).get(cast.student.pk, 0)
        lines = queries.unread_threads(person, [cast.student.pk]).get(cast.student.pk, [])
        assert (thread in [line.thread for line in lines]) == sees
        if not sees:
            # only the messages of the threads they read (the fixture's page has none other)
            assert by_student == sum(unread.values())


def test_the_start_page_shows_no_line_of_it_outside_the_audience(
    cast: Cast, karins: Any, client_for: Any
) -> None:
    for person, sees in ((cast.guardian_1, True), (cast.guardian_2, False), (cast.student, False)):
        html = client_for(person).get(reverse("start")).content.decode()
        assert ("Hämtning" in html) == sees, person


# --- notifications --------------------------------------------------------------------------


def test_only_the_audience_is_notified_and_the_text_names_no_title(cast: Cast) -> None:
    fan_out_waiting()
    Notification.objects.all().delete()
    start(cast.teacher, cast, ONE, guardian=cast.guardian_1, title="Om skilsmässan")
    fan_out_waiting()
    told = set(Notification.objects.values_list("recipient_id", flat=True))
    assert cast.guardian_1.pk in told
    assert not told & {cast.guardian_2.pk, cast.student.pk}
    for notification in Notification.objects.all():
        assert "skilsmässan" not in json.dumps(notification.params, ensure_ascii=False)


# --- the export and the public-record release -----------------------------------------------


def _thread_lines(export: DataExport) -> tuple[set[int], set[str]]:
    archive = open_zip(build_ready(export))
    threads = {row["id"] for row in json.loads(archive.read("dialogue.thread.json"))}
    bodies = {row["body"] for row in json.loads(archive.read("dialogue.message.json"))}
    return threads, bodies


def test_the_export_gives_each_requester_only_the_threads_they_read(cast: Cast, karins: Any) -> None:
    thread, _first = karins
    student_scope = DataExport.Scope.STUDENT
    for person, sees in ((cast.guardian_1, True), (cast.guardian_2, False), (cast.student, False)):
        threads, bodies = _thread_lines(
            request_export(person, scope=student_scope, subject_id=cast.student.pk)
        )
        assert (thread.pk in threads) == sees, person
        assert (SECRET in bodies) == sees, person
    # The registrar's copy for a request by post holds everything, as staff.
    threads, bodies = _thread_lines(
        request_export(cast.registrar, scope=student_scope, subject_id=cast.student.pk, reference="Dnr 1")
    )
    assert thread.pk in threads
    assert SECRET in bodies


def test_the_thread_is_exported_with_its_audience_guardian_and_starter(cast: Cast, karins: Any) -> None:
    thread, _first = karins
    archive = open_zip(
        build_ready(
            request_export(cast.guardian_1, scope=DataExport.Scope.STUDENT, subject_id=cast.student.pk)
        )
    )
    row = next(r for r in json.loads(archive.read("dialogue.thread.json")) if r["id"] == thread.pk)
    assert (row["audience"], row["guardian"], row["started_by"]) == (
        ONE,
        "Karin Andersson",
        "Karin Andersson",
    )


def test_the_release_reviews_every_thread_and_marks_a_private_ones_messages(cast: Cast, karins: Any) -> None:
    from django.utils import timezone

    from records.release.actions import register_request
    from records.release.documents import KINDS, documents_in_scope

    request = register_request(
        cast.registrar,
        student_id=cast.student.pk,
        received_at=timezone.now(),
        requester="",
        requester_contact="",
        kinds=list(KINDS),
        period_from=None,
        period_to=None,
        delivery="paper",
        handler_id=cast.registrar.pk,
    )
    documents = [d for d in documents_in_scope(request) if d.kind == "messages"]
    private = [d for d in documents if any(text.value == SECRET for text in d.texts)]
    assert private
    assert ("Vem som kunde läsa det", "Karin Andersson (vårdnadshavare) och skolan") in private[0].facts
    public = [
        d for d in documents if d not in private and "Tack Karin" not in str([t.value for t in d.texts])
    ]
    assert all(label != "Vem som kunde läsa det" for d in public for label, _v in d.facts)
