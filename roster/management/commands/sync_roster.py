"""Sync people, classes and memberships from the student register:
``manage.py sync_roster [--dry-run] [--incremental] [--file PATH] [--school ID]``.

Reads the configured register (``ROSTER_API_URL`` or ``ROSTER_FILE``) or ``--file``, prints
each school's summary, changes and problems, and exits non-zero when the run or a school
failed (so a scheduler sees it).
"""

from __future__ import annotations

import datetime
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from accounts.models import School
from roster.describe import describe_change, describe_problem, summary
from roster.models import RosterRun, RosterRunSchool
from roster.sources import Reader, configured_reader, read_file
from roster.sync import sync


def file_reader(path: str) -> Reader:
    def read(modified_after: datetime.datetime | None, school_source_ids: set[str] | None) -> Any:
        return read_file(path)

    return read


class Command(BaseCommand):
    help = "Sync students, guardians, staff, classes and teaching from the student register (SS 12000)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--dry-run", action="store_true", help="Show the changes without making them.")
        parser.add_argument(
            "--incremental", action="store_true", help="Only what changed since the last run that applied."
        )
        parser.add_argument("--file", default="", metavar="PATH", help="Read this JSON file instead.")
        parser.add_argument(
            "--school", type=int, default=None, metavar="ID", help="Only this school (its id here)."
        )

    def handle(self, *args: object, **options: Any) -> None:
        read = file_reader(options["file"]) if options["file"] else configured_reader()
        if read is None:
            raise CommandError(
                "No student register is configured: set ROSTER_API_URL or ROSTER_FILE, or give --file."
            )
        school_id = options["school"]
        if school_id is not None and not School.objects.filter(pk=school_id).exists():
            raise CommandError(f"There is no school with id {school_id}.")
        run = sync(
            read,
            trigger=RosterRun.Trigger.COMMAND,
            mode=RosterRun.Mode.INCREMENTAL if options["incremental"] else RosterRun.Mode.FULL,
            dry_run=options["dry_run"],
            school_id=school_id,
        )
        self.report(run)
        failed = [s for s in run.schools.all() if s.status == RosterRunSchool.Status.FAILED]
        if run.status == RosterRun.Status.FAILED or failed:
            raise CommandError(run.error or f"{len(failed)} school(s) not applied.")

    def report(self, run: RosterRun) -> None:
        heading = "Dry run: nothing applied." if run.dry_run else "Applied."
        self.stdout.write(f"{run.get_mode_display()} – {run.source or '-'} – {heading}")
        for school in run.schools.all():
            self.stdout.write("")
            self.stdout.write(f"{school.name}: {school.get_status_display()} – {summary(school)}")
            for change in school.changes:
                self.stdout.write(f"  + {describe_change(change)}")
            for problem in school.problems:
                self.stdout.write(f"  ! {describe_problem(problem)}")
