"""Creating and changing people (accounts)."""

from __future__ import annotations

from django.contrib.auth.password_validation import validate_password
from django.db import transaction
from django.utils.translation import gettext as _

from accounts import events, policy
from accounts.actions.actor import SYSTEM, Actor
from accounts.errors import Refused, refusing, require
from accounts.models import User


def normalise_username(username: str) -> str:
    """Usernames are case-insensitive (phones capitalise the first letter)."""
    return username.strip().lower()


def _may_manage_accounts(actor: Actor) -> bool:
    return actor is SYSTEM or policy.administered_schools(actor).exists()  # type: ignore[arg-type]


def _may_manage(actor: Actor, person: User) -> bool:
    if actor is SYSTEM:
        return True
    return policy.administered_people(actor).filter(pk=person.pk).exists()  # type: ignore[arg-type]


@transaction.atomic
def create_person(
    actor: Actor,
    *,
    username: str,
    first_name: str,
    last_name: str,
    email: str = "",
    language: str = "sv",
    password: str | None = None,
    password_hash: str | None = None,
) -> User:
    """Create an account. Without a password (or precomputed ``password_hash``, used by bulk
    imports) the account cannot log in until one is set.

    The new person is reachable for a school administrator once a membership at their
    school is added (normally in the same admin form).
    """
    person = User(
        username=username, first_name=first_name, last_name=last_name, email=email, language=language
    )
    if password is not None:
        with refusing("weak_password"):
            validate_password(password, person)
    save_person(actor, person)
    if password is not None:
        person.set_password(password)
        person.save(update_fields=["password"])
    elif password_hash is not None:
        person.password = password_hash
        person.save(update_fields=["password"])
    return person


@transaction.atomic
def update_person(actor: Actor, person: User, **changes: str | bool) -> User:
    """Change name, e-mail, language or active state of a person the actor manages."""
    require(_may_manage(actor, person))
    allowed = {"first_name", "last_name", "email", "language", "is_active", "username"}
    unknown = set(changes) - allowed
    if unknown:
        raise ValueError(f"Cannot change {', '.join(sorted(unknown))} through update_person.")
    if "username" in changes:
        username = normalise_username(str(changes["username"]))
        if User.objects.filter(username__iexact=username).exclude(pk=person.pk).exists():
            raise Refused("username_taken", _("That username is already taken."), field="username")
        changes["username"] = username
    for name, value in changes.items():
        setattr(person, name, value)
    with refusing("invalid"):
        person.full_clean()
    person.save()
    if "is_active" in changes:
        events.recheck_access(user_ids=[person.pk])
        events.recheck_sessions(person.pk)
    return person


@transaction.atomic
def set_password_for(actor: Actor, person: User, password: str) -> None:
    """An administrator sets a new password (for example for a student without e-mail).
    Every session of that person ends, because the session hash covers the password."""
    require(_may_manage(actor, person))
    with refusing("weak_password"):
        validate_password(password, person)
    person.set_password(password)
    person.save(update_fields=["password"])
    events.recheck_sessions(person.pk)


@transaction.atomic
def save_person(actor: Actor, person: User) -> User:
    """Create or change a person from a form (the admin). A new person gets an unusable
    password until one is set with ``set_password_for``."""
    if person.pk is None:
        require(_may_manage_accounts(actor))
        person.set_unusable_password()
    else:
        require(_may_manage(actor, person))
    person.username = normalise_username(person.username)
    if User.objects.filter(username__iexact=person.username).exclude(pk=person.pk).exists():
        raise Refused("username_taken", _("That username is already taken."), field="username")
    with refusing("invalid"):
        person.full_clean()
    person.save()
    events.recheck_access(user_ids=[person.pk])  # is_active may have changed
    events.recheck_sessions(person.pk)
    return person
