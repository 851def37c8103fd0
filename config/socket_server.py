"""How the live socket is served, where the consumer cannot see: a handshake that meets a
database outage used to end in HTTP 500 with a traceback in the log; it now closes with a
code the browser backs off from.
"""

from __future__ import annotations

import logging
import time
from typing import Any

from frontend.socket_protocol import CLOSE_UNAVAILABLE, DATABASE_UNAVAILABLE

log = logging.getLogger("elevdialog.socket")


class RefuseWhileDatabaseIsDown:
    """Around the handshake (session, user, code step: all read from the database): when
    the database cannot be reached, accept and close at once with 4503, which the browser
    backs off from, instead of failing the handshake with HTTP 500 and a traceback. (An HTTP
    refusal would reach the browser only as "connection failed", code 1006.) Once the socket
    is accepted the consumer answers outages itself."""

    def __init__(self, application: Any) -> None:
        self.application = application
        self.warned_at = -60.0
        self.refused = 0

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> Any:
        answered = False

        async def watched_send(message: dict[str, Any]) -> None:
            nonlocal answered
            answered = answered or message["type"] in ("websocket.accept", "websocket.close")
            await send(message)

        try:
            return await self.application(scope, receive, watched_send)
        except DATABASE_UNAVAILABLE:
            if answered:
                raise
            self._note()
            await send({"type": "websocket.accept"})
            await send({"type": "websocket.close", "code": CLOSE_UNAVAILABLE})
            return None

    def _note(self) -> None:
        """One warning a minute (every browser retries), without a traceback: not a bug."""
        self.refused += 1
        now = time.monotonic()
        if now - self.warned_at >= 60:
            log.warning("database unavailable: %d socket handshakes closed with 4503", self.refused)
            self.warned_at, self.refused = now, 0
