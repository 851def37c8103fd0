"""Datasets for the SS 12000 server: a municipality's register, built the way the register
changes (a student moves class, a guardianship ends, a teacher leaves an activity), with
``meta.modified`` kept right on every change so incremental reads find exactly what changed.

``Municipality`` builds by hand for the tests; ``roster_generator.municipality()`` generates
a whole one with it (40 schools, 12,000 students with two guardians each) for the benchmark.
``dump()`` gives the JSON-file shape the roster sync reads from a file; ``SS12000Server.load``
serves it.

Civic numbers are fictitious but valid (a real date, a correct Luhn digit), with a birth year
that fits the student's grade. Nothing here imports Django.
"""

from __future__ import annotations

import datetime as dt
import json
import random
import uuid
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from accounts.civic import control_digit
from tests.support.roster_names import FAMILY
from tests.support.ss12000 import LISTS, Deletion, rfc3339, utc_now

Record = dict[str, Any]

GUARDIAN = "Vårdnadshavare"
NO_MARKING = "Ingen"
SUBJECTS = {
    "SV": "Svenska",
    "MA": "Matematik",
    "EN": "Engelska",
    "NO": "Naturorienterande ämnen",
    "SO": "Samhällsorienterande ämnen",
    "BI": "Biologi",
    "FY": "Fysik",
    "KE": "Kemi",
    "GE": "Geografi",
    "HI": "Historia",
    "RE": "Religionskunskap",
    "SH": "Samhällskunskap",
    "IDH": "Idrott och hälsa",
    "MU": "Musik",
    "BL": "Bild",
    "SL": "Slöjd",
    "TK": "Teknik",
    "HKK": "Hem- och konsumentkunskap",
}


def school_year_start(today: dt.date) -> dt.date:
    """The autumn term's first day of the school year ``today`` falls in."""
    year = today.year if today.month >= 7 else today.year - 1
    return dt.date(year, 8, 17)


def grade_of(class_name: str) -> int:
    """``4A`` -> 4; ``FA``/``F-klass`` (förskoleklass) -> 0."""
    digits = ""
    for char in class_name:
        if not char.isdigit():
            break
        digits += char
    return int(digits) if digits else 0


def _ref(record: Record | str) -> str:
    return record if isinstance(record, str) else str(record["id"])


def _iso(day: dt.date | None) -> str | None:
    return day.isoformat() if day is not None else None


