"""The providers' WSGI application: routes, cookies and headers around ``provider``.

GET  /                      the two providers
GET  /<p>/                  who is logged in there, with "Logga ut" (IdP-initiated logout)
GET  /<p>/metadata          the provider's metadata
GET  /<p>/sso               an AuthnRequest (HTTP-Redirect): the sign-in page
POST /<p>/sso               request, identity, loa[, fault]: the page posting the Response
GET  /<p>/slo               a LogoutRequest or LogoutResponse (HTTP-Redirect)
POST /<p>/logout            log out here and at the service
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Iterable
from http import HTTPStatus
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl

from devidp import pages
from devidp.metadata import PROVIDERS, metadata_path
from devidp.provider import DevIdentityProvider, Refused

COOKIE = "devidp_browser"
MAX_BODY = 64 * 1024
# No form-action: "Logga ut" posts here and is redirected on to the service.
CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
    "base-uri 'none'; frame-ancestors 'none'"
)

StartResponse = Callable[..., Any]


class Answer:
    def __init__(self, status: HTTPStatus, body: str = "", content_type: str = "text/html; charset=utf-8"):
        self.status, self.body, self.content_type = status, body, content_type
        self.headers: list[tuple[str, str]] = []


class App:
    def __init__(self, idp: DevIdentityProvider, directory: Path) -> None:
        self.idp = idp
        self.directory = directory

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        browser = _cookie(environ) or secrets.token_urlsafe(16)
        try:
            answer = self.route(environ, browser)
        except Refused as refusal:
            answer = Answer(HTTPStatus.BAD_REQUEST, pages.error_page(str(refusal)))
        body = answer.body.encode("utf-8")
        headers = [
            ("Content-Type", answer.content_type),
            ("Content-Length", str(len(body))),
            ("Cache-Control", "no-store"),
            ("Content-Security-Policy", CSP),
            ("X-Content-Type-Options", "nosniff"),
            ("Set-Cookie", f"{COOKIE}={browser}; Path=/; HttpOnly; SameSite=Lax"),
            *answer.headers,
        ]
        start_response(f"{answer.status.value} {answer.status.phrase}", headers)
        return [body]

    def route(self, environ: dict[str, Any], browser: str) -> Answer:
        method, path = environ["REQUEST_METHOD"], environ.get("PATH_INFO", "/")
        if path == "/" and method == "GET":
            return Answer(HTTPStatus.OK, pages.index_page())
        if path == "/devidp.css":
            return Answer(HTTPStatus.OK, pages.STYLESHEET, "text/css; charset=utf-8")
        if path == "/favicon.ico":
            return Answer(HTTPStatus.NO_CONTENT)
        if path == "/devidp.js":
            return Answer(HTTPStatus.OK, pages.AUTOSUBMIT, "text/javascript; charset=utf-8")
        parts = path.strip("/").split("/")
        provider, action = parts[0], (parts[1] if len(parts) == 2 else "")
        if provider not in PROVIDERS or len(parts) > 2:
            return Answer(HTTPStatus.NOT_FOUND, pages.error_page("Sidan finns inte."))
        query = dict(parse_qsl(environ.get("QUERY_STRING", ""), keep_blank_values=True))
        if (action, method) == ("", "GET"):
            return Answer(HTTPStatus.OK, pages.home_page(provider, self.idp.signed_in(browser, provider)))
        if (action, method) == ("metadata", "GET"):
            xml = metadata_path(self.directory, provider).read_text(encoding="utf-8")
            return Answer(HTTPStatus.OK, xml, "application/samlmetadata+xml")
        if (action, method) == ("sso", "GET"):
            key = self.idp.receive_authn_request(provider, query)
            identities = self.idp.identities_of(provider)
            return Answer(
                HTTPStatus.OK, pages.sign_in_page(provider, key, identities, self.idp.faults_enabled)
            )
        if (action, method) == ("sso", "POST"):
            form = _form(environ)
            try:
                index = int(form.get("identity", ""))
            except ValueError:
                raise Refused("Välj en identitet.") from None
            answer = self.idp.answer(
                form.get("request", ""), index, form.get("loa", "3"), form.get("fault", ""), browser
            )
            return Answer(HTTPStatus.OK, pages.post_page(answer))
        if (action, method) == ("slo", "GET"):
            location = self.idp.receive_logout(provider, query, browser)
            if location is None:
                return Answer(HTTPStatus.OK, pages.logged_out_page(provider))
            return _redirect(location)
        if (action, method) == ("logout", "POST"):
            location = self.idp.start_logout(provider, browser)
            return _redirect(location or f"/{provider}/")
        return Answer(HTTPStatus.METHOD_NOT_ALLOWED, pages.error_page("Sidan finns inte."))


def _redirect(location: str) -> Answer:
    answer = Answer(HTTPStatus.SEE_OTHER)
    answer.headers.append(("Location", location))
    return answer


def _cookie(environ: dict[str, Any]) -> str | None:
    for part in environ.get("HTTP_COOKIE", "").split(";"):
        name, _, value = part.strip().partition("=")
        if name == COOKIE and value:
            return value
    return None


def _form(environ: dict[str, Any]) -> dict[str, str]:
    try:
        length = int(environ.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    if length > MAX_BODY:
        raise Refused("Formuläret är för stort.")
    raw = environ["wsgi.input"].read(length).decode("utf-8", "replace")
    return dict(parse_qsl(raw, keep_blank_values=True))
