"""The notifications app's kinds in the register of what is held (``accounts.held``).

Notifications are a way to the documents, not documents themselves (they are pruned after
``NOTIFICATIONS_KEEP_DAYS``), but while they exist they are held: those about a student's
page are in the student's record, whoever received them; those a person received are about
that person. What they are about is known by their ``target`` ("student_page:<student id>")
and by the event's data (``student_id``).

An export never carries a notification's ``actor`` or ``params``: on a class blog the actor
is often a classmate, and the params may name a child (a first name, a thread). Kind, time
and link say what happened without them.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from accounts.held import ID, HeldKind, columns, declare, delete_with_collector, where
from notifications.models import (
    Delivery,
    Event,
    Notification,
    NotificationSettings,
    Preference,
    PushSubscription,
)


def page_target(student_id: int) -> str:
    """The target of every notification about the student's page (``dialogue.notices``)."""
    return f"student_page:{student_id}"


EVENT_FIELDS = {
    **ID,
    "kind": "What happened, such as message.posted or talk.booked.",
    "created_at": "When it happened.",
    "done_at": "When the people concerned had been told; null while waiting.",
}


def _events_about(student_id: int) -> QuerySet[Event]:
    return Event.objects.filter(data__student_id=student_id)


# An event about the student's page names the student in its data. It is removed with
# Django's collector, so the notifications and deliveries made from it go too, whatever
# their target.
EVENT = HeldKind(
    name="notifications.event",
    model=Event,
    label=_("Events on the page that people were told of"),
    fields=EVENT_FIELDS,
    export=columns(EVENT_FIELDS),
    of_student=_events_about,
    remove=delete_with_collector,
)

NOTIFICATION_FIELDS = {
    **ID,
    "kind": "What happened, such as message.posted.",
    "group": "The group of kinds it belongs to in the settings (messages, goals, ...).",
    "url": "The address in Elevdialog it points to.",
    "audience": "family (the student and guardians) or staff: whose defaults applied.",
    "in_inbox": "Whether it was shown in the inbox.",
    "created_at": "When it was made.",
    "read_at": "When it was read; null if unread.",
}
NOTIFICATION = HeldKind(
    name="notifications.notification",
    model=Notification,
    label=_("Notifications"),
    fields=NOTIFICATION_FIELDS,
    export=columns(NOTIFICATION_FIELDS),
    of_student=lambda student_id: Notification.objects.filter(target=page_target(student_id)),
    of_person=where(Notification, "recipient_id"),
)

DELIVERY_FIELDS = {
    **ID,
    "notification": "The number of the notification delivered.",
    "channel": "email or push.",
    "status": "pending, sending, sent, skipped, gone or failed.",
    "digest": "Whether an e-mail was gathered into the daily digest.",
    "sent_at": "When it was sent; null if not.",
}
DELIVERY = HeldKind(
    name="notifications.delivery",
    model=Delivery,
    label=_("Notifications sent by e-mail or push"),
    fields=DELIVERY_FIELDS,
    export=columns(DELIVERY_FIELDS, notification=lambda row: row.notification_id),
    of_student=lambda student_id: Delivery.objects.filter(notification__target=page_target(student_id)),
    of_person=where(Delivery, "notification__recipient_id"),
)


def _push_service(row: Any) -> str:
    return urlsplit(row.endpoint).hostname or ""


PUSH_FIELDS = {
    **ID,
    "device": "The device and browser, as the browser described itself.",
    "push_service": "The push service of the browser (its address's host).",
    "created_at": "When pushes were turned on.",
    "last_success_at": "When a push last reached it; null if never.",
}
# The endpoint and keys themselves are not exported: they let anyone who has them push to
# the device.
PUSH_SUBSCRIPTION = HeldKind(
    name="notifications.pushsubscription",
    model=PushSubscription,
    label=_("Devices with push notifications"),
    fields=PUSH_FIELDS,
    export=columns(PUSH_FIELDS, push_service=_push_service),
    of_person=where(PushSubscription, "user_id"),
)

SETTINGS_FIELDS = {
    "email_mode": "instant or digest: when e-mails are sent.",
    "digest_hour": "The hour the daily digest is sent.",
    "quiet_from": "No pushes from this time of day (HH:MM:SS)...",
    "quiet_until": "...until this time.",
    "quiet_weekends": "Whether Saturdays and Sundays are quiet too.",
    "updated_at": "When the settings were last changed.",
}
SETTINGS = HeldKind(
    name="notifications.notificationsettings",
    model=NotificationSettings,
    label=_("Notification settings"),
    fields=SETTINGS_FIELDS,
    export=columns(SETTINGS_FIELDS),
    of_person=where(NotificationSettings, "user_id"),
)

PREFERENCE_FIELDS = {
    **ID,
    "group": "The group of kinds (messages, goals, ...).",
    "channel": "in_app, push or email.",
    "enabled": "Whether the person wants that group on that channel.",
}
PREFERENCE = HeldKind(
    name="notifications.preference",
    model=Preference,
    label=_("Notification choices"),
    fields=PREFERENCE_FIELDS,
    export=columns(PREFERENCE_FIELDS),
    of_person=where(Preference, "user_id"),
)

declare(EVENT, NOTIFICATION, DELIVERY, PUSH_SUBSCRIPTION, SETTINGS, PREFERENCE)
