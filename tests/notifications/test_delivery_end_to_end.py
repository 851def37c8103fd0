"""From a published assessment to the family's phones and mailboxes, with every part real:
the worker runs as its own process (``manage.py run_worker``) on the test database, pushes
go over HTTP through pywebpush to a local push service that decrypts them and checks
VAPID, e-mails go through Django's SMTP backend to a local SMTP server.

The data must be committed for the worker to see it, so these tests are transactional.
Quiet hours are switched off for everyone with a device: the suite may run at night, and
a push held back until 07:00 would hide both a delivery and a leak.
"""

from __future__ import annotations

import time
from collections import Counter, defaultdict
from collections.abc import Callable, Mapping
from typing import Any

import pytest
from django.conf import settings
from django.utils import timezone

from accounts.actions import SYSTEM
from accounts.actions.memberships import end_membership
from accounts.actions.people import update_person
from accounts.models import Guardianship, User
from dialogue.actions.assessments import publish_assessment, save_draft
from dialogue.models import Assessment
from notifications import actions
from notifications.fanout import fan_out_waiting
from notifications.models import Channel, Delivery, Event, Notification, PushSubscription
from notifications.sending import FIRST_RETRY_SECONDS
from tests.support.cast import Cast
from tests.support.push_service import PushService, Received, Subscription

# The fixtures, imported under their own names (an explicit re-export) so pytest finds them.
from tests.support.push_service import push_service as push_service
from tests.support.smtp import Mail, SmtpServer
from tests.support.smtp import smtp_server as smtp_server
from tests.support.worker import SITE_URL, VAPID_SUBJECT, StartWorker, WorkerProcess, vapid_public_key
from tests.support.worker import start_worker as start_worker
from tests.support.worker import vapid_private_key as vapid_private_key

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

CAN_TEXT = "Anna räknar säkert med tal upp till tusen och förklarar hur hon tänker."
DEVELOP_TEXT = "Nästa steg är bråk och decimaltal i vardagliga sammanhang."
# Words of the assessment itself: never in a push or an e-mail, which only say that it exists.
ASSESSMENT_WORDS = ("räknar", "tusen", "förklarar", "bråk", "decimaltal", "vardagliga")
WAIT = 20.0
OPEN = (Delivery.Status.PENDING, Delivery.Status.SENDING)


# --- Helpers ---------------------------------------------------------------------------------


def wait_until(
    condition: Callable[[], bool], what: str, *workers: WorkerProcess, timeout: float = WAIT
) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            logs = "\n".join(f"--- {worker.log_path.name}:\n{worker.log_tail()}" for worker in workers)
            raise AssertionError(f"not within {timeout} s: {what}\n{logs}")
        time.sleep(0.05)


def drained() -> bool:
    """Every event fanned out and every delivery in a final state."""
    return (
        not Event.objects.filter(done_at__isnull=True).exists()
        and not Delivery.objects.filter(status__in=OPEN).exists()
    )


def no_quiet_hours(*people: User) -> None:
    for person in people:
        actions.save_settings(
            person,
            email_mode="instant",
            digest_hour=17,
            quiet_from="00:00",
            quiet_until="00:00",
            quiet_weekends=False,
            choices={},
        )


def give_address(person: User, *, language: str = "sv") -> str:
    address = f"{person.username}@hem.example.org"
    update_person(SYSTEM, person, email=address, language=language)
    return address


def add_devices(push_service: PushService, person: User, count: int = 1) -> list[str]:
    """``count`` browsers of ``person`` subscribed through the real action; their tokens."""
    tokens = []
    for number in range(count):
        subscription: Subscription = push_service.new_subscription()
        actions.subscribe_push(
            person,
            endpoint=subscription["endpoint"],
            p256dh=subscription["keys"]["p256dh"],
            auth=subscription["keys"]["auth"],
            device=f"{person.username} {number + 1}",
        )
        tokens.append(token_of(subscription["endpoint"]))
    return tokens


def token_of(endpoint: str) -> str:
    return endpoint.rsplit("/", 1)[-1]


def publish(cast: Cast, number: int = 1) -> Assessment:
    """The teacher publishes the student's maths assessment (a later ``number`` publishes a
    correction: a new version, announced again)."""
    draft, _findings = save_draft(
        cast.teacher,
        cast.class_4a,
        cast.student,
        cast.maths,
        levels={},
        can_text=CAN_TEXT if number == 1 else f"{CAN_TEXT} ({number})",
        develop_text=DEVELOP_TEXT,
    )
    return publish_assessment(cast.teacher, draft.pk)


