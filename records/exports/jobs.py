"""The worker's side of exports: claim a queued export with a lease, build it, and remove
expired ones. Registered as a periodic job of the worker (``records.apps``).

A claim is a lease (as the notifications' outbox events have): ``claimed_until`` is renewed
after each kind; a worker that dies mid-build leaves the export ``building`` with a lease
that runs out, and the next round takes it again (at most ``MAX_ATTEMPTS`` times). Two
workers never build the same export: the claim is ``SELECT ... FOR UPDATE SKIP LOCKED``, and
a build whose lease was taken over meanwhile throws its ZIP away instead of finishing.
"""

from __future__ import annotations

import datetime
import logging

from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from records.exports.actions import KEPT_FOR
from records.exports.building import build_zip
from records.models import DataExport
from writing.uploads import private_storage

log = logging.getLogger("elevdialog.records")

LEASE = datetime.timedelta(minutes=10)
MAX_ATTEMPTS = 3
EVERY_SECONDS = 3


def run_exports() -> int:
    """The periodic job: remove what expired, then build one waiting export (one per round,
    so the worker's other work waits at most one build). Returns how many it built."""
    expire_due()
    export = claim_next()
    if export is None:
        return 0
    build(export)
    return 1


def _waiting(now: datetime.datetime) -> Q:
    return Q(status=DataExport.Status.QUEUED) | Q(status=DataExport.Status.BUILDING, claimed_until__lt=now)


def claim_next(now: datetime.datetime | None = None) -> DataExport | None:
    now = now or timezone.now()
    with transaction.atomic():
        export = (
            DataExport.objects.select_for_update(skip_locked=True)
            .filter(_waiting(now))
            .order_by("created_at", "pk")
            .first()
        )
        if export is None:
            return None
        if export.attempts >= MAX_ATTEMPTS:
            export.status = DataExport.Status.FAILED
            export.error = "gave up after repeated crashes"
            export.claimed_until = None
            export.save(update_fields=["status", "error", "claimed_until"])
            return None
        export.status = DataExport.Status.BUILDING
        export.claimed_until = now + LEASE
        export.attempts += 1
        export.progress = 0
        export.save(update_fields=["status", "claimed_until", "attempts", "progress"])
    return export


def _mine(export: DataExport) -> QuerySet[DataExport]:
    # Still ours: building under the lease this worker last wrote.
    return DataExport.objects.filter(
        pk=export.pk, status=DataExport.Status.BUILDING, claimed_until=export.claimed_until
    )


def build(export: DataExport) -> None:
    """Build a claimed export; on success it is ready for seven days."""

    def progress(percent: int) -> None:
        lease = timezone.now() + LEASE
        if _mine(export).update(progress=percent, claimed_until=lease):
            export.claimed_until = lease

    try:
        built = build_zip(export, progress=progress)
    except Exception as error:  # one bad export must not stop the others
        log.exception("export %s failed", export.pk)
        _mine(export).update(status=DataExport.Status.FAILED, error=repr(error)[:200], claimed_until=None)
        return
    now = timezone.now()
    finished = _mine(export).update(
        status=DataExport.Status.READY,
        progress=100,
        file=built.name,
        size=built.size,
        ready_at=now,
        expires_at=now + KEPT_FOR,
        claimed_until=None,
        error="",
    )
    if not finished:  # another worker took it over after our lease ran out
        private_storage().delete(built.name)
        return
    log.info("export %s ready: %s bytes, %s kinds", export.pk, built.size, len(built.counts))


def expire_due(now: datetime.datetime | None = None) -> int:
    """Remove the files of exports past their seven days; they stay listed as expired."""
    now = now or timezone.now()
    due = list(DataExport.objects.filter(status=DataExport.Status.READY, expires_at__lte=now))
    for export in due:
        if export.file:
            private_storage().delete(export.file)
        DataExport.objects.filter(pk=export.pk, status=DataExport.Status.READY).update(
            status=DataExport.Status.EXPIRED, file="", size=0
        )
    return len(due)
