"""The live dialogue across real server processes: two Daphne processes sharing Redis, a
Redis restart under traffic, a server killed mid-stream, and reconnecting with ``after``.

Each test drives real sockets (the ``websockets`` client, acting as the browser's
``dialogue/feed.js``) against Daphne subprocesses on the test database, so what they check is
what a browser would see: persist first, then fan out; the database is the truth, and a
client that missed anything catches up from it (ARCHITECTURE rule 6).

No assertion is about speed: every wait has a generous time limit, and the assertions are
about which messages were stored, answered and delivered.
"""

from __future__ import annotations

import asyncio
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings

from tests.support.processes import DaphneServer, RedisServer, start_all, stop_all
from tests.support.scenes import make_scene, server_env, stored_rows
from tests.support.tabs import DialogueTab, SocketClosed

# Data made here must be committed: the server processes read it over their own
# connections. The database is flushed after each test; serialized_rollback restores the
# data migrations' rows (subjects).
pytestmark = [pytest.mark.django_db(transaction=True, serialized_rollback=True), pytest.mark.asyncio]

HEARTBEAT_SECONDS = 0.5  # the tabs' ping interval (browsers use WEBSOCKET_HEARTBEAT_SECONDS)
WAIT = 20.0  # limit for anything that should happen "soon"
RECOVERY = 45.0  # limit for live delivery to come back after Redis restarts


def _pair(redis_url: str, logs: Path, label: str) -> tuple[DaphneServer, DaphneServer]:
    env = server_env(redis_url)
    return DaphneServer(env, logs / f"{label}-a.log"), DaphneServer(env, logs / f"{label}-b.log")


@pytest.fixture(scope="module")
def logs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("resilience-logs")


@pytest.fixture(scope="module")
def shared_pair(django_db_setup: None, logs: Path) -> Iterator[tuple[DaphneServer, DaphneServer]]:
    """Two server processes on the suite's Redis, for the tests that kill nothing."""
    assert settings.REDIS_URL is not None
    a, b = _pair(settings.REDIS_URL, logs, "shared")
    try:
        start_all(a, b)
        yield a, b
    finally:
        stop_all(a, b)


@pytest.fixture
def own_pair(django_db_setup: None, logs: Path) -> Iterator[tuple[DaphneServer, DaphneServer]]:
    """Two server processes on the suite's Redis that a test may kill."""
    assert settings.REDIS_URL is not None
    a, b = _pair(settings.REDIS_URL, logs, f"own-{uuid.uuid4().hex[:6]}")
    try:
        start_all(a, b)
        yield a, b
    finally:
        stop_all(a, b)


@pytest.fixture
def own_redis(django_db_setup: None, logs: Path) -> Iterator[tuple[RedisServer, DaphneServer, DaphneServer]]:
    """A throwaway Redis (no persistence) that the test kills and restarts, and two server
    processes using it. The suite's Redis is never touched."""
    redis = RedisServer(None, logs / "redis.log")
    a, b = _pair(redis.url, logs, "redis")
    try:
        redis.start()
        start_all(a, b)
        yield redis, a, b
    finally:
        stop_all(a, b, redis)


def view_of(tab: DialogueTab) -> dict[int, int]:
    """What the tab shows: message id -> the change number it has applied."""
    return {pk: message["change_seq"] for pk, message in tab.messages.items()}


def truth(rows: list[dict[str, Any]]) -> dict[int, int]:
    return {row["id"]: row["change_seq"] for row in rows}


async def close_all(*tabs: DialogueTab) -> None:
    for tab in tabs:
        await tab.close()


def live_ids(tab: DialogueTab) -> set[str]:
    return {frame["message"]["client_id"] for frame in tab.live_frames}


def arrived_live(tab: DialogueTab, *acks: dict[str, Any]) -> Callable[[], bool]:
    """Whether the acknowledged sends have all reached the tab as live "message" frames."""
    return lambda: all(ack["client_id"] in live_ids(tab) for ack in acks)


def live_message(pk: int) -> Callable[[dict[str, Any]], bool]:
    return lambda frame: frame["type"] == "message" and frame["message"]["id"] == pk


