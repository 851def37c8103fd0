"""Load on the live dialogue: many open sockets, a steady stream of messages, two servers.

Run (PostgreSQL and Redis must be running; see bench/README.md):

    .venv/bin/python bench/dialogue_load.py --sockets 2000 --rate 200 --duration 30

What it does:

1. (Re)creates its own database (``elevdialog_bench`` by default; ``--database-url`` or
   ``BENCH_DATABASE_URL``), migrated: a copy of a template migrated once per set of
   migrations (``bench.common.migrated_database``).
2. Creates a school through the real actions: classes of 25 students, each student with two
   guardians, a maths teacher and a mentor per class, and each student's page.
3. Starts two Daphne processes in production settings, sharing Redis (``--redis-url`` or
   ``BENCH_REDIS_URL``, default the local one).
4. Opens ``--sockets`` sockets, five per page (the student, both guardians, the teacher and
   the mentor, as five browser tabs), alternating between the two processes so every page
   fans out across processes; each subscribes to its page and pings every
   ``--heartbeat`` seconds as the browser does.
5. Sends ``--rate`` messages per second for ``--duration`` seconds (after ``--warmup``
   seconds at the same rate that are not counted), each from a random family member of a
   random page (the student or a guardian).

6. Then the same again against the floor (``bench/floor.py``: one asyncio process, one
   INSERT, one Redis PUBLISH and the frames per message), with the same sockets, pages and
   rate, alone on the machine as ours were (``--no-floor`` skips it, e.g. for profiling).

It prints figures and ratios only: end-to-end latency from send to each of the page's
sockets' "message" frame (the sender's own tab included), acknowledgement latency,
persisted messages per second (rows in the database), delivery completeness, server memory
per connected idle socket, and the CPU used by the servers, PostgreSQL, Redis and by this
load generator itself, which shares the machine with them; for ours and for the floor,
and ours as a ratio to the floor's.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime
import math
import os
import resource
import secrets
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


from bench.common import migrated_database  # noqa: E402
from bench.load_client import SEATS_PER_PAGE, FloorServer, Load, PagePlan, Server  # noqa: E402
from bench.load_figures import (  # noqa: E402
    CpuSnapshot,
    Figures,
    compare,
    database_sessions,
    report,
    start_profilers,
    summarise_profile,
)
from tests.support.processes import (  # noqa: E402
    DaphneServer,
    rss_kib,
    start_all,
    stop_all,
)

CLASS_SIZE = 25


# --- Set-up ------------------------------------------------------------------------------------


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sockets", type=int, default=100, help="open sockets (5 per page); default 100")
    parser.add_argument("--rate", type=float, default=50, help="messages sent per second; default 50")
    parser.add_argument("--duration", type=float, default=30, help="measured seconds of sending; default 30")
    parser.add_argument("--warmup", type=float, default=3, help="seconds of sending not counted; default 3")
    parser.add_argument("--heartbeat", type=float, default=20, help="seconds between pings per socket")
    parser.add_argument(
        "--settle",
        type=float,
        default=3,
        help="seconds to wait before each memory reading (after the warm-up, after connecting); default 3",
    )
    parser.add_argument(
        "--drain", type=float, default=30, help="seconds to wait for late answers and frames; default 30"
    )
    parser.add_argument(
        "--database-url",
        default=os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/elevdialog_bench"),
        help="the benchmark's own database; it is dropped and created again",
    )
    parser.add_argument("--redis-url", default=os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/0"))
    parser.add_argument("--log-dir", default=str(ROOT / "var" / "bench"), help="server logs go here")
    parser.add_argument(
        "--py-spy",
        metavar="PATH",
        help="a py-spy binary: profile both servers during the measured window (collapsed "
        "stacks in --log-dir) and print where their time goes",
    )
    parser.add_argument(
        "--no-floor",
        action="store_true",
        help="measure only our servers, not the floor after them (for profiling runs)",
    )
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    if args.sockets < SEATS_PER_PAGE * 2:
        parser.error(f"--sockets must be at least {SEATS_PER_PAGE * 2}")
    return args


def raise_file_limit(sockets: int) -> int:
    """Each socket is a file descriptor here and one in a server; ask for enough."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    wanted = sockets + 1024
    if soft < wanted:
        soft = min(wanted, hard) if hard != resource.RLIM_INFINITY else wanted
        resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))
    return soft


