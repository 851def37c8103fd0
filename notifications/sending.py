"""Sending queued deliveries: claimed with a lease, sent outside any transaction, results
written back. A delivery is sent at most once: a sent one is never claimed again, and the
unique constraints keep one e-mail per notification and one push per device.

A worker that dies mid-batch leaves its claimed deliveries in ``sending``; when the lease
ends another worker takes them again (none is lost). Only sends in flight at the crash can
go out twice: at most ``NOTIFICATIONS_PUSH_CONCURRENCY`` pushes (a new push starts only when
a result has been written) or one e-mail. A repeated e-mail keeps its Message-ID and a push
its Topic, so the mail client and the push service show it once. A worker never sends on a
claim that is about to run out, so two workers never hold the same delivery.
"""

from __future__ import annotations

import datetime
import logging
import random
from collections import defaultdict
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass

from django.conf import settings
from django.core.mail import get_connection
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from notifications import kinds, mails, push, quiet
from notifications.models import Channel, Delivery, NotificationSettings, PushSubscription

log = logging.getLogger("elevdialog.notifications")

MAX_ATTEMPTS = 8
FIRST_RETRY_SECONDS = 30
LAST_RETRY_SECONDS = 6 * 3600


def retry_delay(attempts: int, retry_after: int | None = None) -> datetime.timedelta:
    """Exponential backoff with jitter: 30 s, 1 min, 2 min … at most 6 h; a push service's
    Retry-After wins when it asks for longer."""
    seconds = min(FIRST_RETRY_SECONDS * 2 ** max(attempts - 1, 0), LAST_RETRY_SECONDS)
    seconds *= random.uniform(0.8, 1.2)  # noqa: S311 (spreading retries, not security)
    return datetime.timedelta(seconds=max(seconds, retry_after or 0))


def _due() -> Q:
    now = timezone.now()
    return (Q(status=Delivery.Status.PENDING) & Q(next_attempt_at__lte=now)) | (
        Q(status=Delivery.Status.SENDING) & Q(claimed_until__lt=now)
    )


def claim(limit: int, only: Q | None = None) -> list[Delivery]:
    """Take up to ``limit`` due deliveries (those matching ``only``) for this worker."""
    now = timezone.now()
    with transaction.atomic():
        ids = list(
            Delivery.objects.select_for_update(skip_locked=True)
            .filter(_due() & (only or Q()))
            .order_by("next_attempt_at", "pk")
            .values_list("pk", flat=True)[:limit]
        )
        if not ids:
            return []
        # The attempt counts from the claim: a delivery whose worker dies while sending it
        # (every time, say a payload that crashes it) runs out of attempts like any other.
        Delivery.objects.filter(pk__in=ids).update(
            status=Delivery.Status.SENDING,
            claimed_until=now + datetime.timedelta(seconds=settings.NOTIFICATIONS_LEASE_SECONDS),
            attempts=F("attempts") + 1,
        )
    batch = list(
        Delivery.objects.filter(pk__in=ids).select_related(
            "notification__recipient__notification_settings", "subscription"
        )
    )
    worn_out = [delivery for delivery in batch if delivery.attempts > MAX_ATTEMPTS]
    for delivery in worn_out:
        _record(delivery, Outcome(Delivery.Status.FAILED, "the worker stopped while sending, every attempt"))
    return [delivery for delivery in batch if delivery.attempts <= MAX_ATTEMPTS]


@dataclass
class Outcome:
    status: str
    error: str = ""
    next_attempt_at: datetime.datetime | None = None
    count_attempt: bool = True


def _settings(delivery: Delivery) -> NotificationSettings:
    try:
        return delivery.notification.recipient.notification_settings
    except NotificationSettings.DoesNotExist:
        return quiet.default_for(delivery.notification.audience)


def _still_wanted(delivery: Delivery, access: dict[tuple[int, str], bool]) -> str:
    """Empty if the delivery should go out now, else why not."""
    notification = delivery.notification
    person = notification.recipient
    if not person.is_active:
        return "inactive"
    if notification.read_at is not None:
        return "already read"
    if delivery.channel == Channel.PUSH and delivery.subscription is None:
        return "device removed"
    if delivery.channel == Channel.EMAIL and not person.email:
        return "no e-mail address"
    key = (person.pk, notification.target)
    if key not in access:
        access[key] = kinds.may_open(person, notification.target)
    if not access[key]:
        return "no access any more"
    return ""


def send_due(limit: int = 200) -> int:
    """Send what is due; returns how many deliveries were handled. Each result is written
    as soon as it is known, so a crash repeats at most the sends in flight at that moment."""
    batch = claim(limit)
    if not batch:
        return 0
    now = timezone.now()
    # Nothing is sent on a claim about to run out (a slow mail server): what is left then
    # goes back to the queue rather than risk another worker taking it over mid-send.
    deadline = now + datetime.timedelta(seconds=settings.NOTIFICATIONS_LEASE_SECONDS * 2 / 3)
    access: dict[tuple[int, str], bool] = {}
    pushes: list[Delivery] = []
    instant: list[Delivery] = []
    digests: dict[int, list[Delivery]] = defaultdict(list)
    for delivery in batch:
        why_not = _still_wanted(delivery, access)
        if why_not:
            _record(delivery, Outcome(Delivery.Status.SKIPPED, why_not))
        elif delivery.channel == Channel.PUSH:
            allowed = quiet.next_allowed(now, _settings(delivery))
            if allowed > now:  # the quiet hours began while it waited
                _record(delivery, Outcome(Delivery.Status.PENDING, "", allowed, count_attempt=False))
            else:
                pushes.append(delivery)
        elif delivery.digest:
            digests[delivery.notification.recipient_id].append(delivery)
        else:
            instant.append(delivery)
    if digests:
        # A digest is one e-mail: a person's other due digest lines that the limit left out
        # of this batch come along (else they would make a second e-mail).
        rest = Q(channel=Channel.EMAIL, digest=True, notification__recipient__in=list(digests))
        for delivery in claim(limit * 10, rest):
            if why_not := _still_wanted(delivery, access):
                _record(delivery, Outcome(Delivery.Status.SKIPPED, why_not))
            else:
                digests[delivery.notification.recipient_id].append(delivery)
    _send_pushes(pushes, deadline)
    _send_emails(instant, list(digests.values()), deadline)
    return len(batch)


