"""From an announced event to notifications: who is told, and on which channels.

Runs in the worker, never in a request. The announcing app's ``describe`` asks the access
policy for the recipients; here the actor is removed (nobody hears of their own action),
each person's choices decide the channels, and the deliveries are queued: an e-mail now
or with the daily digest, a push per device now or when the quiet hours end.

A worker's round takes its events together, in one transaction: each event's ``describe``,
then a few statements for all of them (the people, their choices and devices, the INSERTs),
so the cost per event does not grow with the people it tells. A round that fails is taken
again one event at a time, so one bad event never holds back the others.
"""

from __future__ import annotations

import datetime
import logging
from collections.abc import Sequence
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.db.models import Count, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
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

BATCH = 1000  # rows per INSERT (a round of blog posts to whole schools stays within limits)


@dataclass(frozen=True)
class FannedOut:
    notifications: int
    deliveries: int
    in_inbox: dict[int, int]  # recipient id -> unread count after the fan-out


def fan_out(event: Event) -> FannedOut:
    """Write the event's notifications and deliveries (``fan_out_many`` of one event)."""
    return fan_out_many([event])


def fan_out_many(events: Sequence[Event]) -> FannedOut:
    """Write the notifications and deliveries of these events. Precondition: inside a
    transaction that also marks them done (so a crash leaves neither). Queries: each kind's
    ``describe``, then four reads and two INSERTs for all the events together, however many
    people they tell."""
    described: list[tuple[Event, kinds.Kind, kinds.Notice, dict[int, str], dict[str, kinds.Param]]] = []
    for event in events:
        kind = kinds.kind(event.kind)
        notice = kind.describe(event.data) if kind is not None else None
        if kind is None or notice is None:
            continue
        # Never the actor (nobody hears of their own action).
        audience = {pk: who for pk, who in notice.recipients.items() if pk != notice.actor_id}
        if audience:
            described.append((event, kind, notice, audience, dict(notice.params)))
    if not described:
        return FannedOut(0, 0, {})
    people = _people({pk for _e, _k, _n, audience, _p in described for pk in audience})
    # Nobody an event already reached (a second worker that took the events over when the
    # first one's claim ran out).
    told = set(
        Notification.objects.filter(event__in=[event for event, *_rest in described]).values_list(
            "event", "recipient"
        )
    )
    choices = preferences.overrides_of(people)
    devices: dict[int, list[int]] = {}
    for user_id, device in PushSubscription.objects.filter(user__in=list(people)).values_list("user", "pk"):
        devices.setdefault(user_id, []).append(device)
    now = timezone.now()
    planned: list[tuple[Notification, set[str], _Person]] = []
    for event, kind, notice, audience, params in described:
        for pk, who in audience.items():
            person = people.get(pk)
            if person is None or (event.pk, pk) in told:
                continue  # not active, or told already
            wanted = preferences.channels(kind.group, who, choices.get(pk, {}))
            if not person.email:
                wanted.discard(Channel.EMAIL)
            if not devices.get(pk):
                wanted.discard(Channel.PUSH)
            if not wanted:
                continue
            own = notice.params_for.get(pk)
            notification = Notification(
                recipient_id=pk,
                event=event,
                kind=kind.name,
                group=kind.group,
                actor_id=notice.actor_id,
                params={**params, **own} if own else params,
                url=notice.url,
                source=notice.source or source_of(notice.url),
                target=notice.target,
                in_inbox=Channel.IN_APP in wanted,
                audience=who,
            )
            planned.append((notification, wanted, person))
    Notification.objects.bulk_create([notification for notification, _w, _p in planned], batch_size=BATCH)
    deliveries: list[Delivery] = []
    for notification, wanted, person in planned:
        choice = person.settings or quiet.default_for(notification.audience)
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
                    notification=notification,
                    channel=Channel.PUSH,
                    subscription_id=device,
                    next_attempt_at=at,
                )
                for device in devices[person.pk]
            ]
    Delivery.objects.bulk_create(deliveries, batch_size=BATCH)
    # Each person's unread count now: the one read with the people, and one per new line.
    unread: dict[int, int] = {}
    for _notification, wanted, person in planned:
        if Channel.IN_APP in wanted:
            unread[person.pk] = unread.get(person.pk, person.unread) + 1
    return FannedOut(len(planned), len(deliveries), unread)


@dataclass(frozen=True)
class _Person:
    pk: int
    email: str
    settings: NotificationSettings | None  # None: never chose (the defaults for who they are)
    unread: int  # unread inbox notifications before this fan-out's


_SETTINGS = ("email_mode", "digest_hour", "quiet_from", "quiet_until", "quiet_weekends")


def _people(user_ids: set[int]) -> dict[int, _Person]:
    """The active ones of these people, with their address, settings and unread count (one
    query)."""
    unread = (
        Notification.objects.filter(recipient=OuterRef("pk"), read_at__isnull=True, in_inbox=True)
        .order_by()
        .values("recipient")
        .annotate(n=Count("pk"))
        .values("n")
    )
    rows = (
        User.objects.filter(pk__in=list(user_ids), is_active=True)
        .annotate(unread=Coalesce(Subquery(unread), 0))
        .order_by()
        .values("pk", "email", "unread", *[f"notification_settings__{name}" for name in _SETTINGS])
    )
    people = {}
    for row in rows:
        stored = {name: row[f"notification_settings__{name}"] for name in _SETTINGS}
        chose = stored["email_mode"] is not None  # never NULL in a stored row
        people[row["pk"]] = _Person(
            row["pk"],
            row["email"],
            NotificationSettings(user_id=row["pk"], **stored) if chose else None,
            row["unread"],
        )
    return people


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
    if not counts:
        return
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
    if not claimed:
        return 0
    counts = _fan_out_together(claimed) if len(claimed) > 1 else None
    if counts is None:
        counts = _fan_out_each(claimed, max_attempts)
    # The unread counts of everyone told, the latest per person, in one pass after the
    # commit (one send per event cost more than the event's own writes).
    publish_unread(counts)
    return len(claimed)


def _fan_out_together(claimed: list[Event]) -> dict[int, int] | None:
    """The events in one transaction, a few statements for them all: the unread counts of
    the people told, or None if that failed (one event's ``describe`` raising, say), when
    ``_fan_out_each`` takes them one by one."""
    try:
        with transaction.atomic():
            result = fan_out_many(claimed)
            Event.objects.filter(pk__in=[event.pk for event in claimed]).update(done_at=timezone.now())
    except Exception:
        log.warning("fan-out of %d events together failed; one by one", len(claimed), exc_info=True)
        return None
    return result.in_inbox


def _fan_out_each(claimed: list[Event], max_attempts: int) -> dict[int, int]:
    """Each event in its own transaction; one that fails is retried in a later round, until
    ``max_attempts``. Returns the unread counts of the people told."""
    counts: dict[int, int] = {}
    for event in claimed:
        try:
            with transaction.atomic():
                result = fan_out(event)
                event.done_at = timezone.now()
                event.save(update_fields=["done_at"])
        except Exception as error:  # one bad event must not stop the queue
            log.exception("fan-out of %s failed", event)
            event.last_error = repr(error)[:2000]
            if event.attempts >= max_attempts:
                event.done_at = timezone.now()
            event.save(update_fields=["last_error", "done_at"])
        else:
            counts.update(result.in_inbox)
    return counts
