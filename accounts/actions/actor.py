from __future__ import annotations

from typing import TYPE_CHECKING, Final, Union

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from accounts.models import User


class System:
    """The operator acting through a management command; never a logged-in person."""

    pk = None
    is_authenticated = True

    def __repr__(self) -> str:
        return "SYSTEM"


SYSTEM: Final = System()

Actor = Union["User", "AnonymousUser", System]


def person_or_none(actor: Actor) -> User | None:
    """The person behind an action, for ``created_by`` columns (None for SYSTEM)."""
    from accounts.models import User

    return actor if isinstance(actor, User) else None
