"""One run of the register sync: read, then plan and apply each school in its own
transaction, whole or not at all, and record what was done (``RosterRun``,
``RosterRunSchool``).

A dry run makes the same plans and writes nothing but the records. An incremental run asks
the register for what changed after the reading time of the last run that applied every
school; without one it reads everything. A failure to read the register fails the run; a
failure to read or apply one school fails that school only.
"""

from __future__ import annotations

import datetime
import logging
from collections.abc import Callable
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import civic, policy
from accounts.errors import ActionError
from accounts.models import School
from roster.apply import apply_plan
from roster.local import find_school
from roster.models import RosterRun, RosterRunSchool, SourceLink
from roster.plan import SchoolPlan, plan_school
from roster.reading import Index

log = logging.getLogger("elevdialog.roster")

Reader = Callable[[datetime.datetime | None, set[str] | None], Any]


class _Rollback(Exception):
    """Raised to roll a dry run's reading transaction back (it writes nothing anyway)."""


def sync(
    read: Reader,
    *,
    trigger: str,
    mode: str = RosterRun.Mode.FULL,
    dry_run: bool = False,
    school_id: int | None = None,
    requested_by_id: int | None = None,
    run: RosterRun | None = None,
) -> RosterRun:
    """Read the register through ``read(modified_after, school_source_ids)`` (a
    ``roster.snapshot.Snapshot``) and bring the schools in step; returns the finished run."""
    from roster.sources import SourceError

    if run is None:
        run = RosterRun.objects.create(
            trigger=trigger, mode=mode, dry_run=dry_run, school_id=school_id, requested_by_id=requested_by_id
        )
    run.status, run.started_at = RosterRun.Status.RUNNING, timezone.now()
    run.save(update_fields=["status", "started_at"])
    source_ids: set[str] | None = None
    if run.school_id is not None:
        source_ids = set(
            SourceLink.objects.filter(kind=SourceLink.Kind.SCHOOL, local_id=run.school_id).values_list(
                "source_id", flat=True
            )
        )
        if not source_ids:
            return _fail(run, _("This school is not in the student register yet: a full sync adds it first."))
    if run.mode == RosterRun.Mode.INCREMENTAL:
        run.modified_after = last_read_time(run.school_id)
    try:
        snapshot = read(run.modified_after, source_ids)
    except SourceError as error:
        return _fail(run, str(error))
    except Exception as error:  # a bug or an unexpected answer: said plainly, never raised on
        log.error("roster read failed: %s", _masked(error))
        return _fail(run, _("Reading the student register failed unexpectedly."))
    run.source = str(snapshot.source)[:300]
    today = policy.today()
    index = Index.of(snapshot.persons, [s.organisation.get("id") for s in snapshot.schools], snapshot.deleted)
    index.school_of_group = {
        group["id"]: school.organisation.get("id")
        for school in snapshot.schools
        for group in school.groups
        if group.get("id")
    }
    outcomes = []
    for data in snapshot.schools:
        if source_ids is not None and data.organisation.get("id") not in source_ids:
            continue
        outcomes.append(_sync_school(run, snapshot, data, index, today))
    failed = sum(1 for o in outcomes if o.status == RosterRunSchool.Status.FAILED)
    if outcomes and failed == len(outcomes):
        run.status = RosterRun.Status.FAILED
    elif failed or any(o.problems for o in outcomes):
        run.status = RosterRun.Status.PROBLEMS
    else:
        run.status = RosterRun.Status.DONE
    if not run.dry_run and not failed:
        run.read_started_at = snapshot.read_started_at
    run.finished_at = timezone.now()
    run.save(update_fields=["status", "source", "modified_after", "read_started_at", "finished_at"])
    return run


# An incremental read asks for changes from this long before the last read began. The
# register stamps ``meta.modified`` with its own clock, which may run behind ours, and an
# entity changed while the last read was under way may carry a time just before it began;
# reading a few minutes twice costs nothing, since applying the same state changes nothing.
REGISTER_CLOCK_MARGIN = datetime.timedelta(minutes=10)


def last_read_time(school_id: int | None) -> datetime.datetime | None:
    """When the reading of the last run that applied every school (of this school's run, or
    of all schools) began, less ``REGISTER_CLOCK_MARGIN``: an incremental read asks for what
    changed after it."""
    runs = RosterRun.objects.filter(dry_run=False, read_started_at__isnull=False).exclude(
        status=RosterRun.Status.FAILED
    )
    runs = (
        runs.filter(Q(school__isnull=True) | Q(school_id=school_id))
        if school_id
        else runs.filter(school__isnull=True)
    )
    began = runs.order_by("-read_started_at").values_list("read_started_at", flat=True).first()
    return began - REGISTER_CLOCK_MARGIN if began is not None else None


def _sync_school(
    run: RosterRun, snapshot: Any, data: Any, index: Index, today: datetime.date
) -> RosterRunSchool:
    organisation = data.organisation
    record = RosterRunSchool(
        run=run,
        source_id=str(organisation.get("id") or "")[:200],
        name=str(organisation.get("displayName") or "")[:200],
    )
    if data.error:
        # The school's administrators see the failure on their school's page.
        record.school, _link = find_school(record.source_id, record.name)
        record.status = RosterRunSchool.Status.FAILED
        record.problems = [{"code": "read_failed", "message": data.error}]
        record.save()
        return record
    plan: SchoolPlan | None = None
    school_before: School | None = None
    try:
        with transaction.atomic():
            plan = plan_school(snapshot, data, index, today)
            school_before = plan.school  # one made by the plan goes if it rolls back
            if run.dry_run:
                raise _Rollback
            apply_plan(plan)
    except _Rollback:
        pass
    except Exception as error:  # that school is rolled back; the others go on
        message = error.message if isinstance(error, ActionError) else _masked(error)
        log.error("roster sync of school %s rolled back: %s", record.source_id, message)
        record.status = RosterRunSchool.Status.FAILED
        record.school = school_before
        record.changes = plan.changes if plan is not None else []
        record.problems = [
            *(plan.problems if plan is not None else []),
            {"code": "apply_failed", "message": message},
        ]
        record.save()
        return record
    assert plan is not None
    record.school = plan.school if plan.school is not None and plan.school.pk else None
    record.changes, record.problems, record.counts = plan.changes, plan.problems, plan.counts
    if run.dry_run:
        record.status = RosterRunSchool.Status.PLANNED
    else:
        record.status = RosterRunSchool.Status.APPLIED if plan.ops else RosterRunSchool.Status.UNCHANGED
    record.save()
    return record


def _masked(error: BaseException) -> str:
    """The error in words, with anything shaped like a civic number masked (a database
    error may quote the row it refused)."""
    text = f"{type(error).__name__}: {error}"
    return civic.LOOKS_LIKE_CIVIC_NUMBER.sub("[…]", text)[:500]


def _fail(run: RosterRun, message: str) -> RosterRun:
    run.status, run.error, run.finished_at = RosterRun.Status.FAILED, message, timezone.now()
    run.save(update_fields=["status", "error", "finished_at", "modified_after"])
    return run
