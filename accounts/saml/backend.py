"""Who a verified SAML assertion is: matching, never creating.

pysaml2 has already checked the assertion (signature, audience, recipient, validity window,
InResponseTo) when ``SamlBackend.authenticate`` sees it. Here the issuer decides how to match:
an e-ID provider on the civic number (``personalIdentityNumber``), a school-account provider on
the school-account name the register recorded (``eduPersonPrincipalName``). No account is ever
made. A login that cannot be matched raises ``accounts.errors.Refused`` with a code the views
turn into a page (``REFUSALS``); the refusal's message never carries what the assertion said.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.backends import ModelBackend
from django.http import HttpRequest
from django.utils.translation import gettext as _

from accounts import civic
from accounts.errors import Refused
from accounts.models import SchoolAccountName, User
from accounts.saml import levels, providers

CIVIC_NUMBER = ("personalIdentityNumber", "urn:oid:1.2.752.29.4.13")
SCHOOL_ACCOUNT = ("eduPersonPrincipalName", "urn:oid:1.3.6.1.4.1.5923.1.1.1.6")

# Refusal codes: who the login was refused for, as the views and the log name it.
UNKNOWN_PERSON = "saml_unknown_person"
INACTIVE = "saml_inactive"
SOMEONE_ELSE = "saml_someone_else"
PROTOCOL = "saml_protocol"


@dataclass(frozen=True)
class LoginFacts:
    """What the view needs to know about a verified assertion, without personal data."""

    issuer: str
    purpose: str | None  # providers.EID / providers.SCHOOL, None for an unconfigured issuer
    class_ref: str | None  # the AuthnContextClassRef
    strong: bool


def login_facts(session_info: dict[str, Any]) -> LoginFacts:
    issuer = str(session_info.get("issuer") or "")
    class_ref = None
    for entry in session_info.get("authn_info") or ():
        if entry and entry[0]:
            class_ref = str(entry[0])
            break
    return LoginFacts(issuer, providers.purpose_of(issuer), class_ref, levels.is_strong(class_ref))


def _first(attributes: dict[str, Any], names: tuple[str, ...]) -> str | None:
    for name in names:
        values = attributes.get(name)
        if isinstance(values, (list, tuple)) and values:
            values = values[0]
        if isinstance(values, str) and values.strip():
            return values.strip()
    return None


def refused(code: str) -> Refused:
    """The refusal for ``code``; its message is the page's heading (no personal data)."""
    messages = {
        UNKNOWN_PERSON: _("We cannot find you in Elevdialog"),
        INACTIVE: _("Your account is not active"),
        SOMEONE_ELSE: _("That e-ID belongs to someone else"),
    }
    return Refused(code, messages.get(code) or _("The login could not be accepted"))


def match_person(purpose: str | None, attributes: dict[str, Any]) -> User | None:
    """The account the attributes name, active or not; None if no one."""
    if purpose == providers.EID:
        raw = _first(attributes, CIVIC_NUMBER)
        if raw is None:
            return None
        with contextlib.suppress(ValueError):
            return User.objects.filter(civic_number=civic.normalise(raw)).first()
        return None
    if purpose == providers.SCHOOL:
        name = _first(attributes, SCHOOL_ACCOUNT)
        if name is None:
            return None
        found = SchoolAccountName.objects.filter(name__iexact=name).select_related("user").first()
        return found.user if found else None
    return None


class SamlBackend(ModelBackend):
    """Logs in the person a verified assertion names. ``ModelBackend``'s ``get_user`` (which
    refuses an inactive account on every request) and permissions are kept."""

    def authenticate(  # type: ignore[override]
        self,
        request: HttpRequest | None,
        session_info: dict[str, Any] | None = None,
        step_up_user_id: int | None = None,
        **kwargs: Any,
    ) -> User | None:
        """Precondition: ``session_info`` comes from a response pysaml2 verified.
        ``step_up_user_id``: the person who asked to confirm who they are; the assertion must
        name them. Raises ``Refused`` (``UNKNOWN_PERSON``, ``INACTIVE``, ``SOMEONE_ELSE``,
        ``PROTOCOL`` for an issuer that is not a configured provider)."""
        if session_info is None:
            return None
        facts = login_facts(session_info)
        if facts.purpose is None:
            raise refused(PROTOCOL)
        user = match_person(facts.purpose, session_info.get("ava") or {})
        if user is None:
            raise refused(UNKNOWN_PERSON)
        if step_up_user_id is not None and user.pk != step_up_user_id:
            raise refused(SOMEONE_ELSE)
        if not self.user_can_authenticate(user):
            raise refused(INACTIVE)
        return user
