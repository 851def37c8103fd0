"""Writes ``roster/demo/bjorkbacka.json``, the demo school as the municipality's student
register serves it (SS 12000 v2.1 shapes, see ``roster.sources.read_file``):

    .venv/bin/python roster/demo/make_demo_roster.py

Run once; the file is committed. It holds what a register holds: the municipality and the
school unit, every person of the demo school (names, school account, e-mail, civic number,
security marking, a student's enrolment and guardians), the classes 4A and 5B with their
members, the staff's duties (principal, school administrator, teachers, the mentors'
assignments) and the teaching (activities: teacher x class x subject). Everything else the
demo needs (passwords, authenticators, the registrar, terms, the left student of 2021) is
done by ``roster.demo`` after the sync, through the actions.

The people and their order are those the demo always had: the same names drawn by the same
``random.Random(2026)`` in the same order, so the usernames, which the sync takes from the
local part of a person's ``eduPersonPrincipalName``, stay exactly what the other seeders, the
tests and the printed logins use ("sofia.lindqvist", "lars.berglund", ...).

Dates are those of the school year 2026/27; ``roster.demo`` shifts them by whole years to
the school year of the day it runs, so the demo never goes stale. Enrolments, duties and
teaching start on the school year's first day (1 July), so that the demo works on every
day of the year, the summer weeks before term included.

Civic numbers are fictitious but valid (a real date, the right control digit): children of
grades 4 and 5 (born 2016 and 2015) and adults; the second-to-last digit is odd for men and
even for women, as in real numbers. One guardian has a coordination number (day + 60).
One student of 4A is registered with protected personal data ("Skyddad folkbokföring"):
see ``PROTECTED``.

No Django here: the script only needs the demo's names (``accounts.demo.names``).
"""

from __future__ import annotations

import datetime
import json
import random
import sys
import unicodedata
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from accounts.civic import control_digit
from accounts.demo.names import ADULT_MEN, ADULT_WOMEN, BOYS, GIRLS, SURNAMES

OUT = Path(__file__).resolve().parent / "bjorkbacka.json"
DOMAIN = "bjorkbacka.umea.se"  # the school accounts' realm (eduPersonPrincipalName)
# Every register id is a UUID derived from a readable key, so that writing the file again
# gives the same ids.
NAMESPACE = uuid.UUID("6f1c5a52-3b0e-4d8e-9a57-0c1d2e3f4a5b")
SCHOOL_YEAR_STARTS = "2026-07-01"
SCHOOL_YEAR_ENDS = "2027-06-30"
CREATED = "2026-06-15T08:00:00Z"  # when the register's entries were made, for meta
# The student registered with protected personal data: the fifth drawn family of 4A (not
# a demo login, and nobody the other demo seeders write about).
PROTECTED = ("4A", 5)


def ascii_username(first: str, last: str) -> str:
    text = f"{first}.{last}".replace(" ", "")
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()


def register_id(key: str) -> str:
    return str(uuid.uuid5(NAMESPACE, key))


@dataclass
class Person:
    username: str
    first: str
    last: str
    woman: bool
    born_in: tuple[int, int]  # the range of birth years
    email: bool = True
    coordination: bool = False
    marking: str = "Ingen"
    email_type: str = "Privat"
    enrolment: tuple[str, int] | None = None  # (class name, school year)
    guardians: list[Person] = field(default_factory=list)

    @property
    def id(self) -> str:
        return register_id(f"person:{self.username}")


class Register:
    """The demo's people in the Seeder's order, then the file."""

    def __init__(self) -> None:
        self.names = random.Random(2026)  # noqa: S311 - the demo's names, as they always were
        self.numbers = random.Random(12000)  # noqa: S311 - fictitious civic numbers
        self.people: list[Person] = []
        self.usernames: set[str] = set()
        self.civic_numbers: set[str] = set()

    def person(self, first: str, last: str, *, woman: bool, born_in: tuple[int, int], **kw: Any) -> Person:
        base = ascii_username(first, last)
        username, number = base, 1
        while username in self.usernames:
            number += 1
            username = f"{base}{number}"
        self.usernames.add(username)
        person = Person(username, first, last, woman, born_in, **kw)
        self.people.append(person)
        return person

    def reserve(self, first: str, last: str) -> None:
        """A username the demo makes later, outside the register (the student who left in
        2021 and her guardian): drawn at the same point, so every later name stays."""
        self.usernames.add(ascii_username(first, last))

    def civic_number(self, person: Person) -> str:
        rnd = self.numbers
        while True:
            born = datetime.date(rnd.randint(*person.born_in), rnd.randint(1, 12), rnd.randint(1, 28))
            day = born.day + 60 if person.coordination else born.day
            serial = f"{rnd.randint(0, 99):02d}{rnd.choice('02468' if person.woman else '13579')}"
            nine = f"{born:%y%m}{day:02d}{serial}"
            number = f"{born.year}{nine[2:]}{control_digit(nine)}"
            if number not in self.civic_numbers:
                self.civic_numbers.add(number)
                return f"{number[:8]}-{number[8:]}"


