"""The floor server of the load benchmark (``bench/floor.py``) answers the frames the load
generator uses as our socket does, and does its three steps per message: the row, the Redis
publish, the frames to every follower of the page. (The smoke run only checks that the
benchmark completes; this checks that the floor it compares with does the work.)"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import uuid
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import psycopg
import pytest
from websockets.asyncio.client import ClientConnection, connect

from bench.load_client import FloorServer
from tests.support.processes import recreate_database


@pytest.fixture
def floor_database() -> Any:
    parts = urlsplit(os.environ["DATABASE_URL"])
    url = urlunsplit(parts._replace(path=f"{parts.path.rstrip('/')}_floor_test"))
    recreate_database(url)
    yield url
    with psycopg.connect(urlunsplit(parts._replace(path="/postgres")), autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{urlsplit(url).path.strip("/")}" WITH (FORCE)')


async def answer(ws: ClientConnection, kind: str) -> dict[str, Any]:
    while True:
        frame = json.loads(await asyncio.wait_for(ws.recv(), 10))
        if frame["type"] == kind:
            return frame


def test_a_send_is_stored_published_and_framed_to_every_socket_on_its_page(
    floor_database: str, tmp_path: Path
) -> None:
    args = argparse.Namespace(database_url=floor_database, redis_url=os.environ["REDIS_URL"])
    server = FloorServer(args, tmp_path / "floor.log")
    server.start()
    try:
        asyncio.run(exchange(server.ws_url))
    finally:
        server.stop()
    with psycopg.connect(floor_database) as connection:
        rows = connection.execute("SELECT page, thread, body FROM floor_message").fetchall()
    assert rows == [(7, 3, "Hej")]


async def exchange(url: str) -> None:
    sender, follower, elsewhere = [await connect(url, compression=None) for _ in range(3)]
    for ws, page in ((sender, 7), (follower, 7), (elsewhere, 8)):
        await ws.send(json.dumps({"type": "subscribe", "page": page, "after": 0}))
        assert await answer(ws, "subscribed") == {"type": "subscribed", "page": page, "head": 0}

    client_id = str(uuid.uuid4())
    await sender.send(
        json.dumps({"type": "send", "page": 7, "thread": 3, "client_id": client_id, "body": "Hej"})
    )
    ack = await answer(sender, "ack")
    assert ack["client_id"] == client_id
    for ws in (sender, follower):
        message = (await answer(ws, "message"))["message"]
        assert (message["client_id"], message["page"], message["body"]) == (client_id, 7, "Hej")
        assert message["change_seq"] == ack["message"]["change_seq"]

    await elsewhere.send('{"type":"ping"}')
    # Its next frame is the pong: nothing came for page 8.
    assert json.loads(await asyncio.wait_for(elsewhere.recv(), 10)) == {"type": "pong", "heads": {"8": 0}}
    await follower.send('{"type":"ping"}')
    assert (await answer(follower, "pong"))["heads"] == {"7": ack["message"]["change_seq"]}
    for ws in (sender, follower, elsewhere):
        await ws.close()
