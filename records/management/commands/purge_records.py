"""``manage.py purge_records``: remove what the retention rules say is due.

    manage.py purge_records --dry-run                  # what is due today, with counts
    manage.py purge_records --dry-run --today 2027-07-01
    manage.py purge_records                            # remove what is due, one student at a time
    manage.py purge_records --student 123              # one student; refused before the date

The output names students by internal id, leaving date and reason only: it may end in logs.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from records.retention.due import NotDue
from records.retention.purge import purge_one_student, run_purge
from records.retention.report import report_lines


class Command(BaseCommand):
    help = "Remove the records whose retention time has passed (gallring)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--dry-run", action="store_true", help="report what is due; remove nothing")
        parser.add_argument("--student", type=int, help="only this student (internal id); refused if not due")
        parser.add_argument(
            "--today",
            type=datetime.date.fromisoformat,
            help="with --dry-run: what is due on this date (YYYY-MM-DD) instead of today",
        )

    def handle(
        self, *args: Any, dry_run: bool, student: int | None, today: datetime.date | None, **options: Any
    ) -> None:
        if today is not None and not dry_run:
            # A real run on another date could remove records before their time.
            raise CommandError("--today is only for --dry-run: a real run removes what is due today.")
        try:
            if student is not None:
                result = purge_one_student(student, today, dry_run=dry_run)
            else:
                result = run_purge(today, dry_run=dry_run)
        except NotDue as refused:
            raise CommandError(str(refused)) from refused
        for line in report_lines(result, dry_run=dry_run):
            self.stdout.write(line)