STAFF = (1962, 1996)
PARENTS = (1976, 1990)
GRADE = {"4A": 4, "5B": 5}
BORN = {"4A": (2016, 2016), "5B": (2015, 2015)}
# (role key, first, last, woman, {class: subject codes}) in the Seeder's order.
TEACHERS = [
    ("mentor_4a", "Lars", "Berglund", False, {"4A": ["SV", "SO", "TK"]}),
    ("mentor_5b", "Karin", "Nordin", True, {"5B": ["SV", "SO", "TK"]}),
    ("maths", "Ahmed", "Hassan", False, {"4A": ["MA", "NO"], "5B": ["MA", "NO"]}),
    ("english", "Jenny", "Marklund", True, {"4A": ["EN"], "5B": ["EN"]}),
    ("practical", "Per", "Öberg", False, {"4A": ["IDH", "SL"], "5B": ["IDH", "SL"]}),
    ("arts", "Ulrika", "Backman", True, {"4A": ["BL", "MU"], "5B": ["BL", "MU"]}),
]
SUBJECT_NAMES = {
    "SV": "Svenska",
    "SO": "Samhällsorienterande ämnen",
    "TK": "Teknik",
    "MA": "Matematik",
    "NO": "Naturorienterande ämnen",
    "EN": "Engelska",
    "IDH": "Idrott och hälsa",
    "SL": "Slöjd",
    "BL": "Bild",
    "MU": "Musik",
}


def draw(reg: Register) -> tuple[dict[str, Person], dict[str, Any]]:
    """The people, in the order the demo always drew them; the staff by role and the
    teaching plan."""
    staff = {
        "principal": reg.person("Eva", "Lindgren", woman=True, born_in=STAFF, email_type="Skola personal"),
        "admin": reg.person("Maria", "Holm", woman=True, born_in=STAFF, email_type="Skola personal"),
        "registrar": reg.person(
            "Birgitta", "Sundström", woman=True, born_in=STAFF, email_type="Skola personal"
        ),
    }
    for key, first, last, woman, _classes in TEACHERS:
        staff[key] = reg.person(first, last, woman=woman, born_in=STAFF, email_type="Skola personal")
    staff["substitute"] = reg.person(
        "Tobias", "Burman", woman=False, born_in=STAFF, email_type="Skola personal"
    )

    sofia = reg.person("Sofia", "Lindqvist", woman=True, born_in=PARENTS)
    henrik = reg.person("Henrik", "Lindqvist", woman=False, born_in=PARENTS)
    for first, name, woman in (("Elsa", "4A", True), ("Hugo", "5B", False)):
        child = reg.person(first, "Lindqvist", woman=woman, born_in=BORN[name], email=False)
        child.enrolment, child.guardians = (name, GRADE[name]), [sofia, henrik]

    alva = reg.person("Alva", "Eriksson", woman=True, born_in=BORN["4A"], email=False)
    alva.enrolment = ("4A", 4)
    alva.guardians = [
        reg.person("Johan", "Eriksson", woman=False, born_in=PARENTS),
        reg.person("Sara", "Lind", woman=True, born_in=PARENTS, coordination=True),
    ]
    noah = reg.person("Noah", "Wallin", woman=False, born_in=BORN["5B"], email=False)
    noah.enrolment = ("5B", 5)
    # Marcus Wallin's guardianship is withdrawn by a court decision: the demo's second run
    # reads the register without him (``roster.demo``).
    noah.guardians = [
        reg.person("Malin", "Wallin", woman=True, born_in=PARENTS),
        reg.person("Marcus", "Wallin", woman=False, born_in=PARENTS),
    ]
    reg.reserve("Linnea", "Forsberg")
    reg.reserve("Annika", "Forsberg")

    rnd = reg.names
    for name in ("4A", "5B"):
        for number in range(1, 24):  # two named students per class above, 25 in all
            surname = rnd.choice(SURNAMES)
            girl = rnd.random() < 0.5
            first = rnd.choice(GIRLS if girl else BOYS)
            child = reg.person(first, surname, woman=girl, born_in=BORN[name], email=False)
            child.enrolment = (name, GRADE[name])
            if (name, number) == PROTECTED:
                child.marking = "Skyddad folkbokföring"
            shape = rnd.random()
            child.guardians = [reg.person(rnd.choice(ADULT_WOMEN), surname, woman=True, born_in=PARENTS)]
            if shape < 0.75:  # two guardians in one home
                man = rnd.choice(ADULT_MEN)
                child.guardians.append(reg.person(man, surname, woman=False, born_in=PARENTS))
            elif shape < 0.9:  # separated: the second guardian lives elsewhere, another surname
                man, other = rnd.choice(ADULT_MEN), rnd.choice(SURNAMES)
                child.guardians.append(reg.person(man, other, woman=False, born_in=PARENTS))
    return staff, {key: classes for key, *_rest, classes in TEACHERS}