def message_id(delivery: Delivery) -> str:
    return f"<delivery-{delivery.pk}@{SITE_URL.split('//', 1)[1]}>"


def by_recipient(mails: list[Mail]) -> dict[str, list[Mail]]:
    found: dict[str, list[Mail]] = defaultdict(list)
    for mail in mails:
        for address in mail.envelope_rcpt_tos:
            found[address].append(mail)
    return found


# --- The whole way ---------------------------------------------------------------------------


def test_a_published_assessment_reaches_the_family_in_app_by_push_and_by_email_and_nobody_else(
    cast: Cast,
    push_service: PushService,
    smtp_server: SmtpServer,
    start_worker: StartWorker,
    vapid_private_key: str,
) -> None:
    family = [cast.student, cast.guardian_1, cast.guardian_2]
    others = [cast.teacher, cast.other_guardian, cast.principal, cast.withdrawn_guardian, cast.other_teacher]
    addresses = {person.pk: give_address(person) for person in [cast.student, cast.guardian_1, *others]}
    addresses[cast.guardian_2.pk] = give_address(cast.guardian_2, language="en")
    devices = {cast.guardian_1.pk: add_devices(push_service, cast.guardian_1, 2)}
    for person in [cast.student, cast.guardian_2, *others]:
        devices[person.pk] = add_devices(push_service, person)
    no_quiet_hours(*family, *others)
    worker = start_worker(smtp_server)

    publish(cast)

    pushes = push_service.wait_for(4, timeout=WAIT)
    mails = smtp_server.wait_for(3, timeout=WAIT)
    wait_until(drained, "every delivery sent", worker)

    # In the app: one notification each, in the inbox; nothing for anyone else.
    told = Notification.objects.filter(kind="assessment.published")
    assert Counter(told.values_list("recipient", flat=True)) == Counter(person.pk for person in family)
    assert all(told.values_list("in_inbox", flat=True))
    notification_of = {n.recipient_id: n for n in told}
    assert not Notification.objects.exclude(recipient__in=[p.pk for p in family]).exists()
    assert set(Delivery.objects.values_list("status", flat=True)) == {Delivery.Status.SENT}

    # Pushes: one per device of the family, none to anyone else's device.
    family_tokens = [token for person in family for token in devices[person.pk]]
    assert sorted(push.token for push in pushes) == sorted(family_tokens)
    other_tokens = {token for person in others for token in devices[person.pk]}
    assert [push for push in push_service.received if push.token in other_tokens] == []
    assert len(push_service.received) == 4  # and no failed attempt either
    owner = {token: pk for pk, tokens in devices.items() for token in tokens}
    public_key = vapid_public_key(vapid_private_key)
    for push in pushes:
        notification = notification_of[owner[push.token]]
        english = owner[push.token] == cast.guardian_2.pk
        assert push.json is not None, push.error
        if english:
            assert push.json["title"] == "New written assessment in Mathematics"
        else:
            assert "Matematik" in push.json["title"]
            assert "Mathematics" not in push.json["title"]
        assert push.json["url"] == f"/notifications/{notification.pk}/"
        assert push.json["lang"] == ("en" if english else "sv")
        assert push.payload is not None
        text = push.payload.decode()
        assert not [word for word in ASSESSMENT_WORDS if word in text], text
        assert len(push.payload) < 3000
        assert push.body_size < 3 * 1024
        assert push.ttl == settings.WEB_PUSH_TTL
        assert push.ttl > 0
        assert push.topic == f"n{notification.pk}"
        assert push.vapid_ok, push.vapid_error
        assert push.vapid_public_key == public_key
        assert push.vapid_claims is not None
        assert push.vapid_claims["sub"] == VAPID_SUBJECT
        assert push.content_encoding == "aes128gcm"

    # E-mails: one each to the student and the guardians, in their language, with the link.
    received = by_recipient(mails)
    assert sorted(received) == sorted(addresses[person.pk] for person in family)
    assert all(len(mails_to) == 1 for mails_to in received.values())
    for person in family:
        [mail] = received[addresses[person.pk]]
        notification = notification_of[person.pk]
        delivery = Delivery.objects.get(notification=notification, channel=Channel.EMAIL)
        if person.pk == cast.guardian_2.pk:
            assert mail.subject == "Elevdialog: New written assessment in Mathematics"
            assert mail.message["Content-Language"] == "en"
        else:
            assert "Matematik" in mail.subject
            assert "Mathematics" not in mail.subject
            assert mail.message["Content-Language"] == "sv"
        assert f"{SITE_URL}/notifications/{notification.pk}/" in mail.text
        assert mail.message["Message-ID"] == message_id(delivery)
        everything = mail.subject + mail.text
        assert not [word for word in ASSESSMENT_WORDS if word in everything], everything


