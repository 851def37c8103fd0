"""Where to send a person after a form: the ``next`` URL, if it is safe to follow.

``next`` comes from the browser (a hidden field, a query string), so it is untrusted text.
It is always treated as a URL and never as the name of a URL pattern: Django's
``redirect()`` tries a bare word such as ``foo`` or ``logout`` as a pattern name first,
which answered 500 for an unknown name and followed a known one. The redirect here is a
plain ``HttpResponseRedirect``, which resolves nothing.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from django.http import HttpRequest, HttpResponseRedirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme


def safe_next(request: HttpRequest, fallback: str = "start") -> str:
    """The posted (or else the query string's) ``next`` if it is a URL on this site, else
    the URL of the pattern named ``fallback``. Always a URL (a path from the root or an
    absolute URL of this host), never a pattern name.

    A relative reference without a leading slash (``foo``, ``?a=1``) is not followed: the
    browser would resolve it against the URL the form was posted to (``/language/foo``),
    which is never the page the person came from."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and _is_same_site(request, target):
        return target
    return reverse(fallback)


def redirect_to_next(request: HttpRequest, fallback: str = "start") -> HttpResponseRedirect:
    """A redirect to ``safe_next(request, fallback)``."""
    return HttpResponseRedirect(safe_next(request, fallback))


def _is_same_site(request: HttpRequest, target: str) -> bool:
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return False
    parts = urlsplit(target)
    return bool(parts.netloc) or parts.path.startswith("/")
