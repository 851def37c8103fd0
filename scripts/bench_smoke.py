"""Benchmarks that cannot rot: run every script in ``bench/`` at a tiny size and check only that
it completes and prints its figures. No timing is asserted (`make bench-smoke`; `make test`
runs it).

Needs the test services' environment (``DATABASE_URL``, ``REDIS_URL``, ``ELEVDIALOG_ENV=test``),
as `make bench-smoke` and `make test` set it. Each script gets a database of its own,
``<DATABASE_URL's name>_bench_smoke_<script>``, dropped afterwards; logs and files go to a
temporary directory, kept (and named) only when a script fails. Two scripts run at once
(``--jobs``): most of a tiny run is starting Python and Django, and waiting.

A script is checked when it exits 0 and the last line it prints holds a figure (a digit): the
benchmarks print their figures last. A script in ``bench/`` (a module with a ``__main__``
guard) without an entry in ``TINY`` fails the smoke, so a new benchmark cannot be forgotten.
"""

from __future__ import annotations

import argparse
import os
import re
import shlex
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor, as_completed
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
TIMEOUT_SECONDS = 300
JOBS = 2

# A benchmark is a module in bench/ that runs as a script (it has a __main__ guard); the others
# are its helpers. The floor server is a script that dialogue_load.py runs.
RUN_BY_ANOTHER = {"floor.py": "dialogue_load.py"}
MAIN = re.compile(r"""^if __name__ == ["']__main__["']:""", re.MULTILINE)

# Each benchmark script and its arguments for a tiny run ("--database-url" and, where the
# script has one, "--log-dir" are added from the sets below).
TINY: dict[str, list[str]] = {
    "dialogue_load.py": shlex.split("--sockets 10 --rate 5 --duration 3 --warmup 1 --drain 5 --settle 0.5"),
    "export.py": shlex.split("--messages 50 --attachments 2 --photo-size 50 --fresh"),
    "guard_false_positives.py": [],
    "notify_class.py": shlex.split("--students 3 --workers 1"),
    "page_history.py": shlex.split("--messages 10,200 --repeat 2 --fresh"),
    "purge.py": shlex.split("--students 3 --messages 5"),
    "release.py": shlex.split("--messages 50 --photos 1 --pdfs 1 --maskings 2 --fresh"),
    "roster_sync.py": shlex.split("--schools 1 --students 20"),
}
# The scripts that take a database of their own / a directory for their logs.
WITH_DATABASE = {
    "dialogue_load.py",
    "export.py",
    "notify_class.py",
    "page_history.py",
    "purge.py",
    "release.py",
    "roster_sync.py",
}
WITH_LOG_DIR = {"dialogue_load.py", "notify_class.py", "purge.py", "roster_sync.py"}

FIGURE = re.compile(r"\d")


def database_url(base: str, script: str) -> str:
    parts = urlsplit(base)
    name = f"{parts.path.strip('/')}_bench_smoke_{Path(script).stem}"
    return urlunsplit(parts._replace(path=f"/{name}"))


def drop_database(url: str) -> None:
    import psycopg
    from psycopg import sql

    parts = urlsplit(url)
    with psycopg.connect(urlunsplit(parts._replace(path="/postgres")), autocommit=True) as connection:
        name = sql.Identifier(parts.path.strip("/"))
        connection.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(name))


def scripts_in_bench() -> list[str]:
    return sorted(
        path.name
        for path in BENCH.glob("*.py")
        if path.name not in RUN_BY_ANOTHER and MAIN.search(path.read_text())
    )


def run_one(script: str, work: Path) -> tuple[bool, float, str]:
    """Run one benchmark at its tiny size: (passed, seconds, what to show)."""
    command = [sys.executable, str(BENCH / script), *TINY[script]]
    url = database_url(os.environ["DATABASE_URL"], script)
    if script in WITH_DATABASE:
        command += ["--database-url", url]
    log_dir = work / Path(script).stem
    log_dir.mkdir()
    if script in WITH_LOG_DIR:
        command += ["--log-dir", str(log_dir)]
    env = {
        **os.environ,
        "ELEVDIALOG_VAR_DIR": str(log_dir / "var"),
        "BENCH_REDIS_URL": os.environ["REDIS_URL"],
        "PYTHONUNBUFFERED": "1",
    }
    env.pop("BENCH_DATABASE_URL", None)
    started = time.monotonic()
    process = subprocess.Popen(
        command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True
    )
    try:
        stdout, stderr = process.communicate(timeout=TIMEOUT_SECONDS)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)  # the script and the servers it started
        stdout, stderr = process.communicate()
        seconds = time.monotonic() - started
        return False, seconds, f"timed out after {TIMEOUT_SECONDS} s\n{tail(stdout, stderr)}"
    finally:
        if script in WITH_DATABASE:
            drop_database(url)
    seconds = time.monotonic() - started
    lines = [line for line in stdout.decode(errors="replace").splitlines() if line.strip()]
    if process.returncode != 0:
        return False, seconds, f"exited with {process.returncode}\n{tail(stdout, stderr)}"
    if not lines or not FIGURE.search(lines[-1]):
        return False, seconds, f"printed no figures at the end\n{tail(stdout, stderr)}"
    built = (
        " (it migrated the benchmarks' template database first)"
        if b"migrated the template database" in stderr
        else ""
    )
    return True, seconds, lines[-1].strip() + built


def tail(stdout: bytes, stderr: bytes, lines: int = 30) -> str:
    text = stdout.decode(errors="replace") + stderr.decode(errors="replace")
    return "\n".join("    " + line for line in text.splitlines()[-lines:])


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--jobs", type=int, default=JOBS, help=f"benchmarks run at once; default {JOBS}")
    args = parser.parse_args()
    missing = [name for name in ("DATABASE_URL", "REDIS_URL") if not os.environ.get(name)]
    if missing or os.environ.get("ELEVDIALOG_ENV") != "test":
        parser.error("run with ELEVDIALOG_ENV=test, DATABASE_URL and REDIS_URL set (make bench-smoke does)")
    scripts = scripts_in_bench()
    failures = [script for script in scripts if script not in TINY]
    for script in failures:
        print(
            f"FAIL  bench/{script}: no tiny size for it; add an entry to TINY in "
            f"scripts/bench_smoke.py (its arguments for a run of a few seconds)",
            flush=True,
        )
    for script in sorted(set(TINY) - set(scripts)):
        failures.append(script)
        print(f"FAIL  bench/{script} is in TINY but not a script in bench/; remove its entry", flush=True)
    runnable = [script for script in scripts if script in TINY]
    started = time.monotonic()
    work = Path(tempfile.mkdtemp(prefix="elevdialog-bench-smoke-"))
    with ThreadPoolExecutor(max_workers=max(1, args.jobs)) as pool:
        runs = {pool.submit(run_one, script, work): script for script in runnable}
        for done in as_completed(runs):
            script = runs[done]
            passed, seconds, shown = done.result()
            print(f"{'ok  ' if passed else 'FAIL'}  {seconds:6.1f} s  bench/{script}: {shown}", flush=True)
            if not passed:
                failures.append(script)
    total = time.monotonic() - started
    if failures:
        print(f"bench-smoke: {len(failures)} failed ({', '.join(failures)}) in {total:.1f} s; logs in {work}")
        return 1
    shutil.rmtree(work, ignore_errors=True)
    print(f"bench-smoke: {len(runnable)} benchmarks completed and printed figures in {total:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
