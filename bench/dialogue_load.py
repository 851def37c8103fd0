"""Load on the live dialogue: many open sockets, a steady stream of messages, two servers.

Run (PostgreSQL and Redis must be running; see bench/README.md):

    .venv/bin/python bench/dialogue_load.py --sockets 2000 --rate 200 --duration 30

What it does:

1. (Re)creates its own database (``elevdialog_bench`` by default; ``--database-url`` or
   ``BENCH_DATABASE_URL``) and migrates it with ``manage.py migrate``.
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

It prints figures and ratios only: end-to-end latency from send to each of the page's
sockets' "message" frame (the sender's own tab included), acknowledgement latency,
persisted messages per second (rows in the database), delivery completeness, server memory
per connected idle socket, and the CPU used by the servers, PostgreSQL, Redis and by this
load generator itself, which shares the machine with them.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import datetime
import json
import math
import os
import random
import resource
import secrets
import subprocess
import sys
import time
import uuid
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from websockets.asyncio.client import ClientConnection  # noqa: E402
from websockets.exceptions import ConnectionClosed  # noqa: E402

from tests.support.processes import (  # noqa: E402
    DaphneServer,
    cpu_seconds,
    open_websocket,
    recreate_database,
    rss_kib,
    start_all,
    stop_all,
)

CLASS_SIZE = 25
SEATS_PER_PAGE = 5  # student, guardian 1, guardian 2, teacher, mentor
FAMILY_SEATS = 3  # the first three seats send
CONNECT_CONCURRENCY = 20  # handshakes in flight at once (a school's morning is not one instant)
SETTLE_SECONDS = 3.0


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


@dataclass
class Seat:
    """One socket: a person's tab showing one page."""

    index: int
    page: int
    thread: int
    cookie: str
    server: DaphneServer
    ws: ClientConnection | None = None
    subscribed: asyncio.Event = field(default_factory=asyncio.Event)
    last_seq: int = 0


@dataclass
class PagePlan:
    page: int
    thread: int
    cookies: list[str]  # student, guardian 1, guardian 2, teacher, mentor


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


# --- Measuring -----------------------------------------------------------------------------------


def process_cpu(names: tuple[str, ...]) -> float:
    """CPU seconds used so far by every process with one of these command names, and by
    their children that have exited (PostgreSQL's per-connection processes), all of them
    on the machine: other users of the same PostgreSQL or Redis count too."""
    total = 0.0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            if (entry / "comm").read_text().strip() in names:
                total += cpu_seconds(int(entry.name), children=True)
        except (FileNotFoundError, ProcessLookupError, PermissionError):
            continue
    return total


