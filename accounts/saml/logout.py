"""Single logout with the identity provider, both ways (HTTP-Redirect, signed).

What a SAML login leaves in the Django session is only what logging out needs: the provider,
the NameID the provider gave (a pseudonym or a one-off identifier, never the civic number
attribute) and its session index. The assertion's attributes are not kept anywhere.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from typing import Any

import saml2
from saml2 import xmldsig
from saml2.client import Saml2Client
from saml2.ident import code, decode
from saml2.saml import NameID

from accounts.saml.config import sp_config
from accounts.saml.providers import has_single_logout

logger = logging.getLogger("elevdialog.security")

LOGIN_KEY = "elevdialog_saml_login"  # in the Django session
# How long the logout information is trusted (the provider's own session is shorter).
KEEP_SECONDS = 24 * 3600


@dataclass(frozen=True)
class SamlLogin:
    """Which provider a session's login came from, and the subject it named."""

    issuer: str
    name_id: NameID
    session_index: str | None


def remember_login(session: Any, issuer: str, name_id: NameID | None, session_index: str | None) -> None:
    """Keep in the (already rotated) session what a later logout needs."""
    if name_id is None:
        return
    session[LOGIN_KEY] = {"issuer": issuer, "name_id": code(name_id), "session_index": session_index}


def login_of(session: Any) -> SamlLogin | None:
    """The session's SAML login, or None if it came from a password (or is broken)."""
    stored = session.get(LOGIN_KEY)
    if not isinstance(stored, dict):
        return None
    try:
        return SamlLogin(str(stored["issuer"]), decode(stored["name_id"]), stored.get("session_index"))
    except Exception:  # an unreadable entry is no SAML login
        return None


def _client(login: SamlLogin | None) -> Saml2Client:
    """A client that knows (in memory, for this exchange only) the session's subject."""
    client = Saml2Client(sp_config())
    if login is not None:
        client.users.add_information_about_person(
            {
                "name_id": login.name_id,
                "issuer": login.issuer,
                "not_on_or_after": int(time.time()) + KEEP_SECONDS,
                "session_index": login.session_index,
                "ava": {},
            }
        )
    return client


def logout_request_location(login: SamlLogin | None) -> str | None:
    """The signed LogoutRequest (a URL at the provider) that ends the provider's session too,
    or None when the login did not come from SAML or the provider has no single logout."""
    if login is None or not has_single_logout(login.issuer):
        return None
    try:
        answers = _client(login).do_logout(
            login.name_id,
            [login.issuer],
            reason="",
            expire=None,
            sign=True,
            expected_binding=saml2.BINDING_HTTP_REDIRECT,
            sign_alg=xmldsig.SIG_RSA_SHA256,
            digest_alg=xmldsig.DIGEST_SHA256,
        )
    except Exception as error:  # the local logout stands on its own
        logger.warning("SAML logout request to %s not made (%s)", login.issuer, type(error).__name__)
        return None
    for answer in answers.values():
        if isinstance(answer, tuple) and answer[0] == saml2.BINDING_HTTP_REDIRECT:
            headers = dict(answer[1].get("headers") or [])
            return headers.get("Location") or answer[1].get("url")
    return None


@dataclass(frozen=True)
class LogoutAnswer:
    """The LogoutResponse to send back (a URL at the provider), and whether the request was
    for this session's subject (then the session must end)."""

    location: str
    ends_session: bool


def answer_logout_request(query: Any, login: SamlLogin | None) -> LogoutAnswer:
    """Check a provider's LogoutRequest (HTTP-Redirect; signed, the signature checked against
    the provider's metadata) and make the answer. Raises on a request that does not verify."""
    client = _client(login)
    request = client.parse_logout_request(
        query["SAMLRequest"],
        saml2.BINDING_HTTP_REDIRECT,
        relay_state=query.get("RelayState"),
        sigalg=query.get("SigAlg"),
        signature=query.get("Signature"),
    )
    if request is None:
        raise ValueError("no logout request")
    message = request.message
    ends = (
        login is not None
        and message.issuer is not None
        and message.issuer.text == login.issuer
        and message.name_id is not None
        and message.name_id.text == login.name_id.text
    )
    http = client.handle_logout_request(
        query["SAMLRequest"],
        login.name_id if ends and login else None,
        saml2.BINDING_HTTP_REDIRECT,
        sign=True,
        sign_alg=xmldsig.SIG_RSA_SHA256,
        digest_alg=xmldsig.DIGEST_SHA256,
        relay_state=query.get("RelayState"),
        sigalg=query.get("SigAlg"),
        signature=query.get("Signature"),
    )
    headers = dict(http.get("headers") or [])
    return LogoutAnswer(headers.get("Location") or http.get("url") or "", ends)


def read_logout_response(query: Any, binding: str = saml2.BINDING_HTTP_REDIRECT) -> bool:
    """Whether the provider's LogoutResponse (to our LogoutRequest) says it logged out."""
    try:
        response = Saml2Client(sp_config()).parse_logout_request_response(query["SAMLResponse"], binding)
    except Exception as error:  # the local session has ended anyway
        logger.warning("SAML logout response not accepted (%s)", type(error).__name__)
        return False
    return bool(response and response.status_ok())
