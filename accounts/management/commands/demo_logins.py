"""Print the demo logins: ``manage.py demo_logins [--when-serving HOST:PORT --server-pid PID]``.

``make run`` starts it beside the server so that the logins are the last thing printed at
start: it waits until the server answers on HOST:PORT, then prints them with where the
demo's e-mails are kept and the address to open (``SITE_URL``). It gives up when the
server's process (PID) has ended, or after two minutes.
"""

from __future__ import annotations

import os
import socket
import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from accounts.demo.logins import login_lines

WAIT_SECONDS = 120

# Where to knock when the server listens on every address.
_KNOCK_AT = {"0.0.0.0": "127.0.0.1", "::": "::1", "": "127.0.0.1"}  # noqa: S104 - only knocking


def parse_address(text: str) -> tuple[str, int]:
    """``HOST:PORT`` (an IPv6 host bare or in brackets) as the address to connect to."""
    host, _colon, port = text.rpartition(":")
    host = host.strip("[]")
    if not port.isdigit():
        raise CommandError(f"--when-serving needs HOST:PORT, not {text!r}.")
    return _KNOCK_AT.get(host, host), int(port)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _answers(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=1):
            return True
    except OSError:
        return False


class Command(BaseCommand):
    help = "Print the demo logins (with --when-serving: once the server answers there)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--when-serving", default="", metavar="HOST:PORT")
        parser.add_argument("--server-pid", type=int, default=0, metavar="PID")

    def handle(self, *args: object, **options: object) -> None:
        serving = str(options["when_serving"])
        if serving:
            host, port = parse_address(serving)
            server_pid = int(str(options["server_pid"]))
            deadline = time.monotonic() + WAIT_SECONDS
            while not _answers(host, port):
                if (server_pid and not _alive(server_pid)) or time.monotonic() > deadline:
                    raise CommandError(f"Nothing answers on {serving}: the server did not start.")
                time.sleep(0.2)
        for line in login_lines(serving_at=settings.SITE_URL if serving else ""):
            self.stdout.write(line)
        self.stdout.flush()
