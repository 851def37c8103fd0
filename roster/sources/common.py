"""What both sources share: the error they raise and how a school unit is recognised."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from roster.snapshot import Entity

SCHOOL_UNIT = "Skolenhet"
SCHOOL_TYPE = "GR"  # grundskola: the only school form this app serves
DELETED_KINDS = ("persons", "groups", "duties", "activities", "organisations")
# Skolverket's reference API spells this key so in /deletedEntities.
DELETED_ALIASES = {"activitites": "activities"}


class SourceError(Exception):
    """The register could not be read. ``str()`` is a sentence for the administrator in
    the active language; it never holds personal data, a token or a query string."""


def is_school(organisation: Entity) -> bool:
    """A school unit with grundskola: what becomes a School."""
    types = organisation.get("schoolTypes") or []
    return (
        organisation.get("organisationType") == SCHOOL_UNIT
        and isinstance(types, list)
        and SCHOOL_TYPE in types
    )


def school_name(organisation: Entity) -> str:
    return str(organisation.get("displayName") or organisation.get("schoolUnitCode") or organisation["id"])


def owner_id(entity: Entity) -> str | None:
    """The organisation a group, duty or activity belongs to."""
    owner = entity.get("organisation") or entity.get("dutyAt")
    return owner.get("id") if isinstance(owner, dict) else None


def has_id(entity: Any) -> bool:
    return isinstance(entity, dict) and isinstance(entity.get("id"), str) and bool(entity["id"])


def deleted_ids(pages: Iterable[Any]) -> dict[str, set[str]]:
    """The ids per kind from the ``data`` objects of /deletedEntities (or a file's
    ``deletedEntities``); kinds the sync does not use are dropped. Raises ValueError on a
    shape that is not ``{kind: [id, ...]}``."""
    deleted: dict[str, set[str]] = {}
    for data in pages:
        if not isinstance(data, dict):
            raise ValueError("deleted entities are not an object")
        for key, ids in data.items():
            kind = DELETED_ALIASES.get(key, key)
            if kind not in DELETED_KINDS:
                continue
            if not isinstance(ids, list):
                raise ValueError("deleted entities of a kind are not a list")
            for entry in ids:
                # The specification lists bare ids; some servers send {"id": ...}.
                value = entry.get("id") if isinstance(entry, dict) else entry
                if not isinstance(value, str):
                    raise ValueError("a deleted entity's id is not a string")
                deleted.setdefault(kind, set()).add(value)
    return deleted