async def converge(tab: DialogueTab, page: int, timeout: float = WAIT) -> list[dict[str, Any]]:
    """Wait until the tab shows exactly what is stored (it catches up by itself on its
    heartbeat); returns the stored rows. Fails with both views if it never does."""
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        rows = await stored_rows(page)
        if view_of(tab) == truth(rows):
            return rows
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"{tab.name} shows {view_of(tab)}, the database holds {truth(rows)}")
        await asyncio.sleep(0.2)


# --- 1. Fan-out between processes ---------------------------------------------------------------


async def test_a_message_sent_through_one_process_arrives_live_on_a_socket_of_the_other(
    shared_pair: tuple[DaphneServer, DaphneServer],
) -> None:
    a, b = shared_pair
    scene = await make_scene()
    on_a = DialogueTab(a, scene.cookies["guardian_1"], scene.page, name="guardian_1 on A")
    on_b = DialogueTab(b, scene.cookies["guardian_2"], scene.page, name="guardian_2 on B")
    try:
        assert (await on_a.open())["type"] == "subscribed"
        assert (await on_b.open())["type"] == "subscribed"

        for sender, receiver, body in ((on_a, on_b, "Hej från A"), (on_b, on_a, "Svar från B")):
            ack = await sender.post(scene.thread, body)
            assert ack["type"] == "ack", ack
            frame = await receiver.wait_for(
                live_message(ack["message"]["id"]),
                WAIT,
            )
            assert frame["message"]["client_id"] == ack["client_id"]
            assert body in frame["message"]["html"]
    finally:
        await close_all(on_a, on_b)


# --- 2. Redis restarts under live traffic ----------------------------------------------------------


async def test_live_delivery_survives_a_redis_restart_without_restarting_the_servers(
    own_redis: tuple[RedisServer, DaphneServer, DaphneServer],
) -> None:
    redis, a, b = own_redis
    server_pids = (a.pid, b.pid)
    scene = await make_scene()
    sender = DialogueTab(a, scene.cookies["guardian_1"], scene.page, name="guardian_1 on A")
    on_b = DialogueTab(b, scene.cookies["guardian_2"], scene.page, name="guardian_2 on B")
    on_a = DialogueTab(a, scene.cookies["student"], scene.page, name="student on A")
    tabs = (sender, on_b, on_a)
    try:
        for tab in tabs:
            assert (await tab.open())["type"] == "subscribed"
            tab.start_heartbeat(HEARTBEAT_SECONDS)

        before = await sender.post(scene.thread, "Före omstarten")
        assert before["type"] == "ack", before
        for tab in (on_b, on_a):
            await tab.wait_until(arrived_live(tab, before), WAIT)

        redis.kill()
        # While Redis is down a send is answered: acked (then it is stored) or an error.
        outage_answers = []
        for n in range(3):
            answer = await post_when_open(sender, scene.thread, f"Under avbrottet {n}")
            assert answer["type"] in ("ack", "error"), answer
            outage_answers.append(answer)
        await asyncio.sleep(2)  # a few heartbeats (and receive retries) while it is down
        redis.start()

        # Live delivery comes back once the consumers have re-joined their groups (each
        # heartbeat re-asserts them): probe until a send arrives live on both processes.
        deadline = asyncio.get_running_loop().time() + RECOVERY
        probes = 0
        while True:
            probes += 1
            probe = await post_when_open(sender, scene.thread, f"Prov {probes}")
            assert probe["type"] == "ack", probe
            try:
                for tab in (on_b, on_a):
                    await tab.wait_until(arrived_live(tab, probe), 2)
                break
            except TimeoutError:
                if asyncio.get_running_loop().time() > deadline:
                    raise AssertionError(
                        f"no live delivery {RECOVERY} s after Redis came back\n"
                        f"A:\n{a.log_tail()}\nB:\n{b.log_tail()}"
                    ) from None

        # From now on every send is acked and delivered live on both processes.
        after_acks = []
        for n in range(5):
            ack = await post_when_open(sender, scene.thread, f"Efter omstarten {n}")
            assert ack["type"] == "ack", ack
            after_acks.append(ack)
        for tab in (on_b, on_a):
            await tab.wait_until(arrived_live(tab, *after_acks), WAIT)

        rows = await converge(on_b, scene.page)
        await converge(on_a, scene.page)
        await converge(sender, scene.page)
        assert all(tab.is_open for tab in tabs)
    finally:
        await close_all(*tabs)

    stored = {str(row["client_id"]) for row in rows}
    for answer in outage_answers:
        if answer["type"] == "ack":
            assert answer["client_id"] in stored, "acknowledged during the outage but not stored"
            # Not published (Redis was down): the other tabs had it from the database.
            assert answer["client_id"] not in live_ids(on_b)
    # Exactly the stored messages, in order, numbered without a gap, none twice.
    assert [row["seq"] for row in rows] == list(range(1, len(rows) + 1))
    assert sorted(on_b.messages) == sorted(row["id"] for row in rows)
    for tab in tabs:  # the channel layer's retries never deliver a change twice
        live = Counter((f["message"]["id"], f["message"]["change_seq"]) for f in tab.live_frames)
        assert [change for change, count in live.items() if count > 1] == [], tab.name
    assert (a.pid, b.pid) == server_pids, "a server process was restarted"
    assert a.running
    assert b.running
    assert all(tab.connections >= 1 for tab in tabs)


