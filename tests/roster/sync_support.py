"""What the sync's tests share: running a sync from the configured register (the local SS 12000
server of ``tests/roster/conftest.py``) and finding the account a register person became."""

from __future__ import annotations

from typing import Any

from accounts.models import User
from roster.models import RosterRun, SourceLink
from roster.sources import configured_reader
from roster.sync import sync


def run(**options: Any) -> RosterRun:
    reader = configured_reader()
    assert reader is not None
    options.setdefault("trigger", RosterRun.Trigger.COMMAND)
    return sync(reader, **options)


def user_of(person: dict[str, Any]) -> User:
    link = SourceLink.objects.get(kind=SourceLink.Kind.PERSON, source_id=person["id"])
    return User.objects.get(pk=link.local_id)
