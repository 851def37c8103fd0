"""The student page with a long history: does its first byte grow with the messages on it?

For each size in ``--messages`` (default 10 and 10,000) a new student's page is built with
that many messages spread over a dozen threads (the general one, a thread per subject taught
and a private one), cards among them, and a reader who has read all but the latest few; then
the page is opened as that reader (a guardian by default) and measured:

* **first byte**: the server's time from the request to the response, in this process
  through Django's test ``Client`` (the whole middleware stack, the session, the view and
  the template; the page is not streamed, so its first byte leaves when it is complete). No
  network or browser: the median and the minimum of ``--repeat`` looks after one warm-up;
* **CPU**: this process's CPU time per look (the web server's share, less sensitive to
  other processes on the machine than the wall time);
* **queries**: how many the render makes, their time, and the database pages (blocks) they
  touch by ``EXPLAIN (ANALYZE, BUFFERS)``: the database's work, which the machine's load does
  not change; the three heaviest are shown;
* **bytes**: the size of the HTML.

Then the large size over the small one (ratios). It prints figures only, never pass or fail.

Run with the environment the tests use (PostgreSQL and Redis running; see bench/README.md):

    ELEVDIALOG_ENV=test DATABASE_URL=postgres://postgres@127.0.0.1:5432/elevdialog \\
    REDIS_URL=redis://127.0.0.1:6379/0 .venv/bin/python bench/page_history.py
    ... bench/page_history.py --messages 10,200      # tiny: a few seconds once migrated

The database is the benchmark's own: ``DATABASE_URL``'s name with ``_page_history_bench``
appended (``--database-url`` names another), made migrated if missing (``--fresh`` drops it
first; ``bench.common.ensure_database``), else migrated in this process (quick when nothing
is new). Each size is a new school, so runs can follow each other in the same database.

The people, threads, cards (two goals and a published assessment) and a first message of the
reader's are made through the real actions; the history is **bulk-inserted** (a benchmark
shortcut: the send action is measured by ``dialogue_load.py``): gapless event numbers after
the cards, one thread after the other in turn, every 50th a copy of a card, with the page's
``last_seq`` moved past them and a ``ReadProgress`` row every ten messages for each reader
(as reading as one goes leaves), and each reader's ``ReadState`` written directly: the
guardians have read all but the latest five messages of each thread, the teacher and the
student all of it.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import bench_database, ensure_database, setup_django

BATCH = 2000
UNREAD = 5  # messages per thread the reader has not read yet
VIEWERS = ("guardian", "teacher", "student")


def sizes(text: str) -> list[int]:
    try:
        values = [int(part.replace("_", "")) for part in text.split(",") if part.strip()]
    except ValueError:
        raise argparse.ArgumentTypeError("a comma-separated list of numbers, e.g. 10,10000") from None
    if not values or min(values) < 0:
        raise argparse.ArgumentTypeError("at least one size, none negative")
    return values


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--messages",
        type=sizes,
        default=[10, 10_000],
        help="the page sizes to measure, comma-separated (messages on the page); default 10,10000",
    )
    parser.add_argument(
        "--threads", type=int, default=12, help="threads on the page (at least 3); default 12"
    )
    parser.add_argument(
        "--viewer", choices=VIEWERS, default="guardian", help="who opens the page; default guardian"
    )
    parser.add_argument("--repeat", type=int, default=5, help="timed looks per size; default 5")
    parser.add_argument(
        "--database-url",
        default=bench_database("page_history_bench"),
        help="the benchmark's own database",
    )
    parser.add_argument("--fresh", action="store_true", help="drop and create the database first")
    args = parser.parse_args()
    if os.environ.get("ELEVDIALOG_ENV") != "test" or not os.environ.get("REDIS_URL") or not args.database_url:
        parser.error("run with ELEVDIALOG_ENV=test, DATABASE_URL and REDIS_URL set, as the tests do")
    if args.threads < 3:
        parser.error("--threads: at least 3 (the general thread, a subject, a private thread)")
    if args.repeat < 1:
        parser.error("--repeat: at least 1")
    return args


# --- Seeding -----------------------------------------------------------------------------------


@dataclass
class Seeded:
    url: str
    viewer: Any  # accounts.models.User
    threads: int
    messages: int
    cards: int


def seed(messages: int, thread_count: int, viewer_role: str) -> Seeded:
    import datetime
    import uuid

    from django.db import connection
    from django.db.models import F
    from django.urls import reverse
    from django.utils import timezone

    from accounts import policy
    from accounts.actions import SYSTEM
    from accounts.actions import memberships as m
    from accounts.actions import people as p
    from accounts.actions import structure as s
    from accounts.models import Subject, User
    from dialogue.actions.assessments import publish_assessment, save_draft
    from dialogue.actions.goals import set_goal
    from dialogue.actions.messages import post_message
    from dialogue.actions.pages import page_of
    from dialogue.actions.threads import start_private_thread
    from dialogue.models import Message, ReadProgress, ReadState, StudentPage, Thread

    run = uuid.uuid4().hex[:8]
    today = timezone.localdate()
    start = today - datetime.timedelta(days=60)

    def person(role: str, first: str) -> User:
        return p.create_person(SYSTEM, username=f"{role}.{run}", first_name=first, last_name=f"Bench{run}")

    school = s.create_school(SYSTEM, name=f"Historieskolan {run}", municipality="Umeå kommun")
    year = s.ensure_school_year(SYSTEM, today)
    school_class = s.create_class(SYSTEM, school, year, name="7C", grade=7)
    student, teacher = person("student", "Elin"), person("teacher", "Tor")
    guardian, other_guardian = person("guardian1", "Gun"), person("guardian2", "Gert")
    m.enrol_student(SYSTEM, student, school_class, starts_on=start)
    for each in (guardian, other_guardian):
        m.add_guardianship(SYSTEM, each, student, starts_on=start)
    subjects = list(Subject.objects.order_by("position", "pk")[: thread_count - 2])
    for subject in subjects:
        m.assign_teaching(SYSTEM, teacher, school_class, subject, starts_on=start)
    m.assign_mentor(SYSTEM, teacher, school_class, starts_on=start)
    page = page_of(student)
    viewer = {"guardian": guardian, "teacher": teacher, "student": student}[viewer_role]
    start_private_thread(
        guardian,
        page,
        audience=policy.ONE_GUARDIAN,
        title="Hämtningar",
        body="Bara för skolan och mig.",
        client_id=uuid.uuid4(),
    )
    general = page.threads.get(kind=Thread.Kind.GENERAL)
    # The reader's own message (their read receipts are on the page at every size).
    hello = "Hej! Hur går det med läsningen?"
    post_message(viewer, page, thread_id=general.pk, body=hello, client_id=uuid.uuid4())
    # The cards: two goals and a published assessment, through the real actions.
    set_goal(teacher, student, text="Läsa en bok i månaden.", subject=subjects[0])
    set_goal(teacher, student, text="Räkna med bråk.", subject=subjects[-1])
    draft, _findings = save_draft(
        teacher,
        school_class,
        student,
        subjects[0],
        levels={},
        can_text="Elin läser flytande.",
        develop_text="Nästa steg är att skriva egna texter.",
    )
    publish_assessment(teacher, draft.pk)
    threads = list(Thread.objects.filter(page=page).order_by("pk"))
    cards = list(Message.objects.filter(page=page, card__isnull=False).order_by("seq"))

    # The history, bulk-inserted after what the actions made.
    page = StudentPage.objects.get(pk=page.pk)
    everyone = [student, guardian, other_guardian, teacher, teacher]
    adults = [guardian, teacher]
    text = "Idag har vi arbetat med bråk och decimaltal, och det gick riktigt bra. " * 2
    made = 0
    while made < messages:
        batch = []
        for index in range(made, min(made + BATCH, messages)):
            seq = page.last_seq + index + 1
            thread = threads[index % len(threads)]
            authors = adults if thread.is_private else everyone
            author = authors[(index // len(threads)) % len(authors)]
            card = cards[index % len(cards)] if cards and index % 50 == 49 and not thread.is_private else None
            body = card.body if card else f"{index}: {text}"
            batch.append(
                Message(
                    page=page,
                    thread=thread,
                    author=card.author if card else author,
                    client_id=uuid.uuid4(),
                    body=body,
                    body_html=card.body_html if card else f"<p>{body}</p>",
                    card=card.card if card else None,
                    seq=seq,
                    change_seq=seq,
                )
            )
        Message.objects.bulk_create(batch)
        made += len(batch)
    StudentPage.objects.filter(pk=page.pk).update(last_seq=F("last_seq") + messages)
    # Reading as one goes: a progress row every ten messages of a thread for each reader.
    readers = [student, guardian, other_guardian, teacher]
    progress = []
    for thread in threads:
        seqs = list(Message.objects.filter(thread=thread).order_by("seq").values_list("seq", flat=True))
        for reader in readers:
            if thread.is_private and reader not in adults:
                continue
            progress += [ReadProgress(user=reader, thread=thread, seq=seq) for seq in seqs[9::10]]
    ReadProgress.objects.bulk_create(progress, batch_size=BATCH)
    # Where each reader is: all read but the last few of each thread (the teacher and the
    # student all of it), written directly as the progress rows were.
    states = []
    for thread in threads:
        seqs = list(
            Message.objects.filter(thread=thread).order_by("-seq").values_list("seq", flat=True)[: UNREAD + 1]
        )
        for reader in readers:
            if thread.is_private and reader not in adults:
                continue
            upto = seqs[-1] if reader in (guardian, other_guardian) and len(seqs) > UNREAD else seqs[0]
            states.append(ReadState(user=reader, thread=thread, last_read_seq=upto))
    ReadState.objects.bulk_create(
        states, update_conflicts=True, unique_fields=["user", "thread"], update_fields=["last_read_seq"]
    )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return Seeded(
        url=reverse("student", args=[student.pk]),
        viewer=viewer,
        threads=len(threads),
        messages=Message.objects.filter(page=page).count(),
        cards=Message.objects.filter(page=page, card__isnull=False).count(),
    )


# --- Measuring ---------------------------------------------------------------------------------


@dataclass
class Figures:
    messages: int
    median_ms: float
    min_ms: float
    cpu_ms: float
    queries: int
    query_ms: float
    blocks: int
    size: int
    heaviest: list[tuple[int, float, str]]


def blocks_read(connection: Any, sql: str) -> int | None:
    """The database pages (8 kB blocks, from the cache or the disk) a read query touches:
    ``EXPLAIN (ANALYZE, BUFFERS)``, which the machine's load does not change. None for what
    is not a plain read (an insert would be run again)."""
    plain = sql.lstrip()
    while plain.startswith("/*"):
        plain = plain[plain.index("*/") + 2 :].lstrip()
    if not plain.upper().startswith(("SELECT", "WITH")):
        return None
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) {sql}")
        (row,) = cursor.fetchone()
    plan = (row if isinstance(row, list) else json.loads(row))[0]
    top = plan["Plan"]
    planning = plan.get("Planning", {})
    return int(
        top.get("Shared Hit Blocks", 0)
        + top.get("Shared Read Blocks", 0)
        + planning.get("Shared Hit Blocks", 0)
        + planning.get("Shared Read Blocks", 0)
    )


def measure(seeded: Seeded, repeat: int) -> Figures:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests.support.clients import verified_client

    client = verified_client(seeded.viewer)
    response = client.get(seeded.url)  # warm-up: the session, the caches, the plans
    assert response.status_code == 200, response.status_code
    times, cpu = [], []
    for _ in range(repeat):
        started, started_cpu = time.perf_counter(), time.process_time()
        response = client.get(seeded.url)
        times.append((time.perf_counter() - started) * 1000)
        cpu.append((time.process_time() - started_cpu) * 1000)
    with CaptureQueriesContext(connection) as captured:
        response = client.get(seeded.url)
    looked = []
    for query in captured.captured_queries:
        blocks = blocks_read(connection, query["sql"])
        looked.append((blocks or 0, float(query["time"]) * 1000, query["sql"]))
    looked.sort(reverse=True)
    return Figures(
        messages=seeded.messages,
        median_ms=statistics.median(times),
        min_ms=min(times),
        cpu_ms=statistics.median(cpu),
        queries=len(captured),
        query_ms=sum(ms for _blocks, ms, _sql in looked),
        blocks=sum(blocks for blocks, _ms, _sql in looked),
        size=len(response.content),
        heaviest=looked[:3],
    )


def main() -> None:
    args = parse_args()
    started = time.monotonic()
    made = ensure_database(args.database_url, args.fresh)
    setup_django(args.database_url)
    if not made:  # an existing database: migrated here (quick when nothing is new)
        from django.core.management import call_command

        call_command("migrate", interactive=False, verbosity=0)
    print(f"database ready in {time.monotonic() - started:.1f} s")
    print(
        f"first byte: in-process Django test Client as the {args.viewer}, median (min) of {args.repeat}"
        " looks after a warm-up; CPU: this process's, median; blocks: database pages the page's"
        " reads touch (EXPLAIN BUFFERS, independent of the machine's load)"
    )
    results = []
    for count in args.messages:
        started = time.monotonic()
        seeded = seed(count, args.threads, args.viewer)
        seeding = time.monotonic() - started
        figures = measure(seeded, args.repeat)
        results.append(figures)
        print(
            f"{figures.messages:>7,} messages ({seeded.threads} threads, {seeded.cards} cards; seeded in"
            f" {seeding:.1f} s): first byte {figures.median_ms:6.1f} ms ({figures.min_ms:.1f}),"
            f" CPU {figures.cpu_ms:.1f} ms, {figures.queries} queries ({figures.query_ms:.1f} ms,"
            f" {figures.blocks:,} blocks), {figures.size:,} bytes"
        )
        for blocks, ms, sql in figures.heaviest:
            print(f"      {blocks:6,} blocks {ms:6.1f} ms  {' '.join(sql.split())[:90]}")
    if len(results) > 1:
        small, large = results[0], results[-1]
        print(
            f"ratio {large.messages:,} / {small.messages:,} messages:"
            f" first byte {large.median_ms / small.median_ms:.2f} (min {large.min_ms / small.min_ms:.2f}),"
            f" CPU {large.cpu_ms / max(small.cpu_ms, 0.001):.2f},"
            f" queries {large.queries / max(small.queries, 1):.2f},"
            f" blocks {large.blocks / max(small.blocks, 1):.2f},"
            f" bytes {large.size / max(small.size, 1):.2f}"
        )


if __name__ == "__main__":
    main()
