"""Which channel a request's openings came through, for the access log.

A notification (in the inbox, a push, an e-mail) leads through its open view
(``/notifications/<id>/``), which asks the policy again and then redirects to the target
with ``via=notification`` added to the query. The marker names no one and nothing: the
target is the same URL a page link gives (still ``no-store``, still a plain path on this
site), and a person who follows or copies it opens exactly what the link without it opens.
The middleware below reads it on GET requests and sets the channel
(``accounts.openings.through``) around the view, so the doors need not know.
"""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from django.http import HttpRequest, HttpResponseBase

from accounts import openings

MARKER = "via"


def from_notification(url: str) -> str:
    """``url`` with the notification marker in its query (before any ``#fragment``)."""
    parts = urlsplit(url)
    query = [(key, value) for key, value in parse_qsl(parts.query, keep_blank_values=True) if key != MARKER]
    query.append((MARKER, openings.NOTIFICATION))
    return urlunsplit(parts._replace(query=urlencode(query)))


def came_from_notification(request: HttpRequest) -> bool:
    return request.method == "GET" and request.GET.get(MARKER) == openings.NOTIFICATION


class OpeningChannelMiddleware:
    """Openings made by a request that followed a notification are logged as such."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        if came_from_notification(request):
            with openings.through(openings.NOTIFICATION):
                return self.get_response(request)
        return self.get_response(request)
