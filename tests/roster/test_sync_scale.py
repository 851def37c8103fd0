"""The sync's cost grows with the changes, not with the school: a run that finds nothing to
change reads each school in a fixed handful of queries."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from roster.models import RosterRun, RosterRunSchool
from roster.sources import read_file
from roster.sync import sync
from tests.support.roster_generator import municipality

pytestmark = pytest.mark.django_db

# Queries per school of a run without changes, whatever its size (links, people, classes,
# memberships, subjects, leavings), and the run's own few.
QUERIES_PER_SCHOOL = 16


def test_a_run_without_changes_costs_a_handful_of_queries_per_school(tmp_path: Path) -> None:
    path = municipality(schools=2, students=300).write(tmp_path / "register.json")

    def read(modified_after: object, school_source_ids: object) -> object:
        return read_file(path)

    started = time.monotonic()
    first = sync(read, trigger=RosterRun.Trigger.COMMAND)
    took = time.monotonic() - started
    assert first.status == RosterRun.Status.DONE, [s.problems for s in first.schools.all()]
    with CaptureQueriesContext(connection) as queries:
        second = sync(read, trigger=RosterRun.Trigger.COMMAND)
    statuses = set(second.schools.values_list("status", flat=True))
    assert statuses == {RosterRunSchool.Status.UNCHANGED}
    print(f"first import of 300 students: {took:.1f} s; second run: {len(queries)} queries")
    assert len(queries) <= 2 * QUERIES_PER_SCHOOL + 10
