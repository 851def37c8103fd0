"""The student register sync at a municipality's size: the first import of 40 schools and
12,000 students with two guardians each, then a nightly incremental run with 1 % changes.

Run with the environment the tests use (PostgreSQL running; see bench/README.md):

    ELEVDIALOG_ENV=test DATABASE_URL=postgres://postgres@127.0.0.1:5432/elevdialog \\
    REDIS_URL=redis://127.0.0.1:6379/0 .venv/bin/python bench/roster_sync.py
    ... bench/roster_sync.py --schools 2 --students 100     # a tiny run, a few seconds

What it does:

1. (Re)creates its own database, named after ``DATABASE_URL``'s with ``_roster_bench``
   appended (``--database-url`` names another), migrated (a copy of the migrated template:
   ``bench.common.migrated_database``).
2. Builds the municipality's register (``tests.support.roster_generator.municipality``: per
   school a principal, a school administrator, an English teacher, classes of up to 30 from
   förskoleklass to year 9 with a class teacher who mentors it and teaches SV/MA/NO/SO) and
   serves it from the real test SS 12000 server (``tests.support.ss12000``) over HTTP on
   127.0.0.1, paged as the specification says, with a bearer token.
3. Runs the sync as the worker does (``roster.sync.sync`` with the configured reader, so
   ``read_api`` over HTTP): the **first import** (a full run), then changes 1 % of the
   students in the register (``--changes``: a quarter each moved to another class, a
   guardianship ended, a person renamed, a new student with new guardians; each stamped
   ``meta.modified`` after the first run began) and runs the **nightly** incremental run.
   ``--full-again`` adds a full run that finds nothing new (what a nightly full run costs).

Each run is a child process (this script with ``--child``), so that its peak resident
memory (the child's ``VmHWM``, Django and the drivers included; its ``VmRSS`` before the run
is printed beside it) is the run's own; the SS 12000 server stays in this process and shares
the machine's cores. The child counts its database queries with a connection ``execute_wrapper``;
``--tracemalloc`` also gives the peak of Python's own allocations (slower).

It prints figures only, never pass or fail: per run the wall time, the time per student,
the queries (per student), the peak memory, and what the run recorded (its status, and the
changes per kind over all schools).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import ROOT, bench_database, migrated_database

TOKEN = "bench-bearer-token"  # noqa: S105 - the local test server's token


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--schools", type=int, default=40, help="school units; default 40")
    parser.add_argument("--students", type=int, default=12000, help="students in all; default 12000")
    parser.add_argument("--guardians", type=int, default=2, help="guardians per student; default 2")
    parser.add_argument(
        "--changes", type=float, default=0.01, help="share of students changed before the nightly run"
    )
    parser.add_argument("--page-size", type=int, default=500, help="ROSTER_PAGE_SIZE; default 500")
    parser.add_argument("--full-again", action="store_true", help="then a full run that finds nothing new")
    parser.add_argument("--tracemalloc", action="store_true", help="also the peak of Python's allocations")
    parser.add_argument("--seed", type=int, default=17)
    parser.add_argument(
        "--database-url",
        default=bench_database("roster_bench"),
        help="the benchmark's own database; it is dropped and created again",
    )
    parser.add_argument("--log-dir", default=str(ROOT / "var" / "bench"), help="the runs' output goes here")
    parser.add_argument("--child", choices=["full", "incremental"], help=argparse.SUPPRESS)
    parser.add_argument("--trigger", default="command", help=argparse.SUPPRESS)
    parser.add_argument("--figures", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        return args
    if os.environ.get("ELEVDIALOG_ENV") != "test" or not os.environ.get("REDIS_URL") or not args.database_url:
        parser.error("run with ELEVDIALOG_ENV=test, DATABASE_URL and REDIS_URL set, as the tests do")
    return args


# The child: one sync run ---------------------------------------------------------------------


def memory_mib(field: str) -> float:
    """This process's resident memory now (VmRSS) or its high-water mark (VmHWM), in MiB.

    Not ``ru_maxrss``: Linux carries a process's maximum over ``fork`` and ``exec``, so a
    child would report the parent's size, the register's 36,000 persons included."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(f"{field}:"):
            return int(line.split()[1]) / 1024  # kB
    raise RuntimeError(f"no {field} in /proc/self/status")


