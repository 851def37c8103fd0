"""Which identity provider is for what: the configured providers resolved against their
metadata.

A provider's ``purpose`` decides how its logins are matched (``eid``: on the civic number;
``school``: on the school-account name) and which button offers it. An assertion from an
entity that is not a configured provider is refused, even when the same metadata lists it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.utils.translation import gettext as _

from accounts.saml.config import sp_config
from accounts.saml.metadata import entities_of

EID = "eid"
SCHOOL = "school"


@dataclass(frozen=True)
class LoginChoice:
    """One button: which provider (``entity_id``), for what, and its words."""

    purpose: str
    entity_id: str
    label: str


def _standard_label(purpose: str) -> str:
    if purpose == EID:
        return _("Log in with e-ID")
    return _("Log in with your school account")


def configured() -> dict[str, tuple[str, str | None]]:
    """Entity id -> (purpose, configured name) of every provider whose metadata was read.

    A provider configured without ``entity_id`` stands for the identity provider(s) its
    metadata lists; one with it only for that entity (and only if the metadata has it)."""
    if not settings.SAML_IDENTITY_PROVIDERS:
        return {}
    sp_config()  # reads (or re-reads) the metadata when due
    found: dict[str, tuple[str, str | None]] = {}
    for provider in settings.SAML_IDENTITY_PROVIDERS:
        listed = entities_of(provider.metadata)
        wanted = [provider.entity_id] if provider.entity_id else list(listed)
        for entity_id in wanted:
            if entity_id in listed and entity_id not in found:
                found[entity_id] = (provider.purpose, provider.name)
    return found


def purpose_of(entity_id: str | None) -> str | None:
    """The purpose of the configured provider ``entity_id``, or None for any other issuer."""
    if not entity_id:
        return None
    entry = configured().get(entity_id)
    return entry[0] if entry else None


def has_single_logout(entity_id: str) -> bool:
    """Whether the provider says where to send a logout (its SingleLogoutService)."""
    config = sp_config()
    try:
        return bool(config.metadata.single_logout_service(entity_id, typ="idpsso"))
    except Exception:  # an unknown or broken entity: no single logout
        return False


def login_choices(purposes: Iterable[str] | None = None) -> list[LoginChoice]:
    """The login buttons to show, e-ID first, limited to ``purposes`` when given (the
    step-up page offers e-ID only). Empty when no provider is configured."""
    wanted = set(purposes) if purposes is not None else None
    choices = [
        LoginChoice(purpose, entity_id, name or _standard_label(purpose))
        for entity_id, (purpose, name) in configured().items()
        if wanted is None or purpose in wanted
    ]
    return sorted(choices, key=lambda choice: (choice.purpose != EID, choice.label))
