"""Reading what a request says, the same way in every view."""

from __future__ import annotations

from django.http import HttpRequest
from django.utils.http import url_has_allowed_host_and_scheme

from accounts.models import User


def viewer(request: HttpRequest) -> User:
    """The logged-in person. Precondition: the view is ``login_required``."""
    assert isinstance(request.user, User)
    return request.user


def wants_json(request: HttpRequest) -> bool:
    """The page's script asked for a JSON answer (``Accept: application/json``)."""
    return "application/json" in request.headers.get("Accept", "")


def send_anyway(request: HttpRequest) -> bool:
    """The writer chose to save a text the sensitive-text guard warned about."""
    return request.POST.get("send_anyway") == "1"


def safe_next(request: HttpRequest, fallback: str) -> str:
    """The ``next`` URL the request names, if it stays on this site (a path, or this host with
    the request's scheme); otherwise ``fallback`` (a URL, not a pattern name). Every ``next``
    goes through here: a form must never send a person to another site."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return fallback
