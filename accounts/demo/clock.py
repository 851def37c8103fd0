"""Running the real actions as on a day in the past, for the demo's history (a student who
left years ago). Demo seeding only: the policy's clock and Django's ``timezone.now`` are set
back for the duration, so that dates, and the rules that depend on them, are those of the
day."""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from contextlib import contextmanager
from unittest import mock

from django.utils import timezone


@contextmanager
def as_on(day: datetime.date, hour: int = 10) -> Iterator[None]:
    moment = timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))
    with (
        mock.patch("accounts.policy.base.today", return_value=day),
        mock.patch("django.utils.timezone.now", return_value=moment),
    ):
        yield
