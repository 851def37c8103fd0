"""``manage.py run_worker``: the background worker (the Procfile's ``worker:`` line)."""

from __future__ import annotations

import signal
import threading
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from notifications.worker import Worker


class Command(BaseCommand):
    help = "Deliver notifications (in-app, web push, e-mail) and run scheduled jobs until stopped."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--until-idle",
            action="store_true",
            help="Stop when nothing is left to do now (for cron or tests).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        stop = threading.Event()
        worker = Worker(stop)
        if options["until_idle"]:
            while worker.run_once():
                pass
            return
        # SIGTERM (a deploy, a restart) and Ctrl-C finish the batch in hand, then stop.
        signal.signal(signal.SIGTERM, lambda *_: stop.set())
        signal.signal(signal.SIGINT, lambda *_: stop.set())
        worker.run()