class Municipality:
    """A municipality's register (one Huvudman and its school units), built step by step.

    Every builder method stamps ``meta.modified`` of what it changes with ``now()``: the
    clock set with ``set_clock`` (it stays there), or the real time when none is set (so
    an incremental read after a real read finds later changes).
    """

    def __init__(
        self,
        name: str = "Exempelkommun",
        code: str = "1480",
        *,
        year_start: dt.date | None = None,
        clock: dt.datetime | None = None,
        seed: int = 17,
    ) -> None:
        self.rng = random.Random(seed)  # noqa: S311 (fictitious data, reproducible by seed)
        self.clock = clock
        self.year_start = year_start or school_year_start(dt.date.today())
        self.year_end = dt.date(self.year_start.year + 1, 6, 11)
        self.name, self.code = name, code
        self.organisations: dict[str, Record] = {}
        self.persons: dict[str, Record] = {}
        self.groups: dict[str, Record] = {}
        self.duties: dict[str, Record] = {}
        self.activities: dict[str, Record] = {}
        self.syllabuses: dict[str, Record] = {}
        self.deleted: list[Deletion] = []
        self._civic_numbers: set[str] = set()
        self._principal_names: set[str] = set()
        # (class id, subject code) -> activity: the generator adds thousands of them.
        self._teaching: dict[tuple[str, str], Record] = {}
        self.huvudman = self._new(
            self.organisations,
            {
                "displayName": name,
                "organisationType": "Huvudman",
                "municipalityCode": code,
                "startDate": "1971-01-01",
            },
        )

    # Clock and bookkeeping ------------------------------------------------------------------

    def now(self) -> dt.datetime:
        return self.clock or utc_now()

    def set_clock(self, moment: dt.datetime) -> None:
        self.clock = moment

    def advance(self, **delta: float) -> dt.datetime:
        """Move a set clock on (``advance(days=1)``); sets it from the real time if unset."""
        self.clock = self.now() + dt.timedelta(**delta)
        return self.clock

    def new_id(self) -> str:
        return str(uuid.UUID(int=self.rng.getrandbits(128), version=4))

    def _new(self, table: dict[str, Record], fields: Record) -> Record:
        stamp = rfc3339(self.now())
        record = {"id": self.new_id(), "meta": {"created": stamp, "modified": stamp}, **fields}
        table[record["id"]] = record
        return record

    def touch(self, *records: Record) -> None:
        stamp = rfc3339(self.now())
        for record in records:
            record["meta"]["modified"] = stamp

    def civic_number(self, born: dt.date, *, coordination: bool = False) -> str:
        """A fresh, valid, fictitious civic number (twelve digits) for someone born then."""
        day = born.day + 60 if coordination else born.day
        while True:
            serial = f"{self.rng.randrange(1000):03d}"
            nine = f"{born:%y%m}{day:02d}{serial}"
            number = f"{born.year}{nine[2:]}{control_digit(nine)}"
            if number not in self._civic_numbers:
                self._civic_numbers.add(number)
                return number

    def _birth_date(self, year: int) -> dt.date:
        return dt.date(year, 1, 1) + dt.timedelta(days=self.rng.randrange(365))

    # Schools and classes --------------------------------------------------------------------

    def add_school(
        self, name: str, code: str | None = None, *, school_types: Iterable[str] = ("GR",)
    ) -> Record:
        """A school unit (Skolenhet) of this municipality."""
        return self._new(
            self.organisations,
            {
                "displayName": name,
                "organisationType": "Skolenhet",
                "schoolUnitCode": code or f"{self.rng.randrange(10**8):08d}",
                "schoolTypes": list(school_types),
                "municipalityCode": self.code,
                "parentOrganisation": {"id": self.huvudman["id"]},
                "startDate": "2000-07-01",
            },
        )

    def add_class(
        self,
        school: Record,
        name: str,
        start: dt.date | None = None,
        end: dt.date | None = None,
        *,
        group_type: str = "Klass",
    ) -> Record:
        """A group (a class by default) at ``school`` for the school year (or the dates)."""
        return self._new(
            self.groups,
            {
                "displayName": name,
                "groupType": group_type,
                "schoolType": "GR",
                "organisation": {"id": school["id"]},
                "startDate": _iso(start or self.year_start),
                "endDate": _iso(end or self.year_end),
                "groupMemberships": [],
            },
        )

    def find_class(self, school: Record, name: str) -> Record:
        for group in self.groups.values():
            if group["organisation"]["id"] == school["id"] and group["displayName"] == name:
                return group
        raise KeyError(f"no class {name} at {school['displayName']}")

    def _class(self, school: Record, klass: Record | str) -> Record:
        """A class given as itself, its id or its name at ``school``."""
        if not isinstance(klass, str):
            return klass
        return self.groups.get(klass) or self.find_class(school, klass)

    # People ---------------------------------------------------------------------------------

    def _person(
        self,
        given: str,
        family: str,
        civic: str | None,
        born: dt.date,
        marking: str,
        emails: list[Record],
        principal_name: str | None,
    ) -> Record:
        fields: Record = {
            "givenName": given,
            "familyName": family,
            "civicNo": {"value": civic or self.civic_number(born), "nationality": "SE"},
            "securityMarking": marking,
            "emails": emails,
            "enrolments": [],
            "responsibles": [],
        }
        if principal_name:
            fields["eduPersonPrincipalNames"] = [principal_name]
        return self._new(self.persons, fields)

    def _principal_name(self, given: str, family: str) -> str:
        """A school account no one else has: a register never gives two people one name (a
        random suffix alone repeats among the benchmark's 36,000 people)."""
        slug = ascii_fold(f"{given}.{family}").lower().replace(" ", "")
        while True:
            name = f"{slug}.{self.rng.randrange(10**4):04d}@{ascii_fold(self.name).lower()}.example.se"
            if name not in self._principal_names:
                self._principal_names.add(name)
                return name

    def add_student(
        self,
        school: Record,
        klass: Record | str,
        given: str,
        family: str,
        civic: str | None = None,
        *,
        marking: str = NO_MARKING,
        guardians: Iterable[Record] = (),
        start: dt.date | None = None,
    ) -> Record:
        """A student enrolled at ``school`` and a member of ``klass`` from ``start`` (the
        class's start), born in the year that fits the class's grade, with these guardians."""
        group = self._class(school, klass)
        grade = grade_of(group["displayName"])
        born = self._birth_date(self.year_start.year - 6 - grade)
        student = self._person(given, family, civic, born, marking, [], self._principal_name(given, family))
        start_day = _iso(start) if start else group["startDate"]
        student["enrolments"].append(
            {
                "enroledAt": {"id": school["id"]},
                "schoolYear": grade,
                "schoolType": "GR",
                "startDate": start_day,
                "endDate": _iso(self.year_end),
                "cancelled": False,
            }
        )
        group["groupMemberships"].append(
            {
                "id": self.new_id(),
                "person": {"id": student["id"]},
                "startDate": start_day,
                "endDate": group["endDate"],
            }
        )
        self.touch(group)
        for guardian in guardians:
            self.add_responsible(student, guardian)
        return student

    def add_guardian(
        self,
        given: str,
        family: str,
        civic: str | None = None,
        *,
        marking: str = NO_MARKING,
        email: str | None = None,
        born_year: int | None = None,
    ) -> Record:
        """An adult with no enrolment; ``add_responsible`` (or ``add_student(guardians=)``)
        makes them a student's guardian."""
        born = self._birth_date(born_year or self.year_start.year - 30 - self.rng.randrange(15))
        emails = [{"value": email, "type": "Privat"}] if email else []
        return self._person(given, family, civic, born, marking, emails, None)

    def add_responsible(self, student: Record, guardian: Record, relation: str = GUARDIAN) -> None:
        student["responsibles"].append(
            {
                "id": guardian["id"],
                "displayName": f"{guardian['givenName']} {guardian['familyName']}",
                "relationType": relation,
            }
        )
        self.touch(student)

    def _staff(self, school: Record, given: str, family: str, role: str, civic: str | None) -> Record:
        born = self._birth_date(self.year_start.year - 28 - self.rng.randrange(30))
        principal_name = self._principal_name(given, family)
        person = self._person(
            given,
            family,
            civic,
            born,
            NO_MARKING,
            [{"value": principal_name, "type": "Skola personal"}],
            principal_name,
        )
        return self._new(
            self.duties,
            {
                "person": {"id": person["id"]},
                "dutyAt": {"id": school["id"]},
                "dutyRole": role,
                "startDate": _iso(self.year_start - dt.timedelta(days=30)),
                "assignmentRole": [],
            },
        )

    def person_of(self, duty: Record) -> Record:
        return self.persons[duty["person"]["id"]]

    def add_teacher(
        self,
        school: Record,
        given: str,
        family: str,
        *,
        subjects: Mapping[Any, Iterable[str]] | None = None,
        civic: str | None = None,
    ) -> Record:
        """A teacher's duty (Lärare) at ``school``, teaching ``subjects`` ({class or class
        name: ["MA", ...]}): one activity per class and subject, shared with any other
        teacher of it. Returns the duty (``person_of(duty)`` is the person)."""
        duty = self._staff(school, given, family, "Lärare", civic)
        for klass, codes in (subjects or {}).items():
            for code in codes:
                self.add_activity(school, self._class(school, klass), code, [duty])
        return duty

    def add_principal(self, school: Record, given: str, family: str, civic: str | None = None) -> Record:
        return self._staff(school, given, family, "Rektor", civic)

    def add_school_admin(self, school: Record, given: str, family: str, civic: str | None = None) -> Record:
        return self._staff(school, given, family, "Skoladministratör", civic)

    def set_mentor(self, duty: Record, klass: Record, start: dt.date | None = None) -> None:
        duty["assignmentRole"].append(
            {
                "group": {"id": klass["id"]},
                "assignmentRoleType": "Mentor",
                "startDate": _iso(start) or klass["startDate"],
                "endDate": klass["endDate"],
            }
        )
        self.touch(duty)

    # Teaching -------------------------------------------------------------------------------

    def syllabus(self, code: str) -> Record:
        for syllabus in self.syllabuses.values():
            if syllabus["subjectCode"] == code:
                return syllabus
        return self._new(
            self.syllabuses,
            {"subjectCode": code, "subjectName": SUBJECTS.get(code, code), "schoolType": "GR"},
        )

    def activity_for(self, klass: Record, code: str) -> Record | None:
        activity = self._teaching.get((klass["id"], code))
        return activity if activity is not None and activity["id"] in self.activities else None

    def add_activity(self, school: Record, klass: Record, code: str, teachers: Iterable[Record]) -> Record:
        """The teaching of subject ``code`` in ``klass`` (created if new), with ``teachers``
        (duties) from the class's start."""
        activity = self.activity_for(klass, code)
        if activity is None:
            activity = self._new(
                self.activities,
                {
                    "displayName": f"{code} {klass['displayName']}",
                    "activityType": "Undervisning",
                    "startDate": klass["startDate"],
                    "endDate": klass["endDate"],
                    "groups": [{"id": klass["id"]}],
                    "teachers": [],
                    "syllabus": {"id": self.syllabus(code)["id"]},
                    "organisation": {"id": school["id"]},
                },
            )
            self._teaching[klass["id"], code] = activity
        for duty in teachers:
            activity["teachers"].append({"duty": {"id": duty["id"]}, "startDate": activity["startDate"]})
        self.touch(activity)
        return activity

    # Changes during the year -------------------------------------------------------------------

    def _open_membership(self, klass: Record, student: Record, on_date: dt.date) -> Record:
        for membership in klass["groupMemberships"]:
            end = membership.get("endDate")
            if membership["person"]["id"] == student["id"] and (end is None or end >= on_date.isoformat()):
                return membership
        raise KeyError(f"{student['givenName']} is not in {klass['displayName']} on {on_date}")

    def move_student(self, student: Record, from_class: Record, to_class: Record, on_date: dt.date) -> None:
        """The student leaves ``from_class`` the day before ``on_date`` and is in
        ``to_class`` from ``on_date`` (another school: the enrolment moves too)."""
        self._open_membership(from_class, student, on_date)["endDate"] = _iso(on_date - dt.timedelta(days=1))
        to_class["groupMemberships"].append(
            {
                "id": self.new_id(),
                "person": {"id": student["id"]},
                "startDate": _iso(on_date),
                "endDate": to_class["endDate"],
            }
        )
        self.touch(from_class, to_class)
        old_school, new_school = from_class["organisation"]["id"], to_class["organisation"]["id"]
        if old_school != new_school:
            enrolment = self._open_enrolment(student, old_school)
            enrolment["endDate"] = _iso(on_date - dt.timedelta(days=1))
            student["enrolments"].append(
                {
                    **enrolment,
                    "enroledAt": {"id": new_school},
                    "startDate": _iso(on_date),
                    "endDate": _iso(self.year_end),
                }
            )
            self.touch(student)

    def _open_enrolment(self, student: Record, school_id: str) -> Record:
        for enrolment in student["enrolments"]:
            if enrolment["enroledAt"]["id"] == school_id and not enrolment.get("cancelled"):
                return enrolment
        raise KeyError("no enrolment at that school")

    def leave(self, student: Record, on_date: dt.date) -> None:
        """The student leaves school on ``on_date`` (the last day): enrolments and class
        memberships end then."""
        for enrolment in student["enrolments"]:
            if enrolment.get("endDate") is None or enrolment["endDate"] > on_date.isoformat():
                enrolment["endDate"] = _iso(on_date)
        self.touch(student)
        for group in self.groups.values():
            for membership in group["groupMemberships"]:
                if membership["person"]["id"] == student["id"] and (
                    membership.get("endDate") is None or membership["endDate"] > on_date.isoformat()
                ):
                    membership["endDate"] = _iso(on_date)
                    self.touch(group)

    def end_guardianship(self, student: Record, guardian: Record) -> None:
        """The guardian is no longer among the student's responsibles (the register keeps
        no dates on them: the sync ends the guardianship on the day it notices)."""
        student["responsibles"] = [
            entry for entry in student["responsibles"] if entry["id"] != guardian["id"]
        ]
        self.touch(student)

    def end_activity_teacher(self, activity: Record, duty: Record, on_date: dt.date) -> None:
        """The teacher stops teaching the activity on ``on_date`` (their last day)."""
        for teacher in activity["teachers"]:
            if teacher["duty"]["id"] == duty["id"]:
                teacher["endDate"] = _iso(on_date)
        self.touch(activity)

    def rename(self, person: Record, *, given: str | None = None, family: str | None = None) -> None:
        person["givenName"] = given or person["givenName"]
        person["familyName"] = family or person["familyName"]
        self.touch(person)

    def set_marking(self, person: Record, marking: str) -> None:
        person["securityMarking"] = marking
        self.touch(person)

    def delete(self, kind: str, record_id: str, at: dt.datetime | None = None) -> Record:
        """Remove an entity (``kind`` one of organisations, persons, groups, duties,
        activities, syllabuses); it shows in ``/deletedEntities`` from ``at`` (now)."""
        record = getattr(self, kind).pop(record_id)
        self.deleted.append(Deletion(kind, record_id, at or self.now()))
        return record

    def churn(self, fraction: float = 0.01, *, on_date: dt.date | None = None) -> dict[str, int]:
        """Change about ``fraction`` of the students as a night in the register does, in
        turn: a move to another class of the same school, an ended guardianship, a new
        family name, a protected identity, a leaving. Returns how many of each."""
        on_date = on_date or dt.date.today()
        students = [person for person in self.persons.values() if person["enrolments"]]
        chosen = self.rng.sample(students, max(1, round(len(students) * fraction)))
        class_of = {
            membership["person"]["id"]: group
            for group in self.groups.values()
            for membership in group["groupMemberships"]
            if membership.get("endDate") is None or membership["endDate"] >= on_date.isoformat()
        }
        classes_at: dict[str, list[Record]] = {}
        for group in self.groups.values():
            classes_at.setdefault(group["organisation"]["id"], []).append(group)
        done = dict.fromkeys(("moved", "guardianship_ended", "renamed", "protected", "left"), 0)
        for number, student in enumerate(chosen):
            kind = list(done)[number % len(done)]
            current = class_of.get(student["id"])
            if kind == "moved" and current is not None:
                others = [g for g in classes_at[current["organisation"]["id"]] if g is not current]
                if others:
                    self.move_student(student, current, self.rng.choice(others), on_date)
                    done[kind] += 1
                    continue
                kind = "renamed"
            if kind == "guardianship_ended" and student["responsibles"]:
                self.end_guardianship(student, self.persons[student["responsibles"][0]["id"]])
            elif kind == "protected":
                self.set_marking(student, "Skyddad folkbokföring")
            elif kind == "left":
                self.leave(student, on_date)
            else:
                kind = "renamed"
                self.rename(student, family=self.rng.choice(FAMILY))
            done[kind] += 1
        return done

    # Output ------------------------------------------------------------------------------------

    def dump(self, *, with_deleted: bool = False) -> dict[str, Any]:
        """The JSON-file shape (the same dicts, not copies): one list per endpoint, and
        ``deletedEntities`` ({kind: [ids]}) when asked."""
        data: dict[str, Any] = {name: list(getattr(self, name).values()) for name in LISTS}
        if with_deleted:
            deleted: dict[str, list[str]] = {}
            for entry in self.deleted:
                deleted.setdefault(entry.kind, []).append(entry.id)
            data["deletedEntities"] = deleted
        return data

    def write(self, path: str | Path, *, with_deleted: bool = False) -> Path:
        path = Path(path)
        path.write_text(
            json.dumps(self.dump(with_deleted=with_deleted), ensure_ascii=False, indent=1), "utf-8"
        )
        return path

    def students_of(self, klass: Record) -> list[Record]:
        return [self.persons[m["person"]["id"]] for m in klass["groupMemberships"]]

    def guardians_of(self, student: Record) -> list[Record]:
        return [self.persons[r["id"]] for r in student["responsibles"] if r["relationType"] == GUARDIAN]


ASCII_FOLD = str.maketrans({"å": "a", "ä": "a", "ö": "o", "é": "e", "Å": "A", "Ä": "A", "Ö": "O", "É": "E"})


def ascii_fold(text: str) -> str:
    return text.translate(ASCII_FOLD)
