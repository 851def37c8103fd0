"""The register sync's kinds in the register of what is held (``accounts.held``).

A run names a person only as the school administrator who asked for it (``requested_by``);
the run and what it did at each school are the school's, so removing that person clears the
reference and keeps the run.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from accounts.held import ID, HeldKind, clear_reference, columns, declare, where
from roster.models import RosterRun, RosterRunSchool

RUN_FIELDS = {
    **ID,
    "trigger": "nightly, manual (asked for by a school administrator), command or demo.",
    "dry_run": "Whether it only showed the changes.",
    "status": "queued, running, done, problems or failed.",
    "requested_at": "When it was asked for.",
}
RUN = HeldKind(
    name="roster.rosterrun",
    model=RosterRun,
    label=_("Register syncs asked for"),
    fields=RUN_FIELDS,
    export=columns(RUN_FIELDS),
    of_person=where(RosterRun, "requested_by_id"),
    remove=clear_reference("requested_by"),
)


def _clear_runs_requester(rows: QuerySet[Any]) -> int:
    """The person is named only on the run: clear it there and keep what the run did."""
    return RosterRun.objects.filter(pk__in=rows.values("run_id")).update(requested_by=None)


RUN_SCHOOL_FIELDS = {
    **ID,
    "run": "The run (roster.rosterrun) it was part of.",
    "name": "The school.",
    "status": "applied, unchanged, planned (a dry run) or failed.",
}
RUN_SCHOOL = HeldKind(
    name="roster.rosterrunschool",
    model=RosterRunSchool,
    label=_("Register syncs of a school asked for"),
    fields=RUN_SCHOOL_FIELDS,
    export=columns(RUN_SCHOOL_FIELDS, run=lambda row: row.run_id),
    of_person=where(RosterRunSchool, "run__requested_by_id"),
    remove=_clear_runs_requester,
)

declare(RUN, RUN_SCHOOL)
