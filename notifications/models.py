"""What the notifications app stores.

``Event``: an announced domain event, written in the same transaction as what it tells
(the durable outbox). The worker fans it out: one ``Notification`` per recipient (the
in-app inbox) and one ``Delivery`` per outside channel (an e-mail, a push per device).
Deliveries are the worker's queue: claimed with a lease, retried with backoff, and each
is sent at most once (unique per notification and channel or device).
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Channel(models.TextChoices):
    IN_APP = "in_app", _("In Elevdialog")
    PUSH = "push", _("Push notification")
    EMAIL = "email", _("E-mail")


class Event(models.Model):
    kind = models.CharField(max_length=60)
    data = models.JSONField(default=dict)
    created_at = models.DateTimeField(auto_now_add=True)
    # The worker holds an event it is fanning out until ``claimed_until``; a worker that
    # dies leaves the claim to expire and another takes the event again.
    claimed_until = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    done_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["created_at"], name="event_waiting", condition=Q(done_at__isnull=True))
        ]

    def __str__(self) -> str:
        return f"{self.kind} #{self.pk}"


class Notification(models.Model):
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="notifications")
    kind = models.CharField(max_length=60)
    group = models.CharField(max_length=30)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Names for the text (a subject, a student's first name, a class); never the content.
    params = models.JSONField(default=dict)
    url = models.CharField(max_length=300)
    # What the notification is about, as the inbox groups it: its URL without the fragment
    # (one thread of a page, one post, one talk). Notifications of one kind from one actor
    # about one source are one line in the inbox ("4 new messages from ...").
    source = models.CharField(max_length=300, blank=True, default="")
    # What the notification points to, checked against the policy again before any
    # delivery and whenever the inbox is shown ("student_page:12", "blog_post:7").
    target = models.CharField(max_length=60)
    audience = models.CharField(max_length=10, default="family")  # family or staff: the defaults
    # False when the person turned the inbox off for this kind but wants a push or e-mail.
    in_inbox = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            # A fan-out that runs twice (a worker died after writing) tells each person once.
            models.UniqueConstraint(fields=["event", "recipient"], name="one_notification_per_event")
        ]
        indexes = [
            models.Index(fields=["recipient", "-created_at"], name="inbox_order"),
            models.Index(fields=["recipient"], name="inbox_unread", condition=Q(read_at__isnull=True)),
            models.Index(fields=["recipient", "source"], name="inbox_source"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} → {self.recipient_id}"

    def same_group(self) -> Q:
        """The notifications of the recipient that the inbox shows as one line with this one."""
        return Q(recipient_id=self.recipient_id, kind=self.kind, actor_id=self.actor_id, source=self.source)


def source_of(url: str) -> str:
    """The source a notification pointing at ``url`` is grouped by: the URL without its
    fragment (a message's anchor in its thread)."""
    return url.split("#", 1)[0]


class PushSubscription(models.Model):
    """One browser on one device that asked for pushes (a person may have several)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="push_subscriptions"
    )
    endpoint = models.URLField(max_length=1000, unique=True)
    p256dh = models.CharField(max_length=200)
    auth = models.CharField(max_length=100)
    device = models.CharField(max_length=120, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_success_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.user_id}: {self.device or self.endpoint[:40]}"

    def subscription_info(self) -> dict[str, object]:
        return {"endpoint": self.endpoint, "keys": {"p256dh": self.p256dh, "auth": self.auth}}


class Delivery(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending"  # waiting for next_attempt_at (at once, after quiet hours, a digest)
        SENDING = "sending"  # claimed by a worker until claimed_until
        SENT = "sent"
        SKIPPED = "skipped"  # access ended, read before the quiet hours ended, turned off
        GONE = "gone"  # the push service said the subscription no longer exists
        FAILED = "failed"  # gave up after the last retry

    notification = models.ForeignKey(Notification, on_delete=models.CASCADE, related_name="deliveries")
    channel = models.CharField(max_length=10, choices=Channel.choices)
    subscription = models.ForeignKey(
        PushSubscription, null=True, blank=True, on_delete=models.SET_NULL, related_name="deliveries"
    )
    digest = models.BooleanField(default=False)  # an e-mail gathered into the daily digest
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    next_attempt_at = models.DateTimeField()
    claimed_until = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    sent_at = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(max_length=500, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["notification"], condition=Q(channel="email"), name="one_email_per_notification"
            ),
            models.UniqueConstraint(
                fields=["notification", "subscription"],
                condition=Q(channel="push"),
                name="one_push_per_device",
            ),
        ]
        indexes = [
            models.Index(
                fields=["next_attempt_at"],
                name="delivery_due",
                condition=Q(status__in=["pending", "sending"]),
            )
        ]

    def __str__(self) -> str:
        return f"{self.channel} of {self.notification_id}: {self.status}"


class NotificationSettings(models.Model):
    """A person's choices that are not per kind: e-mail timing and quiet hours."""

    class EmailMode(models.TextChoices):
        INSTANT = "instant", _("At once")
        DIGEST = "digest", _("Once a day, in one e-mail")

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        primary_key=True,
        on_delete=models.CASCADE,
        related_name="notification_settings",
    )
    email_mode = models.CharField(max_length=10, choices=EmailMode.choices, default=EmailMode.INSTANT)
    digest_hour = models.PositiveSmallIntegerField(default=17)
    # No push between quiet_from and quiet_until (local time); for staff these are the ends
    # of the working day, and with ``quiet_weekends`` Saturday and Sunday are quiet too.
    quiet_from = models.TimeField(default=datetime.time(21, 0))
    quiet_until = models.TimeField(default=datetime.time(7, 0))
    quiet_weekends = models.BooleanField(default=False)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"settings of {self.user_id}"


class Preference(models.Model):
    """A person's choice for one kind of event and one channel, where it differs from the
    default (``notifications.kinds.DEFAULTS``)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_preferences"
    )
    group = models.CharField(max_length=30)
    channel = models.CharField(max_length=10, choices=Channel.choices)
    enabled = models.BooleanField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "group", "channel"], name="one_preference_per_choice")
        ]

    def __str__(self) -> str:
        return f"{self.user_id} {self.group}/{self.channel}: {self.enabled}"
