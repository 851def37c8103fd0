"""Refusing an assertion seen before.

Each accepted assertion's id is written down until its validity ends (plus the clock skew);
the same id again is a replay and is refused. The unique column makes the check and the
write one step, so two copies posted at the same moment cannot both pass. Rows whose time
is over are removed here on the way, and by the worker's periodic job.
"""

from __future__ import annotations

import calendar
import datetime

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from saml2.time_util import str_to_time

from accounts.models import SeenAssertion

# Without a stated end, an id is kept this long (longer than any assertion lives).
DEFAULT_KEEP = datetime.timedelta(hours=1)


def _end(values: list[str | None]) -> datetime.datetime:
    ends = []
    for value in values:
        if not value:
            continue
        try:
            parsed = str_to_time(value)
        except (TypeError, ValueError):
            continue
        if parsed is not None:
            ends.append(datetime.datetime.fromtimestamp(calendar.timegm(parsed), tz=datetime.UTC))
    skew = datetime.timedelta(seconds=settings.SAML_CLOCK_SKEW_SECONDS)
    return (max(ends) if ends else timezone.now() + DEFAULT_KEEP) + skew


def remember_assertion(assertion_id: str, issuer: str, *not_on_or_after: str | None) -> bool:
    """Write down an accepted assertion; False if it was seen before (a replay).
    ``not_on_or_after``: the assertion's stated ends (its conditions, its subject
    confirmation), as SAML time strings."""
    forget_expired()
    try:
        with transaction.atomic():
            SeenAssertion.objects.create(
                assertion_id=assertion_id[:255],
                issuer=issuer[:1024],
                not_on_or_after=_end(list(not_on_or_after)),
            )
    except IntegrityError:
        return False
    return True


def forget_expired() -> int:
    """Remove the ids whose assertions can no longer be accepted anyway; how many."""
    deleted, _ = SeenAssertion.objects.filter(not_on_or_after__lt=timezone.now()).delete()
    return deleted
