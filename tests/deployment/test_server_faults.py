"""What a real server process does when something around it fails or goes quiet: a deploy's
SIGTERM with sends in flight, PostgreSQL stopping and starting, Redis hanging, and hours
where nothing happens at all.

Real Daphne subprocesses, real sockets (``tests.support.tabs.DialogueTab`` acts as the
browser), and servers of the test's own where it stops or pauses them. Waits have generous
limits; the only timed assertion is the one a deploy depends on (exit within 5 s of SIGTERM).
"""

from __future__ import annotations

import asyncio
import re
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.support.processes import DaphneServer, RedisServer, start_all, stop_all
from tests.support.scenes import FAMILY, make_scene, server_env, stored_rows
from tests.support.tabs import DialogueTab, live_message

pytestmark = [pytest.mark.django_db(transaction=True, serialized_rollback=True), pytest.mark.asyncio]

WAIT = 20.0  # limit for anything that should happen "soon"
REDIS_TROUBLE = re.compile(r"elevdialog\.channels|Redis", re.IGNORECASE)


@pytest.fixture(scope="module")
def logs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("server-fault-logs")


def log_lines(server: DaphneServer, since: int = 0) -> list[str]:
    return server.log_path.read_text(errors="replace").splitlines()[since:]


def problems_in(lines: list[str]) -> list[str]:
    """Log lines that report a problem: warnings, errors and tracebacks."""
    return [line for line in lines if re.search(r" (WARNING|ERROR|CRITICAL) |Traceback", line)]


# --- Redis: quiet is not dead, hung is -----------------------------------------------------------

# The quiet spell after which the server pings Redis is shortened so that the test sees many
# of them in seconds (a healthy, idle Redis was once taken for a dead one at the end of such a
# spell); REDIS_SOCKET_TIMEOUT, how long the pong may take, scales with it (twice the spell),
# so each cycle here is the production cycle, faster.
PING_SECONDS = 0.5
IDLE_SECONDS = 10.0  # 20 quiet spells


@pytest.fixture
def quiet_server(django_db_setup: None, logs: Path) -> Iterator[tuple[RedisServer, DaphneServer]]:
    redis = RedisServer(None, logs / "quiet-redis.log")
    server = DaphneServer(
        server_env(redis.url, CHANNEL_LAYER_PING_SECONDS=str(PING_SECONDS)), logs / "quiet-daphne.log"
    )
    try:
        redis.start()
        start_all(server)
        yield redis, server
    finally:
        stop_all(server, redis)


async def test_an_idle_server_keeps_a_healthy_redis_and_notices_a_hung_one(
    quiet_server: tuple[RedisServer, DaphneServer],
) -> None:
    redis, server = quiet_server
    scene = await make_scene()
    idle = DialogueTab(server, scene.cookies["guardian_2"], scene.page, name="idle tab")
    writer = DialogueTab(server, scene.cookies["guardian_1"], scene.page, name="writer")
    try:
        assert (await idle.open())["type"] == "subscribed"
        mark = len(log_lines(server))
        await asyncio.sleep(IDLE_SECONDS)  # nothing is sent, nothing pings
        idle_log = log_lines(server, mark)
        assert [line for line in problems_in(idle_log) if REDIS_TROUBLE.search(line)] == [], (
            "a healthy, idle Redis was taken for an unreachable one"
        )
        assert idle.is_open

        # The layer still delivers after the quiet spell (nothing had to re-join).
        assert (await writer.open())["type"] == "subscribed"
        ack = await writer.post(scene.thread, "Efter tystnaden")
        assert ack["type"] == "ack", ack
        await idle.wait_for(live_message(ack["message"]["id"]), WAIT)

        # A Redis that hangs (SIGSTOP: its port stays open, nothing answers) is noticed.
        mark = len(log_lines(server))
        redis.pause()
        try:
            deadline = asyncio.get_running_loop().time() + WAIT
            while not any("Redis unreachable" in line for line in log_lines(server, mark)):
                assert asyncio.get_running_loop().time() < deadline, "a hung Redis went unnoticed"
                await asyncio.sleep(0.2)
        finally:
            redis.resume()
        # ... and once it answers again, live delivery comes back (the subscription is renewed).
        for tab in (idle, writer):
            tab.start_heartbeat(0.5)
        deadline = asyncio.get_running_loop().time() + WAIT
        while True:
            probe = await writer.post(scene.thread, f"Prov {uuid.uuid4().hex[:6]}")
            assert probe["type"] == "ack", probe
            try:
                await idle.wait_for(live_message(probe["message"]["id"]), 1)
                break
            except TimeoutError:
                assert asyncio.get_running_loop().time() < deadline, "live delivery did not come back"
    finally:
        await idle.close()
        await writer.close()


