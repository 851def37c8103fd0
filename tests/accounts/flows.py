"""Steps of the login flow through the real views, shared by the account tests."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.test import Client
from django.urls import reverse
from django.utils import translation
from django.utils.html import escape
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp.util import random_hex

from accounts.actions import SYSTEM
from accounts.actions.otp import install_authenticator
from accounts.models import User
from tests.support.cast import PASSWORD, Cast

if TYPE_CHECKING:
    from django.test.client import _MonkeyPatchedWSGIResponse as Response
else:
    Response = Any


def member(cast: Cast, role: str) -> User:
    """A person of the cast (never the anonymous role)."""
    person = cast.person(role)
    assert person is not None
    return person


def log_in(client: Client, username: str, password: str = PASSWORD, **extra: Any) -> Response:
    """POST the login form as a browser does (``next`` and headers in ``extra``)."""
    data = {"username": username, "password": password}
    if "next" in extra:
        data["next"] = extra.pop("next")
    return client.post(reverse("login"), data, **extra)


def enter_code(client: Client, code: str, **data: str) -> Response:
    return client.post(reverse("otp-verify"), {"code": code, **data})


def code_for(device: TOTPDevice, steps_ahead: int = 0) -> str:
    """The code an authenticator app shows now (or ``steps_ahead`` periods later)."""
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, steps_ahead)
    return f"{totp.token():0{device.digits}d}"


def wrong_code_for(device: TOTPDevice) -> str:
    """A six-digit code that matches none of the periods the server accepts now."""
    accepted = {code_for(device, offset) for offset in (-2, -1, 0, 1, 2)}
    return next(code for code in ("000000", "111111", "222222", "333333", "444444") if code not in accepted)


def give_authenticator(user: User) -> TOTPDevice:
    """A confirmed authenticator, as the operator installs one (real action)."""
    return install_authenticator(SYSTEM, user, key_hex=random_hex(20))


def localised(response: Response, message: str) -> str:
    """``message`` in the language the response was rendered in (Swedish by default once
    the catalogue is compiled; the English source text otherwise)."""
    language = getattr(response.wsgi_request, "LANGUAGE_CODE", None) or translation.get_language()
    with translation.override(language):
        return translation.gettext(message)


def localised_plural(response: Response, singular: str, plural: str, number: int) -> str:
    language = getattr(response.wsgi_request, "LANGUAGE_CODE", None) or translation.get_language()
    with translation.override(language):
        return translation.ngettext(singular, plural, number)


def page_text(response: Response) -> str:
    return response.content.decode()


def assert_shows(response: Response, text: str) -> None:
    assert escape(text) in page_text(response), f"{text!r} not shown on the page"