# --- Failures on the way -----------------------------------------------------------------------


def test_a_device_the_push_service_calls_gone_is_forgotten_and_the_others_still_get_theirs(
    cast: Cast, push_service: PushService, smtp_server: SmtpServer, start_worker: StartWorker
) -> None:
    gone, kept = add_devices(push_service, cast.guardian_1, 2)
    [student_device] = add_devices(push_service, cast.student)
    push_service.expire(gone)  # every push to it answers 410 Gone
    no_quiet_hours(cast.student, cast.guardian_1)
    worker = start_worker(smtp_server)

    publish(cast)

    wait_until(drained, "every delivery handled", worker)
    assert sorted(push.token for push in push_service.delivered()) == sorted([kept, student_device])
    assert [push.status for push in push_service.received if push.token == gone] == [410]
    assert not PushSubscription.objects.filter(endpoint__endswith=gone).exists()
    assert PushSubscription.objects.get(endpoint__endswith=kept).last_success_at is not None
    assert Delivery.objects.filter(status=Delivery.Status.GONE, subscription=None).count() == 1

    # The next notification is not even tried on the forgotten device.
    publish(cast, 2)
    wait_until(lambda: len(push_service.delivered()) == 4 and drained(), "the second round", worker)
    assert [push.status for push in push_service.received if push.token == gone] == [410]
    assert Counter(push.token for push in push_service.delivered()) == {kept: 2, student_device: 2}


def test_a_push_answered_500_is_retried_after_a_backoff_and_arrives_once(
    cast: Cast, push_service: PushService, smtp_server: SmtpServer, start_worker: StartWorker
) -> None:
    flaky, steady = add_devices(push_service, cast.guardian_1, 2)
    push_service.respond(flaky, 500, 201)
    no_quiet_hours(cast.guardian_1)
    worker = start_worker(smtp_server)

    publish(cast)

    def first_failure() -> Delivery | None:
        return Delivery.objects.filter(
            subscription__endpoint__endswith=flaky, status=Delivery.Status.PENDING, attempts=1
        ).first()

    wait_until(lambda: first_failure() is not None, "the 500 recorded for a retry", worker)
    failed = first_failure()
    assert failed is not None
    assert failed.last_error.startswith("500")
    # Exponential backoff from FIRST_RETRY_SECONDS (± 20 % jitter); not waited for here.
    wait = (failed.next_attempt_at - timezone.now()).total_seconds()
    assert FIRST_RETRY_SECONDS * 0.8 - 2 < wait <= FIRST_RETRY_SECONDS * 1.2
    assert [push.token for push in push_service.wait_for(1)] == [steady]

    Delivery.objects.filter(pk=failed.pk).update(next_attempt_at=timezone.now())  # time passes

    wait_until(lambda: Delivery.objects.get(pk=failed.pk).status == Delivery.Status.SENT, "the retry", worker)
    assert [push.status for push in push_service.received if push.token == flaky] == [500, 201]
    assert Counter(push.token for push in push_service.delivered()) == {flaky: 1, steady: 1}
    retried = Delivery.objects.get(pk=failed.pk)
    assert (retried.attempts, retried.last_error) == (2, "")


def test_an_email_refused_with_451_is_retried_and_arrives_once(
    cast: Cast, smtp_server: SmtpServer, start_worker: StartWorker
) -> None:
    family = [cast.student, cast.guardian_1, cast.guardian_2]
    addresses = [give_address(person) for person in family]
    smtp_server.fail_next(1)  # the first message of the batch: "451 try again later"
    worker = start_worker(smtp_server)

    publish(cast)

    retried = Delivery.objects.filter(channel=Channel.EMAIL, status=Delivery.Status.PENDING, attempts=1)
    wait_until(lambda: retried.exists() and len(smtp_server.messages) == 2, "the 451 recorded", worker)
    failed = retried.get()
    assert "451" in failed.last_error
    assert smtp_server.refused == 1

    Delivery.objects.filter(pk=failed.pk).update(next_attempt_at=timezone.now())  # time passes

    mails = smtp_server.wait_for(3)
    wait_until(drained, "every e-mail sent", worker)
    assert sorted(address for mail in mails for address in mail.envelope_rcpt_tos) == sorted(addresses)
    assert len(smtp_server.messages) == 3
    assert smtp_server.refused == 1
    again = Delivery.objects.get(pk=failed.pk)
    assert (again.status, again.attempts) == (Delivery.Status.SENT, 2)
    [mail] = [mail for mail in mails if mail.message["Message-ID"] == message_id(again)]
    assert mail.envelope_rcpt_tos == [again.notification.recipient.email]