def child(args: argparse.Namespace) -> None:
    """One sync run in this process; prints one JSON line of figures."""
    import tracemalloc

    import django

    django.setup()
    from django.db import connection

    from roster.models import RosterRun
    from roster.sources import configured_reader
    from roster.sync import sync

    read = configured_reader()
    assert read is not None, "ROSTER_API_URL is not set"
    queries = 0

    def count(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        nonlocal queries
        queries += 1
        return execute(sql, params, many, context)

    before_mib = memory_mib("VmRSS")
    if args.tracemalloc:
        tracemalloc.start()
    started = time.monotonic()
    with connection.execute_wrapper(count):
        run = sync(read, trigger=args.trigger, mode=args.child)
    seconds = time.monotonic() - started
    python_peak = tracemalloc.get_traced_memory()[1] if args.tracemalloc else None
    tracemalloc.stop()
    peak_mib = memory_mib("VmHWM")
    counts: Counter[str] = Counter()
    statuses: Counter[str] = Counter()
    problems: Counter[str] = Counter()
    for school in RosterRun.objects.get(pk=run.pk).schools.all():
        counts.update(school.counts)
        statuses[school.status] += 1
        problems.update(problem.get("code", "?") for problem in school.problems)
    figures = {
        "seconds": seconds,
        "queries": queries,
        "status": run.status,
        "error": run.error,
        "schools": dict(statuses),
        "counts": dict(counts),
        "problems": dict(problems),
        "before_mib": before_mib,
        "peak_mib": peak_mib,
        "python_peak_mib": python_peak / 2**20 if python_peak is not None else None,
    }
    Path(args.figures).write_text(json.dumps(figures))


# The parent: the register, the server and the runs ----------------------------------------------


def run_child(
    mode: str, trigger: str, args: argparse.Namespace, env: dict[str, str], log: Path
) -> dict[str, Any]:
    figures_path = log.with_suffix(".json")
    command = [
        sys.executable,
        __file__,
        "--child",
        mode,
        "--trigger",
        trigger,
        "--figures",
        str(figures_path),
    ]
    if args.tracemalloc:
        command.append("--tracemalloc")
    with log.open("wb") as out:
        started = time.monotonic()
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)  # noqa: S603  (this script)
        _pid, status, _usage = os.wait4(process.pid, 0)
        wall = time.monotonic() - started
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"the {mode} run failed; see {log}")
    figures: dict[str, Any] = json.loads(figures_path.read_text())
    figures.update(process_seconds=wall)
    return figures


def change(muni: Any, share: float, rng: random.Random) -> dict[str, int]:
    """Change ``share`` of the students in the register, as a school year changes them: a
    quarter each moved to another class of their school, a guardianship ended, renamed (a
    student or a guardian), and new students with new guardians."""
    from tests.support.roster_names import GIVEN_ADULTS, GIVEN_CHILDREN

    classes = [group for group in muni.groups.values() if group["groupType"] == "Klass"]
    by_school: dict[str, list[dict[str, Any]]] = {}
    for klass in classes:
        by_school.setdefault(klass["organisation"]["id"], []).append(klass)
    placed = [
        (klass, muni.persons[m["person"]["id"]]) for klass in classes for m in klass["groupMemberships"]
    ]
    total = max(4, round(len(placed) * share))
    picked = rng.sample(placed, min(len(placed), total))
    today = dt.date.today()
    done: Counter[str] = Counter()
    quarter = total // 4
    moves, ended, renamed = picked[:quarter], picked[quarter : 2 * quarter], picked[2 * quarter : 3 * quarter]
    for klass, student in moves:
        others = [other for other in by_school[klass["organisation"]["id"]] if other is not klass]
        if others:
            muni.move_student(student, klass, rng.choice(others), today)
            done["moved"] += 1
    for _klass, student in ended:
        guardians = muni.guardians_of(student)
        if guardians:
            muni.end_guardianship(student, guardians[-1])
            done["guardianship ended"] += 1
    for _klass, student in renamed:
        person = rng.choice([student, *muni.guardians_of(student)])
        muni.rename(person, family=f"{person['familyName']}-Ny")
        done["renamed"] += 1
    schools = {s["id"]: s for s in muni.organisations.values() if s["organisationType"] == "Skolenhet"}
    for _ in range(total - 3 * quarter):
        klass = rng.choice(classes)
        family = rng.choice(["Nyström", "Nyberg", "Nylund"])
        guardians = [muni.add_guardian(rng.choice(GIVEN_ADULTS), family) for _ in range(2)]
        school = schools[klass["organisation"]["id"]]
        muni.add_student(school, klass, rng.choice(GIVEN_CHILDREN), family, guardians=guardians, start=today)
        done["new student"] += 1
    return dict(done)


