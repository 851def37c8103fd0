"""The WebSocket Origin check as deployed: behind a TLS proxy, with CSRF_TRUSTED_ORIGINS and
SITE_URL, scheme, host and port must all be the site's. (The suite's own sockets, on
http://testserver, are checked in tests/dialogue/test_live.py.)"""

from __future__ import annotations

from typing import Any

import pytest
from django.test import override_settings

from config.security import SiteOrigin, origin_allowed, origin_for_log

PRODUCTION = {
    "ALLOWED_HOSTS": ["elevdialog.umea.se"],
    "CSRF_TRUSTED_ORIGINS": [],
    "SITE_URL": "https://elevdialog.umea.se",
    "DEBUG": False,
}


def handshake(host: str | None, *, scheme: str = "ws", forwarded_proto: str | None = None) -> dict[str, Any]:
    headers = []
    if host is not None:
        headers.append((b"host", host.encode()))
    if forwarded_proto is not None:
        headers.append((b"x-forwarded-proto", forwarded_proto.encode()))
    return {"type": "websocket", "scheme": scheme, "headers": headers}


def allowed(origin: str, scope: dict[str, Any]) -> bool:
    return origin_allowed(SiteOrigin.parse(origin), scope)


@override_settings(**PRODUCTION, SECURE_PROXY_SSL_HEADER=("HTTP_X_FORWARDED_PROTO", "https"))
@pytest.mark.parametrize(
    ("origin", "expected"),
    [
        ("https://elevdialog.umea.se", True),
        ("https://ELEVDIALOG.umea.se:443", True),
        ("http://elevdialog.umea.se", False),
        ("https://elevdialog.umea.se:8443", False),
        ("https://evil.umea.se", False),
        ("https://elevdialog.umea.se.evil.example", False),
        ("wss://elevdialog.umea.se", False),
    ],
)
def test_behind_a_tls_proxy_only_the_https_origin_on_its_port_is_allowed(origin: str, expected: bool) -> None:
    scope = handshake("elevdialog.umea.se", forwarded_proto="https")
    assert allowed(origin, scope) is expected


@override_settings(**PRODUCTION | {"SITE_URL": "https://other.umea.se"})
def test_the_request_origin_uses_the_scheme_and_port_the_browser_used() -> None:
    # Plain ws on port 8000 (no TLS proxy): exactly http://<host>:8000 is the site's own.
    scope = handshake("elevdialog.umea.se:8000")
    assert allowed("http://elevdialog.umea.se:8000", scope)
    assert not allowed("http://elevdialog.umea.se", scope)
    assert not allowed("https://elevdialog.umea.se:8000", scope)
    assert allowed("https://elevdialog.umea.se:8000", handshake("elevdialog.umea.se:8000", scheme="wss"))
    # A Host that is not one of ALLOWED_HOSTS makes nothing the site's own (DNS rebinding).
    assert not allowed("http://attacker.example:8000", handshake("attacker.example:8000"))
    assert not allowed("http://elevdialog.umea.se:8000", handshake(None))


@override_settings(
    **PRODUCTION | {"CSRF_TRUSTED_ORIGINS": ["https://*.skola.umea.se", "https://app.umea.se:8443"]}
)
def test_csrf_trusted_origins_and_the_site_url_are_allowed_as_written() -> None:
    scope = handshake("elevdialog.umea.se")
    assert allowed("https://elevdialog.umea.se", scope)  # SITE_URL
    assert allowed("https://nord.skola.umea.se", scope)
    assert not allowed("http://nord.skola.umea.se", scope)
    assert allowed("https://app.umea.se:8443", scope)
    assert not allowed("https://app.umea.se", scope)


def test_what_is_logged_of_a_refused_origin_is_never_personal_data() -> None:
    assert origin_for_log(None) == "(missing)"
    assert origin_for_log("https://evil.example") == "https://evil.example:443"
    assert origin_for_log("http://127.0.0.1:57553") == "http://127.0.0.1:57553"
    assert origin_for_log("http://19900101-1234.example") == "http://...-1234.example:80"
    assert origin_for_log("http://199001011234.example") == "http://....example:80"
    assert origin_for_log("Anna Andersson 19900101-1234") == "(malformed)"
    assert origin_for_log("http://anna andersson/") == "(malformed)"
