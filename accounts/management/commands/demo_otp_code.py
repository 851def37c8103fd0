"""Print the current one-time code of a demo staff account: ``manage.py demo_otp_code USER``.

Only for the demo (refuses in production): staff must use one-time passwords, and the demo
has no phones.
"""

from __future__ import annotations

from base64 import b32encode

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice


class Command(BaseCommand):
    help = "Print the current one-time code (and authenticator key) of a demo account."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")

    def handle(self, *args: object, **options: object) -> None:
        if settings.PRODUCTION:
            raise CommandError("demo_otp_code refuses to run in production.")
        username = str(options["username"]).strip().lower()
        device = TOTPDevice.objects.filter(user__username=username, confirmed=True).first()
        if device is None:
            raise CommandError(f"{username} has no authenticator.")
        totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
        self.stdout.write(f"code: {totp.token():0{device.digits}d}")
        self.stdout.write(f"key for an authenticator app: {b32encode(device.bin_key).decode()}")
