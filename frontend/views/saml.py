"""Logging in with e-ID or a school account (SAML 2.0): the login, the assertion consumer,
the service's metadata, and the refusal page.

djangosaml2's views are the base; what changes: ``next`` goes through ``safe_next`` only, an
unknown provider is a 404, the step-up login (``step_up=1``) forces a new authentication of
the person already logged in, and the assertion consumer is ours end to end so that every
refusal is one log line (a reason code and the issuer) and one page, and nothing of the
assertion (attributes, NameID) reaches a log. The session keeps only what single logout needs
(the provider, its NameID and session index: ``accounts.saml.logout``); the attributes are
read once and kept nowhere.
"""

from __future__ import annotations

import base64
import binascii
import logging
import re
from pathlib import Path
from typing import Any

import saml2
from django.conf import settings
from django.contrib.auth import authenticate, login
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect, QueryDict
from django.shortcuts import render
from django.utils.decorators import method_decorator
from django.views.decorators.cache import cache_control, never_cache
from django.views.decorators.csrf import csrf_exempt
from djangosaml2 import views as djangosaml2_views
from djangosaml2.cache import OutstandingQueriesCache
from djangosaml2.overrides import Saml2Client
from saml2.response import (
    IncorrectlySigned,
    SignatureError,
    StatusError,
    UnsolicitedResponse,
    VerificationError,
)
from saml2.validate import ResponseLifetimeExceed, ToEarly

from accounts.actions.strength import StrongMethod, record_strong_login
from accounts.errors import Refused
from accounts.models import User
from accounts.saml import backend, providers, replay
from accounts.saml.logout import remember_login
from frontend.caching import holds_nothing_personal
from frontend.requests import safe_next, safe_url
from frontend.views.auth import after_first_factor
from frontend.views.language import remember_language

security_log = logging.getLogger("elevdialog.security")

# In the SAML session (its own cookie, sent on the provider's cross-site POST): the person
# who asked to confirm who they are.
STEP_UP_KEY = "elevdialog_step_up_user"

STATUS = {
    backend.UNKNOWN_PERSON: 403,
    backend.INACTIVE: 403,
    backend.SOMEONE_ELSE: 403,
    backend.PROTOCOL: 400,
}
_ISSUER = re.compile(rb"<(?:[\w.-]+:)?Issuer\b[^>]*>\s*([^<\s]{1,300})\s*</", re.S)


def refusal(request: HttpRequest, code: str, reason: str, issuer: str | None) -> HttpResponse:
    """The refusal page for ``code`` (``backend.UNKNOWN_PERSON`` ...), after one log line.
    ``reason`` says more precisely what failed (for the log); neither carries personal data."""
    security_log.warning("SAML login refused: %s (%s), issuer %r", code, reason, (issuer or "unknown")[:300])
    return render(request, "frontend/saml_refused.html", {"reason": code}, status=STATUS.get(code, 400))


def claimed_issuer(raw: str | None) -> str | None:
    """The issuer a response names, unverified: only for the log line of a refusal."""
    if not raw:
        return None
    try:
        xml = base64.b64decode(raw, validate=False)
    except (binascii.Error, ValueError):
        return None
    found = _ISSUER.search(xml)
    return found.group(1).decode("utf-8", "replace") if found else None


def protocol_reason(error: Exception) -> str:
    """A short code for why pysaml2 did not accept a response."""
    text = str(error)
    if isinstance(error, (SignatureError, IncorrectlySigned)) or "signature" in text.lower():
        return "bad_signature"
    if isinstance(error, ResponseLifetimeExceed):
        return "expired"
    if isinstance(error, ToEarly):
        return "not_yet_valid"
    if isinstance(error, UnsolicitedResponse):
        return "unsolicited"
    if isinstance(error, StatusError):
        return "provider_status"
    if "Audience" in text:
        return "wrong_audience"
    if isinstance(error, VerificationError):
        return "not_verified"
    return f"invalid_response:{type(error).__name__}"


