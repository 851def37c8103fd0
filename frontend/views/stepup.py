"""The step-up page ("Bekräfta att det är du"): where a person whose session has no strong
login recent enough gives one before a sensitive action (``frontend.stepup``), then goes on
to ``next``. With an e-ID (the e-ID buttons go to the SAML login with ``step_up=1``, which
checks that the e-ID is this person's) or, for those with an authenticator, the one-time
code."""

from __future__ import annotations

from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods

from accounts.actions.otp import otp_requirement
from accounts.actions.strength import has_recent_strong_login
from accounts.saml.providers import login_choices
from frontend.forms import OtpCodeForm
from frontend.requests import redirect_to_next, safe_next, viewer
from frontend.views.auth import accept_login_code

# What the page offers besides the code, as the issue says ("e-ID or one-time code"): an
# e-ID, which counts only at level of assurance 3 or higher (the SAML login checks it).
STEP_UP_PURPOSES = ["eid"]


@sensitive_post_parameters("code")
@never_cache
@require_http_methods(["GET", "POST"])
def step_up_view(request: HttpRequest) -> HttpResponse:
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if has_recent_strong_login(request.session):
        return redirect_to_next(request)
    user = viewer(request)
    next_url = safe_next(request)
    has_authenticator = otp_requirement(user).enrolled
    form = OtpCodeForm(request.POST or None) if has_authenticator else None
    if (
        request.method == "POST"
        and form is not None
        and form.is_valid()
        and accept_login_code(request, user, form)  # records the strong login
    ):
        return redirect_to_next(request)
    return render(
        request,
        "frontend/step_up.html",
        {
            "form": form,
            "next": next_url,
            "minutes": max(1, settings.STRONG_LOGIN_MAX_AGE_SECONDS // 60),
            "saml_choices": login_choices(STEP_UP_PURPOSES),
            "step_up": True,
            "otp_setup_url": f"{reverse('otp-setup')}?{urlencode({'next': next_url})}",
        },
        status=400 if form is not None and form.errors else 200,
    )
