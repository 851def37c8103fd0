"""The fan-out's cost does not grow with the people it tells: a fixed number of queries per
event, and a few for a whole round of events, whatever the audience, its devices and its
choices. And the shortcuts that buy that change nothing of what is told."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts import policy
from accounts.actions import SYSTEM
from accounts.actions import memberships as m
from accounts.actions import people as p
from accounts.models import Guardianship, User
from dialogue.actions.assessments import publish_assessment, save_draft
from dialogue.actions.messages import post_message
from dialogue.actions.pages import page_of
from dialogue.models import Thread
from notifications import actions, fanout, kinds
from notifications.fanout import fan_out_waiting, unread_counts
from notifications.models import Channel, Delivery, Event, Notification, NotificationSettings
from tests.support.cast import Cast

pytestmark = pytest.mark.django_db

P256DH = "BHXy8Ek3TjVyr8ipI8vaZjX2hiMg0_u6hd02w36VDJoR95URM1I5Z8QIAiKBBdiVZSI1weeY6EsW12-8bECwjIk"
AUTH = "Q2BoAjC09xH3ywDLNJr-dA"
QUIET_OFF: dict[str, Any] = {"quiet_from": "00:00", "quiet_until": "00:00", "quiet_weekends": False}


def _subscribe(user: User, devices: int) -> None:
    for n in range(devices):
        actions.subscribe_push(
            user, endpoint=f"https://push.example.org/{user.pk}/{n}", p256dh=P256DH, auth=AUTH
        )


def _family(cast: Cast, name: str, guardians: int, expected: dict[int, list[str]]) -> User:
    """A student of 4A with ``guardians`` guardians, each with an e-mail address; in turn
    one device and the defaults, two devices and pushes of assessments turned off, three
    devices and daily digests. ``expected`` gets each one's channels besides the inbox."""

    def person(username: str) -> User:
        return p.create_person(
            SYSTEM, username=username, first_name=name, last_name="Test", email=f"{username}@example.org"
        )

    student = person(f"{name}.student")
    m.enrol_student(SYSTEM, student, cast.class_4a)
    family = [student]
    for n in range(guardians):
        guardian = person(f"{name}.guardian.{n}")
        m.add_guardianship(SYSTEM, guardian, student)
        family.append(guardian)
    for n, member in enumerate(family):
        _subscribe(member, 1 + n % 3)
        if n % 3 == 1:
            push_off = {("assessments", Channel.PUSH.value): False}
            actions.save_settings(member, email_mode="instant", digest_hour=17, **QUIET_OFF, choices=push_off)
            expected[member.pk] = [Channel.EMAIL.value]
        elif n % 3 == 2:
            actions.save_settings(member, email_mode="digest", digest_hour=17, **QUIET_OFF, choices={})
            expected[member.pk] = [Channel.EMAIL.value] + [Channel.PUSH.value] * 3
        else:
            expected[member.pk] = [Channel.EMAIL.value, Channel.PUSH.value]
    return student


def _publish(cast: Cast, student: User) -> None:
    draft, _findings = save_draft(
        cast.teacher,
        cast.class_4a,
        student,
        cast.maths,
        levels={},
        can_text="Räknar säkert med tal upp till 1000.",
        develop_text="Nästa steg är bråk.",
    )
    publish_assessment(cast.teacher, draft.pk)


def _statements(captured: CaptureQueriesContext) -> list[str]:
    """The statements, without the savepoints of the test's own transaction."""
    return [query["sql"] for query in captured if "SAVEPOINT" not in query["sql"]]


def _fan_out_counted() -> list[str]:
    with CaptureQueriesContext(connection) as captured:
        fan_out_waiting()
    return _statements(captured)


# Claiming the round (SELECT ... FOR UPDATE, UPDATE); then per assessment its ``describe``
# (the student, the page's readers, the subject's names); then for the whole round the
# people, who was told already, their choices and their devices, the notifications, the
# deliveries, and the events marked done.
CLAIM, PER_ASSESSMENT, PER_ROUND = 2, 3, 7


def test_one_assessment_costs_the_same_queries_for_a_family_of_three_as_of_nine(cast: Cast) -> None:
    expected: dict[int, list[str]] = {}
    small = _family(cast, "liten", 2, expected)
    large = _family(cast, "stor", 8, expected)
    fan_out_waiting()  # what building the families announced
    counts = []
    for student, told in ((small, 3), (large, 9)):
        _publish(cast, student)
        sql = _fan_out_counted()
        counts.append(len(sql))
        assert _told_of(student) == told
    assert counts == [CLAIM + PER_ASSESSMENT + PER_ROUND] * 2
    _assert_channels(expected)


def _told_of(student: User) -> int:
    return Notification.objects.filter(
        kind="assessment.published", event__data__student_id=student.pk
    ).count()


def _assert_channels(expected: dict[int, list[str]]) -> None:
    """Each person was told in the inbox and on the channels ``expected``; a digest only
    where they chose one."""
    for notification in Notification.objects.filter(recipient__in=list(expected)).select_related(
        "recipient__notification_settings"
    ):
        person = notification.recipient
        assert notification.in_inbox
        channels = sorted(notification.deliveries.values_list("channel", flat=True))
        assert channels == sorted(expected[person.pk]), person.username
        chosen = NotificationSettings.objects.filter(user=person).first()
        digest = notification.deliveries.filter(channel=Channel.EMAIL, digest=True).exists()
        assert digest == (chosen is not None and chosen.email_mode == "digest")
    assert Notification.objects.filter(recipient__in=list(expected)).count() == len(expected)


