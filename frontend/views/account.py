"""The account page: password, one-time passwords, sessions."""

from __future__ import annotations

from base64 import b32encode

import segno
from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST

from accounts.actions import otp as otp_actions
from accounts.actions.sessions import change_own_password, log_out, log_out_everywhere
from accounts.errors import Refused
from frontend.answers import add_to_form
from frontend.forms import OtpCodeForm, PasswordChangeForm
from frontend.requests import safe_next, viewer


@login_required
def account_view(request: HttpRequest) -> HttpResponse:
    user = viewer(request)
    requirement = otp_actions.otp_requirement(user)
    return render(
        request,
        "frontend/account.html",
        {
            "requirement": requirement,
            "recovery_codes_left": otp_actions.remaining_recovery_codes(user) if requirement.enrolled else 0,
        },
    )


@sensitive_post_parameters("current_password", "new_password", "new_password_again")
@login_required
def password_change_view(request: HttpRequest) -> HttpResponse:
    user = viewer(request)
    form = PasswordChangeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            change_own_password(
                user,
                current_password=form.cleaned_data["current_password"],
                new_password=form.cleaned_data["new_password"],
            )
        except Refused as error:
            add_to_form(form, error)
        else:
            # Other sessions stop verifying; this one continues under a new key.
            update_session_auth_hash(request, user)
            messages.success(
                request, _("Your password was changed. You have been logged out everywhere else.")
            )
            return redirect("account")
    return render(
        request, "frontend/password_change.html", {"form": form}, status=400 if form.errors else 200
    )


@require_POST
@login_required
def logout_everywhere_view(request: HttpRequest) -> HttpResponse:
    log_out_everywhere(viewer(request))
    log_out(request)
    messages.success(request, _("You have been logged out on all devices."))
    return redirect("login")


def _qr_svg(url: str) -> str:
    # segno writes a self-contained SVG without scripts or style attributes.
    return mark_safe(segno.make(url, error="m").svg_inline(scale=5, dark="#111", light="#fff"))  # noqa: S308


def _grouped_secret(device: otp_actions.TOTPDevice) -> str:
    secret = b32encode(device.bin_key).decode()
    return " ".join(secret[index : index + 4] for index in range(0, len(secret), 4))


@sensitive_post_parameters("code")
@never_cache
@login_required
def otp_setup_view(request: HttpRequest) -> HttpResponse:
    """Enrol an authenticator app. Reachable before verification only by someone who has
    none yet; replacing an existing one requires a verified session. Goes on to ``next``
    once the recovery codes are saved (from the step-up page: the sensitive page asked
    for; confirming the code is a strong login)."""
    user = viewer(request)
    next_url = safe_next(request)
    requirement = otp_actions.otp_requirement(user)
    if requirement.enrolled and not otp_actions.is_verified(user):
        return redirect("otp-verify")
    form = OtpCodeForm()
    if request.method == "POST":
        if request.POST.get("step") == "start":
            otp_actions.start_totp_enrolment(user)
        else:
            form = OtpCodeForm(request.POST)
            if form.is_valid():
                try:
                    codes = otp_actions.confirm_totp_enrolment(request, user, form.cleaned_data["code"])
                except Refused as error:
                    form.add_error("code", error.message)
                else:
                    request.session.cycle_key()
                    return render(
                        request,
                        "frontend/recovery_codes.html",
                        {"codes": codes, "first_time": True, "next": next_url},
                    )
    device = otp_actions.pending_totp_device(user)
    context = {
        "requirement": requirement,
        "device": device,
        "form": form,
        "qr_svg": _qr_svg(device.config_url) if device else "",
        "secret": _grouped_secret(device) if device else "",
        "next": next_url,
    }
    return render(request, "frontend/otp_setup.html", context, status=400 if form.errors else 200)


@require_POST
@never_cache
@login_required
def recovery_codes_view(request: HttpRequest) -> HttpResponse:
    codes = otp_actions.regenerate_recovery_codes(viewer(request))
    return render(
        request,
        "frontend/recovery_codes.html",
        {"codes": codes, "first_time": False, "next": safe_next(request)},
    )


@require_POST
@login_required
def otp_remove_view(request: HttpRequest) -> HttpResponse:
    otp_actions.remove_own_otp(viewer(request))
    messages.success(request, _("One-time passwords are turned off for your account."))
    return redirect("account")