async def post_when_open(tab: DialogueTab, thread: int, body: str) -> dict[str, Any]:
    """Send as the browser's outbox does: if the socket dropped, wait for the tab to
    reconnect by itself, then send again with the same client id."""
    client_id = str(uuid.uuid4())
    deadline = asyncio.get_running_loop().time() + RECOVERY
    while True:
        try:
            if tab.is_open and tab.subscribed.is_set():
                return await tab.post(thread, body, client_id)
        except SocketClosed:
            pass
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"{tab.name} did not reconnect")
        await asyncio.sleep(0.1)


# --- 3. A server process is killed mid-stream ---------------------------------------------------------


async def test_a_killed_server_loses_no_acknowledged_message_and_retries_store_each_once(
    own_pair: tuple[DaphneServer, DaphneServer],
) -> None:
    a, b = own_pair
    scene = await make_scene()
    sender = DialogueTab(a, scene.cookies["guardian_1"], scene.page, name="guardian_1 on A")
    reader = DialogueTab(a, scene.cookies["student"], scene.page, name="student on A")
    on_b = DialogueTab(b, scene.cookies["guardian_2"], scene.page, name="guardian_2 on B")
    try:
        for tab in (sender, reader, on_b):
            assert (await tab.open())["type"] == "subscribed"
        on_b.start_heartbeat(HEARTBEAT_SECONDS)

        # A stream of sends that do not wait for their acks, as a fast typist's outbox.
        attempted: dict[str, str] = {}  # client id -> body, in sending order

        async def stream() -> None:
            for n in range(60):
                client_id, body = str(uuid.uuid4()), f"Strömmen {n}"
                attempted[client_id] = body
                try:
                    await sender.send_frame(
                        {
                            "type": "send",
                            "page": scene.page,
                            "thread": scene.thread,
                            "client_id": client_id,
                            "body": body,
                        }
                    )
                except Exception:  # the server is gone
                    return
                await asyncio.sleep(0.02)

        streaming = asyncio.create_task(stream())
        await sender.wait_until(lambda: sum(f["type"] == "ack" for f in sender.frames) >= 8, WAIT)
        a.kill()
        await streaming
        await sender.wait_until(lambda: not sender.is_open, WAIT)

        acked = {f["client_id"]: f["message"]["id"] for f in sender.frames if f["type"] == "ack"}
        stored_at_kill = {str(row["client_id"]): row["id"] for row in await stored_rows(scene.page)}
        assert acked, "nothing was acknowledged before the kill"
        # Every acknowledged message is stored, as the one acknowledged.
        assert {cid: stored_at_kill.get(cid) for cid in acked} == acked
        unacked = [cid for cid in attempted if cid not in acked]
        assert unacked, "the kill came after the last send: nothing was in flight"

        # The reader reconnects to the other process and asks for what it has not seen.
        seen = set(reader.messages)
        after = reader.last_seq
        resubscribed = await reader.open(b)
        assert resubscribed["type"] == "subscribed"
        catch_up = [(m["id"], m["change_seq"]) for m in resubscribed["messages"]]
        rows = await stored_rows(scene.page)
        assert catch_up == [(r["id"], r["change_seq"]) for r in rows if r["change_seq"] > after]

        # The sender comes back on a restarted A and sends its unacknowledged messages
        # again with the same client ids.
        a.start()
        assert (await sender.open(a))["type"] == "subscribed"
        retried = {}
        for client_id in unacked:
            answer = await sender.post(scene.thread, attempted[client_id], client_id)
            assert answer["type"] == "ack", answer
            retried[client_id] = answer["message"]["id"]
        # A retry of a message stored before the kill is answered with that message.
        for client_id, pk in retried.items():
            if client_id in stored_at_kill:
                assert pk == stored_at_kill[client_id]

        rows = await stored_rows(scene.page)
        stored_ids = Counter(str(row["client_id"]) for row in rows)
        assert stored_ids == Counter(list(attempted)), "each attempted send is stored exactly once"

        # The reader ends with every message, and got each one it had not seen exactly once
        # (catch-up list or live), none it had.
        await converge(reader, scene.page)
        await reader.ping()  # anything still on its way arrives before the pong
        await converge(on_b, scene.page)
        new_live = [f["message"]["id"] for f in reader.frames if f["type"] == "message"]
        delivered_again = Counter(pk for pk, _cs in catch_up) + Counter(new_live)
        assert delivered_again == Counter({row["id"]: 1 for row in rows if row["id"] not in seen})
    finally:
        await close_all(sender, reader, on_b)


