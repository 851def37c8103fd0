"""Single logout (SAML 2.0) seen from the browser.

Logging out here (the POST to ``logout``) ends the session first; when it came from a
provider with single logout, the browser then goes on to the provider. The content security
policy's ``form-action 'self'`` also covers the redirects that follow a form's POST, so the
way there is a GET page of ours (``saml-logout``) that sends the browser on, not a redirect
from the POST.

A provider's own LogoutRequest (``saml-sls``) ends the session here when it names this
session's subject, through ``log_out`` (which also closes the session's sockets), and is
answered with a signed LogoutResponse.
"""

from __future__ import annotations

import logging
from typing import Any

import saml2
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.utils.decorators import method_decorator
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from djangosaml2 import views as djangosaml2_views

from accounts.actions.sessions import log_out
from accounts.saml import logout as saml_logout

security_log = logging.getLogger("elevdialog.security")

PENDING_KEY = "elevdialog_saml_logout_at"  # in the new, empty session after logging out


def provider_logout_location(request: HttpRequest) -> str | None:
    """Before the session ends: where the provider's logout is, if the login came from one
    that supports it (a signed LogoutRequest URL)."""
    return saml_logout.logout_request_location(saml_logout.login_of(request.session))


def continue_at_provider(request: HttpRequest, location: str) -> HttpResponse:
    """After the session ended: keep the provider's logout URL for ``saml-logout`` (in the
    new, anonymous session) and go there."""
    request.session[PENDING_KEY] = location
    return redirect("saml-logout")


@never_cache
def provider_logout_view(request: HttpRequest) -> HttpResponse:
    """GET: a page that sends the browser on to the provider's logout (or the login page)."""
    location = request.session.pop(PENDING_KEY, None)
    if not isinstance(location, str) or not location:
        return redirect("login")
    return render(request, "frontend/saml_logout.html", {"location": location})


@method_decorator([csrf_exempt, never_cache], name="dispatch")
class SamlLogoutServiceView(djangosaml2_views.LogoutView):
    """The provider's LogoutRequest, or its LogoutResponse to ours (HTTP-Redirect, or
    HTTP-POST at ``saml-sls-post`` for the response)."""

    def do_logout_service(
        self, request: HttpRequest, data: Any, binding: str, *args: Any, **kwargs: Any
    ) -> HttpResponse:
        if "SAMLResponse" in data:
            # Our logout: this session ended before the browser went to the provider.
            if not saml_logout.read_logout_response(data, binding):
                security_log.info("SAML logout: the provider did not confirm the logout")
            return redirect("login")
        if "SAMLRequest" in data and binding == saml2.BINDING_HTTP_REDIRECT:
            login = saml_logout.login_of(request.session)
            try:
                answer = saml_logout.answer_logout_request(data, login)
            except Exception as error:  # unsigned, tampered, unknown sender
                security_log.warning("SAML logout request refused (%s)", type(error).__name__)
                return render(request, "frontend/saml_refused.html", {"reason": "saml_protocol"}, status=400)
            if answer.ends_session:
                log_out(request)
            else:
                security_log.info("SAML logout request for a subject this session does not have")
            return HttpResponseRedirect(answer.location) if answer.location else redirect("login")
        return render(request, "frontend/saml_refused.html", {"reason": "saml_protocol"}, status=400)
