"""Every write of the notifications app: reading notifications, choices and devices."""

from __future__ import annotations

import base64
import binascii
import datetime
import ipaddress
from collections.abc import Mapping
from urllib.parse import urlsplit

from cryptography.hazmat.primitives.asymmetric import ec
from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import events
from accounts.errors import NotFound, Refused
from accounts.models import User
from notifications import kinds, quiet
from notifications.fanout import unread_counts
from notifications.models import Channel, Notification, NotificationSettings, Preference, PushSubscription

MAX_DEVICES = 20  # a person's browsers with push; the oldest goes when a new one passes it


def _publish_unread(user: User) -> None:
    counts = unread_counts([user.pk])
    events.publish([events.user_group(user.pk)], {"type": "inbox.changed", "unread": counts[user.pk]})


def own_notification(actor: User, notification_id: int) -> Notification:
    """The actor's own notification, or 404 (someone else's looks missing)."""
    notification = Notification.objects.filter(pk=notification_id, recipient=actor).first()
    if notification is None:
        raise NotFound
    return notification


@transaction.atomic
def open_notification(actor: User, notification_id: int) -> tuple[Notification, bool]:
    """Mark it read and say whether the policy still lets the actor open what it points to
    (access may have ended since it was sent)."""
    notification = own_notification(actor, notification_id)
    if notification.read_at is None:
        notification.read_at = timezone.now()
        Notification.objects.filter(notification.same_group(), read_at__isnull=True).update(
            read_at=notification.read_at
        )
        _publish_unread(actor)
    return notification, kinds.may_open(actor, notification.target)


@transaction.atomic
def mark_read(actor: User, notification_id: int, *, read: bool = True) -> Notification:
    """Mark the notification read (or unread again) with the others the inbox shows on the
    same line: of its kind, from its actor, about its source, read or unread as it was."""
    notification = own_notification(actor, notification_id)
    line = Notification.objects.filter(
        notification.same_group(), read_at__isnull=notification.read_at is None
    )
    if read:
        notification.read_at = notification.read_at or timezone.now()
        line.filter(read_at__isnull=True).update(read_at=notification.read_at)
    else:
        notification.read_at = None
        line.update(read_at=None)
    _publish_unread(actor)
    return notification


@transaction.atomic
def mark_all_read(actor: User) -> int:
    count = Notification.objects.filter(recipient=actor, read_at__isnull=True).update(read_at=timezone.now())
    _publish_unread(actor)
    return count


def _hour(value: object, field: str) -> datetime.time:
    if isinstance(value, datetime.time):
        return value
    try:
        return datetime.time.fromisoformat(str(value))
    except ValueError:
        raise Refused("invalid", _("Give a time like 21:00."), field=field) from None


@transaction.atomic
def save_settings(
    actor: User,
    *,
    email_mode: str,
    digest_hour: int,
    quiet_from: datetime.time | str,
    quiet_until: datetime.time | str,
    quiet_weekends: bool,
    choices: Mapping[tuple[str, str], bool],
) -> NotificationSettings:
    """Store the person's settings; ``choices`` maps (group, channel) to on/off for every
    cell of the settings grid. Raises ``Refused``."""
    if email_mode not in NotificationSettings.EmailMode.values:
        raise Refused("invalid", _("Choose when e-mails are sent."), field="email_mode")
    if not 0 <= digest_hour <= 23:
        raise Refused("invalid", _("Choose an hour between 0 and 23."), field="digest_hour")
    start, end = _hour(quiet_from, "quiet_from"), _hour(quiet_until, "quiet_until")
    unknown = [key for key in choices if key[0] not in kinds.GROUP_KEYS or key[1] not in Channel.values]
    if unknown:
        raise Refused("invalid", _("Unknown choice: %(choice)s") % {"choice": "/".join(unknown[0])})
    row, _created = NotificationSettings.objects.update_or_create(
        user=actor,
        defaults={
            "email_mode": email_mode,
            "digest_hour": digest_hour,
            "quiet_from": start,
            "quiet_until": end,
            "quiet_weekends": quiet_weekends,
        },
    )
    # A choice the same as the default for family and staff alike is not kept, so a better
    # default later reaches everyone who never chose. (Both: a teacher is told some things
    # as a parent of their own child, and the page showed them the staff defaults.)
    Preference.objects.filter(user=actor).delete()
    Preference.objects.bulk_create(
        Preference(user=actor, group=group, channel=channel, enabled=enabled)
        for (group, channel), enabled in choices.items()
        if not enabled
        == (channel in kinds.DEFAULTS[group][kinds.FAMILY])
        == (channel in kinds.DEFAULTS[group][kinds.STAFF])
    )
    return row


