"""Reads of the register's runs for the school administrator's pages: where the data comes
from, the runs that concern a school, and each run's result at that school.

A run concerns a school when it was asked for that school, or covers every school (the
nightly run, the command line, the demo) and read it. Its result there is the run's ``RosterRunSchool``
for the school, which a run that stopped before reading the school does not have.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import PurePath
from urllib.parse import urlsplit, urlunsplit

from django.conf import settings
from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet

from accounts.errors import NotFound
from accounts.models import School
from roster.models import RosterRun, RosterRunSchool

# How many older runs the register page lists.
OLDER_RUNS_SHOWN = 20


def configured_source() -> str:
    """Where the data comes from, to show people: the API's address without credentials,
    query or fragment, or the file's name without its folder. Empty when none is set."""
    if settings.ROSTER_API_URL:
        parts = urlsplit(settings.ROSTER_API_URL)
        host = parts.hostname or ""
        if parts.port:
            host = f"{host}:{parts.port}"
        return urlunsplit((parts.scheme, host, parts.path, "", ""))
    if settings.ROSTER_FILE:
        return PurePath(settings.ROSTER_FILE).name
    return ""


@dataclass
class RunAtSchool:
    """A run and what it did at one school (``result`` None when it has no result there)."""

    run: RosterRun
    result: RosterRunSchool | None

    @property
    def is_pending(self) -> bool:
        return self.run.status in (RosterRun.Status.QUEUED, RosterRun.Status.RUNNING)

    @property
    def problem_count(self) -> int:
        return len(self.result.problems) if self.result else 0


def runs_of_school(school: School) -> QuerySet[RosterRun]:
    """Runs that concern the school, newest first, each with ``results``: its result at the
    school (a list of none or one). A run of every school concerns it while it waits or
    runs, when it stopped before reaching the schools, and when it has a result here; one
    that finished without reading this school (it is not in that register) is left out."""
    here = RosterRunSchool.objects.filter(run=OuterRef("pk"), school=school)
    every_school = Q(school__isnull=True) & (
        Q(status__in=[RosterRun.Status.QUEUED, RosterRun.Status.RUNNING, RosterRun.Status.FAILED])
        | Q(Exists(here))
    )
    return (
        RosterRun.objects.filter(Q(school=school) | every_school)
        .select_related("requested_by")
        .prefetch_related(
            Prefetch("schools", queryset=RosterRunSchool.objects.filter(school=school), to_attr="results")
        )
        .order_by("-requested_at", "-pk")
    )


def _at_school(run: RosterRun) -> RunAtSchool:
    results = getattr(run, "results", [])
    return RunAtSchool(run, results[0] if results else None)


@dataclass
class RegisterPage:
    """The school's register page: runs waiting or running, the last finished run, and the
    older ones (``OLDER_RUNS_SHOWN`` at most)."""

    school: School
    source: str
    pending: list[RunAtSchool]
    last: RunAtSchool | None
    older: list[RunAtSchool]


def register_page(school: School) -> RegisterPage:
    """Two queries: the runs with their requesters, and their results at the school."""
    pending: list[RunAtSchool] = []
    finished: list[RunAtSchool] = []
    # Runs wait a few minutes at most, so the newest few hold every pending one.
    for run in runs_of_school(school)[: OLDER_RUNS_SHOWN + 10]:
        entry = _at_school(run)
        (pending if entry.is_pending else finished).append(entry)
    return RegisterPage(
        school=school,
        source=configured_source(),
        pending=pending,
        last=finished[0] if finished else None,
        older=finished[1 : OLDER_RUNS_SHOWN + 1],
    )


def run_at_school(school: School, run_id: int) -> RunAtSchool:
    """One run that concerns the school, or ``NotFound``."""
    run = runs_of_school(school).filter(pk=run_id).first()
    if run is None:
        raise NotFound
    return _at_school(run)
