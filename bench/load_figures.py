"""What ``dialogue_load.py`` measures and prints: CPU and memory of the processes, latency
quantiles, the report of one run (ours or the floor's), the ratios between the two, and the
py-spy profile's summary. Not a benchmark of its own."""

from __future__ import annotations

import argparse
import math
import os
import subprocess
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from bench.load_client import SEATS_PER_PAGE
from tests.support.processes import ManagedProcess, cpu_seconds

if TYPE_CHECKING:
    from bench.load_client import Load


# --- Measuring ---------------------------------------------------------------------------


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
    def take(cls, servers: list[ManagedProcess]) -> CpuSnapshot:
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


def start_profilers(args: argparse.Namespace, servers: list[ManagedProcess]) -> list[subprocess.Popen[bytes]]:
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
                # Only the thread holding the GIL: where the CPU goes, not where threads wait
                # (without it, waits on PostgreSQL's answers were half of the samples).
                "--gil",
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
    print(f"\nprofile {path.name}: {total} samples of the thread holding the GIL")
    for label, count in where.most_common():
        print(f"    {count / total:6.1%}  {label}")
    print("  project functions on the stack:")
    for label, count in ours.most_common(top):
        print(f"    {count / total:6.1%}  {label}")
    print("  package or module on top of the stack:")
    for label, count in leaf.most_common(8):
        print(f"    {count / total:6.1%}  {label}")


@dataclass
class Figures:
    """What a run is compared by, ours against the floor's."""

    message_p50: float
    message_p99: float
    ack_p50: float
    ack_p99: float
    delivered: float  # share of the expected message frames received
    persisted_per_second: float
    server_cpu_per_message: float  # CPU seconds of the servers per message sent
    cpu_per_message: float  # ... of the servers, PostgreSQL and Redis


def report(
    args: argparse.Namespace,
    load: Load,
    *,
    title: str,
    names: list[str],
    connect_seconds: float,
    rss: tuple[list[int], list[int], list[int]],
    rows: tuple[int, int, int],
    cpu: tuple[CpuSnapshot, CpuSnapshot],
    window: float,
    sessions: int,
    pongs: int,
) -> Figures:
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
    warm = Counter(seat.server.port for seat in load.seats[: SEATS_PER_PAGE * 2])
    idle_sockets = len(load.seats) - SEATS_PER_PAGE * 2
    start, end = cpu
    span = end.at - start.at
    rows_before, rows_in_window, rows_after = rows

    servers = f"{len(load.servers)} server{'s' if len(load.servers) > 1 else ''}"
    print(f"\n== {title}: {len(load.seats)} sockets on {len(load.plans)} pages, {servers}")
    print(
        f"machine: {os.cpu_count()} cores; rate asked {args.rate:g}/s for {args.duration:g} s "
        f"(+{args.warmup:g} s warm-up); heartbeat {args.heartbeat:g} s"
    )
    print(
        f"connecting {idle_sockets} sockets took {connect_seconds:.1f} s "
        f"({idle_sockets / max(connect_seconds, 1e-6):.0f} sockets/s)"
    )
    print(
        f"sent {len(measured)} in {window:.1f} s ({len(measured) / window:.1f}/s); acknowledged "
        f"{len(acked)} ({len(acked) / max(1, len(measured)):.2%}); refused {dict(load.refused)}"
    )
    print("\nlatency            p50         p90         p99         max       samples")
    latency = {}
    for label, values, missing in (
        ("send -> message", end_to_end, expected - received),
        ("send -> ack", acks, len(awaited) - len(acked)),
    ):
        q = latency[label] = quantiles(values, missing)
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
        sockets = per_server[server.port] - warm[server.port]
        print(
            f"{names[n]:8} (pid {server.pid:6d}) {rss_before[n]:8d} KiB {rss_idle[n]:8d} KiB "
            f"{rss_after[n]:8d} KiB   {(rss_idle[n] - rss_before[n]) / max(1, sockets):6.1f} KiB "
            f"({sockets} sockets)"
        )
    total_delta = sum(rss_idle) - sum(rss_before)
    print(f"all: {total_delta / max(1, idle_sockets):.1f} KiB per idle socket")

    print(f"\nCPU during the measured window ({span:.1f} s; 100% = one core)")
    for n, name in enumerate(names):
        print(f"  {name + ':':19} {(end.servers[n] - start.servers[n]) / span:7.1%}")
    print(f"  load generator:     {(end.generator - start.generator) / span:7.1%}")
    print(f"  postgres (all):     {(end.postgres - start.postgres) / span:7.1%}")
    print(f"  redis-server (all): {(end.redis - start.redis) / span:7.1%}")
    busy = (end.busy - start.busy) / max(1, end.total - start.total)
    server_cpu = sum(e - b for e, b in zip(end.servers, start.servers, strict=True))
    service_cpu = server_cpu + (end.postgres - start.postgres) + (end.redis - start.redis)
    ours = service_cpu + (end.generator - start.generator)
    cores = os.cpu_count() or 1
    print(
        f"  machine busy:       {busy:7.1%} of {cores} cores "
        f"(everything else on the machine: {busy * cores - ours / span:.1%} of a core)"
    )
    print(f"  load average at the end: {Path('/proc/loadavg').read_text().split()[0]}")
    messages = max(1, len(measured))
    print(
        f"  CPU per message sent: servers {server_cpu / messages * 1000:.2f} ms, with PostgreSQL "
        f"and Redis {service_cpu / messages * 1000:.2f} ms"
    )
    nan = {"p50": math.nan, "p99": math.nan}
    return Figures(
        message_p50=(latency["send -> message"] or nan)["p50"],
        message_p99=(latency["send -> message"] or nan)["p99"],
        ack_p50=(latency["send -> ack"] or nan)["p50"],
        ack_p99=(latency["send -> ack"] or nan)["p99"],
        delivered=received / max(1, expected),
        persisted_per_second=rows_in_window / window,
        server_cpu_per_message=server_cpu / messages,
        cpu_per_message=service_cpu / messages,
    )


def compare(ours: Figures, floor: Figures) -> None:
    """Our figures as ratios to the floor's, measured in the same run (a ratio above 1 costs
    more or takes longer than the floor, except for what is delivered and persisted)."""
    print("\n== ours / floor (the same sockets, pages and rate, one after the other)")
    print("                                    ours        floor        ratio")
    for label, mine, theirs, unit in (
        ("send -> message p50", ours.message_p50, floor.message_p50, "ms"),
        ("send -> message p99", ours.message_p99, floor.message_p99, "ms"),
        ("send -> ack p50", ours.ack_p50, floor.ack_p50, "ms"),
        ("send -> ack p99", ours.ack_p99, floor.ack_p99, "ms"),
        ("delivered", ours.delivered, floor.delivered, "%"),
        ("persisted per second", ours.persisted_per_second, floor.persisted_per_second, "/s"),
        ("server CPU per message", ours.server_cpu_per_message, floor.server_cpu_per_message, "ms"),
        ("+ PostgreSQL, Redis per message", ours.cpu_per_message, floor.cpu_per_message, "ms"),
    ):
        scale = {"ms": 1000, "%": 100, "/s": 1}[unit]
        ratio = mine / theirs if theirs and math.isfinite(mine) and math.isfinite(theirs) else math.nan
        print(f"{label:32} {value(mine * scale, unit)} {value(theirs * scale, unit)}  {ratio:8.2f}x")


def value(number: float, unit: str) -> str:
    return f"{number:9.1f} {unit:2}" if math.isfinite(number) else "  (never)   "
