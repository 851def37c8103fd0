"""Real server processes and real sockets to them, for the resilience tests and the load
benchmark: Daphne subprocesses, a throwaway Redis that may be killed, paused and restarted,
a throwaway PostgreSQL that may be stopped and started, and opening a socket as a browser
does (``tests.support.tabs`` has a client that behaves like the dialogue script).

Nothing here imports Django: the benchmark uses it before settings are configured.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from websockets.asyncio.client import ClientConnection, connect
from websockets.typing import Origin

ROOT = Path(__file__).resolve().parents[2]
DAPHNE = Path(sys.executable).parent / "daphne"
REDIS_SERVER = "redis-server"

Frame = dict[str, Any]


# --- Processes ------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_for_port(port: int, process: subprocess.Popen[bytes] | None = None, timeout: float = 30) -> None:
    """Until something accepts TCP connections on ``port`` (RuntimeError if the process
    exits first or nothing listens in time)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise RuntimeError(f"the process exited with {process.returncode} before listening on {port}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"nothing listens on port {port} after {timeout} s")


def database_url(db: Mapping[str, Any]) -> str:
    """A ``DATABASE_URL`` for a Django PostgreSQL database settings dict (as the test
    process sees it, so the subprocesses use the test database)."""
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    return f"postgres://{db['USER']}{password}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def recreate_database(url: str) -> None:
    """Drop and create the PostgreSQL database ``url`` names (a benchmark's own)."""
    import psycopg  # only the benchmarks need it here
    from psycopg import sql

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    maintenance = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(maintenance, autocommit=True) as connection:
        connection.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
        connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def rss_kib(pid: int) -> int:
    """Resident memory of a process (``VmRSS`` in /proc), in KiB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise RuntimeError(f"no VmRSS for process {pid}")


def cpu_seconds(pid: int, *, children: bool = False) -> float:
    """User + system CPU time a process has used so far (from /proc/<pid>/stat); with
    ``children``, also that of its children that have exited (PostgreSQL's short-lived
    connection processes end up there, in the postmaster)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    used = int(fields[11]) + int(fields[12])  # utime, stime (fields 14 and 15 of stat)
    if children:
        used += int(fields[13]) + int(fields[14])  # cutime, cstime
    return used / os.sysconf("SC_CLK_TCK")


class ManagedProcess:
    """A server subprocess on a fixed port that can be killed and started again there."""

    name = "process"

    def __init__(self, port: int | None, log_path: Path) -> None:
        self.port = port or free_port()
        self.log_path = log_path
        self.process: subprocess.Popen[bytes] | None = None

    def command(self) -> list[str]:
        raise NotImplementedError

    def environment(self) -> dict[str, str] | None:
        return None

    def start(self, timeout: float = 30) -> None:
        self.spawn()
        self.wait_ready(timeout)

    def spawn(self) -> None:
        assert not self.running, f"{self.name} is running"
        log = self.log_path.open("ab")
        self.process = subprocess.Popen(
            self.command(),
            cwd=ROOT,
            env=self.environment(),
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
        )
        log.close()  # the child has its own copy

    def wait_ready(self, timeout: float = 30) -> None:
        assert self.process is not None
        wait_for_port(self.port, self.process, timeout)

    @property
    def pid(self) -> int:
        assert self.process is not None
        return self.process.pid

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def kill(self) -> None:
        """SIGKILL: no clean-up, no goodbye to clients, as when the machine loses the process."""
        if self.running:
            assert self.process is not None
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(timeout=10)

    def pause(self) -> None:
        """SIGSTOP: the process keeps its sockets open and answers nothing, as a hung server."""
        assert self.process is not None
        self.process.send_signal(signal.SIGSTOP)

    def resume(self) -> None:
        assert self.process is not None
        self.process.send_signal(signal.SIGCONT)

    def terminate(self, timeout: float) -> float | None:
        """SIGTERM, as every deploy sends it: the seconds the process took to exit, or None
        if it was still running after ``timeout`` (it is then killed)."""
        assert self.process is not None
        started = time.monotonic()
        self.process.terminate()
        try:
            self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=10)
            return None
        return time.monotonic() - started

    def stop(self) -> None:
        if self.running:
            assert self.process is not None
            self.process.send_signal(signal.SIGCONT)  # a paused process would not hear SIGTERM
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)

    def log_tail(self, lines: int = 40) -> str:
        try:
            text = self.log_path.read_text(errors="replace")
        except FileNotFoundError:
            return ""
        return "\n".join(text.splitlines()[-lines:])


