"""Reading the register's entities as the sync needs them: dates, names, the kind of each
thing, and an index of the whole snapshot built once per run (not once per school).

Everything here is pure: dicts as the register serves them in, plain values out.
"""

from __future__ import annotations

import datetime
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

GUARDIAN_RELATION = "Vårdnadshavare"
CLASS_GROUP = "Klass"
MENTOR_ASSIGNMENT = "Mentor"
SCHOOL_TYPE = "GR"
# The register's duty roles that become a staff role here; a teacher ("Lärare") is a teacher
# through teaching and mentoring, and the registrar is appointed by hand.
STAFF_ROLES = {"Rektor": "principal", "Skoladministratör": "school_admin"}
# E-mail types in the order a person's address is picked: the school's first.
EMAIL_PREFERENCE = ("Skola elev", "Skola personal", "Arbete övrigt", "Privat")
DELETED_KINDS = ("persons", "groups", "duties", "activities", "organisations")


def day(value: Any) -> datetime.date | None:
    """A register date ("2026-08-17", or a date-time of which the date counts), or None."""
    if not value or not isinstance(value, str):
        return None
    try:
        return datetime.date.fromisoformat(value[:10])
    except ValueError:
        return None


def end_day(value: Any) -> datetime.date | None:
    """The first day after a register end date: the register's ``endDate`` is the last day
    something applies, ours (``ends_on``) the first day it no longer does."""
    last = day(value)
    return last + datetime.timedelta(days=1) if last is not None else None


def latest_start(*values: Any) -> datetime.date | None:
    days = [d for d in map(day, values) if d is not None]
    return max(days) if days else None


def earliest_end(*values: Any) -> datetime.date | None:
    """The earliest of the end dates, as our ``ends_on`` (the day after the last)."""
    days = [d for d in map(end_day, values) if d is not None]
    return min(days) if days else None


def ref_id(value: Any) -> str | None:
    """The id of a reference such as ``{"id": "..."}`` (None when absent or malformed)."""
    if isinstance(value, dict) and isinstance(value.get("id"), str) and value["id"]:
        return value["id"]
    return None


def names_of(person: dict[str, Any]) -> tuple[str, str]:
    return (str(person.get("givenName") or "").strip(), str(person.get("familyName") or "").strip())


def full_name(person: dict[str, Any]) -> str:
    return " ".join(part for part in names_of(person) if part) or "?"


def email_of(person: dict[str, Any]) -> str:
    emails = [e for e in person.get("emails") or [] if isinstance(e, dict) and e.get("value")]
    for kind in EMAIL_PREFERENCE:
        for email in emails:
            if email.get("type") == kind:
                return str(email["value"]).strip()
    return str(emails[0]["value"]).strip() if emails else ""


def eppns_of(person: dict[str, Any]) -> set[str]:
    return {
        str(name).strip().lower()
        for name in person.get("eduPersonPrincipalNames") or []
        if isinstance(name, str) and name.strip()
    }


def eppn_list(person: dict[str, Any]) -> list[str]:
    """The school-account names in the register's order (the first names the account)."""
    return list(
        dict.fromkeys(
            str(name).strip().lower()
            for name in person.get("eduPersonPrincipalNames") or []
            if isinstance(name, str) and name.strip()
        )
    )


def civic_raw(person: dict[str, Any]) -> str:
    civic = person.get("civicNo")
    value = civic.get("value") if isinstance(civic, dict) else None
    return value.strip() if isinstance(value, str) else ""


def guardian_ids(person: dict[str, Any]) -> list[str]:
    return [
        pid
        for responsible in person.get("responsibles") or []
        if isinstance(responsible, dict)
        and responsible.get("relationType") == GUARDIAN_RELATION
        and (pid := responsible.get("id"))
    ]


_LEADING_DIGIT = re.compile(r"^\s*(\d)(?!\d)")
_PRESCHOOL_CLASS = re.compile(r"^\s*F(?![a-zåäö])")


def grade_from_name(name: str) -> int | None:
    """4 from "4A", 0 from "F" or "FA" (förskoleklass); None when the name tells nothing."""
    match = _LEADING_DIGIT.match(name)
    if match:
        return int(match[1])
    if _PRESCHOOL_CLASS.match(name):
        return 0
    return None


def is_class_group(group: dict[str, Any]) -> bool:
    return group.get("groupType") == CLASS_GROUP and group.get("schoolType") in (None, "", SCHOOL_TYPE)


@dataclass
class Index:
    """What every school's plan looks up in the whole snapshot, computed once."""

    school_ids: set[str]  # our school units (GR)
    enrolled_at: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    deleted: dict[str, set[str]] = field(default_factory=dict)
    # Each group of the read and its school: a class the register moved to another school
    # is that school's conflict, not an ending here.
    school_of_group: dict[str, str] = field(default_factory=dict)

    @classmethod
    def of(
        cls, persons: dict[str, dict[str, Any]], school_ids: Iterable[str], deleted: dict[str, set[str]]
    ) -> Index:
        index = cls(school_ids=set(school_ids))
        for pid, person in persons.items():
            for enrolment in gr_enrolments(person, index.school_ids):
                school = ref_id(enrolment.get("enroledAt"))
                if school:
                    index.enrolled_at[school].add(pid)
        index.deleted = {kind: set(deleted.get(kind) or ()) for kind in DELETED_KINDS}
        # "activitites" is how Skolverket's reference API spells it.
        index.deleted["activities"] |= set(deleted.get("activitites") or ())
        return index

    def is_deleted(self, *ids: str) -> bool:
        return any(i in ids_ for ids_ in self.deleted.values() for i in ids)


def gr_enrolments(person: dict[str, Any], school_ids: set[str]) -> list[dict[str, Any]]:
    """The person's compulsory-school enrolments at our schools, cancelled ones left out."""
    return [
        e
        for e in person.get("enrolments") or []
        if isinstance(e, dict)
        and e.get("schoolType") in (None, "", SCHOOL_TYPE)
        and not e.get("cancelled")
        and ref_id(e.get("enroledAt")) in school_ids
    ]
