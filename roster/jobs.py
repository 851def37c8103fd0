"""Syncs from the register in the background: asked for by a school administrator, or every
night. Both are stored as a queued ``RosterRun`` first and run by the worker
(``run_queued``, registered in ``roster.apps``), so that a page never waits on the register
and a run survives the web process.

One run at a time: a run reads the whole register and applies each school in a transaction
of its own, and two runs applying the same school at once could each miss what the other
wrote. So a run is not started while another is running, and a school administrator cannot
ask for a second run of a school whose run (or the nightly run, which covers every school)
waits or runs.

The nightly run (``run_nightly``) is queued once a day, at the first worker round after
``settings.ROSTER_NIGHTLY_AT`` local time. It is incremental (only what changed since the
last applied run, and the register's deleted entities) when an earlier applied run of every
school exists, and full otherwise. A full run is also made every Sunday (the night between
Saturday and Sunday, when nobody is at school), and whenever the last full run is more than
a week old: an incremental read sees what the register changed or deleted, but only a full
read sees what silently disappeared from it (a membership removed instead of ended), which
the sync then ends with a date.
"""

from __future__ import annotations

import datetime
import logging
import traceback

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import policy
from accounts.actions.actor import SYSTEM, Actor, person_or_none
from accounts.errors import NotFound, Refused
from accounts.models import School
from roster.models import RosterRun
from roster.sources import configured_reader
from roster.sync import sync

log = logging.getLogger("elevdialog.roster")

# The worker's rounds (``roster.apps``): a queued run starts within this many seconds.
QUEUE_EVERY_SECONDS = 15
NIGHTLY_EVERY_SECONDS = 300
# A run still marked running after this long was left by a worker that stopped mid-run; it
# is marked failed so that it no longer blocks new runs.
STALE_AFTER = datetime.timedelta(hours=3)
# Without a full read for this long, the nightly run is a full one whatever the day.
FULL_AT_LEAST_EVERY = datetime.timedelta(days=7)
SUNDAY = 6
# Serialises the claim of a run and the nightly check between workers (PostgreSQL).
_LOCK_KEY = 0x5512_0000

PENDING = (RosterRun.Status.QUEUED, RosterRun.Status.RUNNING)
APPLIED = (RosterRun.Status.DONE, RosterRun.Status.PROBLEMS)


def _lock_runs() -> None:
    """Inside a transaction: one worker at a time decides what runs (released at commit)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_LOCK_KEY])


def pending_runs_of(school: School) -> QuerySet[RosterRun]:
    """Runs that wait or run and would read ``school``: its own, and runs of every school."""
    return RosterRun.objects.filter(Q(school=school) | Q(school__isnull=True), status__in=PENDING)


def request_sync(actor: Actor, school_id: int, *, dry_run: bool) -> RosterRun:
    """Queue a run of one school for the worker, asked for by a school administrator of that
    school (or SYSTEM). ``dry_run`` computes the changes and applies none.

    Anyone else is answered as if the school were missing (``NotFound``). Refused when no
    register is configured, or when a run that reads the school already waits or runs."""
    if actor is SYSTEM:
        school = School.objects.filter(pk=school_id).first()
    else:
        school = policy.administered_schools(actor).filter(pk=school_id).first()  # type: ignore[arg-type]
    if school is None:
        raise NotFound
    if configured_reader() is None:
        raise Refused(
            "no_register",
            _(
                "No student register is configured for this installation. The operators set the "
                "register's address (or a file) in the settings."
            ),
        )
    with transaction.atomic():
        # The school's row is the lock: two administrators asking at once queue one run.
        School.objects.select_for_update().filter(pk=school.pk).first()
        waiting = pending_runs_of(school).order_by("requested_at").first()
        if waiting is not None:
            if waiting.school_id is None:
                message = _(
                    "The register is being read for every school right now. Wait until that run "
                    "has finished, then try again."
                )
            else:
                message = _(
                    "A run for this school is already waiting or running. Wait until it has "
                    "finished, then try again."
                )
            raise Refused("run_pending", message)
        return RosterRun.objects.create(
            trigger=RosterRun.Trigger.MANUAL,
            mode=RosterRun.Mode.FULL,
            dry_run=dry_run,
            status=RosterRun.Status.QUEUED,
            school=school,
            requested_by=person_or_none(actor),
        )


def run_queued(now: datetime.datetime | None = None) -> int:
    """The periodic job: start the oldest queued run, unless one is running. Runs one per
    round, so that the worker's other jobs wait at most one run. Returns how many it ran."""
    run = claim_next(now)
    if run is None:
        return 0
    execute(run)
    return 1