def settings_of(user: User, audience: str) -> NotificationSettings:
    """The person's settings, or the defaults (unsaved) for who they are: staff get working
    hours 07-17 on weekdays, everyone else quiet nights 21-07."""
    row = NotificationSettings.objects.filter(user=user).first()
    if row is not None:
        return row
    default = quiet.default_for(audience)
    return NotificationSettings(
        user=user,
        quiet_from=default.quiet_from,
        quiet_until=default.quiet_until,
        quiet_weekends=default.quiet_weekends,
    )


def _key(value: str, length: int, field: str) -> str:
    try:
        raw = base64.urlsafe_b64decode(value + "=" * (-len(value) % 4))
    except (binascii.Error, ValueError):
        raise Refused("invalid", _("The browser sent a key that is not valid."), field=field) from None
    if len(raw) != length:
        raise Refused("invalid", _("The browser sent a key that is not valid."), field=field)
    if field == "p256dh":
        try:  # a point on the P-256 curve, or no push could ever be encrypted for it
            ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), raw)
        except ValueError:
            raise Refused("invalid", _("The browser sent a key that is not valid."), field=field) from None
    return value


def _endpoint(value: str) -> str:
    """A push service's URL: https to a named host (never an address or this machine,
    so the worker cannot be pointed at internal services)."""
    parts = urlsplit(value)
    allowed_schemes = {"https", "http"} if settings.WEB_PUSH_ALLOW_HTTP else {"https"}
    host = parts.hostname or ""
    invalid = parts.scheme not in allowed_schemes or not host or len(value) > 1000
    if not settings.WEB_PUSH_ALLOW_HTTP:
        try:
            ipaddress.ip_address(host)
            invalid = True
        except ValueError:
            invalid = invalid or host == "localhost" or host.endswith(".localhost")
    if invalid:
        raise Refused("invalid", _("The browser gave a push address that cannot be used."), field="endpoint")
    return value


_BROWSERS = (
    ("Edg", "Edge"),
    ("OPR", "Opera"),
    ("SamsungBrowser", "Samsung Internet"),
    ("FxiOS", "Firefox"),
    ("Firefox", "Firefox"),
    ("CriOS", "Chrome"),
    ("Chrome", "Chrome"),
    ("Safari", "Safari"),
)
_SYSTEMS = (
    ("iPhone", "iPhone"),
    ("iPad", "iPad"),
    ("Android", "Android"),
    ("Windows", "Windows"),
    ("CrOS", "ChromeOS"),
    ("Mac OS X", "Mac"),
    ("Linux", "Linux"),
)


def device_name(user_agent: str) -> str:
    """ "Chrome, Android" from a browser's User-Agent, so people recognise their devices in
    the list; empty when it says nothing known."""
    browser = next((name for token, name in _BROWSERS if token in user_agent), "")
    system = next((name for token, name in _SYSTEMS if token in user_agent), "")
    return ", ".join(part for part in (browser, system) if part)


@transaction.atomic
def subscribe_push(
    actor: User, *, endpoint: str, p256dh: str, auth: str, device: str = ""
) -> PushSubscription:
    """Remember this browser for pushes. A browser that another person had subscribed
    (a shared computer) now belongs to the actor alone. Raises ``Refused``."""
    endpoint = _endpoint(endpoint)
    p256dh = _key(p256dh, 65, "p256dh")
    auth = _key(auth, 16, "auth")
    subscription, _created = PushSubscription.objects.update_or_create(
        endpoint=endpoint, defaults={"user": actor, "p256dh": p256dh, "auth": auth, "device": device[:120]}
    )
    surplus = PushSubscription.objects.filter(user=actor).order_by("-created_at", "-pk")[MAX_DEVICES:]
    PushSubscription.objects.filter(pk__in=list(surplus.values_list("pk", flat=True))).delete()
    return subscription


@transaction.atomic
def unsubscribe_push(actor: User, *, endpoint: str = "", subscription_id: int | None = None) -> int:
    """Forget one of the actor's devices (by its endpoint, or by id from the list)."""
    mine = PushSubscription.objects.filter(user=actor)
    mine = mine.filter(pk=subscription_id) if subscription_id is not None else mine.filter(endpoint=endpoint)
    deleted, _rows = mine.delete()
    return deleted
