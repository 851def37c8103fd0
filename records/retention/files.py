"""Stored files of purged rows: their names are written (``PendingFileRemoval``) in the
transaction that removes the rows, and the files are removed after it commits, one pending
row at a time. A run killed in between leaves the list; every run finishes it first."""

from __future__ import annotations

import logging
from collections.abc import Iterable

from records.models import PendingFileRemoval
from writing.uploads import private_storage

log = logging.getLogger(__name__)


def queue_file_removals(names: Iterable[str]) -> int:
    """Inside the purge's transaction: promise to remove these files once it commits."""
    rows = [PendingFileRemoval(storage_name=name) for name in names]
    PendingFileRemoval.objects.bulk_create(rows)
    return len(rows)


def finish_file_removals() -> int:
    """Remove every promised file (outside any transaction: after the rows are gone for
    good) and its pending row; returns how many were finished. A file that cannot be
    removed now (a storage error) stays pending for the next run."""
    storage = private_storage()
    finished = 0
    for pk, name in PendingFileRemoval.objects.order_by("pk").values_list("pk", "storage_name").iterator():
        try:
            storage.delete(name)  # a file already gone (a run killed after this) is no error
        except OSError:
            log.exception("a purged file could not be removed yet (pending #%s)", pk)
            continue
        PendingFileRemoval.objects.filter(pk=pk).delete()
        finished += 1
    return finished
