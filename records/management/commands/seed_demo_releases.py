"""Requests for public records in the demo (``records.demo_release``); run after seed_demo and
seed_demo_dialogue."""

from __future__ import annotations

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from records import demo_release


class Command(BaseCommand):
    help = "Register the demo's requests for public records: one released with masking, one waiting (once)."

    def handle(self, *args: object, **options: object) -> None:
        if settings.PRODUCTION:
            raise CommandError("seed_demo_releases refuses to run in production.")
        self.stdout.write(f"Demo requests for public records: {demo_release.seed()} registered.")
