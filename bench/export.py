"""The personal data export of a full page: a student with ``--messages`` messages (10,000)
and ``--attachments`` photos (50), exported by the worker's build; time and peak memory.

Run with the environment the tests use (PostgreSQL and Redis running; see bench/README.md):

    ELEVDIALOG_ENV=test DATABASE_URL=postgres://postgres@127.0.0.1:5432/elevdialog \\
    REDIS_URL=redis://127.0.0.1:6379/0 .venv/bin/python bench/export.py
    ... bench/export.py --messages 50 --attachments 2      # tiny: a few seconds

What it does:

1. Uses its own database, named after ``DATABASE_URL``'s with ``_export_bench`` appended
   (``--database-url`` names another): if missing (``--fresh`` drops it first), a copy of
   the migrated template (``bench.common.migrated_database``); if it exists, migrated with
   ``manage.py migrate`` (quick when nothing is new).
2. Seeds, in a child process (so that the seeding's memory is not counted as the build's): a
   school, a class, a student with two guardians and a teacher, made through the real
   actions, a new set each run; the photos through the real upload action (noise, so they
   do not compress), and the messages **bulk-inserted** on the page in batches (a benchmark
   shortcut: the send action would take minutes and measures something else). Every tenth
   message is the teacher's, every tenth a guardian's, the rest the student's.
3. Asks for the student's export as a guardian and builds it twice in this process, as the
   worker does (``records.exports.jobs``): once for the time, once under ``tracemalloc`` for
   the peak of Python allocations. It prints the rows per kind, the ZIP's size, the time,
   the tracemalloc peak and the process's ``ru_maxrss`` (the high-water mark of the whole
   process, Django included) before and after the builds.

It prints figures only, never pass or fail.
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import time
import tracemalloc
from pathlib import Path
from urllib.parse import urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import ROOT, bench_database, ensure_database, photo, setup_django

BATCH = 1000


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--messages", type=int, default=10_000, help="messages on the page; default 10,000")
    parser.add_argument("--attachments", type=int, default=50, help="photos on the page; default 50")
    parser.add_argument(
        "--photo-size", type=int, default=500, help="photo width and height in pixels (noise); default 500"
    )
    parser.add_argument(
        "--database-url",
        default=bench_database("export_bench"),
        help="the benchmark's own database",
    )
    parser.add_argument("--fresh", action="store_true", help="drop and create the database first")
    parser.add_argument("--seed-only", action="store_true", help=argparse.SUPPRESS)  # the child process
    args = parser.parse_args()
    if os.environ.get("ELEVDIALOG_ENV") != "test" or not os.environ.get("REDIS_URL") or not args.database_url:
        parser.error("run with ELEVDIALOG_ENV=test, DATABASE_URL and REDIS_URL set, as the tests do")
    return args


# --- Seeding (the child process) ---------------------------------------------------------------


def seed(args: argparse.Namespace) -> None:
    import datetime
    import uuid

    from django.db.models import F
    from django.utils import timezone

    from accounts.actions import SYSTEM
    from accounts.actions import memberships as m
    from accounts.actions import people as p
    from accounts.actions import structure as s
    from accounts.models import Subject, User
    from dialogue.actions.attachments import upload_attachment
    from dialogue.actions.pages import page_of
    from dialogue.models import Attachment, Message, StudentPage, Thread

    run = uuid.uuid4().hex[:8]
    today = timezone.localdate()
    start = today - datetime.timedelta(days=30)

    def person(role: str, first: str) -> User:
        return p.create_person(
            SYSTEM,
            username=f"{role}.{run}",
            first_name=first,
            last_name=f"Bench{run}",
            password="benchmark export horse staple",
        )

    school = s.create_school(SYSTEM, name=f"Benchskolan {run}", municipality="Umeå kommun")
    year = s.ensure_school_year(SYSTEM, today)
    school_class = s.create_class(SYSTEM, school, year, name="6B", grade=6)
    student, teacher = person("student", "Elin"), person("teacher", "Tor")
    guardians = [person("guardian1", "Gun"), person("guardian2", "Gert")]
    m.enrol_student(SYSTEM, student, school_class, starts_on=start)
    for guardian in guardians:
        m.add_guardianship(SYSTEM, guardian, student, starts_on=start)
    m.assign_teaching(SYSTEM, teacher, school_class, Subject.objects.get(code="MA"), starts_on=start)
    page = page_of(student)
    thread = page.threads.get(kind=Thread.Kind.GENERAL)
    authors = [teacher, guardians[0], *[student] * 8]
    text = "Idag har vi arbetat med bråk och decimaltal, och det gick riktigt bra. " * 4
    made = 0
    while made < args.messages:
        batch = []
        for index in range(made, min(made + BATCH, args.messages)):
            seq = page.last_seq + index + 1
            body = f"{index}: {text}"
            batch.append(
                Message(
                    page=page,
                    thread=thread,
                    author=authors[index % len(authors)],
                    client_id=uuid.uuid4(),
                    body=body,
                    body_html=f"<p>{body}</p>",
                    seq=seq,
                    change_seq=seq,
                )
            )
        Message.objects.bulk_create(batch)
        made += len(batch)
    StudentPage.objects.filter(pk=page.pk).update(last_seq=F("last_seq") + args.messages)
    messages = list(
        Message.objects.filter(page=page).order_by("seq").values_list("pk", flat=True)[: args.attachments]
    )
    for index in range(args.attachments):
        attachment = upload_attachment(
            guardians[0], page, name=f"bild{index}.png", data=photo(args.photo_size, index)
        )
        Attachment.objects.filter(pk=attachment.pk).update(message_id=messages[index % len(messages)])
    print(student.pk, guardians[0].pk)


# --- The build (this process) ------------------------------------------------------------------


def main() -> None:
    args = parse_args()
    if args.seed_only:
        setup_django(args.database_url)
        seed(args)
        return
    started = time.monotonic()
    env = {**os.environ, "DATABASE_URL": args.database_url}
    if not ensure_database(args.database_url, args.fresh):  # made from the migrated template if new
        subprocess.run(
            [sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"], cwd=ROOT, env=env, check=True
        )
    print(
        f"database {urlsplit(args.database_url).path.lstrip('/')} migrated",
        f"in {time.monotonic() - started:.1f} s",
    )
    started = time.monotonic()
    seeded = subprocess.run(  # noqa: S603  (this script, with its own arguments)
        [sys.executable, __file__, *sys.argv[1:], "--seed-only", "--database-url", args.database_url],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
    )
    student_id, guardian_id = (int(part) for part in seeded.stdout.split()[-2:])
    print(
        f"seeded {args.messages} messages and {args.attachments} photos in {time.monotonic() - started:.1f} s"
    )
    setup_django(args.database_url)
    measure(args, student_id, guardian_id)


def measure(args: argparse.Namespace, student_id: int, guardian_id: int) -> None:
    from accounts.models import User
    from records.exports import jobs
    from records.exports.actions import request_export
    from records.exports.building import build_zip
    from records.models import DataExport
    from writing.uploads import private_storage

    guardian = User.objects.get(pk=guardian_id)
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    export = request_export(guardian, scope=DataExport.Scope.STUDENT, subject_id=student_id)
    claimed = jobs.claim_next()
    assert claimed is not None
    assert claimed.pk == export.pk
    started = time.perf_counter()
    jobs.build(claimed)
    seconds = time.perf_counter() - started
    export.refresh_from_db()
    assert export.status == DataExport.Status.READY, export.error
    tracemalloc.start()
    traced = build_zip(export)
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    private_storage().delete(traced.name)
    rss_after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(
        "rows per kind:",
        ", ".join(f"{name} {count}" for name, count in sorted(traced.counts.items()) if count),
    )
    print(f"ZIP: {export.size / 2**20:.1f} MiB ({len(traced.counts)} kinds, {args.attachments} files)")
    print(f"build time: {seconds:.2f} s")
    print(f"tracemalloc peak during a build: {peak / 2**20:.1f} MiB")
    print(f"ru_maxrss: {rss_before / 1024:.0f} MiB before the builds, {rss_after / 1024:.0f} MiB after")
    ratio = peak / export.size if export.size else 0
    print(f"peak / ZIP size: {ratio:.2f}")


if __name__ == "__main__":
    main()
