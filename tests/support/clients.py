"""Logged-in test clients, with the one-time-password step passed where it applies."""

from __future__ import annotations

import time
from typing import Any
from urllib.parse import parse_qs, urlsplit

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.actions.otp import otp_requirement
from accounts.actions.strength import STRONG_LOGIN_AT_KEY
from accounts.models import User


def verified_client(user: User | None, *, strong: bool = True) -> Client:
    """A client logged in as ``user`` (anonymous for None). Staff get an authenticator and a
    session that has passed the code step, as after a real login. With ``strong`` (the
    default) the session had a strong login just now (the code, or an e-ID for those without
    an authenticator), as the sensitive pages ask; without it, a password-only login."""
    client = Client()
    if user is None:
        return client
    client.force_login(user)
    session = client.session
    if otp_requirement(user).needs_verification:
        device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
        if device is None:
            device = TOTPDevice.objects.create(user=user, name="authenticator", confirmed=True)
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    if strong:
        session[STRONG_LOGIN_AT_KEY] = int(time.time())
    session.save()
    return client


def queries_of_page(user: User, url: str) -> int:
    """The queries a second look at ``url`` by ``user`` costs (the first warms the session
    and the caches), asserting that the page answered."""
    client = verified_client(user)
    client.get(url)
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


# The step-up page, and the header of a page's script (answers in the JSON error shape).
STEP_UP = "/login/confirm/"
JSON = {"Accept": "application/json"}


def asked_for_step_up(response: Any) -> str:
    """The ``next`` of a redirect to the step-up page (fails for any other answer)."""
    assert response.status_code == 302, response.status_code
    location = urlsplit(response["Location"])
    assert location.path == STEP_UP, response["Location"]
    return parse_qs(location.query)["next"][0]
