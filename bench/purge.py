"""The purge of many students: how long ``manage.py purge_records`` takes to remove every
record of students whose retention time has passed, and how much memory it needs.

Run with the environment the tests use (PostgreSQL running; see bench/README.md):

    ELEVDIALOG_ENV=test DATABASE_URL=postgres://postgres@127.0.0.1:5432/elevdialog \\
    REDIS_URL=redis://127.0.0.1:6379/0 .venv/bin/python bench/purge.py
    ... bench/purge.py --students 3 --messages 5        # a tiny run, a few seconds

What it does:

1. (Re)creates its own database, named after ``DATABASE_URL``'s with ``_purge_bench``
   appended (``--database-url`` names another), migrated (a copy of the migrated template:
   ``bench.common.migrated_database``).
2. Builds a school through the real actions: one class per 25 students, a teacher, and per
   student the account, the enrolment (which makes the page and its threads) and one
   guardian. The messages (``--messages`` per student, in the page's general thread, from
   the student, the guardian and the teacher in turn) and the leavings (six years ago, so
   every student is due) are **bulk-inserted, bypassing the actions**: the bench measures
   the purge, not the writing.
3. Runs ``manage.py purge_records --dry-run`` and then ``manage.py purge_records`` as
   subprocesses, each timed (wall clock) with its peak resident memory (``ru_maxrss`` of that
   child, from ``os.wait4``), and checks that nothing about the students is left.

It prints figures only, never pass or fail. The command's output goes to
``var/bench/purge-*.log``.
"""

from __future__ import annotations

import argparse
import datetime
import os
import subprocess
import sys
import time
import uuid
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import ROOT, bench_database, migrated_database

CLASS_SIZE = 25


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--students", type=int, default=1000, help="students due for purging; default 1000")
    parser.add_argument("--messages", type=int, default=200, help="messages on each page; default 200")
    parser.add_argument(
        "--database-url",
        default=bench_database("purge_bench"),
        help="the benchmark's own database; it is dropped and created again",
    )
    parser.add_argument(
        "--log-dir", default=str(ROOT / "var" / "bench"), help="the command's output goes here"
    )
    args = parser.parse_args()
    if os.environ.get("ELEVDIALOG_ENV") != "test" or not os.environ.get("REDIS_URL") or not args.database_url:
        parser.error("run with ELEVDIALOG_ENV=test, DATABASE_URL and REDIS_URL set, as the tests do")
    return args


def environment(database_url: str) -> dict[str, str]:
    # SITE_URL has a default outside production; set anyway, so the bench never depends on it.
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DATABASE_URL": database_url,
        "SITE_URL": os.environ.get("SITE_URL", "http://127.0.0.1:8000"),
        "PYTHONUNBUFFERED": "1",
    }


def run_measured(command: list[str], env: dict[str, str], log_path: Path) -> tuple[float, float]:
    """Run a command; (wall seconds, peak resident memory in MiB) of that one child."""
    with log_path.open("wb") as log:
        started = time.monotonic()
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)  # noqa: S603  (our own manage.py)
        _pid, status, usage = os.wait4(process.pid, 0)
        seconds = time.monotonic() - started
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed ({process.returncode}); see {log_path}")
    return seconds, usage.ru_maxrss / 1024  # KiB on Linux


