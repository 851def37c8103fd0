"""Quiet hours: when a person gets no pushes (the night, or outside a teacher's working
hours). Pushes that fall in them wait until they end; nothing else waits."""

from __future__ import annotations

import datetime

from django.utils import timezone

from notifications.models import NotificationSettings

DEFAULT = NotificationSettings()
# Staff who never chose: no pushes outside a working day of 07-17 on weekdays.
STAFF_DEFAULT = NotificationSettings(
    quiet_from=datetime.time(17, 0), quiet_until=datetime.time(7, 0), quiet_weekends=True
)


def default_for(audience: str) -> NotificationSettings:
    return STAFF_DEFAULT if audience == "staff" else DEFAULT


def is_quiet(moment: datetime.datetime, choice: NotificationSettings | None) -> bool:
    choice = choice or DEFAULT
    local = timezone.localtime(moment)
    if choice.quiet_weekends and local.weekday() >= 5:
        return True
    start, end, now = choice.quiet_from, choice.quiet_until, local.time()
    if start == end:
        return False
    if start > end:  # over midnight, 21:00-07:00
        return now >= start or now < end
    return start <= now < end


def next_allowed(moment: datetime.datetime, choice: NotificationSettings | None) -> datetime.datetime:
    """``moment`` itself if it is not quiet, else the first moment after it that is not."""
    if not is_quiet(moment, choice):
        return moment
    choice = choice or DEFAULT
    local = timezone.localtime(moment)
    # Quiet time can only end at ``quiet_until`` or at midnight (a weekend ending).
    candidates = []
    for days in range(0, 9):
        day = local.date() + datetime.timedelta(days=days)
        for at in (choice.quiet_until, datetime.time(0, 0)):
            candidate = timezone.make_aware(datetime.datetime.combine(day, at), local.tzinfo)
            if candidate > local:
                candidates.append(candidate)
    for candidate in sorted(candidates):
        if not is_quiet(candidate, choice):
            return candidate
    return moment  # every moment quiet (cannot happen with a week of candidates): send


def next_digest(moment: datetime.datetime, choice: NotificationSettings | None) -> datetime.datetime:
    """The next time the person's daily digest goes out (today at the hour, or tomorrow)."""
    hour = (choice or DEFAULT).digest_hour
    local = timezone.localtime(moment)
    at = local.replace(hour=hour, minute=0, second=0, microsecond=0)
    return at if at > local else at + datetime.timedelta(days=1)
