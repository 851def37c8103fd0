"""A real HTTP server in a daemon thread of the test process: the life cycle shared by the
doubles of the services outside (the Web Push service, the SS 12000 register). Each double
gives its request handler; this starts it on 127.0.0.1 at a free port and stops it.

Nothing here imports Django: the benchmarks use it before settings are configured.
"""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Self


class _Server(ThreadingHTTPServer):
    # A worker opens several connections at once; the default backlog of 5 made the kernel
    # drop one, and the client retried a second later.
    request_queue_size = 128
    daemon_threads = True


class LocalHTTPService:
    """Start with ``start()`` or as a context manager; ``port`` once started."""

    thread_name = "local-http"

    def __init__(self) -> None:
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    def handler(self) -> type[BaseHTTPRequestHandler]:
        """The request handler class, bound to this service's state."""
        raise NotImplementedError

    def start(self) -> Self:
        assert self._server is None, f"{self.thread_name} is already running"
        # Port 0: the kernel picks a free port, with no race against other tests.
        self._server = _Server(("127.0.0.1", 0), self.handler())
        # A short poll interval: shutdown() waits for the loop's next poll (0.5 s by default).
        self._thread = threading.Thread(
            target=self._server.serve_forever, args=(0.02,), name=self.thread_name, daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is None:
            return
        self._server.shutdown()
        self._server.server_close()
        assert self._thread is not None
        self._thread.join(timeout=10)
        self._server = self._thread = None

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    @property
    def port(self) -> int:
        assert self._server is not None, f"{self.thread_name} is not running"
        return int(self._server.server_address[1])
