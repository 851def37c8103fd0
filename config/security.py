"""Response headers that Django's SecurityMiddleware does not set itself, and the WebSocket
Origin check."""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.http.request import split_domain_port, validate_host

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


# Ports a browser leaves out of an Origin.
DEFAULT_PORTS = {"http": 80, "https": 443}


@dataclass(frozen=True)
class SiteOrigin:
    """Scheme, host and port: what an Origin header names. ``host`` is lower-case, without
    an IPv6 address's brackets, and may start with ``*.`` (a CSRF_TRUSTED_ORIGINS pattern for
    any subdomain)."""

    scheme: str
    host: str
    port: int

    @classmethod
    def parse(cls, text: str) -> SiteOrigin | None:
        try:
            parts = urlsplit(text.strip())
            port = parts.port
        except ValueError:  # a port that is not a number, a broken IPv6 address
            return None
        if parts.scheme not in DEFAULT_PORTS or not parts.hostname:
            return None
        return cls(parts.scheme, parts.hostname, port or DEFAULT_PORTS[parts.scheme])

    def admits(self, origin: SiteOrigin) -> bool:
        if (self.scheme, self.port) != (origin.scheme, origin.port):
            return False
        if self.host.startswith("*."):
            return origin.host.endswith(self.host[1:])
        return self.host == origin.host

    def __str__(self) -> str:
        return f"{self.scheme}://{self.host}:{self.port}"


def _header(scope: Mapping[str, Any], name: bytes) -> str | None:
    for key, value in scope.get("headers", []):
        if key == name:
            return bytes(value).decode("latin-1")
    return None


def request_origin(scope: Mapping[str, Any]) -> SiteOrigin | None:
    """The origin the browser reached this server at: the scheme it used (``wss``, or https
    reported by a TLS proxy in SECURE_PROXY_SSL_HEADER) and the Host header, if that host is
    one of ALLOWED_HOSTS (None otherwise)."""
    host = _header(scope, b"host")
    if not host:
        return None
    domain, port = split_domain_port(host)
    allowed_hosts = settings.ALLOWED_HOSTS
    if settings.DEBUG and not allowed_hosts:  # as Django's HttpRequest.get_host()
        allowed_hosts = [".localhost", "127.0.0.1", "[::1]"]
    if not domain or not validate_host(domain, allowed_hosts):
        return None
    scheme = "https" if scope.get("scheme") == "wss" else "http"
    proxy_header = getattr(settings, "SECURE_PROXY_SSL_HEADER", None)
    if proxy_header:
        name, secure_value = proxy_header
        forwarded = _header(scope, name.removeprefix("HTTP_").replace("_", "-").lower().encode())
        if forwarded is not None:
            scheme = "https" if forwarded.split(",")[0].strip() == secure_value else "http"
    return SiteOrigin(scheme, domain.strip("[]").lower(), int(port) if port else DEFAULT_PORTS[scheme])


def trusted_origins() -> list[SiteOrigin]:
    """Origins named in the settings: CSRF_TRUSTED_ORIGINS and the site's own URL."""
    found = (SiteOrigin.parse(text) for text in [*settings.CSRF_TRUSTED_ORIGINS, settings.SITE_URL])
    return [origin for origin in found if origin is not None]


def origin_for_log(text: str | None) -> str:
    """An Origin header fit for the log: a well-formed origin as scheme://host:port with long
    runs of digits hidden (a crafted header must not put, say, a civic number in the log),
    anything else only as missing or malformed."""
    if text is None:
        return "(missing)"
    origin = SiteOrigin.parse(text)
    if origin is None or not re.fullmatch(r"[a-z0-9.:*\-]{1,100}", origin.host):
        return "(malformed)"
    return re.sub(r"\d{6,}", "...", str(origin))


def origin_admitted(scope: Mapping[str, Any]) -> bool:
    """The WebSocket Origin check (``config.socket_server.SocketDoor`` asks it first). The
    Origin must be one of the site's own origins, scheme, host and port alike: the origin the
    browser reached this server at (its Host header, which must be one of ALLOWED_HOSTS, and
    the scheme it used), or one named in CSRF_TRUSTED_ORIGINS or SITE_URL. A missing Origin
    is refused. Every refusal is logged: a refused origin is a cross-site attempt or a
    misconfiguration, and either needs looking at. (Channels' own validator compared the
    host only: another port or scheme on an allowed host got through.)"""
    text = _header(scope, b"origin")
    if text is not None and origin_allowed(SiteOrigin.parse(text), scope):
        return True
    security_log.warning("WebSocket refused: origin %s", origin_for_log(text))
    return False


def origin_allowed(origin: SiteOrigin | None, scope: Mapping[str, Any]) -> bool:
    if origin is None:
        return False
    own = request_origin(scope)
    return (own is not None and own.admits(origin)) or any(
        trusted.admits(origin) for trusted in trusted_origins()
    )