def build(students: int, messages: int) -> list[int]:
    """The school through the actions, the messages and leavings in bulk; the students' ids."""
    from django.db import transaction

    from accounts.actions import SYSTEM
    from accounts.actions import memberships as m
    from accounts.actions import people as p
    from accounts.actions import structure as s
    from accounts.models import Leaving, Subject
    from dialogue.models import Message, StudentPage, Thread

    today = datetime.date.today()
    term_start = today - datetime.timedelta(days=30)
    school = s.create_school(SYSTEM, name="Benchskolan", municipality="Benchkommun")
    year = s.ensure_school_year(SYSTEM, today)
    maths = Subject.objects.get(code="MA")
    teacher = p.create_person(SYSTEM, username="bench.teacher", first_name="Lärare", last_name="Bench")
    student_ids: list[int] = []
    guardian_of: dict[int, int] = {}
    school_class: Any = None
    for number in range(students):
        if number % CLASS_SIZE == 0:
            school_class = s.create_class(SYSTEM, school, year, name=f"B{number // CLASS_SIZE}", grade=9)
            m.assign_teaching(SYSTEM, teacher, school_class, maths, starts_on=term_start)
        student = p.create_person(
            SYSTEM, username=f"bench.s{number}", first_name="Elev", last_name=str(number)
        )
        guardian = p.create_person(
            SYSTEM, username=f"bench.g{number}", first_name="Vh", last_name=str(number)
        )
        m.enrol_student(SYSTEM, student, school_class, starts_on=term_start)
        m.add_guardianship(SYSTEM, guardian, student, starts_on=term_start)
        student_ids.append(student.pk)
        guardian_of[student.pk] = guardian.pk
    threads = dict(
        Thread.objects.filter(page__student_id__in=student_ids, kind=Thread.Kind.GENERAL).values_list(
            "page__student_id", "pk"
        )
    )
    pages = dict(StudentPage.objects.filter(student_id__in=student_ids).values_list("student_id", "pk"))
    left_on = today - datetime.timedelta(days=6 * 366)  # six years ago, any day of the year
    with transaction.atomic():
        for student_id in student_ids:
            authors = (student_id, guardian_of[student_id], teacher.pk)
            Message.objects.bulk_create(
                [
                    Message(
                        page_id=pages[student_id],
                        thread_id=threads[student_id],
                        author_id=authors[seq % 3],
                        client_id=uuid.uuid4(),
                        body=f"Meddelande {seq}",
                        body_html=f"<p>Meddelande {seq}</p>",
                        seq=seq,
                        change_seq=seq,
                    )
                    for seq in range(1, messages + 1)
                ],
                batch_size=2000,
            )
        StudentPage.objects.filter(pk__in=pages.values()).update(last_seq=messages)
        Leaving.objects.bulk_create(
            [
                Leaving(student_id=student_id, left_on=left_on, reason=Leaving.Reason.FINISHED)
                for student_id in student_ids
            ]
        )
    return student_ids


def main() -> None:
    args = parse_args()
    env = environment(args.database_url)
    os.environ.update({key: env[key] for key in ("DJANGO_SETTINGS_MODULE", "DATABASE_URL", "SITE_URL")})
    log_dir = Path(args.log_dir)
    log_dir.mkdir(parents=True, exist_ok=True)
    migrated_database(args.database_url, env)
    manage = [sys.executable, "manage.py"]

    import django

    django.setup()
    from accounts.held import kinds
    from dialogue.models import Message

    started = time.monotonic()
    student_ids = build(args.students, args.messages)
    print(
        f"built {args.students} students with {args.messages} messages each "
        f"({Message.objects.count()} messages) in {time.monotonic() - started:.1f} s"
    )
    from django.db import connection

    connection.close()  # the subprocesses take over the database

    dry_seconds, dry_mib = run_measured(
        [*manage, "purge_records", "--dry-run"], env, log_dir / "purge-dry-run.log"
    )
    seconds, mib = run_measured([*manage, "purge_records"], env, log_dir / "purge-run.log")
    left = sum(
        rows.count()
        for held in kinds()
        for student_id in student_ids[:: max(1, len(student_ids) // 20)]  # a sample of 20
        if (rows := held.rows_about_student(student_id)) is not None
    )
    rows = args.students * (args.messages + 1)  # at least: the messages and the accounts
    print(f"dry run:   {dry_seconds:7.1f} s, peak memory {dry_mib:6.0f} MiB")
    print(
        f"purge:     {seconds:7.1f} s, peak memory {mib:6.0f} MiB; "
        f"{seconds / args.students * 1000:.0f} ms per student, "
        f"{rows / seconds:,.0f} rows/s (messages and accounts alone)"
    )
    print(f"left about the sampled students: {left} rows")
    print((log_dir / "purge-run.log").read_text().splitlines()[-1])


if __name__ == "__main__":
    main()