def test_a_class_of_assessments_costs_three_queries_each_and_seven_for_the_round(cast: Cast) -> None:
    expected: dict[int, list[str]] = {}
    students = [_family(cast, f"elev{n}", 2, expected) for n in range(6)] + [cast.student]
    fan_out_waiting()
    for student in students:
        _publish(cast, student)
    sql = _fan_out_counted()
    assert len(sql) == CLAIM + PER_ASSESSMENT * len(students) + PER_ROUND, [q[:60] for q in sql]
    assert not Event.objects.filter(done_at__isnull=True).exists()
    assert [_told_of(student) for student in students] == [3] * len(students)
    _assert_channels(expected)
    # The cast's family has no e-mail addresses and no devices: the inbox only.
    assert not Delivery.objects.filter(notification__recipient__in=_readers(cast.student)).exists()


def _readers(student: User) -> list[int]:
    return list(policy.roles_on_student_page(student))


def test_the_unread_counts_sent_are_each_persons_count_after_the_round(
    cast: Cast, monkeypatch: pytest.MonkeyPatch
) -> None:
    other = _family(cast, "annan", 2, {})
    fan_out_waiting()
    _publish(cast, cast.student)
    fan_out_waiting()
    Notification.objects.filter(recipient=cast.guardian_2).update(read_at=timezone.now())
    sent: list[dict[int, int]] = []
    monkeypatch.setattr(fanout, "publish_unread", sent.append)
    # In one round: guardian_1 hears of two messages, guardian_2 of one, another family of
    # an assessment.
    page = page_of(cast.student)
    thread = page.threads.get(kind=Thread.Kind.GENERAL)
    for author in (cast.teacher, cast.guardian_2):
        post_message(author, page, thread_id=thread.pk, body="Hej!", client_id=uuid.uuid4())
    _publish(cast, other)
    fan_out_waiting()
    assert len(sent) == 1  # one pass for the whole round
    assert sent[0][cast.guardian_1.pk] == 3
    assert sent[0][cast.guardian_2.pk] == 1
    assert sent[0] == unread_counts(list(sent[0]))
    assert set(sent[0]) == set(
        Notification.objects.filter(event__kind__in=["message.posted", "assessment.published"])
        .exclude(event__data__student_id=cast.student.pk, kind="assessment.published")
        .values_list("recipient", flat=True)
    )


def test_an_event_that_cannot_be_described_is_retried_alone_and_the_others_are_told(
    cast: Cast, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(data: Any) -> kinds.Notice:
        raise RuntimeError("describe failed")

    monkeypatch.setitem(
        kinds._kinds, "test.broken", kinds.Kind("test.broken", "messages", broken, _("x"), _("y"))
    )
    fan_out_waiting()
    bad = Event.objects.create(kind="test.broken", data={})
    _publish(cast, cast.student)
    fan_out_waiting()
    assert sorted(Notification.objects.values_list("recipient", flat=True)) == sorted(
        [cast.student.pk, cast.guardian_1.pk, cast.guardian_2.pk]
    )
    bad.refresh_from_db()
    assert (bad.done_at, bad.attempts) == (None, 1)
    assert "describe failed" in bad.last_error
    assert Event.objects.filter(done_at__isnull=True).get() == bad


def test_the_readers_the_fan_out_asks_for_are_the_pages_readers_with_their_parts(cast: Cast) -> None:
    """``roles_on_student_page`` and ``readers_of_student_page`` are one rule: the same
    people, a page in use and an archive alike."""
    for student in (cast.student, cast.other_student, cast.left_student):
        readers = set(policy.readers_of_student_page(student).values_list("pk", flat=True))
        assert set(policy.roles_on_student_page(student)) == readers, student.username
    assert policy.roles_on_student_page(cast.left_student) == {
        cast.left_student.pk: policy.STUDENT,
        cast.principal.pk: policy.PRINCIPAL,
        cast.registrar.pk: policy.REGISTRAR,
    } | {pk: policy.GUARDIAN for pk in _guardians(cast.left_student)}
    # A teacher who is also a guardian of the student is a guardian on the page.
    m.add_guardianship(SYSTEM, cast.teacher, cast.student)
    assert policy.roles_on_student_page(cast.student)[cast.teacher.pk] == policy.GUARDIAN
    # Someone whose account is closed reads nothing and is told nothing.
    cast.guardian_2.is_active = False
    cast.guardian_2.save(update_fields=["is_active"])
    assert cast.guardian_2.pk not in policy.roles_on_student_page(cast.student)


def _guardians(student: User) -> list[int]:
    guardianships = Guardianship.objects.active(policy.today()).filter(student=student)
    return list(guardianships.values_list("guardian", flat=True))


def test_nothing_is_told_twice_when_a_round_is_taken_again(cast: Cast) -> None:
    students = [_family(cast, f"igen{n}", 2, {}) for n in range(2)]
    fan_out_waiting()
    for student in students:
        _publish(cast, student)
    fan_out_waiting()
    before = (Notification.objects.count(), Delivery.objects.count())
    Event.objects.update(done_at=None, claimed_until=None)  # a worker died after writing
    fan_out_waiting()
    assert (Notification.objects.count(), Delivery.objects.count()) == before
