"""From an announced event to notifications: who is told, and on which channels.

Runs in the worker, never in a request. The announcing app's ``describe`` asks the access
policy for the recipients; here the actor is removed (nobody hears of their own action),
each person's choices decide the channels, and the deliveries are queued: an e-mail now
or with the daily digest, a push per device now or when the quiet hours end.
"""

from __future__ import annotations

import datetime
import logging
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone

from accounts import events
from accounts.models import User
from notifications import kinds, preferences, quiet
from notifications.models import (
    Channel,
    Delivery,
    Event,
    Notification,
    NotificationSettings,
    PushSubscription,
    source_of,
)

log = logging.getLogger("elevdialog.notifications")


@dataclass(frozen=True)
class FannedOut:
    notifications: int
    deliveries: int
    in_inbox: dict[int, int]  # recipient id -> unread count after the fan-out


def fan_out(event: Event) -> FannedOut:
    """Write the event's notifications and deliveries. Precondition: inside a transaction
    that also marks the event done (so a crash leaves neither)."""
    kind = kinds.kind(event.kind)
    notice = kind.describe(event.data) if kind is not None else None
    if kind is None or notice is None:
        return FannedOut(0, 0, {})
    # Never the actor; and nobody this event already reached (a second worker that took
    # the event over when the first one's claim ran out).
    told = set(Notification.objects.filter(event=event).values_list("recipient", flat=True))
    audience = {pk: who for pk, who in notice.recipients.items() if pk != notice.actor_id and pk not in told}
    if not audience:
        return FannedOut(0, 0, {})
    people = list(
        User.objects.filter(pk__in=audience, is_active=True).select_related("notification_settings")
    )
    choices = preferences.overrides_of(audience, kind.group)
    devices: dict[int, list[PushSubscription]] = {}
    for device in PushSubscription.objects.filter(user__in=audience):
        devices.setdefault(device.user_id, []).append(device)
    now = timezone.now()
    planned: list[tuple[Notification, set[str], User]] = []
    for person in people:
        wanted = preferences.channels(kind.group, audience[person.pk], choices.get(person.pk, {}))
        if not person.email:
            wanted.discard(Channel.EMAIL)
        if not devices.get(person.pk):
            wanted.discard(Channel.PUSH)
        if not wanted:
            continue
        notification = Notification(
            recipient=person,
            event=event,
            kind=kind.name,
            group=kind.group,
            actor_id=notice.actor_id,
            params={**notice.params, **notice.params_for.get(person.pk, {})},
            url=notice.url,
            source=notice.source or source_of(notice.url),
            target=notice.target,
            in_inbox=Channel.IN_APP in wanted,
            audience=audience[person.pk],
        )
        planned.append((notification, wanted, person))
    Notification.objects.bulk_create([notification for notification, _w, _p in planned])
    deliveries: list[Delivery] = []
    for notification, wanted, person in planned:
        choice = _settings_of(person) or quiet.default_for(notification.audience)
        if Channel.EMAIL in wanted:
            digest = choice.email_mode == NotificationSettings.EmailMode.DIGEST
            deliveries.append(
                Delivery(
                    notification=notification,
                    channel=Channel.EMAIL,
                    digest=digest,
                    next_attempt_at=quiet.next_digest(now, choice) if digest else now,
                )
            )
        if Channel.PUSH in wanted:
            at = quiet.next_allowed(now, choice)
            deliveries += [
                Delivery(
                    notification=notification, channel=Channel.PUSH, subscription=device, next_attempt_at=at
                )
                for device in devices[person.pk]
            ]
    Delivery.objects.bulk_create(deliveries)
    informed = [notification.recipient_id for notification, wanted, _p in planned if Channel.IN_APP in wanted]
    return FannedOut(len(planned), len(deliveries), unread_counts(informed))


def _settings_of(person: User) -> NotificationSettings | None:
    try:
        return person.notification_settings
    except NotificationSettings.DoesNotExist:
        return None


def unread_counts(user_ids: list[int]) -> dict[int, int]:
    """Unread inbox notifications per person (one query; zero for people with none)."""
    if not user_ids:
        return {}
    counts = dict.fromkeys(user_ids, 0)
    rows = (
        Notification.objects.filter(recipient__in=user_ids, read_at__isnull=True, in_inbox=True)
        .values("recipient")
        .annotate(unread=Count("pk"))
    )
    for row in rows:
        counts[row["recipient"]] = row["unread"]
    return counts


def publish_unread(counts: dict[int, int]) -> None:
    """Tell each person's open sockets their new unread count (after the commit)."""
    events.publish_many(
        (events.user_group(user_id), {"type": "inbox.changed", "unread": unread})
        for user_id, unread in counts.items()
    )


def waiting_events() -> Q:
    now = timezone.now()
    return Q(done_at__isnull=True) & (Q(claimed_until__isnull=True) | Q(claimed_until__lt=now))


def fan_out_waiting(*, limit: int = 50, max_attempts: int = 5) -> int:
    """Fan out the events waiting in the outbox; returns how many were taken."""
    now = timezone.now()
    with transaction.atomic():
        claimed = list(
            Event.objects.select_for_update(skip_locked=True)
            .filter(waiting_events())
            .order_by("created_at", "pk")[:limit]
        )
        for event in claimed:
            event.claimed_until = now + datetime.timedelta(seconds=settings.NOTIFICATIONS_LEASE_SECONDS)
            event.attempts += 1
        Event.objects.bulk_update(claimed, ["claimed_until", "attempts"])
    for event in claimed:
        try:
            with transaction.atomic():
                result = fan_out(event)
                event.done_at = timezone.now()
                event.save(update_fields=["done_at"])
                publish_unread(result.in_inbox)
        except Exception as error:  # one bad event must not stop the queue
            log.exception("fan-out of %s failed", event)
            event.last_error = repr(error)[:2000]
            if event.attempts >= max_attempts:
                event.done_at = timezone.now()
            event.save(update_fields=["last_error", "done_at"])
    return len(claimed)