# --- 4. Reconnecting with the last change number -------------------------------------------------------


async def test_a_client_reconnecting_with_its_last_seq_receives_exactly_the_missed_changes(
    shared_pair: tuple[DaphneServer, DaphneServer],
) -> None:
    a, b = shared_pair
    scene = await make_scene()
    writer = DialogueTab(a, scene.cookies["guardian_1"], scene.page, name="guardian_1 on A")
    reader = DialogueTab(b, scene.cookies["guardian_2"], scene.page, name="guardian_2 on B")
    try:
        await writer.open()
        await reader.open()
        first = [await writer.post(scene.thread, f"Första {n}") for n in range(3)]
        await reader.wait_until(lambda: len(reader.messages) == 3, WAIT)
        await reader.close()
        last_seq = reader.last_seq
        assert last_seq == 3

        # While the reader is away: new messages, and an edit of one it had seen.
        missed = [await writer.post(scene.thread, f"Missat {n}") for n in range(4)]
        assert all(answer["type"] == "ack" for answer in first + missed)
        since = len(writer.frames)
        await writer.send_frame(
            {
                "type": "edit",
                "page": scene.page,
                "message": first[1]["message"]["id"],
                "body": "Ändrat medan du var borta",
                "ref": "edit-1",
            }
        )
        edited = await writer.wait_for(lambda f: f.get("ref") == "edit-1", WAIT, since=since)
        assert edited["type"] == "ack", edited

        # Back, through the other process, with the last change number it applied.
        resubscribed = await reader.open(a, after=last_seq)
        await reader.ping()  # a stray live duplicate would arrive before the pong
    finally:
        await close_all(writer, reader)

    rows = await stored_rows(scene.page)
    expected = sorted(
        ((r["id"], r["change_seq"]) for r in rows if r["change_seq"] > last_seq), key=lambda x: x[1]
    )
    assert [(m["id"], m["change_seq"]) for m in resubscribed["messages"]] == expected
    assert len(expected) == 5  # four new messages and the edit
    assert resubscribed["complete"] is True
    assert [f for f in reader.frames if f["type"] == "message"] == []
    assert view_of(reader) == truth(rows)
    assert "Ändrat medan du var borta" in reader.messages[first[1]["message"]["id"]]["html"]