def claim_next(now: datetime.datetime | None = None) -> RosterRun | None:
    """Mark the oldest queued run running and return it; None when there is none, or while
    another run is running. A run left running by a stopped worker is marked failed first."""
    now = now or timezone.now()
    with transaction.atomic():
        _lock_runs()
        RosterRun.objects.filter(status=RosterRun.Status.RUNNING, started_at__lt=now - STALE_AFTER).update(
            status=RosterRun.Status.FAILED,
            finished_at=now,
            error=_("The run was interrupted (the worker stopped). Nothing more will happen in it."),
        )
        if RosterRun.objects.filter(status=RosterRun.Status.RUNNING).exists():
            return None
        run = (
            RosterRun.objects.select_for_update(skip_locked=True)
            .filter(status=RosterRun.Status.QUEUED)
            .order_by("requested_at", "pk")
            .first()
        )
        if run is None:
            return None
        run.status = RosterRun.Status.RUNNING
        run.started_at = now
        run.save(update_fields=["status", "started_at"])
    return run


def execute(run: RosterRun) -> RosterRun:
    """Run a claimed run through the sync. What stops it is recorded on the run in words for
    the administrator; the log gets where it stopped, never the error's text (which could
    hold what the register sent about a person)."""
    reader = configured_reader()
    if reader is None:
        return _failed(run, _("No student register is configured for this installation."))
    try:
        return sync(
            reader,
            trigger=run.trigger,
            mode=run.mode,
            dry_run=run.dry_run,
            school_id=run.school_id,
            requested_by_id=run.requested_by_id,
            run=run,
        )
    except Exception as error:  # one run's failure must not stop the worker's other jobs
        log.error(
            "roster run %s stopped on %s:\n%s",
            run.pk,
            type(error).__name__,
            "".join(traceback.format_tb(error.__traceback__)),
        )
        return _failed(run, _("The run stopped on an unexpected error; nothing more was applied."))


def _failed(run: RosterRun, error: str) -> RosterRun:
    run.status = RosterRun.Status.FAILED
    run.error = error
    run.finished_at = timezone.now()
    run.save(update_fields=["status", "error", "finished_at"])
    return run


def nightly_moment(now: datetime.datetime) -> datetime.datetime:
    """Today's scheduled moment (``ROSTER_NIGHTLY_AT``, local time) as an aware time."""
    local = timezone.localtime(now)
    hours, _sep, minutes = settings.ROSTER_NIGHTLY_AT.partition(":")
    moment = datetime.time(int(hours), int(minutes or 0))
    return timezone.make_aware(datetime.datetime.combine(local.date(), moment))


def run_nightly(now: datetime.datetime | None = None) -> RosterRun | None:
    """The periodic job: queue the nightly run of every school once a day, at the first round
    after ``ROSTER_NIGHTLY_AT`` (the queue's job runs it). Returns the run it queued, if any.
    Nothing is queued while no register is configured."""
    now = now or timezone.now()
    moment = nightly_moment(now)
    if now < moment or configured_reader() is None:
        return None
    with transaction.atomic():
        _lock_runs()
        if RosterRun.objects.filter(trigger=RosterRun.Trigger.NIGHTLY, requested_at__gte=moment).exists():
            return None
        return RosterRun.objects.create(
            trigger=RosterRun.Trigger.NIGHTLY,
            mode=nightly_mode(now),
            status=RosterRun.Status.QUEUED,
        )


def nightly_mode(now: datetime.datetime) -> str:
    """Incremental after an applied run of every school, full on Sundays and when the last
    full read of every school is more than a week old (see the module's docstring)."""
    applied = RosterRun.objects.filter(
        school__isnull=True, dry_run=False, status__in=APPLIED, read_started_at__isnull=False
    )
    if timezone.localtime(now).weekday() == SUNDAY:
        return RosterRun.Mode.FULL
    if not applied.filter(mode=RosterRun.Mode.FULL, read_started_at__gte=now - FULL_AT_LEAST_EVERY).exists():
        return RosterRun.Mode.FULL
    return RosterRun.Mode.INCREMENTAL
