"""Notifications are a way to the documents, not documents themselves: they are removed
after ``NOTIFICATIONS_KEEP_DAYS`` (the documents stay as long as the rules say)."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.utils import timezone

from notifications.models import Event


def prune_old_notifications(now: datetime.datetime | None = None) -> int:
    """Delete events fanned out longer ago than the keeping time, with their notifications
    and deliveries; returns how many events went. Run daily by the worker."""
    before = (now or timezone.now()) - datetime.timedelta(days=settings.NOTIFICATIONS_KEEP_DAYS)
    _total, by_model = Event.objects.filter(done_at__lt=before).delete()
    return int(by_model.get("notifications.Event", 0))
