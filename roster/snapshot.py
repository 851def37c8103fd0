"""What one read of the student register returns: the entities as the register serves them
(SS 12000 v2.1 dicts), grouped the way the sync applies them, one school at a time.

A read is either complete (everything the register holds: what is absent has ended) or
incremental (only what changed after a time, plus the ids deleted since).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

Entity = dict[str, Any]


@dataclass
class SchoolData:
    """One school unit and what the register holds for it. ``error`` is set when reading
    it failed: the sync then applies nothing for this school (and ``groups``, ``duties``
    and ``activities`` are empty, not partial)."""

    organisation: Entity  # the school unit as served
    groups: list[Entity]
    duties: list[Entity]
    activities: list[Entity]
    error: str = ""  # a sentence for the administrator, in the active language


@dataclass
class Snapshot:
    source: str  # the API's URL or the file's name: never a secret
    complete: bool  # True: a full read (what is absent has ended). False: incremental
    read_started_at: datetime  # aware; the next incremental run asks for changes after this
    organisations: list[Entity]  # every organisation served (Huvudman etc. included)
    persons: dict[str, Entity]  # by id
    syllabuses: dict[str, Entity]  # by id
    schools: list[SchoolData]  # one per school unit ("Skolenhet") with "GR"
    # "persons"/"groups"/"duties"/"activities"/"organisations" -> ids
    deleted: dict[str, set[str]] = field(default_factory=dict)
