"""Real server processes and real sockets to them, for the resilience tests and the load
benchmark: Daphne subprocesses, a throwaway Redis that may be killed and restarted, and a
WebSocket client that behaves like the browser's dialogue script (``dialogue.js``).

Nothing here imports Django: the benchmark uses it before settings are configured.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections import Counter
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed
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

    def stop(self) -> None:
        if self.running:
            assert self.process is not None
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


# --- A browser tab's socket ------------------------------------------------------------------


class SocketClosed(Exception):
    """The server closed the socket (or the process died) before the awaited frame came."""


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


class DialogueTab:
    """One page open in a browser tab, as ``dialogue.js`` keeps it: it applies changes by
    message id (upsert), remembers the highest change number applied (``last_seq``), and
    catches up with ``subscribe`` + ``after`` when a live change skips a number or a pong
    says the page has moved on. Optionally it reconnects by itself when the socket drops.

    Every frame is kept in ``frames`` (of the current socket) and every delivery of a
    change (live or in a catch-up list) is counted in ``deliveries`` by (id, change_seq),
    so tests can tell a duplicate from an upsert.
    """

    def __init__(self, server: DaphneServer, session_cookie: str, page: int, *, name: str = "tab") -> None:
        self.server = server
        self.session_cookie = session_cookie
        self.page = page
        self.name = name
        self.messages: dict[int, Frame] = {}  # id -> payload (latest change applied)
        self.last_seq = 0
        self.deliveries: Counter[tuple[int, int]] = Counter()
        self.live_frames: list[Frame] = []  # "message" frames, in arrival order
        self.frames: list[Frame] = []
        self.connections = 0
        self.connection: ClientConnection | None = None
        self.auto_reconnect = False
        self.subscribed = asyncio.Event()
        self._changed = asyncio.Condition()
        self._reader: asyncio.Task[None] | None = None
        self._heartbeat: asyncio.Task[None] | None = None

    # Connection -------------------------------------------------------------------------

    async def open(self, server: DaphneServer | None = None, *, after: int | None = None) -> Frame:
        """Connect (to ``server`` if given: a reconnect elsewhere) and subscribe with
        ``after`` (default: the last change applied, 0 on a first visit), as the browser
        does on every (re)connect."""
        if server is not None:
            self.server = server
        await self._drop_connection()
        self.connection = await open_websocket(self.server.ws_url, self.server.origin, self.session_cookie)
        self.connections += 1
        self.frames = []
        self.subscribed.clear()
        self._reader = asyncio.create_task(self._read(self.connection))
        return await self.subscribe(self.last_seq if after is None else after)

    async def close(self) -> None:
        self.auto_reconnect = False
        if self._heartbeat is not None:
            self._heartbeat.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._heartbeat
            self._heartbeat = None
        await self._drop_connection()

    async def _drop_connection(self) -> None:
        if self.connection is not None:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self.connection.close(), 5)
        if self._reader is not None:
            self._reader.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._reader
        self.connection = None
        self._reader = None

    @property
    def is_open(self) -> bool:
        return self.connection is not None and self._reader is not None and not self._reader.done()

    def start_heartbeat(self, interval: float, *, reconnect: bool = True) -> None:
        """Ping every ``interval`` seconds as the browser does (which makes the server
        re-join its groups and report the page heads); with ``reconnect``, open a new
        socket (with ``after``) whenever the old one is gone."""
        self.auto_reconnect = reconnect
        self._heartbeat = asyncio.create_task(self._beat(interval))

    async def _beat(self, interval: float) -> None:
        while True:
            await asyncio.sleep(interval)
            if not self.is_open:
                if self.auto_reconnect:
                    with contextlib.suppress(Exception):  # server away: try again next beat
                        await self.open()
                continue
            with contextlib.suppress(ConnectionClosed, SocketClosed):
                if not self.subscribed.is_set():  # the last subscribe was refused: again
                    await self.catch_up()
                await self.send_frame({"type": "ping"})

    # Frames -----------------------------------------------------------------------------

    async def send_frame(self, frame: Frame) -> None:
        if self.connection is None:
            raise SocketClosed(self.name)
        await self.connection.send(json.dumps(frame))

    async def _read(self, connection: ClientConnection) -> None:
        try:
            async for raw in connection:
                frame = json.loads(raw)
                await self._handle(frame)
                async with self._changed:
                    self.frames.append(frame)
                    self._changed.notify_all()
        except ConnectionClosed:
            pass  # the server went away: is_open turns false
        finally:
            async with self._changed:
                self._changed.notify_all()  # waiters see the closed socket

    async def _handle(self, frame: Frame) -> None:
        kind = frame["type"]
        if kind == "subscribed" and frame["page"] == self.page:
            for message in frame["messages"]:
                self._apply(message, live=False)
            self.subscribed.set()
        elif kind == "message" and frame["message"]["page"] == self.page:
            self.live_frames.append(frame)
            self._apply(frame["message"], live=True)
        elif kind == "ack" and frame.get("message"):
            self._upsert(frame["message"])
        elif kind == "pong" and frame["heads"].get(str(self.page), 0) > self.last_seq:
            await self.catch_up()

    def _apply(self, message: Frame, *, live: bool) -> None:
        self.deliveries[(message["id"], message["change_seq"])] += 1
        if live and message["change_seq"] > self.last_seq + 1 and self.subscribed.is_set():
            # A change number was skipped: something was missed in transit.
            asyncio.get_running_loop().create_task(self.catch_up())
            return
        self._upsert(message)

    def _upsert(self, message: Frame) -> None:
        known = self.messages.get(message["id"])
        if known is None or known["change_seq"] < message["change_seq"]:
            self.messages[message["id"]] = message
        # (Catch-up lists skip numbers whose message changed again later; the highest
        # number applied is what the next catch-up starts from.)
        self.last_seq = max(self.last_seq, message["change_seq"])

    async def catch_up(self) -> None:
        with contextlib.suppress(ConnectionClosed, SocketClosed):
            await self.send_frame({"type": "subscribe", "page": self.page, "after": self.last_seq})

    async def wait_for(self, match: Callable[[Frame], bool], timeout: float = 15, *, since: int = 0) -> Frame:
        """The first frame on the current socket (from index ``since``) that ``match``es.
        SocketClosed if the socket ends first, TimeoutError after ``timeout`` seconds."""

        def found() -> Frame | None:
            return next((f for f in self.frames[since:] if match(f)), None)

        async def wait() -> Frame:
            async with self._changed:
                while True:
                    frame = found()
                    if frame is not None:
                        return frame
                    if not self.is_open:
                        raise SocketClosed(f"{self.name}: the socket closed")
                    await self._changed.wait()

        try:
            return await asyncio.wait_for(wait(), timeout)
        except TimeoutError:
            raise TimeoutError(f"{self.name}: no matching frame within {timeout} s") from None

    async def wait_until(self, condition: Callable[[], bool], timeout: float = 15) -> None:
        """Until ``condition()`` holds after some frame (TimeoutError otherwise)."""

        async def wait() -> None:
            async with self._changed:
                await self._changed.wait_for(condition)

        try:
            await asyncio.wait_for(wait(), timeout)
        except TimeoutError:
            raise TimeoutError(f"{self.name}: the condition did not hold within {timeout} s") from None

    async def subscribe(self, after: int | None = None) -> Frame:
        since = len(self.frames)
        await self.send_frame({"type": "subscribe", "page": self.page, "after": after})
        return await self.wait_for(lambda f: f["type"] in ("subscribed", "error"), since=since)

    async def ping(self) -> Frame:
        since = len(self.frames)
        await self.send_frame({"type": "ping"})
        return await self.wait_for(lambda f: f["type"] == "pong", since=since)

    async def post(self, thread: int, body: str, client_id: str | None = None, timeout: float = 15) -> Frame:
        """Send a message and return the answer to it: ack, guard or error."""
        client_id = client_id or str(uuid.uuid4())
        since = len(self.frames)
        await self.send_frame(
            {"type": "send", "page": self.page, "thread": thread, "client_id": client_id, "body": body}
        )
        return await self.wait_for(lambda f: answers(f, client_id), timeout, since=since)


def answers(frame: Frame, client_id: str) -> bool:
    """Whether ``frame`` is the server's answer to the send with ``client_id``."""
    return frame["type"] in ("ack", "guard", "error") and client_id in (
        frame.get("client_id"),
        frame.get("ref"),
    )
