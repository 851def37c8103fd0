"""Password login with throttling of failed attempts."""

from __future__ import annotations

import datetime
import enum
import logging
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import authenticate
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone

from accounts.actions.people import normalise_username
from accounts.models import LoginAttempt, User

security_log = logging.getLogger("elevdialog.security")


class BlockScope(enum.Enum):
    """What a block of password attempts covers: one username (from anywhere), or one
    client address (every username tried from it)."""

    ACCOUNT = "account"
    ADDRESS = "address"


@dataclass(frozen=True)
class LoginBlock:
    """Password attempts are refused until ``until`` for what ``scope`` names."""

    until: datetime.datetime
    scope: BlockScope


@dataclass(frozen=True)
class LoginOutcome:
    """``user`` is set on success; ``block`` when attempts are throttled."""

    user: User | None
    block: LoginBlock | None = None


def _attempt_username(username: str) -> str:
    """The username as recorded on LoginAttempt: normalised and cut to the column's length,
    because lower-casing can lengthen a string ("İ" becomes two characters)."""
    max_length = LoginAttempt._meta.get_field("username").max_length or 150
    return normalise_username(username)[:max_length].rstrip()


def client_address(request: HttpRequest) -> str | None:
    return request.META.get("REMOTE_ADDR") or None


def _blocked_until(failures: QuerySet[LoginAttempt], limit: int) -> datetime.datetime | None:
    """If the last ``limit`` failures all fall inside the window, the block lasts until the
    oldest of them leaves it."""
    window = datetime.timedelta(seconds=settings.LOGIN_FAILURE_WINDOW_SECONDS)
    recent = list(
        failures.filter(at__gt=timezone.now() - window).order_by("-at").values_list("at", flat=True)[:limit]
    )
    if len(recent) < limit:
        return None
    return recent[-1] + window


def login_block(username: str, address: str | None) -> LoginBlock | None:
    """The block on further password attempts for this username (or from this address), or
    None if they are allowed now. When both apply, the one that lasts longer is named.
    Failures before the last success don't count."""
    username = _attempt_username(username)
    last_success = (
        LoginAttempt.objects.filter(username=username, succeeded=True).order_by("-at").values("at")[:1]
    )
    by_name = LoginAttempt.objects.filter(username=username, succeeded=False)
    if last_success:
        by_name = by_name.filter(at__gt=last_success[0]["at"])
    candidates = [(_blocked_until(by_name, settings.LOGIN_FAILURE_LIMIT), BlockScope.ACCOUNT)]
    if address:
        by_address = LoginAttempt.objects.filter(address=address, succeeded=False)
        candidates.append(
            (_blocked_until(by_address, settings.LOGIN_FAILURE_LIMIT_PER_ADDRESS), BlockScope.ADDRESS)
        )
    blocks = [LoginBlock(until, scope) for until, scope in candidates if until is not None]
    return max(blocks, key=lambda block: block.until) if blocks else None


def record_password_check(username: str, address: str | None, *, succeeded: bool) -> None:
    """Record one check of a password (a login, or the current password when changing it)."""
    LoginAttempt.objects.create(username=_attempt_username(username), address=address, succeeded=succeeded)


def authenticate_with_password(request: HttpRequest, username: str, password: str) -> LoginOutcome:
    """Check throttling, then the password; record the attempt. Does not log the user in:
    the caller does that (``django.contrib.auth.login`` rotates the session key)."""
    username = normalise_username(username)
    recorded_as = _attempt_username(username)
    address = client_address(request)
    block = login_block(recorded_as, address)
    if block is not None:
        # Not recorded: an attacker hammering a blocked account must not extend the block.
        return LoginOutcome(user=None, block=block)
    user = authenticate(request, username=username, password=password)
    record_password_check(recorded_as, address, succeeded=user is not None)
    if user is None:
        block = login_block(recorded_as, address)
        if block is not None:
            security_log.warning(
                "login throttled (%s) for %r from %s", block.scope.value, recorded_as, address
            )
        return LoginOutcome(user=None, block=block)
    assert isinstance(user, User)
    return LoginOutcome(user=user)
