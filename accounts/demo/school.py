"""What the demo school needs beyond what the municipality's register holds, made through the
actions as the SYSTEM actor once the register sync has made the school, its people, classes
and memberships (``roster.demo``, ``manage.py seed_demo``).

The register holds people, classes, enrolments, guardianships, the principal, the school
administrator, teachers, mentors and teaching. It does not hold passwords, authenticators,
the registrar (appointed by hand), the prefix of the registry numbers, the terms' dates, a
substitute's few weeks in a class, or a student who left years before the register was
connected: those are here.
"""

from __future__ import annotations

import datetime
import unicodedata
from collections.abc import Iterable

from django.contrib.auth.hashers import make_password

from accounts.actions import SYSTEM, otp
from accounts.actions import memberships as m
from accounts.actions import people as p
from accounts.actions import structure as s
from accounts.demo.archive import seed_left_student
from accounts.demo.logins import DEMO_PASSWORD
from accounts.models import School, SchoolClass, StaffRole, Subject, User

SCHOOL_NAME = "Björkbackaskolan"
# Staff get an authenticator (one-time codes are mandatory for staff).
STAFF = [
    "eva.lindgren",
    "maria.holm",
    "birgitta.sundstrom",
    "lars.berglund",
    "karin.nordin",
    "ahmed.hassan",
    "jenny.marklund",
    "per.oberg",
    "ulrika.backman",
    "tobias.burman",
]
REGISTRAR = "birgitta.sundstrom"
SUBSTITUTE = "tobias.burman"


def _ascii(text: str) -> str:
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()


class Seeder:
    """Finishes the demo school after the register sync; ``finish`` runs once (the command
    checks)."""

    def __init__(self, today: datetime.date) -> None:
        self.today = today
        self.password_hash = make_password(DEMO_PASSWORD)  # hashed once, shared by all demo users
        self.usernames: set[str] = set(User.objects.values_list("username", flat=True))
        self.subjects = {subject.code: subject for subject in Subject.objects.all()}

    def person(self, first: str, last: str, *, email: bool = True) -> User:
        """Someone the register does not hold (the student who left in 2021, her guardian)."""
        base = f"{_ascii(first)}.{_ascii(last)}".replace(" ", "")
        username, number = base, 1
        while username in self.usernames:
            number += 1
            username = f"{base}{number}"
        self.usernames.add(username)
        return p.create_person(
            SYSTEM,
            username=username,
            first_name=first,
            last_name=last,
            email=f"{username}@example.se" if email else "",
            password_hash=self.password_hash,
        )

    def staff_authenticator(self, user: User) -> None:
        """A confirmed authenticator with a demo key derived from the username."""
        otp.install_authenticator(SYSTEM, user, key_hex=(user.username.encode() * 4)[:20].hex())

    def this_years_class(self, school: School, name: str) -> SchoolClass:
        return SchoolClass.objects.get(
            school=school,
            name=name,
            school_year__starts_on__lte=self.today,
            school_year__ends_on__gte=self.today,
        )

    def finish(self, school: School, register_people: Iterable[User]) -> None:
        """Everything the register does not hold, for the school the sync made."""
        today = self.today
        year_start = today - datetime.timedelta(days=60)
        # The demo password for everyone the register brought. The accounts were made by the
        # sync without a password (a real school's people log in with e-ID or set one); this
        # is the demo's shortcut, one precomputed hash as a bulk import would store it.
        User.objects.filter(pk__in=[person.pk for person in register_people]).update(
            password=self.password_hash
        )
        # The prefix of the school's registry numbers: requests for public records are
        # numbered "BJB 2026-0001".
        school.registry_code = "BJB"
        s.save_school(SYSTEM, school)
        school_year = s.ensure_school_year(SYSTEM, today)
        first = school_year.starts_on.year
        s.create_term(
            SYSTEM,
            school,
            school_year,
            kind="HT",
            starts_on=datetime.date(first, 8, 18),
            ends_on=datetime.date(first, 12, 20),
        )
        s.create_term(
            SYSTEM,
            school,
            school_year,
            kind="VT",
            starts_on=datetime.date(first + 1, 1, 8),
            ends_on=datetime.date(first + 1, 6, 13),
        )
        staff = {user.username: user for user in User.objects.filter(username__in=STAFF)}
        # The registrar keeps the archive of students who left (and registers requests).
        m.grant_staff_role(SYSTEM, staff[REGISTRAR], school, StaffRole.Role.REGISTRAR, starts_on=year_start)
        # A substitute who taught 5B English in the first weeks: no access any more, but
        # anything written then stays on the pages.
        english_5b = m.assign_teaching(
            SYSTEM,
            staff[SUBSTITUTE],
            self.this_years_class(school, "5B"),
            self.subjects["EN"],
            starts_on=year_start,
        )
        m.end_membership(
            SYSTEM, english_5b, ends_on=year_start + datetime.timedelta(days=21), reason="Vikariat avslutat"
        )
        for username in STAFF:
            self.staff_authenticator(staff[username])
        # A student who finished year 9 here in 2021: her page is in the archive.
        seed_left_student(self, school, mentor=staff["lars.berglund"], maths_teacher=staff["ahmed.hassan"])
