"""Reading the register from a JSON file, for schools without the API (and for the demo).

The file holds the same entities as the API serves, one list per endpoint::

    {"organisations": [...], "persons": [...], "groups": [...], "duties": [...],
     "activities": [...], "syllabuses": [...], "deletedEntities": {"persons": [ids], ...}}

``organisations`` and ``persons`` are required; the other lists may be left out. A file is
always a complete read. A malformed file is refused whole, with a sentence that says where.
"""

from __future__ import annotations

import datetime
import json
import logging
from pathlib import Path
from typing import Any

from django.utils.translation import gettext as _

from roster.snapshot import Entity, SchoolData, Snapshot
from roster.sources.common import SourceError, deleted_ids, has_id, is_school, owner_id

log = logging.getLogger("elevdialog.roster")

REQUIRED = ("organisations", "persons")
OPTIONAL = ("groups", "duties", "activities", "syllabuses")


def read_file(path: str | Path, *, today: datetime.date | None = None) -> Snapshot:
    """A complete snapshot from the JSON file at ``path``, or SourceError. ``today`` is
    accepted for callers that pin the date; a file carries no time of its own, so the read
    starts now."""
    path = Path(path)
    name = path.name
    started = datetime.datetime.now(datetime.UTC)
    content = _load(path)
    if not isinstance(content, dict):
        raise _refuse(
            _("The register file %(name)s is not an SS 12000 export: it must be a JSON object.")
            % {"name": name}
        )
    lists = {key: _entities(content, key, name, required=key in REQUIRED) for key in REQUIRED + OPTIONAL}
    try:
        deleted = deleted_ids([content.get("deletedEntities") or {}])
    except ValueError:
        raise _refuse(
            _("The register file %(name)s has a malformed deletedEntities object.") % {"name": name}
        ) from None

    by_school: dict[str, dict[str, list[Entity]]] = {}
    for key in ("groups", "duties", "activities"):
        for entity in lists[key]:
            owner = owner_id(entity)
            if owner is not None:
                by_school.setdefault(owner, {}).setdefault(key, []).append(entity)
    schools = []
    for organisation in lists["organisations"]:
        if is_school(organisation):
            own = by_school.get(organisation["id"], {})
            schools.append(
                SchoolData(
                    organisation, own.get("groups", []), own.get("duties", []), own.get("activities", [])
                )
            )
    log.info(
        "roster read from a file: %s organisations, %s persons, %s schools",
        len(lists["organisations"]),
        len(lists["persons"]),
        len(schools),
    )
    return Snapshot(
        source=name,
        complete=True,
        read_started_at=started,
        organisations=lists["organisations"],
        persons={person["id"]: person for person in lists["persons"]},
        syllabuses={syllabus["id"]: syllabus for syllabus in lists["syllabuses"]},
        schools=schools,
        deleted=deleted,
    )


def _load(path: Path) -> Any:
    name = path.name
    try:
        text = path.read_text("utf-8")
    except FileNotFoundError:
        raise _refuse(_("The register file %(name)s does not exist.") % {"name": name}) from None
    except (OSError, UnicodeDecodeError):
        raise _refuse(
            _("The register file %(name)s cannot be read as UTF-8 text.") % {"name": name}
        ) from None
    try:
        return json.loads(text)
    except json.JSONDecodeError as error:
        raise _refuse(
            _("The register file %(name)s is not valid JSON (line %(line)s, column %(column)s).")
            % {"name": name, "line": error.lineno, "column": error.colno}
        ) from None


def _entities(content: dict[str, Any], key: str, name: str, *, required: bool) -> list[Entity]:
    value = content.get(key)
    if value is None and not required:
        return []
    if not isinstance(value, list):
        raise _refuse(_("The register file %(name)s has no list of %(key)s.") % {"name": name, "key": key})
    for number, entity in enumerate(value, start=1):
        if not has_id(entity):
            raise _refuse(
                _("The register file %(name)s has an entry without an id in %(key)s (number %(number)s).")
                % {"name": name, "key": key, "number": number}
            )
    return value


def _refuse(message: str) -> SourceError:
    log.warning("roster file refused")
    return SourceError(message)