# --- SIGTERM: every deploy sends it --------------------------------------------------------------

EXIT_SECONDS = 5.0  # a deploy waits this long before it kills


@pytest.fixture
def deploy_pair(django_db_setup: None, logs: Path) -> Iterator[tuple[DaphneServer, DaphneServer]]:
    """The server that is replaced, and the one the browsers move to."""
    old, new = (DaphneServer(server_env(), logs / f"deploy-{name}.log") for name in ("old", "new"))
    try:
        start_all(old, new)
        yield old, new
    finally:
        stop_all(old, new)


async def test_sigterm_with_sends_in_flight_exits_within_5_s_and_keeps_every_acknowledged_message(
    deploy_pair: tuple[DaphneServer, DaphneServer],
) -> None:
    old, new = deploy_pair
    scene = await make_scene()
    senders = [
        DialogueTab(old, scene.cookies[role], scene.page, name=f"{role} on the old server") for role in FAMILY
    ]
    attempted: dict[str, tuple[DialogueTab, str]] = {}  # client id -> (tab, body)

    async def stream(tab: DialogueTab) -> None:
        """Sends that do not wait for their acks, as a fast typist's outbox."""
        for n in range(150):
            client_id, body = str(uuid.uuid4()), f"{tab.name} {n}"
            attempted[client_id] = (tab, body)
            try:
                await tab.send_frame(
                    {
                        "type": "send",
                        "page": scene.page,
                        "thread": scene.thread,
                        "client_id": client_id,
                        "body": body,
                    }
                )
            except Exception:  # the server has closed the socket
                return
            await asyncio.sleep(0.01)

    try:
        for tab in senders:
            assert (await tab.open())["type"] == "subscribed"
        streams = [asyncio.create_task(stream(tab)) for tab in senders]
        await senders[0].wait_until(lambda: sum(len(acks_of(t)) for t in senders) >= 30, WAIT)
        exit_seconds = await asyncio.to_thread(old.terminate, 30)
        for task in streams:
            task.cancel()
        await asyncio.gather(*streams, return_exceptions=True)
        assert exit_seconds is not None, f"still running 30 s after SIGTERM\n{old.log_tail()}"
        assert exit_seconds < EXIT_SECONDS, f"exited {exit_seconds:.1f} s after SIGTERM"

        acked = {cid: pk for tab in senders for cid, pk in acks_of(tab).items()}
        stored = {str(row["client_id"]): row["id"] for row in await stored_rows(scene.page)}
        assert {cid: stored.get(cid) for cid in acked} == acked, "an acknowledged message was not stored"
        unacked = [cid for cid in attempted if cid not in acked]
        assert unacked, "the signal came after the last send: nothing was in flight"

        # The browsers move to the new server and send what was not acknowledged again.
        for tab in senders:
            assert (await tab.open(new))["type"] == "subscribed"
        for client_id in unacked:
            tab, body = attempted[client_id]
            await tab.send_frame(
                {
                    "type": "send",
                    "page": scene.page,
                    "thread": scene.thread,
                    "client_id": client_id,
                    "body": body,
                }
            )
        for tab in senders:
            await tab.wait_until(all_acked(tab, {cid for cid in unacked if attempted[cid][0] is tab}), WAIT)
        rows = await stored_rows(scene.page)
        assert Counter(str(row["client_id"]) for row in rows) == Counter(list(attempted)), (
            "each attempted send is stored exactly once"
        )
        assert problems_in(log_lines(old)) == [], "the old server logged problems while stopping"
    finally:
        for tab in senders:
            await tab.close()


def acks_of(tab: DialogueTab) -> dict[str, int]:
    return {f["client_id"]: f["message"]["id"] for f in tab.frames if f["type"] == "ack"}


def all_acked(tab: DialogueTab, client_ids: set[str]) -> Callable[[], bool]:
    return lambda: client_ids <= set(acks_of(tab))
