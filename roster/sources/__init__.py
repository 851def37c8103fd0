"""Where the roster sync reads the student register from: an SS 12000 API (``read_api``)
or a JSON file of the same entities (``read_file``); ``configured_reader`` picks the one
the installation configured. Both return a ``roster.snapshot.Snapshot`` or raise
``SourceError``."""

from __future__ import annotations

import datetime
from collections.abc import Callable

from django.conf import settings

from roster.snapshot import Snapshot
from roster.sources.api import AuthenticationFailed, read_api
from roster.sources.common import SourceError, is_school
from roster.sources.jsonfile import read_file

Reader = Callable[[datetime.datetime | None, set[str] | None], Snapshot]

__all__ = [
    "AuthenticationFailed",
    "Reader",
    "SourceError",
    "configured_reader",
    "is_school",
    "read_api",
    "read_file",
]


def configured_reader() -> Reader | None:
    """``read_api`` when ROSTER_API_URL is set, else ``read_file(ROSTER_FILE)`` when that
    is set (a file is always read whole), else None: nothing to sync from."""
    if settings.ROSTER_API_URL:

        def from_api(
            modified_after: datetime.datetime | None, school_source_ids: set[str] | None
        ) -> Snapshot:
            return read_api(modified_after=modified_after, school_source_ids=school_source_ids)

        return from_api
    if settings.ROSTER_FILE:
        path = settings.ROSTER_FILE

        def from_file(
            modified_after: datetime.datetime | None, school_source_ids: set[str] | None
        ) -> Snapshot:
            return read_file(path)

        return from_file
    return None
