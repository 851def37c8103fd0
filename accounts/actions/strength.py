"""How strongly this session's person proved who they are, and how recently.

Two facts live in the session:

* the **second factor** of the login: a one-time code (django-otp marks the session with
  its device), or an e-ID or school-account login whose assertion states level of assurance
  3 or higher ("assured"), which counts as two factors in itself. Staff reach nothing
  before one of them (``accounts.middleware``);
* the time of the last **strong login** (a one-time code or an assured SAML login): the
  sensitive actions (opening the archive, producing an export, reviewing and releasing a
  public record) need one within ``STRONG_LOGIN_MAX_AGE_SECONDS`` and ask for it again
  (``frontend.stepup``) when it is older.
"""

from __future__ import annotations

import enum
import time
from typing import Any

from django.conf import settings
from django.http import HttpRequest

STRONG_LOGIN_AT_KEY = "elevdialog_strong_login_at"
STRONG_LOGIN_METHOD_KEY = "elevdialog_strong_login_method"
# Set by an assured SAML login: the session passed its second factor without a device.
ASSURED_KEY = "elevdialog_assured"


class StrongMethod(enum.Enum):
    OTP = "otp"  # a code from the authenticator, or a recovery code
    EID = "eid"  # an e-ID at level of assurance 3 or higher
    SCHOOL_ACCOUNT = "school"  # a school account at level of assurance 3 or higher


def record_strong_login(request: HttpRequest, method: StrongMethod) -> None:
    """The person just proved who they are strongly: now counts as the last strong login.
    A SAML login (e-ID or school account) also stands in for the one-time code for the
    rest of the session."""
    request.session[STRONG_LOGIN_AT_KEY] = int(time.time())
    request.session[STRONG_LOGIN_METHOD_KEY] = method.value
    if method is not StrongMethod.OTP:
        request.session[ASSURED_KEY] = True


def session_is_assured(session: Any) -> bool:
    """Whether the session's login was an assured SAML login (its second factor)."""
    return bool(session.get(ASSURED_KEY))


def strong_login_age(session: Any) -> float | None:
    """Seconds since the session's last strong login, or None if it never had one."""
    at = session.get(STRONG_LOGIN_AT_KEY)
    if not isinstance(at, int):
        return None
    return max(0.0, time.time() - at)


def has_recent_strong_login(session: Any) -> bool:
    """Whether the last strong login is within ``STRONG_LOGIN_MAX_AGE_SECONDS``."""
    age = strong_login_age(session)
    return age is not None and age <= settings.STRONG_LOGIN_MAX_AGE_SECONDS


# The name under which a user object carries its session's strength (a function, asked when
# needed, as django-otp's ``is_verified``): set on each request's user by
# ``accounts.middleware.VerificationMiddleware`` and on a socket's by ``frontend.consumer``.
STRENGTH_CHECK = "has_recent_strong_login"


def carry_session_strength(user: Any, session: Any) -> None:
    """Let ``user`` (a logged-in request's or socket's) tell the doors, which get a user and
    not a request, whether its session has a recent strong login (``viewer_is_strong``). The
    time is read when asked, so a long request or an open socket sees the login age."""
    setattr(user, STRENGTH_CHECK, lambda: has_recent_strong_login(session))


def viewer_is_strong(user: Any) -> bool:
    """Whether the user object comes with a session that has a recent strong login. A user
    without one (loaded by a worker, a command, a test) has shown nothing, and is not."""
    check = getattr(user, STRENGTH_CHECK, None)
    return bool(check and check())