# --- Access is asked again when sending ----------------------------------------------------------


def test_a_delivery_queued_before_a_guardianship_ends_is_not_sent(
    cast: Cast, push_service: PushService, smtp_server: SmtpServer, start_worker: StartWorker
) -> None:
    family = [cast.student, cast.guardian_1, cast.guardian_2]
    addresses = {person.pk: give_address(person) for person in family}
    devices = {person.pk: add_devices(push_service, person) for person in family}
    no_quiet_hours(*family)
    publish(cast)
    fan_out_waiting()  # queued while guardian_2 still had access (the worker is behind)
    queued = Delivery.objects.filter(notification__recipient=cast.guardian_2)
    assert sorted(queued.values_list("channel", flat=True)) == [Channel.EMAIL, Channel.PUSH]

    guardianship = Guardianship.objects.get(guardian=cast.guardian_2, student=cast.student)
    end_membership(SYSTEM, guardianship, reason="Court decision")  # from today
    worker = start_worker(smtp_server)

    wait_until(drained, "every delivery handled", worker)
    assert sorted(push.token for push in push_service.received) == sorted(
        devices[cast.student.pk] + devices[cast.guardian_1.pk]
    )
    assert sorted(a for mail in smtp_server.messages for a in mail.envelope_rcpt_tos) == sorted(
        [addresses[cast.student.pk], addresses[cast.guardian_1.pk]]
    )
    assert set(queued.values_list("status", "last_error")) == {
        (Delivery.Status.SKIPPED, "no access any more")
    }


# --- A worker that stops or dies mid-queue ---------------------------------------------------------

DEVICES_EACH = 5  # per family member: 15 pushes and 3 e-mails per assessment
CORRECTIONS = 15  # published versions: 225 pushes and 45 e-mails, more than one batch (200)
STOP_AFTER = 40  # pushes arrived when the worker is stopped or killed


class SlowPushService(PushService):
    """A push service across the Internet: each answer takes ``DELAY`` seconds, so a
    worker is stopped with sends in flight."""

    DELAY = 0.03

    def _handle_push(self, token: str, headers: Mapping[str, str], body: bytes) -> Any:
        time.sleep(self.DELAY)
        return super()._handle_push(token, headers, body)


@pytest.fixture
def slow_push_service() -> Any:
    with SlowPushService() as service:
        yield service


def a_queue_of_work(cast: Cast, push_service: PushService) -> tuple[int, int]:
    """Devices and addresses for the family and many published versions, not yet sent.
    Returns the numbers of pushes and e-mails to expect."""
    family = [cast.student, cast.guardian_1, cast.guardian_2]
    for person in family:
        give_address(person)
        add_devices(push_service, person, DEVICES_EACH)
    no_quiet_hours(*family)
    for number in range(1, CORRECTIONS + 1):
        publish(cast, number)
    return CORRECTIONS * len(family) * DEVICES_EACH, CORRECTIONS * len(family)


def expected_pushes() -> set[tuple[str, str]]:
    """(device token, Topic) of every push the fan-out queued."""
    rows = Delivery.objects.filter(channel=Channel.PUSH).values_list("subscription__endpoint", "notification")
    return {(token_of(endpoint), f"n{notification}") for endpoint, notification in rows}


def pushes_by_key(push_service: PushService) -> dict[tuple[str, str], list[Received]]:
    """Delivered pushes by (device token, the notification the payload names)."""
    found: dict[tuple[str, str], list[Received]] = defaultdict(list)
    for push in push_service.delivered():
        assert push.json is not None, push.error
        found[(push.token, push.json["tag"])].append(push)
    return found


def expected_mail_ids() -> set[str]:
    return {message_id(delivery) for delivery in Delivery.objects.filter(channel=Channel.EMAIL)}


def everything_arrived(
    push_service: PushService, smtp: SmtpServer, pushes: int, mails: int
) -> Callable[[], bool]:
    def check() -> bool:
        arrived_pushes = {(push.token, push.topic) for push in push_service.delivered()}
        arrived_mails = {str(mail.message["Message-ID"]) for mail in smtp.messages}
        return len(arrived_pushes) >= pushes and len(arrived_mails) >= mails and drained()

    return check