def server_environment(args: argparse.Namespace, secret_key: str) -> dict[str, str]:
    """Production settings, as deployed. The send limit per person is raised: with few
    people and a high rate each sender would exceed the 30 a minute a person may send. So
    is the number of sockets per person: each class's teacher and mentor have a socket on
    every page of the class (25), more than the 20 a person may open."""
    return {
        "ELEVDIALOG_ENV": "production",
        "SECRET_KEY": secret_key,
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        # Required in production (links in e-mails and pushes); nothing here is sent.
        "SITE_URL": "http://127.0.0.1",
        "DATABASE_URL": args.database_url,
        "REDIS_URL": args.redis_url,
        "WEBSOCKET_HEARTBEAT_SECONDS": str(int(args.heartbeat)),
        "DIALOGUE_SEND_LIMIT_PER_MINUTE": "1000000",
        "WEBSOCKETS_PER_PERSON": "1000",
        "ELEVDIALOG_VAR_DIR": str(Path(args.log_dir) / "var"),
        "LOG_LEVEL": "WARNING",
    }


def setup_django(args: argparse.Namespace, secret_key: str) -> None:
    """This process writes the people and pages and counts rows; it never serves. The
    in-memory channel layer swallows the set-up's live events (no socket is open yet)."""
    os.environ.update(
        {
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "ELEVDIALOG_ENV": "development",
            "DEBUG": "false",
            "SECRET_KEY": secret_key,  # the servers must read the sessions made here
            "DATABASE_URL": args.database_url,
            "ELEVDIALOG_VAR_DIR": str(Path(args.log_dir) / "var"),
            "LOG_LEVEL": "WARNING",
        }
    )
    os.environ.pop("REDIS_URL", None)
    import django

    django.setup()


def build_school(pages: int) -> list[PagePlan]:
    """People and pages through the real actions (a few seconds per hundred pages)."""
    from accounts.actions import SYSTEM
    from accounts.actions import memberships as m
    from accounts.actions import people as p
    from accounts.actions import structure as s
    from accounts.models import Subject
    from dialogue.actions.pages import page_of
    from dialogue.models import Thread
    from tests.support.clients import verified_client

    today = datetime.date.today()
    term_start = today - datetime.timedelta(days=30)
    school = s.create_school(SYSTEM, name="Lastskolan", municipality="Benchkommun")
    year = s.ensure_school_year(SYSTEM, today)
    maths = Subject.objects.get(code="MA")

    def cookie(user: Any) -> str:
        return str(verified_client(user).cookies["sessionid"].value)

    plans: list[PagePlan] = []
    for number in range(math.ceil(pages / CLASS_SIZE)):
        school_class = s.create_class(SYSTEM, school, year, name=f"{number + 1}L", grade=1 + number % 9)
        teacher = p.create_person(
            SYSTEM, username=f"teacher{number}", first_name="Lärare", last_name=str(number)
        )
        mentor = p.create_person(
            SYSTEM, username=f"mentor{number}", first_name="Mentor", last_name=str(number)
        )
        m.assign_teaching(SYSTEM, teacher, school_class, maths, starts_on=term_start)
        m.assign_mentor(SYSTEM, mentor, school_class, starts_on=term_start)
        staff_cookies = [cookie(teacher), cookie(mentor)]
        for seat in range(min(CLASS_SIZE, pages - len(plans))):
            tag = f"{number}_{seat}"
            student = p.create_person(SYSTEM, username=f"student{tag}", first_name="Elev", last_name=tag)
            guardians = [
                p.create_person(
                    SYSTEM, username=f"guardian{tag}_{g}", first_name="Vårdnadshavare", last_name=tag
                )
                for g in (1, 2)
            ]
            m.enrol_student(SYSTEM, student, school_class, starts_on=term_start)
            for guardian in guardians:
                m.add_guardianship(SYSTEM, guardian, student, starts_on=term_start)
            page = page_of(student)
            thread = page.threads.get(kind=Thread.Kind.GENERAL)
            family = [cookie(student), cookie(guardians[0]), cookie(guardians[1])]
            plans.append(PagePlan(page.pk, thread.pk, family + staff_cookies))
    return plans


def server_rss(servers: list[Server]) -> list[int]:
    return [rss_kib(server.pid) for server in servers]


@dataclass
class Target:
    """What one measured run is against: ours (two Daphne processes) or the floor."""

    title: str
    servers: list[Server]
    names: list[str]
    table: str  # where the sent messages are stored

    def rows(self, since: datetime.datetime | None = None, until: datetime.datetime | None = None) -> int:
        from django.db import connection

        query = f"SELECT count(*) FROM {self.table}"  # noqa: S608  (one of two fixed names)
        if since is not None:
            query += " WHERE created_at >= %s AND created_at < %s"
        with connection.cursor() as cursor:
            cursor.execute(query, [since, until] if since is not None else [])
            row = cursor.fetchone()
        connection.close()  # this runs in a thread of its own each time
        return int(row[0]) if row else 0


