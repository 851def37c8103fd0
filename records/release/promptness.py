"""How long a request for public records has waited, in working days, and when it is late.

A request is handled promptly (skyndsamt): normally the same or the next working day
(DOMAIN.md). Working days are Monday to Friday; public holidays are not known here and count
as working days, so a request is never shown as on time when it is late.

- The *handling day* is the day the request arrived, or the first working day after it when
  it arrived on a weekend (an e-mail on Saturday is first read on Monday).
- Its *age* is the number of working days after the handling day, up to and including today
  (or the day it was decided): 0 on the handling day, 1 on the next working day.
- It is *late* when it is older than one working day (age 2 or more) and still open: a
  request received on a Friday is on time all of Monday and late from Tuesday morning; one
  received on a Saturday or a Sunday is late from Wednesday morning.
"""

from __future__ import annotations

import datetime

from django.utils import timezone

SATURDAY = 5
# Older than this many working days is late.
PROMPT_WORKING_DAYS = 1


def is_working_day(day: datetime.date) -> bool:
    return day.weekday() < SATURDAY


def handling_day(received: datetime.date) -> datetime.date:
    """The first working day on or after ``received``."""
    while not is_working_day(received):
        received += datetime.timedelta(days=1)
    return received


def working_days_after(start: datetime.date, end: datetime.date) -> int:
    """The working days ``d`` with ``start < d <= end`` (0 when ``end <= start``), without
    walking day by day: whole weeks count five."""
    if end <= start:
        return 0
    days = (end - start).days
    weeks, rest = divmod(days, 7)
    count = weeks * 5
    for step in range(1, rest + 1):
        if is_working_day(start + datetime.timedelta(days=weeks * 7 + step)):
            count += 1
    return count


def age_in_working_days(received_at: datetime.datetime, until: datetime.date | None = None) -> int:
    """Working days since the request's handling day, up to ``until`` (today in the school's
    zone by default)."""
    until = until if until is not None else timezone.localdate()
    return working_days_after(handling_day(timezone.localdate(received_at)), until)


def is_late(received_at: datetime.datetime, until: datetime.date | None = None) -> bool:
    """Older than one working day on ``until`` (today by default)."""
    return age_in_working_days(received_at, until) > PROMPT_WORKING_DAYS
