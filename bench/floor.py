"""The floor: the least a live dialogue server must do per message, as one asyncio process.
``dialogue_load.py`` runs it with the same sockets, pages and rate as our servers, so every
report gives our figures as a ratio to the floor measured in the same run.

Per send: one PostgreSQL INSERT (its own table, ``floor_message``, in the benchmark's
database; autocommit, so one commit each), then one Redis PUBLISH (channel ``floor``, which
this process subscribes to), then, on receipt from Redis, the ``message`` frame to every
socket following the page (the sender's included). No authentication, no access checks, no
rendering, no Django: it speaks only the frames the load generator uses, in our socket's
shapes:

    {"type": "subscribe", "page": 12, "after": 0}   -> {"type": "subscribed", "page": 12, "head": 0}
    {"type": "send", "page": 12, "thread": 3, "client_id": "<uuid>", "body": "..."}
                                                     -> {"type": "ack", "client_id": ..., "message": {...}}
    {"type": "ping"}                                 -> {"type": "pong", "heads": {"12": 340}}

Run alone (dialogue_load.py does this):

    .venv/bin/python bench/floor.py --port 8765 --database-url postgres://... --redis-url redis://...
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import signal
from collections import defaultdict
from typing import Any

import psycopg
import redis.asyncio as redis
from websockets.asyncio.server import ServerConnection, broadcast, serve
from websockets.exceptions import ConnectionClosed

CHANNEL = "floor"
CONNECTIONS = 4  # PostgreSQL connections, so inserts overlap as our servers' threads do
TABLE = """
CREATE TABLE IF NOT EXISTS floor_message (
    id bigserial PRIMARY KEY,
    page integer NOT NULL,
    thread integer NOT NULL,
    client_id uuid NOT NULL,
    body text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
)
"""
INSERT = (
    "INSERT INTO floor_message (page, thread, client_id, body) VALUES (%s, %s, %s, %s) "
    "RETURNING id, created_at"
)


class Floor:
    def __init__(self, database_url: str, redis_url: str) -> None:
        self.database_url = database_url
        self.redis_url = redis_url
        self.pool: asyncio.Queue[psycopg.AsyncConnection[Any]] = asyncio.Queue()
        self.followers: dict[int, set[ServerConnection]] = defaultdict(set)
        self.heads: dict[int, int] = {}

    async def open(self) -> None:
        for _ in range(CONNECTIONS):
            self.pool.put_nowait(await psycopg.AsyncConnection.connect(self.database_url, autocommit=True))
        connection = await self.pool.get()
        await connection.execute(TABLE)
        self.pool.put_nowait(connection)
        self.redis = redis.from_url(self.redis_url)
        self.pubsub = self.redis.pubsub()
        await self.pubsub.subscribe(CHANNEL)  # before the first socket can send

    async def relay(self) -> None:
        """Each published message, as a frame to every socket following its page."""
        async for published in self.pubsub.listen():
            if published["type"] != "message":
                continue
            message = json.loads(published["data"])
            page = message["page"]
            self.heads[page] = max(self.heads.get(page, 0), message["change_seq"])
            broadcast(self.followers[page], json.dumps({"type": "message", "message": message}))

    async def send(self, frame: dict[str, Any]) -> dict[str, Any]:
        connection = await self.pool.get()
        try:
            cursor = await connection.execute(
                INSERT, [frame["page"], frame["thread"], frame["client_id"], frame["body"]]
            )
            row = await cursor.fetchone()
        finally:
            self.pool.put_nowait(connection)
        assert row is not None
        message = {
            "id": row[0],
            "page": frame["page"],
            "thread": frame["thread"],
            "change_seq": row[0],
            "client_id": frame["client_id"],
            "body": frame["body"],
            "created_at": row[1].isoformat(),
        }
        await self.redis.publish(CHANNEL, json.dumps(message))
        return {"type": "ack", "client_id": frame["client_id"], "message": message}

    async def serve_socket(self, ws: ServerConnection) -> None:
        pages: set[int] = set()
        try:
            async for raw in ws:
                frame = json.loads(raw)
                kind = frame.get("type")
                if kind == "send":
                    await ws.send(json.dumps(await self.send(frame)))
                elif kind == "subscribe":
                    page = int(frame["page"])
                    pages.add(page)
                    self.followers[page].add(ws)
                    answer = {"type": "subscribed", "page": page, "head": self.heads.get(page, 0)}
                    await ws.send(json.dumps(answer))
                elif kind == "ping":
                    heads = {str(page): self.heads.get(page, 0) for page in pages}
                    await ws.send(json.dumps({"type": "pong", "heads": heads}))
        except ConnectionClosed:
            pass
        finally:
            for page in pages:
                self.followers[page].discard(ws)


async def main(port: int, database_url: str, redis_url: str) -> None:
    floor = Floor(database_url, redis_url)
    await floor.open()
    relay = asyncio.create_task(floor.relay())
    stop = asyncio.get_running_loop().create_future()
    for signum in (signal.SIGTERM, signal.SIGINT):
        asyncio.get_running_loop().add_signal_handler(signum, stop.set_result, None)
    async with serve(floor.serve_socket, "127.0.0.1", port, compression=None, ping_interval=None):
        await stop
    relay.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await relay


if __name__ == "__main__":
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--redis-url", required=True)
    args = parser.parse_args()
    asyncio.run(main(args.port, args.database_url, args.redis_url))