async def run(args: argparse.Namespace, target: Target, plans: list[PagePlan]) -> Figures:
    servers = target.servers
    load = Load(args, servers, plans)
    heartbeat: asyncio.Task[None] | None = None
    profiled = args.py_spy and target.table == "dialogue_message"
    try:
        # Warm up each server (imports, database connection, thread pool) on the first two
        # pages, then measure memory before and after the other sockets connect.
        warm = load.seats[: SEATS_PER_PAGE * 2]
        await load.connect(warm)
        await load.send(1.0, measured=False, plans=plans[:2])
        await asyncio.sleep(args.settle)
        rss_before = server_rss(servers)
        started = time.monotonic()
        await load.connect(load.seats[len(warm) :])
        connect_seconds = time.monotonic() - started
        await asyncio.sleep(args.settle)
        rss_idle = server_rss(servers)
        heartbeat = asyncio.create_task(load.heartbeat())

        await load.send(args.warmup, measured=False)
        rows_before = await asyncio.to_thread(target.rows)
        profilers = start_profilers(args, list(servers)) if profiled else []
        sessions_start = await asyncio.to_thread(database_sessions)
        pongs_start = load.pongs
        cpu_start = CpuSnapshot.take(list(servers))
        wall_start, wall_end = await load.send(args.duration, measured=True)
        cpu_end = CpuSnapshot.take(list(servers))
        sessions = await asyncio.to_thread(database_sessions) - sessions_start - 1
        pongs = load.pongs - pongs_start
        await load.drain()
        for profiler in profilers:
            profiler.wait(timeout=args.duration + 30)
        rss_after = server_rss(servers)
        start_at = datetime.datetime.fromtimestamp(wall_start, tz=datetime.UTC)
        end_at = datetime.datetime.fromtimestamp(wall_end, tz=datetime.UTC)
        rows_in_window = await asyncio.to_thread(target.rows, start_at, end_at)
        rows_after = await asyncio.to_thread(target.rows)
    finally:
        load.finished = True
        if heartbeat is not None:
            heartbeat.cancel()
        for seat in load.seats:
            if seat.ws is not None:
                await seat.ws.close()
        for reader in load.readers:
            reader.cancel()

    figures = report(
        args,
        load,
        title=target.title,
        names=target.names,
        connect_seconds=connect_seconds,
        rss=(rss_before, rss_idle, rss_after),
        rows=(rows_before, rows_in_window, rows_after),
        cpu=(cpu_start, cpu_end),
        window=wall_end - wall_start,
        sessions=sessions,
        pongs=pongs,
    )
    if profiled:
        for name in "ab":
            summarise_profile(Path(args.log_dir) / f"profile-{name}.txt")
    return figures


def main() -> None:
    args = parse_args()
    log_dir = Path(args.log_dir)
    log_dir.mkdir(parents=True, exist_ok=True)
    limit = raise_file_limit(args.sockets)
    secret_key = secrets.token_urlsafe(64)
    pages = args.sockets // SEATS_PER_PAGE

    started = time.monotonic()
    env = server_environment(args, secret_key)
    migrated_database(args.database_url, {**os.environ, **env})
    setup_django(args, secret_key)
    plans = build_school(pages)
    print(
        f"database {urlsplit(args.database_url).path.lstrip('/')} with {pages} pages ready in "
        f"{time.monotonic() - started:.0f} s; open-file limit {limit}"
    )

    daphnes: list[Server] = [DaphneServer(env, log_dir / f"daphne-{name}.log") for name in "ab"]
    ours = Target("dialogue load, ours", daphnes, ["daphne a", "daphne b"], "dialogue_message")
    try:
        start_all(*daphnes, timeout=60)
        figures = asyncio.run(run(args, ours, plans))
    finally:
        stop_all(*daphnes)
    if args.no_floor:
        return
    # The floor after ours, alone on the machine as ours was: the same pages, sockets and rate.
    floor = Target(
        "dialogue load, the floor (bench/floor.py)",
        [FloorServer(args, log_dir / "floor.log")],
        ["floor"],
        "floor_message",
    )
    try:
        start_all(*floor.servers, timeout=60)
        floor_figures = asyncio.run(run(args, floor, plans))
    finally:
        stop_all(*floor.servers)
    compare(figures, floor_figures)


if __name__ == "__main__":
    main()
