"""Access-log rows for Elsa's page in the demo (``records.demo``); run after seed_demo."""

from __future__ import annotations

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from records import demo


class Command(BaseCommand):
    help = "Write a few weeks of staff openings of Elsa's page to the access log (once)."

    def handle(self, *args: object, **options: object) -> None:
        if settings.PRODUCTION:
            raise CommandError("seed_demo_access_log refuses to run in production.")
        self.stdout.write(f"Demo access log: {demo.seed()} opening(s) of Elsa's page written.")