def report(name: str, figures: dict[str, Any], students: int) -> None:
    seconds, queries = figures["seconds"], figures["queries"]
    python = f", Python peak {figures['python_peak_mib']:.0f} MiB" if figures["python_peak_mib"] else ""
    print(
        f"{name:<22} {seconds:8.1f} s ({seconds / students * 1000:6.2f} ms/student)  "
        f"{queries:8,} queries ({queries / students:5.2f}/student)  "
        f"peak {figures['peak_mib']:5.0f} MiB (before the run {figures['before_mib']:.0f}){python}"
    )
    counts = ", ".join(f"{code} {n:,}" for code, n in sorted(figures["counts"].items()) if n)
    schools = ", ".join(f"{status} {n}" for status, n in sorted(figures["schools"].items()))
    print(f"{'':<22} run {figures['status']}; schools: {schools}; {counts or 'no changes'}")
    if figures["problems"]:
        problems = ", ".join(f"{code} {n:,}" for code, n in sorted(figures["problems"].items()))
        print(f"{'':<22} problems: {problems}")
    if figures["error"]:
        print(f"{'':<22} error: {figures['error']}")


def main() -> None:
    args = parse_args()
    if args.child:
        child(args)
        return
    from tests.support.roster_generator import municipality
    from tests.support.ss12000 import SS12000Server

    log_dir = Path(args.log_dir)
    name = urlsplit(args.database_url).path.strip("/")
    log_dir.mkdir(parents=True, exist_ok=True)
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DATABASE_URL": args.database_url,
        "SITE_URL": os.environ.get("SITE_URL", "http://127.0.0.1:8000"),
        "ROSTER_BEARER_TOKEN": TOKEN,
        "ROSTER_PAGE_SIZE": str(args.page_size),
        "PYTHONUNBUFFERED": "1",
    }
    for name in ("ROSTER_FILE", "ROSTER_TOKEN_URL", "ROSTER_CLIENT_ID", "ROSTER_CLIENT_SECRET"):
        env.pop(name, None)
    migrated_database(args.database_url, env)

    started = time.monotonic()
    # The register as it stood at yesterday's nightly run: its entities stamped a day ago, so
    # the incremental run's margin (roster.sync.REGISTER_CLOCK_MARGIN) finds only the night's
    # changes, which are stamped with the real time, as in a municipality.
    yesterday = dt.datetime.now(dt.UTC) - dt.timedelta(days=1)
    muni = municipality(args.schools, args.students, args.guardians, seed=args.seed, clock=yesterday)
    muni.clock = None
    people = len(muni.persons)
    print(
        f"register: {args.schools} schools, {args.students:,} students, {people:,} persons, "
        f"{len(muni.groups):,} classes, {len(muni.duties):,} duties, {len(muni.activities):,} activities "
        f"(built in {time.monotonic() - started:.1f} s)"
    )
    with SS12000Server(bearer_token=TOKEN) as server:
        server.load(muni)
        env["ROSTER_API_URL"] = server.url
        first = run_child("full", "command", args, env, log_dir / f"{name}-first.log")
        report("first import", first, args.students)
        print(f"{'':<22} {len(server.requests):,} HTTP requests")

        muni.set_clock(dt.datetime.now(dt.UTC))  # the changes come after the first run began
        done = change(muni, args.changes, random.Random(args.seed))  # noqa: S311  (not secrets)
        server.load(muni)
        server.clear_log()
        print("register changes: " + ", ".join(f"{kind} {n}" for kind, n in done.items()))
        nightly = run_child("incremental", "nightly", args, env, log_dir / f"{name}-nightly.log")
        report("nightly (incremental)", nightly, args.students)
        print(f"{'':<22} {len(server.requests):,} HTTP requests")
        if args.full_again:
            server.clear_log()
            again = run_child("full", "command", args, env, log_dir / f"{name}-full-again.log")
            report("full, nothing new", again, args.students)
            print(f"{'':<22} {len(server.requests):,} HTTP requests")


if __name__ == "__main__":
    main()