def test_a_killed_worker_loses_nothing_and_a_repeat_keeps_its_topic_and_message_id(
    cast: Cast, slow_push_service: PushService, smtp_server: SmtpServer, start_worker: StartWorker
) -> None:
    push_count, mail_count = a_queue_of_work(cast, slow_push_service)
    # The lease is written by the worker that claims, so the one that dies needs it short.
    first = start_worker(smtp_server, lease_seconds=2)
    slow_push_service.wait_for(STOP_AFTER, timeout=WAIT)

    first.kill()  # SIGKILL: no clean-up, results of the sends in flight never written
    time.sleep(0.3)  # the pushes already on the wire are answered (and recorded) by now

    arrived_before = {(push.token, push.topic) for push in slow_push_service.delivered()}
    held = {
        (token_of(endpoint), f"n{notification}")
        for endpoint, notification in Delivery.objects.filter(
            status=Delivery.Status.SENDING, channel=Channel.PUSH
        ).values_list("subscription__endpoint", "notification")
    }
    held_mails = {
        message_id(d) for d in Delivery.objects.filter(status=Delivery.Status.SENDING, channel="email")
    }
    assert len(arrived_before) < push_count
    assert held  # it died holding claimed deliveries
    second = start_worker(smtp_server, lease_seconds=2)
    wait_until(
        everything_arrived(slow_push_service, smtp_server, push_count, mail_count),
        "every push and e-mail after the restart",
        first,
        second,
        timeout=40,
    )

    expected = expected_pushes()
    assert len(expected) == push_count
    # Nothing missing, nothing extra.
    arrived = pushes_by_key(slow_push_service)
    assert set(arrived) == expected
    # A raw repeat (accepted by the push service, then the worker died before writing
    # "sent") carries the same Topic, so a push service replaces the undelivered copy, and
    # the same payload; only a push the dead worker held can be repeated, and at most the
    # NOTIFICATIONS_PUSH_CONCURRENCY sends in flight (a new push starts only when a result
    # has been written).
    repeated = {key for key, copies in arrived.items() if len(copies) > 1}
    for key in repeated:
        assert {(push.topic, push.payload) for push in arrived[key]} == {(key[1], arrived[key][0].payload)}
    assert repeated <= held & arrived_before
    mails = smtp_server.messages
    ids = Counter(str(mail.message["Message-ID"]) for mail in mails)
    assert set(ids) == expected_mail_ids()
    assert len(ids) == mail_count
    for mail_id, count in ids.items():
        copies = [mail for mail in mails if mail.message["Message-ID"] == mail_id]
        assert len({(mail.subject, mail.text, tuple(mail.envelope_rcpt_tos)) for mail in copies}) == 1
        assert count == 1 or mail_id in held_mails
    assert set(Delivery.objects.values_list("status", flat=True)) == {Delivery.Status.SENT}
    assert Notification.objects.count() == CORRECTIONS * 3
    push_repeats = sum(len(arrived[key]) - 1 for key in repeated)
    assert push_repeats <= settings.NOTIFICATIONS_PUSH_CONCURRENCY
    print(
        f"\nSIGKILL after {len(arrived_before)} pushes arrived, {len(held & arrived_before)} of them not yet "
        f"recorded as sent; the dead worker held {len(held)} pushes and {len(held_mails)} e-mails; "
        f"repeats: {push_repeats} push(es), {sum(ids.values()) - len(ids)} e-mail(s)"
    )


def test_a_worker_stopped_with_sigterm_finishes_its_batch_exits_0_and_repeats_nothing(
    cast: Cast, slow_push_service: PushService, smtp_server: SmtpServer, start_worker: StartWorker
) -> None:
    push_count, mail_count = a_queue_of_work(cast, slow_push_service)
    first = start_worker(smtp_server)  # the default 5-minute lease: nothing may wait for it
    slow_push_service.wait_for(STOP_AFTER, timeout=WAIT)

    asked = time.monotonic()
    assert first.terminate(timeout=10) == 0
    took = time.monotonic() - asked

    assert took < 5, f"{took:.1f} s from SIGTERM to exit"
    assert "notification worker stopped" in first.log_tail()
    assert not Delivery.objects.filter(status=Delivery.Status.SENDING).exists()  # nothing left held
    assert len(slow_push_service.received) == len(set(pushes_by_key(slow_push_service)))
    second = start_worker(smtp_server)
    wait_until(
        everything_arrived(slow_push_service, smtp_server, push_count, mail_count),
        "every push and e-mail after the restart",
        first,
        second,
    )
    assert len(slow_push_service.received) == push_count  # each exactly once
    assert {(push.token, push.topic) for push in slow_push_service.received} == expected_pushes()
    assert len(smtp_server.messages) == mail_count
    assert {str(mail.message["Message-ID"]) for mail in smtp_server.messages} == expected_mail_ids()
    assert set(Delivery.objects.values_list("status", flat=True)) == {Delivery.Status.SENT}