def meta() -> dict[str, str]:
    return {"created": CREATED, "modified": CREATED}


def person_json(reg: Register, person: Person, school_id: str) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "id": person.id,
        "meta": meta(),
        "givenName": person.first,
        "familyName": person.last,
        "eduPersonPrincipalNames": [f"{person.username}@{DOMAIN}"],
        "civicNo": {"value": reg.civic_number(person), "nationality": "SE"},
        "securityMarking": person.marking,
        "emails": [{"value": f"{person.username}@example.se", "type": person.email_type}]
        if person.email
        else [],
    }
    if person.enrolment:
        entry["enrolments"] = [
            {
                "enroledAt": {"id": school_id},
                "schoolYear": person.enrolment[1],
                "schoolType": "GR",
                "startDate": SCHOOL_YEAR_STARTS,
            }
        ]
        entry["responsibles"] = [
            {"id": g.id, "displayName": f"{g.first} {g.last}", "relationType": "Vårdnadshavare"}
            for g in person.guardians
        ]
    return entry


def build() -> dict[str, Any]:
    reg = Register()
    staff, teaching = draw(reg)
    owner_id, school_id = register_id("organisation:umea"), register_id("organisation:bjorkbacka")
    organisations = [
        {
            "id": owner_id,
            "meta": meta(),
            "displayName": "Umeå kommun",
            "organisationType": "Huvudman",
            "municipalityCode": "2480",
        },
        {
            "id": school_id,
            "meta": meta(),
            "displayName": "Björkbackaskolan",
            "organisationType": "Skolenhet",
            "schoolUnitCode": "24809113",
            "schoolTypes": ["GR"],
            "municipalityCode": "2480",
            "parentOrganisation": {"id": owner_id},
            "startDate": "1994-07-01",
        },
    ]
    persons = [person_json(reg, person, school_id) for person in reg.people]
    class_ids = {name: register_id(f"group:{name}") for name in GRADE}
    groups = [
        {
            "id": class_ids[name],
            "meta": meta(),
            "displayName": name,
            "groupType": "Klass",
            "schoolType": "GR",
            "organisation": {"id": school_id},
            "startDate": SCHOOL_YEAR_STARTS,
            "endDate": SCHOOL_YEAR_ENDS,
            "groupMemberships": [
                {
                    "id": register_id(f"membership:{name}:{person.username}"),
                    "person": {"id": person.id},
                    "startDate": SCHOOL_YEAR_STARTS,
                }
                for person in reg.people
                if person.enrolment and person.enrolment[0] == name
            ],
        }
        for name in GRADE
    ]
    roles = {"principal": "Rektor", "admin": "Skoladministratör", "registrar": "Annan personal"}
    mentors = {"mentor_4a": "4A", "mentor_5b": "5B"}
    duties = []
    for key, person in staff.items():
        duty: dict[str, Any] = {
            "id": register_id(f"duty:{person.username}"),
            "meta": meta(),
            "person": {"id": person.id},
            "dutyAt": {"id": school_id},
            "dutyRole": roles.get(key, "Lärare"),
            "startDate": SCHOOL_YEAR_STARTS,
        }
        if key in mentors:
            duty["assignmentRole"] = [
                {
                    "group": {"id": class_ids[mentors[key]]},
                    "assignmentRoleType": "Mentor",
                    "startDate": SCHOOL_YEAR_STARTS,
                }
            ]
        duties.append(duty)
    syllabuses = [
        {"id": register_id(f"syllabus:{code}"), "subjectCode": code, "subjectName": name, "schoolType": "GR"}
        for code, name in SUBJECT_NAMES.items()
    ]
    activities = [
        {
            "id": register_id(f"activity:{name}:{code}:{staff[key].username}"),
            "meta": meta(),
            "displayName": f"{code} {name}",
            "activityType": "Undervisning",
            "startDate": SCHOOL_YEAR_STARTS,
            "endDate": SCHOOL_YEAR_ENDS,
            "groups": [{"id": class_ids[name]}],
            "teachers": [
                {"duty": {"id": register_id(f"duty:{staff[key].username}")}, "startDate": SCHOOL_YEAR_STARTS}
            ],
            "syllabus": {"id": register_id(f"syllabus:{code}")},
            "organisation": {"id": school_id},
        }
        for key, classes in teaching.items()
        for name, codes in classes.items()
        for code in codes
    ]
    return {
        "organisations": organisations,
        "persons": persons,
        "groups": groups,
        "duties": duties,
        "activities": activities,
        "syllabuses": syllabuses,
    }


def main() -> None:
    OUT.write_text(json.dumps(build(), ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    print(f"Wrote {OUT}")


if __name__ == "__main__":
    main()
