"""Response headers that Django's SecurityMiddleware does not set itself."""

from __future__ import annotations

import logging
from collections.abc import Callable
from urllib.parse import ParseResult

from channels.security.websocket import OriginValidator
from django.conf import settings
from django.http import HttpRequest, HttpResponse

security_log = logging.getLogger("elevdialog.security")


class SecurityHeadersMiddleware:
    """Adds Content-Security-Policy and Permissions-Policy to every response.

    The policy forbids inline scripts and styles, so templates must load all behaviour from
    static files; a view may not loosen it.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.csp = settings.CONTENT_SECURITY_POLICY
        self.permissions_policy = settings.PERMISSIONS_POLICY

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", self.csp)
        response.headers.setdefault("Permissions-Policy", self.permissions_policy)
        return response


class LoggedOriginValidator(OriginValidator):
    """Channels' Origin check for WebSockets (allowed hosts only; a missing Origin is
    refused), logging every refusal: a refused origin is a cross-site attempt or a
    misconfiguration, and either needs looking at."""

    def valid_origin(self, parsed_origin: ParseResult | None) -> bool:
        valid = bool(super().valid_origin(parsed_origin))
        if not valid:
            security_log.warning(
                "WebSocket refused: origin %s", parsed_origin.geturl() if parsed_origin else "(missing)"
            )
        return valid
