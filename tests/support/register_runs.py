"""A finished run of the student register at the cast's school, for the access matrix and
the browser's layout check: made as rows (the cast's school is not in any register), with
the engine's change and problem codes, so the register pages show every part."""

from __future__ import annotations

import datetime
from typing import Any

from django.utils import timezone

from roster.models import RosterRun, RosterRunSchool
from tests.support.cast import Cast


def register_objects(cast: Cast) -> dict[str, Any]:
    """An older nightly run that applied, and the last one with changes and problems."""
    now = timezone.now()
    older = _run(cast, now - datetime.timedelta(days=1), RosterRun.Status.DONE, changes=[_added(cast)])
    last = _run(
        cast,
        now,
        RosterRun.Status.PROBLEMS,
        changes=[
            _added(cast),
            {
                "code": "move",
                "name": cast.student.display_name,
                "from": cast.class_4a.name,
                "to": cast.class_4b.name,
                "on": (now + datetime.timedelta(days=7)).date().isoformat(),
            },
            {
                "code": "end_guardianship",
                "guardian": cast.guardian_2.display_name,
                "student": cast.student.display_name,
                "on": now.date().isoformat(),
            },
        ],
        problems=[
            {"code": "bad_civic_number", "name": "Nils Nyström"},
            {"code": "membership_without_person", "where": cast.class_4b.name},
        ],
    )
    return {"register_run": last, "register_older_run": older}


def _added(cast: Cast) -> dict[str, Any]:
    return {"code": "add_student", "name": cast.other_student.display_name}


def _run(
    cast: Cast,
    at: datetime.datetime,
    status: str,
    *,
    changes: list[dict[str, Any]],
    problems: list[dict[str, Any]] | None = None,
) -> RosterRun:
    run = RosterRun.objects.create(
        trigger=RosterRun.Trigger.NIGHTLY,
        status=status,
        source="https://register.example/ss12000/v2.1",
        started_at=at,
        finished_at=at,
        read_started_at=at,
    )
    RosterRunSchool.objects.create(
        run=run,
        school=cast.school,
        source_id=f"register-{cast.school.pk}",
        name=cast.school.name,
        status=RosterRunSchool.Status.APPLIED,
        changes=changes,
        problems=problems or [],
    )
    return run
