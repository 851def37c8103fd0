"""The notification worker (``manage.py run_worker``) as a real subprocess, for the
end-to-end delivery tests and the notification benchmark: started with the environment a
deployment gives it, stopped with SIGTERM as a deploy does, or killed with SIGKILL as when
the machine loses it.

Nothing here imports Django at module level: the benchmark uses it before settings are
configured. The ``start_worker`` fixture (which does read the test settings) points the
worker at the test database, the suite's Redis and a local SMTP server.
"""

from __future__ import annotations

import base64
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from tests.support.processes import ManagedProcess, database_url
from tests.support.smtp import SmtpServer, smtp_environment

# The worker logs this once its loop runs (``notifications.worker.Worker.run``).
READY_LINE = "notification worker started"
VAPID_SUBJECT = "mailto:it@skolan.example.org"
SITE_URL = "https://elevdialog.example.org"


def b64url(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def new_vapid_private_key() -> str:
    """A VAPID private key as ``VAPID_PRIVATE_KEY`` takes it (what ``manage.py
    create_vapid_keys`` prints): the raw P-256 private value, base64url."""
    private = ec.generate_private_key(ec.SECP256R1()).private_numbers().private_value
    return b64url(private.to_bytes(32, "big"))


def vapid_public_key(private_key: str) -> str:
    """The public key (uncompressed point, base64url) that a push service sees in the
    ``k=`` of the worker's ``Authorization: vapid`` header."""
    value = int.from_bytes(base64.urlsafe_b64decode(private_key + "=" * (-len(private_key) % 4)), "big")
    public = ec.derive_private_key(value, ec.SECP256R1()).public_key()
    return b64url(
        public.public_bytes(serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint)
    )


class WorkerProcess(ManagedProcess):
    """``python manage.py run_worker`` with ``env`` on top of this process's environment.
    It listens on no port: it is ready when its log says its loop has started."""

    name = "run_worker"

    def __init__(self, env: Mapping[str, str], log_path: Path) -> None:
        super().__init__(None, log_path)  # (a port is picked but never used)
        self.env = {**os.environ, "PYTHONUNBUFFERED": "1", **env}
        self._log_offset = 0

    def command(self) -> list[str]:
        return [sys.executable, "manage.py", "run_worker"]

    def environment(self) -> dict[str, str]:
        return self.env

    def spawn(self) -> None:
        # The log may hold earlier runs (a restart appends): look for readiness after them.
        self._log_offset = self.log_path.stat().st_size if self.log_path.exists() else 0
        super().spawn()

    def wait_ready(self, timeout: float = 30) -> None:
        assert self.process is not None
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if READY_LINE in self._new_log():
                return
            if self.process.poll() is not None:
                raise RuntimeError(
                    f"the worker exited with {self.process.returncode} before starting:\n{self.log_tail()}"
                )
            time.sleep(0.05)
        raise RuntimeError(f"the worker did not start within {timeout} s:\n{self.log_tail()}")

    def _new_log(self) -> str:
        try:
            with self.log_path.open("rb") as log:
                log.seek(self._log_offset)
                return log.read().decode(errors="replace")
        except FileNotFoundError:
            return ""

    def terminate(self, timeout: float = 10) -> int:
        """SIGTERM, as a deploy or ``systemctl stop`` sends it; returns the exit code
        (TimeoutError, and the process killed, if it does not exit in ``timeout`` s)."""
        assert self.process is not None
        self.process.send_signal(signal.SIGTERM)
        try:
            return self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.kill()
            raise TimeoutError(f"the worker did not exit within {timeout} s of SIGTERM") from None


def worker_environment(
    *,
    database: str,
    redis: str,
    smtp: SmtpServer,
    vapid_private_key: str,
    lease_seconds: int = 300,
    **extra: str,
) -> dict[str, str]:
    """The settings a deployment gives the worker, pointed at local stand-ins."""
    return {
        "ELEVDIALOG_ENV": "test",
        "DATABASE_URL": database,
        "REDIS_URL": redis,
        **smtp_environment(smtp),
        "VAPID_PRIVATE_KEY": vapid_private_key,
        "VAPID_SUBJECT": VAPID_SUBJECT,
        "SITE_URL": SITE_URL,
        "NOTIFICATIONS_LEASE_SECONDS": str(lease_seconds),
        "LOG_LEVEL": "INFO",
        **extra,
    }


StartWorker = Callable[..., WorkerProcess]


@pytest.fixture(scope="session")
def vapid_private_key() -> str:
    return new_vapid_private_key()


@pytest.fixture
def start_worker(transactional_db: None, vapid_private_key: str, tmp_path: Path) -> Iterator[StartWorker]:
    """``start_worker(smtp_server, lease_seconds=2, NAME=value, ...)`` starts a worker on
    the test database (the test must commit its data: ``django_db(transaction=True)``) and
    returns it once its loop runs. Every worker still running at the end is stopped, before
    the test database is flushed. Logs: ``worker-<n>.log`` in the test's tmp_path."""
    from django.conf import settings

    started: list[WorkerProcess] = []

    def start(smtp: SmtpServer, *, lease_seconds: int = 300, **extra: str) -> WorkerProcess:
        assert settings.REDIS_URL is not None
        env = worker_environment(
            database=database_url(settings.DATABASES["default"]),
            redis=settings.REDIS_URL,
            smtp=smtp,
            vapid_private_key=vapid_private_key,
            lease_seconds=lease_seconds,
            **extra,
        )
        worker = WorkerProcess(env, tmp_path / f"worker-{len(started) + 1}.log")
        started.append(worker)
        worker.start()
        return worker

    yield start
    for worker in started:
        worker.stop()
