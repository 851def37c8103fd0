"""The load generator's side of ``dialogue_load.py``: the seats (one socket each, a person's
tab showing a page), the servers they talk to (our Daphne processes, or the floor), and the
load itself: connecting, subscribing, pinging, sending at a rate and reading every frame with
its arrival time. Not a benchmark of its own."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import random
import sys
import time
import uuid
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from websockets.asyncio.client import ClientConnection
from websockets.exceptions import ConnectionClosed

from tests.support.processes import DaphneServer, ManagedProcess, open_websocket

ROOT = Path(__file__).resolve().parent.parent
SEATS_PER_PAGE = 5  # student, guardian 1, guardian 2, teacher, mentor
FAMILY_SEATS = 3  # the first three seats send
CONNECT_CONCURRENCY = 20  # handshakes in flight at once (a school's morning is not one instant)


class FloorServer(ManagedProcess):
    """``bench/floor.py``: the least a server must do per message, for the ratios."""

    name = "floor"

    def __init__(self, args: argparse.Namespace, log_path: Path) -> None:
        super().__init__(None, log_path)
        self.args = args

    def command(self) -> list[str]:
        return [
            sys.executable,
            str(ROOT / "bench" / "floor.py"),
            "--port",
            str(self.port),
            "--database-url",
            self.args.database_url,
            "--redis-url",
            self.args.redis_url,
        ]

    @property
    def ws_url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/ws/"

    @property
    def origin(self) -> str:
        return f"http://127.0.0.1:{self.port}"


Server = DaphneServer | FloorServer


@dataclass
class Seat:
    """One socket: a person's tab showing one page."""

    index: int
    page: int
    thread: int
    cookie: str
    server: Server
    ws: ClientConnection | None = None
    subscribed: asyncio.Event = field(default_factory=asyncio.Event)
    last_seq: int = 0


@dataclass
class PagePlan:
    page: int
    thread: int
    cookies: list[str]  # student, guardian 1, guardian 2, teacher, mentor


class Load:
    def __init__(self, args: argparse.Namespace, servers: list[Server], plans: list[PagePlan]) -> None:
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
