"""Logging in as demo people, as a person would: username, password, and for staff the
one-time code from their authenticator (the demo key is derived from the username)."""

from __future__ import annotations

import time

from django.utils import formats, timezone, translation
from django.utils.dateparse import parse_datetime
from django_otp.oath import TOTP
from playwright.sync_api import Page

DEMO_PASSWORD = "elevdialog-demo"
_last_step: dict[str, int] = {}


def demo_code(username: str) -> str:
    """The code an authenticator app would show. A code is accepted once, so a second
    login within the same 30 seconds uses the next step's code (the device tolerates one
    step of drift). A third one within the window waits, as a person would, until that
    next code is within reach: one further ahead would be refused."""
    key = (username.encode() * 4)[:20]
    totp = TOTP(key, step=30, t0=0, digits=6, drift=0)
    step = max(int(time.time()) // 30, _last_step.get(username, -1) + 1)
    while step > int(time.time()) // 30 + 1:
        time.sleep(0.5)
    _last_step[username] = step
    totp.time = step * 30
    return f"{totp.token():06d}"


def log_in(page: Page, username: str, *, staff: bool = False, password: str = DEMO_PASSWORD) -> None:
    page.goto("/login/")
    page.get_by_label("Användarnamn").fill(username)
    page.get_by_label("Lösenord").fill(password)
    page.get_by_role("button", name="Logga in").click()
    if staff:
        page.get_by_label("Kod").fill(demo_code(username))
        page.get_by_role("button", name="Fortsätt").click()
    page.wait_for_url("**/")


def server_datetime(iso: str, language: str = "sv") -> str:
    """How the server's templates write the instant in a <time datetime> attribute
    (``|date:"DATETIME_FORMAT"`` in the school's zone): what every page must show."""
    instant = parse_datetime(iso)
    assert instant is not None, iso
    with translation.override(language):
        return formats.date_format(timezone.localtime(instant), "DATETIME_FORMAT")
