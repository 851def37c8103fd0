"""Load the demo school (idempotent): ``manage.py seed_demo``.

Björkbackaskolan in Umeå with classes 4A and 5B of about 25 students each, their guardians
(two-guardian families, single guardians, a separated family with two homes, siblings in
both classes, one withdrawn guardianship), teachers with subjects, a mentor per class, a
principal and a school administrator (``accounts.demo.school``). Everything is created
through the actions, as the SYSTEM actor. Staff get an authenticator with a demo key
(one-time passwords are mandatory for staff); ``manage.py demo_otp_code <username>`` prints
their current code, ``manage.py demo_logins`` the logins.

Refuses to run in production.
"""

from __future__ import annotations

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from accounts.demo.school import SCHOOL_NAME, Seeder
from accounts.models import School


class Command(BaseCommand):
    help = "Load the demo school with people and memberships (does nothing if it exists)."

    def handle(self, *args: object, **options: object) -> None:
        if settings.PRODUCTION:
            raise CommandError("seed_demo refuses to run in production.")
        if School.objects.filter(name=SCHOOL_NAME).exists():
            self.stdout.write(f"The demo school {SCHOOL_NAME} is already loaded.")
            return
        with transaction.atomic():
            Seeder(timezone.localdate()).run()
        self.stdout.write(self.style.SUCCESS(f"Loaded the demo school {SCHOOL_NAME}."))
