"""Load the demo school (idempotent): ``manage.py seed_demo``.

Björkbackaskolan in Umeå with classes 4A and 5B of 25 students each, their guardians
(two-guardian families, single guardians, a separated family with two homes, siblings in
both classes), teachers with subjects, a mentor per class, a principal and a school
administrator come from the register through the sync, as every school's people do: the
demo's register file ``roster/demo/bjorkbacka.json`` read by ``roster.sync.sync`` (trigger
"demo"). A second run ends a guardianship withdrawn by a court. Then the actions add what a
register does not hold (``accounts.demo.school``): passwords, staff authenticators (one-time
passwords are mandatory for staff; ``manage.py demo_otp_code <username>`` prints the current
code, ``manage.py demo_logins`` the logins), the registrar, the terms, a substitute's ended
weeks and a student who left in 2021.

Refuses to run in production.
"""

from __future__ import annotations

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from accounts.demo.school import SCHOOL_NAME
from accounts.models import School
from roster import demo


class Command(BaseCommand):
    help = "Load the demo school through the register sync (does nothing if it exists)."

    def handle(self, *args: object, **options: object) -> None:
        if settings.PRODUCTION:
            raise CommandError("seed_demo refuses to run in production.")
        if School.objects.filter(name=SCHOOL_NAME).exists():
            self.stdout.write(f"The demo school {SCHOOL_NAME} is already loaded.")
            return
        try:
            with transaction.atomic():
                demo.seed(timezone.localdate())
        except RuntimeError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(self.style.SUCCESS(f"Loaded the demo school {SCHOOL_NAME} from its register."))
