"""The background worker: fans out announced events and sends the deliveries they queue,
and runs the scheduled jobs the apps registered (talk reminders, scheduled blog posts).

Run it as its own process (``manage.py run_worker``, the Procfile's ``worker:`` line);
several may run at once (claims use SKIP LOCKED). On PostgreSQL it sleeps on
``LISTEN elevdialog_notifications`` (a trigger on the outbox NOTIFYs at commit), so a
notification leaves within milliseconds; elsewhere it polls every second. The embedded
default of ``make run`` runs the same loop in a thread of the web process, woken directly.
A stop request (SIGTERM, Ctrl-C) finishes the batch in hand; nothing queued is lost.
"""

from __future__ import annotations

import logging
import threading
import time
from typing import Any

from django.conf import settings
from django.db import close_old_connections, connection

from notifications import kinds
from notifications.fanout import fan_out_waiting
from notifications.sending import send_due

log = logging.getLogger("elevdialog.notifications")

WAKE_CHANNEL = "elevdialog_notifications"
_wake = threading.Event()


def wake_in_process() -> None:
    """Called after a commit that stored an event: an in-process worker starts at once."""
    _wake.set()


class _Listener:
    """A dedicated PostgreSQL connection that waits for the outbox trigger's NOTIFY."""

    def __init__(self) -> None:
        self.connection: Any = None

    def wait(self, seconds: float) -> None:
        import psycopg  # only with PostgreSQL

        try:
            if self.connection is None or self.connection.closed:
                db = settings.DATABASES["default"]
                self.connection = psycopg.connect(
                    dbname=db["NAME"],
                    user=db.get("USER") or None,
                    password=db.get("PASSWORD") or None,
                    host=db.get("HOST") or None,
                    port=db.get("PORT") or None,
                    autocommit=True,
                )
                self.connection.execute(f"LISTEN {WAKE_CHANNEL}")
            for _notify in self.connection.notifies(timeout=seconds, stop_after=1):
                pass
        except Exception:  # the database restarting: poll until it is back
            log.warning("LISTEN failed; polling", exc_info=True)
            self.close()
            time.sleep(seconds)

    def close(self) -> None:
        if self.connection is not None:
            try:
                self.connection.close()
            except Exception:
                log.debug("closing the listener failed", exc_info=True)
        self.connection = None


class Worker:
    def __init__(self, stop: threading.Event, *, idle_seconds: float = 1.0, in_process: bool = False) -> None:
        self.stop = stop
        self.idle_seconds = idle_seconds
        self.in_process = in_process
        self.last_run: dict[str, float] = {}

    def run_periodic(self) -> None:
        now = time.monotonic()
        for job in kinds.periodic_jobs():
            if now - self.last_run.get(job.name, -1e9) < job.every_seconds:
                continue
            self.last_run[job.name] = now
            try:
                job.run()
            except Exception:
                log.exception("scheduled job %s failed", job.name)

    def run_once(self) -> int:
        """One round: scheduled jobs, fan-out, sends. Returns how much work it found."""
        self.run_periodic()
        return fan_out_waiting() + send_due()

    def run(self) -> None:
        listener = None if self.in_process or connection.vendor != "postgresql" else _Listener()
        log.info("notification worker started (%s)", "LISTEN" if listener else "polling")
        try:
            while not self.stop.is_set():
                busy = 0
                try:
                    busy = self.run_once()
                except Exception:  # the database away for a moment: try again shortly
                    log.exception("worker round failed")
                    self.stop.wait(self.idle_seconds)
                finally:
                    close_old_connections()
                if busy or self.stop.is_set():
                    continue
                if listener is not None:
                    listener.wait(self.idle_seconds)
                else:
                    _wake.wait(self.idle_seconds)
                    _wake.clear()
        finally:
            if listener is not None:
                listener.close()
            log.info("notification worker stopped")


def start_in_process() -> threading.Thread:
    """The embedded default: deliver from a daemon thread of the web process."""
    thread = threading.Thread(
        target=Worker(threading.Event(), in_process=True).run, name="notification-worker", daemon=True
    )
    thread.start()
    return thread