def machine_busy() -> tuple[float, float]:
    """(busy, total) jiffies of all cores since boot."""
    values = [int(v) for v in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    idle = values[3] + values[4]
    return sum(values) - idle, sum(values)


@dataclass
class CpuSnapshot:
    at: float
    servers: list[float]
    generator: float
    postgres: float
    redis: float
    busy: float
    total: float

    @classmethod
    def take(cls, servers: list[DaphneServer]) -> CpuSnapshot:
        busy, total = machine_busy()
        return cls(
            time.monotonic(),
            [cpu_seconds(server.pid) for server in servers],
            cpu_seconds(os.getpid()),
            process_cpu(("postgres",)),
            process_cpu(("redis-server",)),
            busy,
            total,
        )


def database_sessions() -> int:
    """Connections ever opened to this database (PostgreSQL 14+ counts them)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT sessions FROM pg_stat_database WHERE datname = current_database()")
        row = cursor.fetchone()
    connection.close()
    return int(row[0]) if row else 0


def quantiles(values: list[float], missing: int = 0) -> dict[str, float]:
    """Nearest-rank quantiles; ``missing`` samples never arrived and rank above all others
    (infinite), so a backlog shows as a quantile beyond the run instead of vanishing."""
    if not values and not missing:
        return {}
    ordered = sorted(values) + [math.inf] * missing

    def at(q: float) -> float:
        return ordered[min(len(ordered) - 1, max(0, math.ceil(q * len(ordered)) - 1))]

    return {"p50": at(0.5), "p90": at(0.9), "p99": at(0.99), "max": ordered[-1], "n": len(ordered)}


def ms(value: float) -> str:
    return f"{value * 1000:8.1f} ms" if math.isfinite(value) else "   (never)"


# --- The load ----------------------------------------------------------------------------------------


class Load:
    def __init__(self, args: argparse.Namespace, servers: list[DaphneServer], plans: list[PagePlan]) -> None:
        self.args = args
        # Not for secrets: the same senders and pages on every run.
        self.random = random.Random(args.seed)  # noqa: S311
        self.servers = servers
        self.plans = plans
        self.seats: list[Seat] = []
        for number, plan in enumerate(plans):
            for position, cookie in enumerate(plan.cookies):
                index = number * SEATS_PER_PAGE + position
                self.seats.append(Seat(index, plan.page, plan.thread, cookie, servers[index % len(servers)]))
        self.seats_of_page: dict[int, list[Seat]] = defaultdict(list)
        for seat in self.seats:
            self.seats_of_page[seat.page].append(seat)
        self.sent_at: dict[str, float] = {}
        self.page_of: dict[str, int] = {}
        self.measured: set[str] = set()
        self.acked_at: dict[str, float] = {}
        self.refused: Counter[str] = Counter()
        self.refused_ids: set[str] = set()
        self.deliveries: dict[str, list[float]] = defaultdict(list)
        self.pongs = 0
        self.stale_pongs = 0  # a browser would have asked for a catch-up
        self.closed = 0  # by the servers, before the run ended
        self.finished = False
        self.readers: list[asyncio.Task[None]] = []

    async def read(self, seat: Seat) -> None:
        assert seat.ws is not None
        try:
            async for raw in seat.ws:
                now = time.monotonic()
                frame = json.loads(raw)
                kind = frame["type"]
                if kind == "message":
                    message = frame["message"]
                    self.deliveries[message["client_id"]].append(now)
                    seat.last_seq = max(seat.last_seq, message["change_seq"])
                elif kind == "ack":
                    self.acked_at.setdefault(frame["client_id"], now)
                elif kind in ("error", "guard"):
                    self.refused[frame.get("code", kind)] += 1
                    self.refused_ids.add(frame.get("client_id") or frame.get("ref"))
                elif kind == "pong":
                    self.pongs += 1
                    if frame["heads"].get(str(seat.page), 0) > seat.last_seq:
                        self.stale_pongs += 1
                elif kind == "subscribed":
                    seat.last_seq = max(seat.last_seq, frame["head"])
                    seat.subscribed.set()
        except ConnectionClosed:
            pass
        if not self.finished:
            self.closed += 1

    async def connect(self, seats: list[Seat]) -> None:
        limit = asyncio.Semaphore(CONNECT_CONCURRENCY)

        async def one(seat: Seat) -> None:
            async with limit:
                seat.ws = await open_websocket(
                    seat.server.ws_url, seat.server.origin, seat.cookie, ping_interval=None
                )
                self.readers.append(asyncio.create_task(self.read(seat)))
                await seat.ws.send(json.dumps({"type": "subscribe", "page": seat.page, "after": 0}))
                await asyncio.wait_for(seat.subscribed.wait(), 60)

        await asyncio.gather(*(one(seat) for seat in seats))

    async def heartbeat(self) -> None:
        """Every socket pings once per heartbeat period, spread evenly over it."""
        gap = self.args.heartbeat / len(self.seats)
        while True:
            for seat in self.seats:
                await asyncio.sleep(gap)
                if seat.ws is not None:
                    with contextlib.suppress(ConnectionClosed):
                        await seat.ws.send('{"type":"ping"}')

    async def send(
        self, seconds: float, *, measured: bool, plans: list[PagePlan] | None = None
    ) -> tuple[float, float]:
        """Send at the configured rate for ``seconds`` (to random pages of ``plans``, by
        default all); returns the wall-clock window."""
        plans = plans or self.plans
        loop = asyncio.get_running_loop()
        rate = self.args.rate
        count = int(rate * seconds)
        started_wall = time.time()
        start = loop.time()
        for n in range(count):
            delay = start + n / rate - loop.time()
            if delay > 0:
                await asyncio.sleep(delay)
            plan = self.random.choice(plans)
            seat = self.seats_of_page[plan.page][self.random.randrange(FAMILY_SEATS)]
            client_id = str(uuid.uuid4())
            frame = {
                "type": "send",
                "page": plan.page,
                "thread": plan.thread,
                "client_id": client_id,
                "body": f"Hej! En kort rad om veckans läxor, nummer {n}.",
            }
            self.sent_at[client_id] = time.monotonic()
            self.page_of[client_id] = plan.page
            if measured:
                self.measured.add(client_id)
            assert seat.ws is not None
            await seat.ws.send(json.dumps(frame))
        return started_wall, time.time()

    def expected_frames(self, client_ids: set[str]) -> int:
        return sum(len(self.seats_of_page[self.page_of[cid]]) for cid in client_ids if cid in self.acked_at)

    async def drain(self) -> None:
        """Until every acknowledged send has reached every socket of its page (or time is up)."""
        deadline = time.monotonic() + self.args.drain
        while time.monotonic() < deadline:
            answered = all(cid in self.acked_at for cid in self.sent_at) or (
                len(self.acked_at) + sum(self.refused.values()) >= len(self.sent_at)
            )
            delivered = sum(min(len(self.deliveries[cid]), 5) for cid in self.acked_at)
            if answered and delivered >= self.expected_frames(set(self.acked_at)):
                return
            await asyncio.sleep(0.2)


def server_rss(servers: list[DaphneServer]) -> list[int]:
    return [rss_kib(server.pid) for server in servers]


def start_profilers(args: argparse.Namespace, servers: list[DaphneServer]) -> list[subprocess.Popen[bytes]]:
    if not args.py_spy:
        return []
    return [
        subprocess.Popen(  # noqa: S603  (a path the person running the benchmark gave)
            [
                args.py_spy,
                "record",
                "--pid",
                str(server.pid),
                "--duration",
                str(int(args.duration)),
                "--rate",
                "50",
                "--format",
                "raw",
                "--nonblocking",
                "--output",
                str(Path(args.log_dir) / f"profile-{name}.txt"),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for name, server in zip("ab", servers, strict=True)
    ]


PROJECT_DIRS = ("accounts/", "dialogue/", "frontend/", "config/", "notifications/", "classblog/")


def summarise_profile(path: Path, top: int = 15) -> None:
    """Where a server spends its time, from py-spy's collapsed stacks: the share of samples
    in the thread that runs the ORM (``database_sync_to_async``) and on the event loop, the
    project functions on the stack (inclusive), and the libraries on top of the stack."""
    if not path.exists():
        return
    total = 0
    where: Counter[str] = Counter()
    ours: Counter[str] = Counter()
    leaf: Counter[str] = Counter()
    for line in path.read_text().splitlines():
        stack, _, count_text = line.rpartition(" ")
        count = int(count_text)
        total += count
        frames = [frame.rsplit(" (", 1) for frame in stack.split(";")]
        where["database thread" if "DatabaseSyncToAsync.thread_handler" in stack else "event loop"] += count
        labels = {
            f"{function} ({location.split(':')[0]})"
            for function, location in (f for f in frames if len(f) == 2)
            if location.startswith(PROJECT_DIRS)
        }
        for label in labels:
            ours[label] += count
        if len(frames[-1]) == 2:
            leaf[frames[-1][1].split("/")[0].split(".py")[0]] += count
    print(f"\nprofile {path.name}: {total} samples of busy threads")
    for label, count in where.most_common():
        print(f"    {count / total:6.1%}  {label}")
    print("  project functions on the stack:")
    for label, count in ours.most_common(top):
        print(f"    {count / total:6.1%}  {label}")
    print("  package or module on top of the stack:")
    for label, count in leaf.most_common(8):
        print(f"    {count / total:6.1%}  {label}")


async def run(args: argparse.Namespace, servers: list[DaphneServer], plans: list[PagePlan]) -> None:
    from dialogue.models import Message

    load = Load(args, servers, plans)
    heartbeat: asyncio.Task[None] | None = None
    try:
        # Warm up each server (imports, database connection, thread pool) on the first two
        # pages, then measure memory before and after the other sockets connect.
        warm = load.seats[: SEATS_PER_PAGE * 2]
        await load.connect(warm)
        await load.send(1.0, measured=False, plans=plans[:2])
        await asyncio.sleep(SETTLE_SECONDS)
        rss_before = server_rss(servers)
        started = time.monotonic()
        await load.connect(load.seats[len(warm) :])
        connect_seconds = time.monotonic() - started
        await asyncio.sleep(SETTLE_SECONDS)
        rss_idle = server_rss(servers)
        heartbeat = asyncio.create_task(load.heartbeat())

        await load.send(args.warmup, measured=False)
        rows_before = await asyncio.to_thread(Message.objects.count)
        profilers = start_profilers(args, servers)
        sessions_start = await asyncio.to_thread(database_sessions)
        pongs_start = load.pongs
        cpu_start = CpuSnapshot.take(servers)
        wall_start, wall_end = await load.send(args.duration, measured=True)
        cpu_end = CpuSnapshot.take(servers)
        sessions = await asyncio.to_thread(database_sessions) - sessions_start - 1
        pongs = load.pongs - pongs_start
        await load.drain()
        for profiler in profilers:
            profiler.wait(timeout=args.duration + 30)
        rss_after = server_rss(servers)
        start_at = datetime.datetime.fromtimestamp(wall_start, tz=datetime.UTC)
        end_at = datetime.datetime.fromtimestamp(wall_end, tz=datetime.UTC)
        rows_in_window = await asyncio.to_thread(
            lambda: Message.objects.filter(created_at__gte=start_at, created_at__lt=end_at).count()
        )
        rows_after = await asyncio.to_thread(Message.objects.count)
    finally:
        load.finished = True
        if heartbeat is not None:
            heartbeat.cancel()
        for seat in load.seats:
            if seat.ws is not None:
                await seat.ws.close()
        for reader in load.readers:
            reader.cancel()

    report(
        args,
        load,
        connect_seconds=connect_seconds,
        rss=(rss_before, rss_idle, rss_after),
        rows=(rows_before, rows_in_window, rows_after),
        cpu=(cpu_start, cpu_end),
        window=wall_end - wall_start,
        sessions=sessions,
        pongs=pongs,
    )
    if args.py_spy:
        for name in "ab":
            summarise_profile(Path(args.log_dir) / f"profile-{name}.txt")


def report(
    args: argparse.Namespace,
    load: Load,
    *,
    connect_seconds: float,
    rss: tuple[list[int], list[int], list[int]],
    rows: tuple[int, int, int],
    cpu: tuple[CpuSnapshot, CpuSnapshot],
    window: float,
    sessions: int,
    pongs: int,
) -> None:
    measured = load.measured
    acked = {cid for cid in measured if cid in load.acked_at}
    # Sends refused with an error frame expect nothing; unanswered ones count as missing.
    awaited = {cid for cid in measured if cid in acked or cid not in load.refused_ids}
    seats = {cid: len(load.seats_of_page[load.page_of[cid]]) for cid in awaited}
    end_to_end = [t - load.sent_at[cid] for cid in awaited for t in load.deliveries[cid][: seats[cid]]]
    expected = sum(seats.values())
    received = len(end_to_end)
    acks = [load.acked_at[cid] - load.sent_at[cid] for cid in acked]
    duplicates = sum(
        max(0, len(load.deliveries[cid]) - len(load.seats_of_page[load.page_of[cid]])) for cid in acked
    )
    rss_before, rss_idle, rss_after = rss
    per_server = Counter(seat.server.port for seat in load.seats)
    idle_sockets = len(load.seats) - SEATS_PER_PAGE * 2
    start, end = cpu
    span = end.at - start.at
    rows_before, rows_in_window, rows_after = rows

    print(f"\n== dialogue load: {len(load.seats)} sockets on {len(load.plans)} pages, 2 servers")
    print(
        f"machine: {os.cpu_count()} cores; rate asked {args.rate:g}/s for {args.duration:g} s "
        f"(+{args.warmup:g} s warm-up); heartbeat {args.heartbeat:g} s"
    )
    print(
        f"connecting {idle_sockets} sockets took {connect_seconds:.1f} s "
        f"({idle_sockets / connect_seconds:.0f} sockets/s)"
    )
    print(
        f"sent {len(measured)} in {window:.1f} s ({len(measured) / window:.1f}/s); acknowledged "
        f"{len(acked)} ({len(acked) / max(1, len(measured)):.2%}); refused {dict(load.refused)}"
    )
    print("\nlatency            p50         p90         p99         max       samples")
    for label, values, missing in (
        ("send -> message", end_to_end, expected - received),
        ("send -> ack", acks, len(awaited) - len(acked)),
    ):
        q = quantiles(values, missing)
        if q:
            print(f"{label:16} {ms(q['p50'])}  {ms(q['p90'])}  {ms(q['p99'])}  {ms(q['max'])}  {q['n']:8d}")
    print(
        f"\ndelivery: expected {expected} message frames, received {received} "
        f"({received / max(1, expected):.3%}) by the end of the drain, duplicates {duplicates}"
    )
    print(
        f"persisted: {rows_in_window} rows created in the {window:.1f} s window "
        f"({rows_in_window / window:.1f}/s); {rows_after - rows_before} rows after draining"
    )
    print(
        f"heartbeats: {load.pongs} pongs, {load.stale_pongs} ({load.stale_pongs / max(1, load.pongs):.1%}) "
        f"showed a newer head than the socket had seen (a browser would catch up)"
    )
    print(f"sockets closed by the servers during the run: {load.closed}")
    print(
        f"PostgreSQL connections opened in the window: {sessions} ({sessions / window:.1f}/s; "
        f"{sessions / max(1, len(measured) + pongs):.2f} per send or ping answered)"
    )

    print("\nserver memory (VmRSS)   before     idle sockets   after load   per idle socket")
    for n, server in enumerate(load.servers):
        sockets = per_server[server.port] - SEATS_PER_PAGE
        print(
            f"daphne {'ab'[n]} (pid {server.pid:6d}) {rss_before[n]:8d} KiB {rss_idle[n]:8d} KiB "
            f"{rss_after[n]:8d} KiB   {(rss_idle[n] - rss_before[n]) / max(1, sockets):6.1f} KiB "
            f"({sockets} sockets)"
        )
    total_delta = sum(rss_idle) - sum(rss_before)
    print(f"both: {total_delta / max(1, idle_sockets):.1f} KiB per idle socket")

    print(f"\nCPU during the measured window ({span:.1f} s; 100% = one core)")
    for n, _server in enumerate(load.servers):
        print(f"  daphne {'ab'[n]}:           {(end.servers[n] - start.servers[n]) / span:7.1%}")
    print(f"  load generator:     {(end.generator - start.generator) / span:7.1%}")
    print(f"  postgres (all):     {(end.postgres - start.postgres) / span:7.1%}")
    print(f"  redis-server (all): {(end.redis - start.redis) / span:7.1%}")
    busy = (end.busy - start.busy) / max(1, end.total - start.total)
    ours = sum(e - b for e, b in zip(end.servers, start.servers, strict=True)) + (
        end.generator - start.generator
    )
    ours += (end.postgres - start.postgres) + (end.redis - start.redis)
    cores = os.cpu_count() or 1
    print(
        f"  machine busy:       {busy:7.1%} of {cores} cores "
        f"(everything else on the machine: {busy * cores - ours / span:.1%} of a core)"
    )
    print(f"  load average at the end: {Path('/proc/loadavg').read_text().split()[0]}")


def main() -> None:
    args = parse_args()
    log_dir = Path(args.log_dir)
    log_dir.mkdir(parents=True, exist_ok=True)
    limit = raise_file_limit(args.sockets)
    secret_key = secrets.token_urlsafe(64)
    pages = args.sockets // SEATS_PER_PAGE

    started = time.monotonic()
    recreate_database(args.database_url)
    env = server_environment(args, secret_key)
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"],
        cwd=ROOT,
        env={**os.environ, **env},
        check=True,
    )
    setup_django(args, secret_key)
    plans = build_school(pages)
    print(
        f"database {urlsplit(args.database_url).path.lstrip('/')} with {pages} pages ready in "
        f"{time.monotonic() - started:.0f} s; open-file limit {limit}"
    )

    servers = [DaphneServer(env, log_dir / f"daphne-{name}.log") for name in "ab"]
    try:
        start_all(*servers, timeout=60)
        asyncio.run(run(args, servers, plans))
    finally:
        stop_all(*servers)


if __name__ == "__main__":
    main()