def _send_pushes(deliveries: list[Delivery], deadline: datetime.datetime) -> None:
    """Several at once on threads (network only); results written by this thread."""
    if not deliveries:
        return
    key = push.vapid_key()
    if key is None:
        for delivery in deliveries:
            _record(delivery, Outcome(Delivery.Status.SKIPPED, "push is not configured"))
        return
    concurrency = max(1, settings.NOTIFICATIONS_PUSH_CONCURRENCY)
    waiting = iter(deliveries)
    running: dict[Future[push.PushResult], Delivery] = {}

    def start_next(pool: ThreadPoolExecutor) -> None:
        delivery = next(waiting, None)
        if delivery is None:
            return
        if timezone.now() > deadline:
            _release(delivery)
            start_next(pool)
            return
        assert delivery.subscription is not None
        data = push.payload(delivery.notification, delivery.notification.recipient.language or "sv")
        running[pool.submit(push.send, delivery.subscription, delivery.notification, data, key)] = delivery

    # A new send starts only when a result has been written: at any moment at most
    # ``concurrency`` pushes are sent but not yet recorded, which bounds what a crash repeats.
    with ThreadPoolExecutor(max_workers=concurrency) as pool:
        for _ in range(concurrency):
            start_next(pool)
        while running:
            done, _pending = wait(running, return_when=FIRST_COMPLETED)
            for future in done:
                delivery = running.pop(future)
                result = future.result()
                if result.ok:
                    _record(delivery, Outcome(Delivery.Status.SENT))
                elif result.gone:
                    _record(delivery, Outcome(Delivery.Status.GONE, result.error))
                elif result.permanent:
                    _record(delivery, Outcome(Delivery.Status.FAILED, result.error))
                else:
                    _record(delivery, _retry(delivery, result.error, result.retry_after))
                start_next(pool)


def _release(delivery: Delivery) -> None:
    """Give a claimed delivery back unsent (the claim is running out): due again at once,
    for whichever worker comes next, before anyone could take it over mid-send."""
    _record(delivery, Outcome(Delivery.Status.PENDING, "", None, count_attempt=False))


def _retry(delivery: Delivery, error: str, retry_after: int | None = None) -> Outcome:
    attempts = delivery.attempts  # this one included (counted at the claim)
    if attempts >= MAX_ATTEMPTS:
        return Outcome(Delivery.Status.FAILED, error)
    return Outcome(Delivery.Status.PENDING, error, timezone.now() + retry_delay(attempts, retry_after))


def _send_emails(instant: list[Delivery], digests: list[list[Delivery]], deadline: datetime.datetime) -> None:
    if not instant and not digests:
        return
    messages = [([delivery], mails.instant(delivery)) for delivery in instant]
    messages += [(group, mails.digest(group[0].notification.recipient, group)) for group in digests]
    connection = get_connection(fail_silently=False)
    try:
        connection.open()
    except Exception as error:  # the mail server is down: everything waits for a retry
        log.warning("cannot reach the mail server: %r", error)
        for group, _message in messages:
            for delivery in group:
                _record(delivery, _retry(delivery, repr(error)[:300]))
        return
    try:
        for group, message in messages:
            if timezone.now() > deadline:
                for delivery in group:
                    _release(delivery)
                continue
            try:
                connection.send_messages([message])
            except Exception as error:  # one refused message must not hold back the others
                log.warning("e-mail to %s failed: %r", message.to, error)
                for delivery in group:
                    _record(delivery, _retry(delivery, repr(error)[:300]))
            else:
                for delivery in group:
                    _record(delivery, Outcome(Delivery.Status.SENT))
    finally:
        try:
            connection.close()
        except Exception:  # closing a broken connection can fail too; nothing to do
            log.debug("closing the mail connection failed", exc_info=True)


@transaction.atomic
def _record(delivery: Delivery, outcome: Outcome) -> None:
    """Write a result and what it means for the device in one transaction: nobody (another
    worker, the inbox, a test waiting for the queue to drain) may see a delivery as gone
    while its device is still listed, or as sent before the device's last success."""
    now = timezone.now()
    delivery.status = outcome.status
    delivery.last_error = outcome.error[:500]
    delivery.claimed_until = None
    if not outcome.count_attempt:  # given back unsent: the claim did not use an attempt
        delivery.attempts -= 1
    if outcome.next_attempt_at is not None:
        delivery.next_attempt_at = outcome.next_attempt_at
    if outcome.status == Delivery.Status.SENT:
        delivery.sent_at = now
    delivery.save(
        update_fields=["status", "last_error", "claimed_until", "attempts", "next_attempt_at", "sent_at"]
    )
    device = delivery.subscription_id
    if device is None:
        return
    if outcome.status == Delivery.Status.SENT:
        PushSubscription.objects.filter(pk=device).update(last_success_at=now)
    elif outcome.status == Delivery.Status.GONE:
        # The push service says the browser unsubscribed: forget the device and skip its
        # other queued pushes.
        Delivery.objects.filter(subscription=device, status=Delivery.Status.PENDING).update(
            status=Delivery.Status.SKIPPED, last_error="device removed"
        )
        PushSubscription.objects.filter(pk=device).delete()
