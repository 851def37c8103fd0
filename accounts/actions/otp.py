"""One-time passwords: TOTP enrolment with an authenticator app, and recovery codes.

The devices are django-otp's models (credentials, not records about a student), so replacing
or removing them deletes rows. Replay protection (a code is accepted once) and throttling of
wrong codes are django-otp's, per device.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import BooleanField, Exists, ExpressionWrapper, OuterRef
from django.http import HttpRequest
from django.utils.translation import gettext as _
from django_otp import DEVICE_ID_SESSION_KEY, verify_token
from django_otp import login as otp_login
from django_otp.models import Device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts import policy
from accounts.actions.actor import SYSTEM, Actor
from accounts.actions.strength import StrongMethod, record_strong_login, session_is_assured
from accounts.errors import Refused, require
from accounts.models import User

RECOVERY_CODE_COUNT = 10
TOTP_NAME = "authenticator"
RECOVERY_NAME = "recovery"


def is_verified(user: object) -> bool:
    """Whether this request's session passed the one-time-password step, or a login that
    stands in for it (set on request.user by ``accounts.middleware.VerificationMiddleware``)."""
    check = getattr(user, "is_verified", None)
    return bool(check and check())


def has_confirmed_device(user: User) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


@transaction.atomic
def start_totp_enrolment(user: User) -> TOTPDevice:
    """A new, unconfirmed authenticator for the user to scan; earlier unconfirmed ones go."""
    TOTPDevice.objects.filter(user=user, confirmed=False).delete()
    return TOTPDevice.objects.create(user=user, name=TOTP_NAME, confirmed=False)


def pending_totp_device(user: User) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=False).order_by("-pk").first()


@transaction.atomic
def confirm_totp_enrolment(request: HttpRequest, user: User, token: str) -> list[str]:
    """Confirm the pending authenticator with a code from the app. Replaces any earlier
    authenticator, marks this session verified and returns fresh recovery codes."""
    device = pending_totp_device(user)
    if device is None:
        raise Refused(
            "no_pending_device", _("Start again: there is no authenticator waiting to be confirmed.")
        )
    if not device.verify_token(_clean(token)):
        raise Refused(
            "wrong_code", _("That code was not correct. Check the time on your phone and try again.")
        )
    TOTPDevice.objects.filter(user=user, confirmed=True).delete()
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    otp_login(request, device)
    record_strong_login(request, StrongMethod.OTP)
    return regenerate_recovery_codes(user)


@transaction.atomic
def install_authenticator(actor: Actor, user: User, *, key_hex: str) -> TOTPDevice:
    """A confirmed authenticator with a given key, for the demo school and imports from an
    earlier system (operators only)."""
    require(actor is SYSTEM)
    TOTPDevice.objects.filter(user=user).delete()
    return TOTPDevice.objects.create(user=user, name=TOTP_NAME, key=key_hex, confirmed=True)


@transaction.atomic
def regenerate_recovery_codes(user: User) -> list[str]:
    """Ten new single-use codes; the old ones stop working."""
    require(has_confirmed_device(user))
    device, _created = StaticDevice.objects.get_or_create(
        user=user, name=RECOVERY_NAME, defaults={"confirmed": True}
    )
    device.token_set.all().delete()
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODE_COUNT)]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    return codes


def remaining_recovery_codes(user: User) -> int:
    return StaticToken.objects.filter(device__user=user, device__name=RECOVERY_NAME).count()


@dataclass(frozen=True)
class OtpOutcome:
    verified: bool
    locked_until: datetime.datetime | None = None


def _clean(token: str) -> str:
    return "".join(token.split()).replace("-", "").lower()


def verify_login_code(request: HttpRequest, user: User, token: str) -> OtpOutcome:
    """Verify a code from the authenticator (digits) or a recovery code (letters and digits)
    and mark the session verified. When the device is throttled after wrong codes, the code
    is not tried and the outcome says when the next try is allowed."""
    token = _clean(token)
    # Authenticator codes are six digits; recovery codes are eight letters and digits.
    model: type[Device] = TOTPDevice if len(token) == 6 and token.isdigit() else StaticDevice
    device = model.objects.filter(user=user, confirmed=True).first()
    if device is None:
        return OtpOutcome(verified=False)
    allowed, details = device.verify_is_allowed()
    if not allowed:
        return OtpOutcome(verified=False, locked_until=(details or {}).get("locked_until"))
    if verify_token(user, device.persistent_id, token) is None:
        return OtpOutcome(verified=False)
    otp_login(request, device)
    record_strong_login(request, StrongMethod.OTP)
    return OtpOutcome(verified=True)


@transaction.atomic
def remove_own_otp(user: User) -> None:
    """Students and guardians may turn one-time passwords off again; staff may not."""
    require(not policy.requires_otp(user))
    TOTPDevice.objects.filter(user=user).delete()
    StaticDevice.objects.filter(user=user).delete()


@dataclass(frozen=True)
class OtpRequirement:
    mandatory: bool  # staff: must enrol before doing anything else
    enrolled: bool  # has a confirmed authenticator: must verify at login

    @property
    def needs_verification(self) -> bool:
        return self.mandatory or self.enrolled


def otp_requirement(user: User) -> OtpRequirement:
    """Both facts in one query (asked on every request by ``RequireOTPMiddleware``)."""
    row = (
        User.objects.filter(pk=user.pk)
        .annotate(
            mandatory=ExpressionWrapper(policy.staff_filter(policy.today()), BooleanField()),
            enrolled=Exists(TOTPDevice.objects.filter(user=OuterRef("pk"), confirmed=True)),
        )
        .values("mandatory", "enrolled")
        .first()
    )
    if row is None or not user.is_active:
        return OtpRequirement(mandatory=False, enrolled=False)
    return OtpRequirement(mandatory=bool(row["mandatory"]), enrolled=bool(row["enrolled"]))


def session_is_verified(session: Any, user: User) -> bool:
    """For WebSocket connections: whether the session behind the socket passed the code
    step when the user needs one (the HTTP side learns this from OTPMiddleware)."""
    if not otp_requirement(user).needs_verification or session_is_assured(session):
        return True
    persistent_id = session.get(DEVICE_ID_SESSION_KEY)
    if not persistent_id:
        return False
    device = Device.from_persistent_id(persistent_id)
    return device is not None and device.user_id == user.pk and device.confirmed
