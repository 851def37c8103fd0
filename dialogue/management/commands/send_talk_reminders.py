"""Remind the guardians of development talks starting within 24 hours:
``manage.py send_talk_reminders``. Idempotent (each guardian of each talk is reminded once),
so the worker may run it as often as it likes, for example every ten minutes."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from dialogue.actions.talks import send_talk_reminders


class Command(BaseCommand):
    help = "Announce talk.reminder once per guardian for development talks in the next 24 hours."

    def handle(self, *args: object, **options: object) -> None:
        sent = send_talk_reminders()
        self.stdout.write(f"Talk reminders: {sent} sent.")
