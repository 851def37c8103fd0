"""The demo school through the register sync: ``make run`` loads Björkbackaskolan's people,
classes and memberships from ``bjorkbacka.json`` (the register's SS 12000 shapes, written
by ``make_demo_roster.py``) with ``roster.sync.sync``, the path every school's people take,
then finishes what a register does not hold (``accounts.demo.school``).

The file's dates are those of the school year 2026/27. ``register_as_of`` shifts them by
whole years to the school year of the day (civic numbers too, with a new control digit, so
the children stay the age of their grade), so the demo never goes stale.

Two runs, as a school would see them: the first import, and a later run in which a court
decision has taken Marcus Wallin's guardianship of Noah away (the register no longer lists
him among Noah's responsibles): the sync ends it that day, and the school administrator's
page shows both runs.
"""

from __future__ import annotations

import copy
import datetime
import json
import tempfile
from pathlib import Path
from typing import Any

from django.conf import settings

from accounts.actions.structure import school_year_for
from accounts.civic import control_digit
from accounts.demo.school import Seeder
from accounts.models import School, User
from roster.models import RosterRun, SourceLink
from roster.sources import read_file
from roster.sync import sync

DEMO_FILE = Path(__file__).with_name("bjorkbacka.json")
# The register as it stands after the demo's two runs, where ``config.settings`` points
# ROSTER_FILE in development: the school administrator's "Sync now" and the nightly run of
# ``make run`` read it (and find nothing new, as on most nights).
STANDING_FILE_NAME = "demo-register.json"
FILE_SCHOOL_YEAR = 2026  # the file's dates are those of 2026/27
DATE_KEYS = {"startDate", "endDate"}
TIME_KEYS = {"created", "modified"}
# The guardianship the court's decision ends between the two runs (eduPersonPrincipalNames).
WITHDRAWN = ("noah.wallin@bjorkbacka.umea.se", "marcus.wallin@bjorkbacka.umea.se")


def _shift_civic_number(value: str, years: int) -> str:
    """The same person born ``years`` later (the file never has 29 February)."""
    digits = value.replace("-", "")
    year = int(digits[:4]) + years
    nine = f"{year % 100:02d}{digits[4:11]}"
    return f"{year}{digits[4:8]}-{digits[8:11]}{control_digit(nine)}"


def _shift(value: Any, years: int) -> Any:
    if isinstance(value, list):
        return [_shift(item, years) for item in value]
    if not isinstance(value, dict):
        return value
    shifted: dict[str, Any] = {}
    for key, item in value.items():
        if key in DATE_KEYS | TIME_KEYS and isinstance(item, str) and item[:4].isdigit():
            item = f"{int(item[:4]) + years}{item[4:]}"
        elif key == "civicNo" and isinstance(item, dict):
            item = {**item, "value": _shift_civic_number(item["value"], years)}
        shifted[key] = _shift(item, years)
    return shifted


def register_as_of(today: datetime.date) -> dict[str, Any]:
    """The demo register with its dates in the school year of ``today``."""
    data = json.loads(DEMO_FILE.read_text(encoding="utf-8"))
    years = school_year_for(today)[1].year - FILE_SCHOOL_YEAR
    return _shift(data, years) if years else data


def without_withdrawn_guardian(data: dict[str, Any]) -> dict[str, Any]:
    """The register after the court's decision: the guardian is gone from the student's
    responsibles."""
    data = copy.deepcopy(data)
    by_eppn = {person["eduPersonPrincipalNames"][0]: person for person in data["persons"]}
    student, guardian = (by_eppn[name] for name in WITHDRAWN)
    student["responsibles"] = [r for r in student["responsibles"] if r["id"] != guardian["id"]]
    now = datetime.datetime.now(datetime.UTC).isoformat()
    student["meta"]["modified"] = guardian["meta"]["modified"] = now
    return data


def sync_demo_register(data: dict[str, Any], today: datetime.date) -> RosterRun:
    """One demo run of the sync, reading ``data`` as the JSON file a school without the API
    would give it."""
    with tempfile.TemporaryDirectory(prefix="elevdialog-demo-") as folder:
        path = Path(folder) / DEMO_FILE.name
        path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
        return sync(lambda *_: read_file(path, today=today), trigger=RosterRun.Trigger.DEMO)


def seed(today: datetime.date) -> School:
    """The demo school: the first run from the register, what the register does not hold,
    then the later run that ends the withdrawn guardianship."""
    data = register_as_of(today)
    first = sync_demo_register(data, today)
    if first.status != RosterRun.Status.DONE:
        raise RuntimeError(f"The demo register did not load: {first.status} {first.error}")
    (school_id,) = (o["id"] for o in data["organisations"] if o["organisationType"] == "Skolenhet")
    school = School.objects.get(
        pk=SourceLink.objects.get(kind=SourceLink.Kind.SCHOOL, source_id=school_id).local_id
    )
    people = SourceLink.objects.filter(
        kind=SourceLink.Kind.PERSON, source_id__in=[person["id"] for person in data["persons"]]
    ).values_list("local_id", flat=True)
    Seeder(today).finish(school, User.objects.filter(pk__in=list(people)))
    standing = without_withdrawn_guardian(data)
    second = sync_demo_register(standing, today)
    if second.status != RosterRun.Status.DONE:
        raise RuntimeError(f"The demo register's second run failed: {second.status} {second.error}")
    write_standing_register(standing)
    return school


def write_standing_register(data: dict[str, Any]) -> Path:
    """Keep the register as it now stands for the demo's later runs (``STANDING_FILE_NAME``)."""
    path = Path(settings.VAR_DIR) / STANDING_FILE_NAME
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return path
