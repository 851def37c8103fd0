"""PostgreSQL stops and starts again under a running server: the sockets must tell the
browser what is going on rather than look like a crash.

The test has a PostgreSQL of its own (the suite's is shared and never stopped), migrated and
seeded in a subprocess, and a Daphne on it with persistent connections as in production.
While the database is down a send is answered "unavailable" (nothing stored, try again),
pings are still answered, and new handshakes are closed with 4503 instead of HTTP 500; no
error or traceback is logged. Once it is back, every message is stored exactly once.
"""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import uuid
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest
from django.conf import settings
from websockets.exceptions import ConnectionClosed, InvalidStatus

from tests.support.processes import ROOT, DaphneServer, PostgresServer, open_websocket, start_all, stop_all
from tests.support.scenes import Scene
from tests.support.tabs import DialogueTab

pytestmark = pytest.mark.asyncio

WAIT = 20.0  # limit for anything that should happen "soon"
HEARTBEAT_SECONDS = 0.5
DATABASE = "elevdialog_outage"

SEED = """
import django
django.setup()
from django.core.management import call_command
call_command("migrate", verbosity=0)
from tests.support.scenes import build_scene
print(build_scene().to_json())
"""


def environment(database_url: str) -> dict[str, str]:
    assert settings.REDIS_URL is not None
    return {
        "ELEVDIALOG_ENV": "test",
        "DATABASE_URL": database_url,
        "REDIS_URL": settings.REDIS_URL,
        "DB_CONN_MAX_AGE": "600",  # persistent connections, as in production
        "WEBSOCKET_HEARTBEAT_SECONDS": "1",
        "DIALOGUE_SEND_LIMIT_PER_MINUTE": "100000",
    }


@pytest.fixture
def outage(tmp_path: Path) -> Iterator[tuple[PostgresServer, DaphneServer, Scene]]:
    postgres = PostgresServer()
    server: DaphneServer | None = None
    try:
        postgres.init()
        postgres.start()
        url = postgres.create_database(DATABASE)
        seeded = subprocess.run(
            [sys.executable, "-c", SEED],
            cwd=ROOT,
            env={**os.environ, **environment(url), "DJANGO_SETTINGS_MODULE": "config.settings"},
            capture_output=True,
            text=True,
            timeout=180,
            check=True,
        )
        scene = Scene.from_json(seeded.stdout.strip().splitlines()[-1])
        server = DaphneServer(environment(url), tmp_path / "daphne.log")
        start_all(server)
        yield postgres, server, scene
    finally:
        if server is not None:
            stop_all(server)
        postgres.remove()


def stored_client_ids(postgres: PostgresServer, page: int) -> Counter[str]:
    with psycopg.connect(postgres.url(DATABASE)) as connection:
        rows = connection.execute("SELECT client_id FROM dialogue_message WHERE page_id = %s", [page])
        return Counter(str(client_id) for (client_id,) in rows)


async def handshake(server: DaphneServer, cookie: str) -> str:
    """What a new socket gets: "open" (it subscribed), "closed <code>" or "http <status>"."""
    try:
        connection = await open_websocket(server.ws_url, server.origin, cookie)
    except InvalidStatus as refused:
        return f"http {refused.response.status_code}"
    try:
        await connection.send(json.dumps({"type": "ping"}))
        while True:
            frame = json.loads(await asyncio.wait_for(connection.recv(), WAIT))
            if frame["type"] == "pong":
                return "open"
    except ConnectionClosed as closed:
        return f"closed {closed.rcvd.code if closed.rcvd else None}"
    finally:
        await connection.close()


async def post(tab: DialogueTab, scene: Scene, client_id: str, body: str) -> dict[str, Any]:
    return await tab.post(scene.thread, body, client_id, timeout=WAIT)


async def test_a_database_outage_is_answered_as_one_and_loses_or_doubles_nothing(
    outage: tuple[PostgresServer, DaphneServer, Scene],
) -> None:
    postgres, server, scene = outage
    writer = DialogueTab(server, scene.cookies["guardian_1"], scene.page, name="writer")
    reader = DialogueTab(server, scene.cookies["guardian_2"], scene.page, name="reader")
    tabs = (writer, reader)
    try:
        for tab in tabs:
            assert (await tab.open())["type"] == "subscribed"
            tab.start_heartbeat(HEARTBEAT_SECONDS)
        before = await post(writer, scene, str(uuid.uuid4()), "Före avbrottet")
        assert before["type"] == "ack", before

        await asyncio.to_thread(postgres.stop)
        during = str(uuid.uuid4())
        for _attempt in range(3):  # the browser's outbox tries again with the same client id
            answer = await post(writer, scene, during, "Under avbrottet")
            assert (answer["type"], answer["code"], answer["client_id"]) == ("error", "unavailable", during)
            assert answer["retry_after"] > 0
            assert answer["message"]
        for tab in tabs:  # pings are answered: no pong timeout, no reconnect storm
            pong = await tab.ping()
            assert pong["unavailable"] == "database"
        assert await handshake(server, scene.cookies["student"]) == "closed 4503"
        await asyncio.sleep(4 * HEARTBEAT_SECONDS)
        assert all(tab.is_open and tab.connections == 1 for tab in tabs)

        # While it starts up again, handshakes are closed (4503) or served, never HTTP 500.
        starting = asyncio.create_task(asyncio.to_thread(postgres.start))
        outcomes: list[str] = []
        while not starting.done() or not outcomes or outcomes[-1] != "open":
            outcomes.append(await handshake(server, scene.cookies["student"]))
            assert len(outcomes) < 200, outcomes
        await starting
        assert set(outcomes) <= {"closed 4503", "open"}, outcomes

        after = await post_until_stored(writer, scene, during, "Under avbrottet")
        assert after["type"] == "ack", after
        last = await post(writer, scene, str(uuid.uuid4()), "Efter avbrottet")
        assert last["type"] == "ack", last
        await reader.wait_until(lambda: last["message"]["id"] in reader.messages, WAIT)
        assert all(tab.connections == 1 for tab in tabs), "a socket had to reconnect"
    finally:
        for tab in tabs:
            await tab.close()

    stored = await asyncio.to_thread(stored_client_ids, postgres, scene.page)
    assert stored[during] == 1
    assert stored[before["client_id"]] == stored[last["client_id"]] == 1
    assert set(reader.messages) >= {before["message"]["id"], after["message"]["id"], last["message"]["id"]}
    log = server.log_path.read_text(errors="replace")
    assert " ERROR " not in log
    assert "Traceback" not in log
    assert "database unavailable" in log  # said once, as a warning


async def post_until_stored(tab: DialogueTab, scene: Scene, client_id: str, body: str) -> dict[str, Any]:
    """Send again with the same client id while the answer is "unavailable" (the database
    may accept connections a moment after it listens)."""
    deadline = asyncio.get_running_loop().time() + WAIT
    while True:
        answer = await post(tab, scene, client_id, body)
        if answer.get("code") != "unavailable" or asyncio.get_running_loop().time() > deadline:
            return answer
        await asyncio.sleep(0.2)
