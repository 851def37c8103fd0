"""Reading what a request says, the same way in every view."""

from __future__ import annotations

from urllib.parse import urlsplit

from django.http import HttpRequest, HttpResponseRedirect
from django.urls import reverse
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


def safe_next(request: HttpRequest, fallback: str | None = None) -> str:
    """The ``next`` URL the request names (posted, else in the query string), if it stays on
    this site: a path from the root, or this host with the request's scheme. Otherwise
    ``fallback`` (a URL, not a pattern name), by default the start page. Every ``next`` goes
    through here: a form must never send a person to another site.

    The answer is always a URL, never a bare word: Django's ``redirect()`` takes a bare word
    (``foo``, ``logout``) for a URL pattern's name first, which answered 500 for an unknown
    one and followed a known one. A relative reference without a leading slash is not
    followed either: the browser would resolve it against the URL the form was posted to
    (``/language/foo``), never the page the person came from."""
    return safe_url(request, request.POST.get("next") or request.GET.get("next") or "", fallback)


def safe_url(request: HttpRequest, target: str, fallback: str | None = None) -> str:
    """``target`` if it passes the check of ``next`` (``safe_next``), else ``fallback`` or
    the start page. For a ``next`` that travelled elsewhere first (a SAML login's relay
    state, kept with the request sent to the identity provider)."""
    if target and _same_site(request, target):
        return target
    return reverse("start") if fallback is None else fallback


def redirect_to_next(request: HttpRequest, fallback: str | None = None) -> HttpResponseRedirect:
    """A redirect to ``safe_next(request, fallback)``; a plain ``HttpResponseRedirect``,
    which resolves nothing."""
    return HttpResponseRedirect(safe_next(request, fallback))


def safe_referer(request: HttpRequest) -> str | None:
    """The page the request came from (the ``Referer`` header) as a path with its query, if
    it passes the same check as ``next``; otherwise None. For going back to the page a form
    was on when the form itself cannot be handled yet (``frontend.stepup``)."""
    referer = request.headers.get("Referer", "")
    if not referer or not _same_site(request, referer):
        return None
    parts = urlsplit(referer)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def _same_site(request: HttpRequest, target: str) -> bool:
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return False
    parts = urlsplit(target)
    return bool(parts.netloc) or parts.path.startswith("/")