@method_decorator(never_cache, name="dispatch")
class SamlLoginView(djangosaml2_views.LoginView):
    """GET ``?idp=<entity id>&next=<path>[&step_up=1]``: off to the provider (HTTP-Redirect,
    a signed AuthnRequest; the relay state is the checked ``next``)."""

    step_up = False

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        idp = request.GET.get("idp", "")
        if providers.purpose_of(idp) is None:
            raise Http404
        self.step_up = request.GET.get("step_up") == "1" and request.user.is_authenticated
        if self.step_up:
            request.saml_session[STEP_UP_KEY] = request.user.pk  # type: ignore[attr-defined]
        else:
            request.saml_session.pop(STEP_UP_KEY, None)  # type: ignore[attr-defined]
        # The base view reads ``idp`` and ``next`` from the query string only: give it the
        # checked ``next`` and nothing else.
        query = QueryDict(mutable=True)
        query.update({"idp": idp, "next": safe_next(request)})
        request.GET = query  # type: ignore[assignment]
        response: HttpResponse = super().get(request, *args, **kwargs)
        return response

    def should_prevent_auth(self, request: HttpRequest) -> bool:
        return bool(request.user.is_authenticated) and not self.step_up

    def load_sso_kwargs(self, sso_kwargs: dict[str, Any]) -> None:
        if self.step_up:
            sso_kwargs["force_authn"] = "true"

    def unknown_idp(self, request: HttpRequest, idp: str) -> HttpResponse:
        raise Http404


@method_decorator([csrf_exempt, never_cache], name="dispatch")
class SamlAcsView(djangosaml2_views.AssertionConsumerServiceView):
    """POST from the provider: the signed response. Every check pysaml2 makes (signatures,
    audience, recipient, validity window with the clock skew, InResponseTo against this
    browser's outstanding requests), then the replay check, then matching the person."""

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        raw = request.POST.get("SAMLResponse")
        issuer = claimed_issuer(raw)
        if not raw:
            return refusal(request, backend.PROTOCOL, "no_response", issuer)
        saml_session = request.saml_session  # type: ignore[attr-defined]
        queries = OutstandingQueriesCache(saml_session)
        queries.sync()
        # No identity cache: the attributes are read once here and kept nowhere.
        client = Saml2Client(self.get_sp_config(request))
        try:
            response = client.parse_authn_request_response(
                raw, saml2.BINDING_HTTP_POST, queries.outstanding_queries()
            )
        except Exception as error:  # every failure is the same refusal
            return refusal(request, backend.PROTOCOL, protocol_reason(error), issuer)
        if response is None or response.assertion is None:
            return refusal(request, backend.PROTOCOL, "invalid_response", issuer)
        issuer = response.issuer() or issuer
        queries.delete(response.session_id())  # one answer per request
        if not replay.remember_assertion(response.assertion.id, issuer or "", *_ends(response)):
            return refusal(request, backend.PROTOCOL, "replay", issuer)
        session_info = response.session_info()
        step_up_user_id = saml_session.pop(STEP_UP_KEY, None)
        try:
            user = authenticate(request, session_info=session_info, step_up_user_id=step_up_user_id)
        except Refused as refused:
            return refusal(request, refused.code, refused.code, issuer)
        if not isinstance(user, User):
            return refusal(request, backend.PROTOCOL, "no_user", issuer)
        return self.logged_in(request, user, session_info)

    def logged_in(self, request: HttpRequest, user: User, session_info: dict[str, Any]) -> HttpResponse:
        facts = backend.login_facts(session_info)
        login(request, user)  # rotates the session key
        remember_login(
            request.session, facts.issuer, session_info.get("name_id"), session_info.get("session_index")
        )
        next_url = safe_url(request, str(session_info.get("came_from") or ""))
        if not facts.strong:
            return after_first_factor(user, next_url)
        record_strong_login(
            request, StrongMethod.EID if facts.purpose == providers.EID else StrongMethod.SCHOOL_ACCOUNT
        )
        answer = HttpResponseRedirect(next_url)
        remember_language(answer, user.language)
        return answer


def _ends(response: Any) -> list[str | None]:
    """The assertion's stated ends: its conditions and its bearer confirmations."""
    assertion = response.assertion
    ends: list[str | None] = []
    if assertion.conditions is not None:
        ends.append(assertion.conditions.not_on_or_after)
    if assertion.subject is not None:
        for confirmation in assertion.subject.subject_confirmation:
            data = confirmation.subject_confirmation_data
            if data is not None:
                ends.append(data.not_on_or_after)
    return ends


@method_decorator([holds_nothing_personal, cache_control(public=True, max_age=3600)], name="dispatch")
class SamlMetadataView(djangosaml2_views.MetadataView):
    """This service's SAML metadata (its entity id, endpoints and certificate): public, the
    same for everyone. Not found while the service has no certificate (SAML not set up)."""

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        cert = settings.SAML_CERT_FILE
        if not cert or not Path(cert).is_file():
            raise Http404
        response: HttpResponse = super().get(request, *args, **kwargs)
        return response
