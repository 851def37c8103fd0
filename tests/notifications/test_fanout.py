"""From an announced event to notifications and queued deliveries (the worker's first
step), with the real actions, the real policy and PostgreSQL."""

from __future__ import annotations

import uuid

import pytest

from accounts import policy
from classblog import actions as blog_actions
from dialogue.actions import talks
from dialogue.actions.messages import post_message
from dialogue.actions.pages import page_of
from dialogue.models import Thread
from notifications import actions
from notifications.fanout import fan_out_waiting
from notifications.models import Channel, Delivery, Event, Notification
from tests.support.cast import Cast
from tests.support.dialogue import assessment_objects
from tests.support.talks import open_slots

pytestmark = pytest.mark.django_db

SUBSCRIPTION = {
    "p256dh": "BHXy8Ek3TjVyr8ipI8vaZjX2hiMg0_u6hd02w36VDJoR95URM1I5Z8QIAiKBBdiVZSI1weeY6EsW12-8bECwjIk",
    "auth": "Q2BoAjC09xH3ywDLNJr-dA",
}


def subscribe(user, n: int = 1) -> None:
    actions.subscribe_push(user, endpoint=f"https://push.example.org/{user.pk}/{n}", **SUBSCRIPTION)


def test_a_published_assessment_tells_the_student_and_each_guardian_and_nobody_else(cast: Cast) -> None:
    subscribe(cast.guardian_1, 1)
    subscribe(cast.guardian_1, 2)
    subscribe(cast.student)
    assessment_objects(cast)
    assert Event.objects.filter(kind="assessment.published").count() == 1
    fan_out_waiting()
    told = Notification.objects.filter(kind="assessment.published")
    assert sorted(told.values_list("recipient", flat=True)) == sorted(
        [cast.student.pk, cast.guardian_1.pk, cast.guardian_2.pk]
    )
    first = told.get(recipient=cast.guardian_1)
    assert first.params["subject"] == {"sv": "Matematik", "en": "Mathematics"}
    assert first.url.startswith(f"/students/{cast.student.pk}/assessments/")
    pushes = Delivery.objects.filter(channel=Channel.PUSH)
    assert sorted(pushes.values_list("notification__recipient", flat=True)) == sorted(
        [cast.guardian_1.pk, cast.guardian_1.pk, cast.student.pk]
    )
    emails = Delivery.objects.filter(channel=Channel.EMAIL).values_list("notification__recipient", flat=True)
    expected = [u.pk for u in (cast.student, cast.guardian_1, cast.guardian_2) if u.email]
    assert sorted(emails) == sorted(expected)
    # A second run (a worker that died after writing) tells nobody twice.
    Event.objects.update(done_at=None, claimed_until=None)
    fan_out_waiting()
    assert Notification.objects.filter(kind="assessment.published").count() == 3


def test_nobody_is_told_of_their_own_message(cast: Cast) -> None:
    page = page_of(cast.student)
    thread = page.threads.get(kind=Thread.Kind.GENERAL)
    post_message(cast.guardian_1, page, thread_id=thread.pk, body="Hej!", client_id=uuid.uuid4())
    fan_out_waiting()
    told = set(Notification.objects.filter(kind="message.posted").values_list("recipient", flat=True))
    assert cast.guardian_1.pk not in told
    assert {cast.student.pk, cast.guardian_2.pk, cast.teacher.pk} <= told
    assert cast.principal.pk not in told  # the principal reads every page; not told of each message
    url = Notification.objects.filter(kind="message.posted").values_list("url", flat=True).first()
    message = page.messages.get(author=cast.guardian_1)
    assert url == f"/students/{cast.student.pk}/?thread={thread.pk}#m-{message.pk}"
    assert not told & {cast.other_guardian.pk, cast.other_teacher.pk, cast.withdrawn_guardian.pk}


def _told(kind: str) -> set[int]:
    fan_out_waiting()
    return set(Notification.objects.filter(kind=kind).values_list("recipient", flat=True))


def test_a_booked_talk_tells_the_family_and_the_teacher_of_the_time_and_a_cancellation_the_teacher(
    cast: Cast,
) -> None:
    slots = open_slots(cast)
    talk = talks.book_talk(cast.guardian_1, cast.student, slots[0].pk)
    assert _told("talk.booked") == {cast.student.pk, cast.guardian_2.pk, cast.teacher.pk}
    talks.cancel_booking(cast.guardian_1, talk)
    assert _told("talk.cancelled") == {cast.teacher.pk}


def test_a_blog_post_tells_the_class_and_a_pending_one_only_its_moderators(cast: Cast) -> None:
    blog_actions.change_settings(cast.teacher, cast.class_4a, student_posts=True, comments="everyone")
    blog_actions.write_post(
        cast.teacher, cast.class_4a, title="Utflykt", body="I morgon!", client_id=uuid.uuid4()
    )
    readers = set(policy.readers_of_class_blog(cast.class_4a).values_list("pk", flat=True))
    assert _told("blog.post_published") == readers - {cast.teacher.pk}
    assert cast.other_guardian.pk not in readers
    post = blog_actions.write_post(
        cast.student, cast.class_4a, title="Mitt", body="Hej", client_id=uuid.uuid4()
    )
    assert _told("blog.post_submitted") == {cast.teacher.pk, cast.principal.pk}  # the moderators
    blog_actions.approve_post(cast.principal, post)
    assert _told("blog.post_approved") == {cast.student.pk}