def start_all(*processes: ManagedProcess, timeout: float = 30) -> None:
    """Start several servers at once (Django's start-up takes seconds each)."""
    for process in processes:
        process.spawn()
    for process in processes:
        process.wait_ready(timeout)


def stop_all(*processes: ManagedProcess) -> None:
    for process in processes:
        with contextlib.suppress(Exception):
            process.stop()


class RedisServer(ManagedProcess):
    """A throwaway Redis without persistence: a restart forgets everything (group
    memberships included), which is the hard case for the channel layer."""

    name = "redis-server"

    def command(self) -> list[str]:
        return [
            REDIS_SERVER,
            "--port",
            str(self.port),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
            "--daemonize",
            "no",
            "--protected-mode",
            "no",
        ]

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"


class DaphneServer(ManagedProcess):
    """``daphne config.asgi:application`` with the given environment on top of ours."""

    name = "daphne"

    def __init__(self, env: Mapping[str, str], log_path: Path, port: int | None = None) -> None:
        super().__init__(port, log_path)
        self.env = {**os.environ, "PYTHONUNBUFFERED": "1", **env}

    def command(self) -> list[str]:
        return [str(DAPHNE), "-b", "127.0.0.1", "-p", str(self.port), "config.asgi:application"]

    def environment(self) -> dict[str, str]:
        return self.env

    @property
    def ws_url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/ws/"

    @property
    def origin(self) -> str:
        return f"http://127.0.0.1:{self.port}"


# --- A browser's socket ----------------------------------------------------------------------


async def open_websocket(
    url: str, origin: str, session_cookie: str, *, cookie_name: str = "sessionid", **options: Any
) -> ClientConnection:
    """A socket as a browser tab opens it: same-site Origin, the session cookie (Django's
    default name unless told), no compression."""
    return await connect(
        url,
        origin=Origin(origin),
        additional_headers={"Cookie": f"{cookie_name}={session_cookie}"},
        compression=None,
        proxy=None,
        open_timeout=15,
        **options,
    )


class PostgresServer:
    """A throwaway PostgreSQL cluster from Debian's binaries, in a directory of its own, that
    a test may stop and start: the suite's PostgreSQL is shared and never touched. initdb
    refuses to run as root, so as root the cluster belongs to the ``postgres`` user."""

    def __init__(self, port: int | None = None) -> None:
        self.port = port or free_port()
        self.bin = self._bin_dir()
        # Not under pytest's temporary directory: the postgres user could not reach it.
        self.directory = Path(tempfile.mkdtemp(prefix="elevdialog-pg-"))
        self.directory.chmod(0o755)
        self.data = self.directory / "data"
        self.sockets = self.directory / "sockets"
        self.log_path = self.directory / "postgres.log"

    @staticmethod
    def _bin_dir() -> Path:
        found = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"), key=lambda p: int(p.parts[-3]))
        if not found:
            raise RuntimeError("no PostgreSQL server binaries under /usr/lib/postgresql")
        return found[-1].parent

    def _run(self, *command: str) -> None:
        as_postgres = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        subprocess.run([*as_postgres, *command], check=True, cwd="/", capture_output=True, timeout=120)

    def init(self) -> None:
        if os.geteuid() == 0:
            shutil.chown(self.directory, "postgres", "postgres")
        self._run(
            str(self.bin / "initdb"), "-D", str(self.data), "-U", "postgres", "--auth=trust", "-E", "UTF8"
        )
        self._run("mkdir", "-p", str(self.sockets))

    def start(self) -> None:
        options = f"-p {self.port} -k {self.sockets} -c listen_addresses=127.0.0.1 -c fsync=off"
        self._run(
            str(self.bin / "pg_ctl"),
            "start",
            "-D",
            str(self.data),
            "-l",
            str(self.log_path),
            "-w",
            "-o",
            options,
        )

    def stop(self) -> None:
        """A fast shutdown, as an operator's restart: open connections are ended."""
        self._run(str(self.bin / "pg_ctl"), "stop", "-D", str(self.data), "-m", "fast", "-w")

    def remove(self) -> None:
        with contextlib.suppress(Exception):
            self.stop()
        shutil.rmtree(self.directory, ignore_errors=True)

    def url(self, name: str) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{name}"

    def create_database(self, name: str) -> str:
        import psycopg  # only the tests with a server of their own need it here
        from psycopg import sql

        with psycopg.connect(self.url("postgres"), autocommit=True) as connection:
            connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        return self.url(name)
