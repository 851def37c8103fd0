"""The worker's daily purge (registered in ``records.apps``). It logs counts only."""

from __future__ import annotations

import logging

from django.conf import settings

from records.retention.purge import run_purge

log = logging.getLogger(__name__)


def daily_purge() -> None:
    # Off in `make run`'s demo (RETENTION_DAILY_PURGE), whose student who left in 2021 is
    # there to be seen in a dry run.
    if not settings.RETENTION_DAILY_PURGE:
        return
    result = run_purge()
    if result.students or result.blogs or result.files_finished:
        log.info(
            "purge: %d student(s), %d class blog(s), %d row(s), %d pending file(s) finished",
            len(result.students),
            len(result.blogs),
            sum(sum(removal.counts.values()) for _subject, removal in [*result.students, *result.blogs]),
            result.files_finished,
        )
