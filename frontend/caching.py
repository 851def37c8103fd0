"""Nothing about a child stays in a browser's cache or a proxy.

Every page may hold personal data: a student's page, an assessment, the inbox, even a
redirect's target or an error page in the layout that names who is logged in. On a shared
computer (a classroom, a library, a family's tablet) the next person would see a cached copy
with the Back button or the history after logout, because history navigation shows what is
cached without asking the server. Only ``no-store`` keeps a response out of every cache.
``private, no-cache`` is not enough for that (it may still be stored), and no page here needs
it for back navigation: forms come back from the server with what was typed, and drafts are
saved as they are written.

So ``no-store`` is the default for every response that passes through Django, set once here
rather than per view. What holds nothing about anyone may keep its own caching: static files
(WhiteNoise answers them before this middleware is reached) and views marked
``@holds_nothing_personal`` (the service worker and the web manifest).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import TypeVar, cast

from django.http import HttpRequest, HttpResponseBase

NO_STORE = "no-store"
_MARK = "holds_nothing_personal"

View = TypeVar("View", bound=Callable[..., HttpResponseBase])


def holds_nothing_personal(view: View) -> View:
    """Mark a view whose responses are the same for everyone and name nobody: its own
    Cache-Control (or none) is kept. Only for such views; anything else gets no-store."""

    @wraps(view)
    def marked(*args: object, **kwargs: object) -> HttpResponseBase:
        response = view(*args, **kwargs)
        setattr(response, _MARK, True)
        return response

    return cast(View, marked)


def stores_nothing(response: HttpResponseBase) -> bool:
    """True when the response's Cache-Control forbids storing it anywhere."""
    directives = response.get("Cache-Control", "")
    return NO_STORE in {part.split("=", 1)[0].strip().lower() for part in directives.split(",")}


class NoStoreMiddleware:
    """``Cache-Control: no-store`` on every response, unless it already forbids storing
    (Django's ``never_cache`` says more) or its view holds nothing personal. A laxer policy a
    view chose (``max-age``, ``private``) is replaced: personal data is never cached.

    Sits right after WhiteNoise, so static files keep their caching, and outside the
    session, login and CSRF middleware and the views, so their redirects, refusals and
    error pages get it too."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = self.get_response(request)
        if getattr(response, _MARK, False) or stores_nothing(response):
            return response
        response["Cache-Control"] = NO_STORE
        return response
