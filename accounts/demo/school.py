"""The demo school's people and memberships, made through the actions as the SYSTEM actor."""

from __future__ import annotations

import datetime
import random
import unicodedata

from django.contrib.auth.hashers import make_password

from accounts.actions import SYSTEM, otp
from accounts.actions import memberships as m
from accounts.actions import people as p
from accounts.actions import structure as s
from accounts.demo.archive import seed_left_student
from accounts.demo.logins import DEMO_PASSWORD
from accounts.demo.names import ADULT_MEN, ADULT_WOMEN, BOYS, GIRLS, SURNAMES
from accounts.models import SchoolClass, StaffRole, Subject, User

SCHOOL_NAME = "Björkbackaskolan"
MUNICIPALITY = "Umeå kommun"


def _ascii(text: str) -> str:
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()


class Seeder:
    """Builds the demo school once; ``run`` expects no demo school yet (the command checks)."""

    def __init__(self, today: datetime.date) -> None:
        self.today = today
        self.random = random.Random(2026)  # noqa: S311 - repeatable demo data, not secrets
        self.password_hash = make_password(DEMO_PASSWORD)  # hashed once, shared by all demo users
        self.usernames: set[str] = set(User.objects.values_list("username", flat=True))
        self.subjects = {subject.code: subject for subject in Subject.objects.all()}

    def person(self, first: str, last: str, *, email: bool = True) -> User:
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

    def run(self) -> None:
        today = self.today
        year_start = today - datetime.timedelta(days=60)
        school = s.create_school(SYSTEM, name=SCHOOL_NAME, municipality=MUNICIPALITY)
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
        class_4a = s.create_class(SYSTEM, school, school_year, name="4A", grade=4)
        class_5b = s.create_class(SYSTEM, school, school_year, name="5B", grade=5)

        principal = self.person("Eva", "Lindgren")
        m.grant_staff_role(SYSTEM, principal, school, StaffRole.Role.PRINCIPAL, starts_on=year_start)
        administrator = self.person("Maria", "Holm")
        m.grant_staff_role(SYSTEM, administrator, school, StaffRole.Role.SCHOOL_ADMIN, starts_on=year_start)
        # The registrar keeps the archive of students who left (and registers requests).
        registrar = self.person("Birgitta", "Sundström")
        m.grant_staff_role(SYSTEM, registrar, school, StaffRole.Role.REGISTRAR, starts_on=year_start)

        teachers = {
            "mentor_4a": (self.person("Lars", "Berglund"), {class_4a: ["SV", "SO", "TK"]}),
            "mentor_5b": (self.person("Karin", "Nordin"), {class_5b: ["SV", "SO", "TK"]}),
            "maths": (self.person("Ahmed", "Hassan"), {class_4a: ["MA", "NO"], class_5b: ["MA", "NO"]}),
            "english": (self.person("Jenny", "Marklund"), {class_4a: ["EN"], class_5b: ["EN"]}),
            "practical": (self.person("Per", "Öberg"), {class_4a: ["IDH", "SL"], class_5b: ["IDH", "SL"]}),
            "arts": (self.person("Ulrika", "Backman"), {class_4a: ["BL", "MU"], class_5b: ["BL", "MU"]}),
        }
        for teacher, classes in teachers.values():
            for school_class, codes in classes.items():
                for code in codes:
                    m.assign_teaching(
                        SYSTEM, teacher, school_class, self.subjects[code], starts_on=year_start
                    )
        m.assign_mentor(SYSTEM, teachers["mentor_4a"][0], class_4a, starts_on=year_start)
        m.assign_mentor(SYSTEM, teachers["mentor_5b"][0], class_5b, starts_on=year_start)
        # A substitute who taught 5B English in the first weeks: no access any more, but
        # anything written then stays on the pages.
        substitute = self.person("Tobias", "Burman")
        english_5b = m.assign_teaching(
            SYSTEM, substitute, class_5b, self.subjects["EN"], starts_on=year_start
        )
        m.end_membership(
            SYSTEM, english_5b, ends_on=year_start + datetime.timedelta(days=21), reason="Vikariat avslutat"
        )

        for user in [principal, administrator, registrar, substitute] + [
            teacher for teacher, _ in teachers.values()
        ]:
            self.staff_authenticator(user)

        # Siblings in both classes, with one guardian we print as the example login.
        sofia = self.person("Sofia", "Lindqvist")
        henrik = self.person("Henrik", "Lindqvist")
        elsa = self.person("Elsa", "Lindqvist", email=False)
        hugo = self.person("Hugo", "Lindqvist", email=False)
        m.enrol_student(SYSTEM, elsa, class_4a, starts_on=year_start)
        m.enrol_student(SYSTEM, hugo, class_5b, starts_on=year_start)
        for child in (elsa, hugo):
            m.add_guardianship(SYSTEM, sofia, child, starts_on=year_start)
            m.add_guardianship(SYSTEM, henrik, child, starts_on=year_start)

        # A separated family: two guardians in two homes, different surnames.
        alva = self.person("Alva", "Eriksson", email=False)
        johan = self.person("Johan", "Eriksson")
        sara = self.person("Sara", "Lind")
        m.enrol_student(SYSTEM, alva, class_4a, starts_on=year_start)
        m.add_guardianship(SYSTEM, johan, alva, starts_on=year_start)
        m.add_guardianship(SYSTEM, sara, alva, starts_on=year_start)

        # A guardianship withdrawn by a court decision: the record stays, access is gone.
        noah = self.person("Noah", "Wallin", email=False)
        m.enrol_student(SYSTEM, noah, class_5b, starts_on=year_start)
        m.add_guardianship(SYSTEM, self.person("Malin", "Wallin"), noah, starts_on=year_start)
        withdrawn = m.add_guardianship(SYSTEM, self.person("Marcus", "Wallin"), noah, starts_on=year_start)
        m.end_membership(
            SYSTEM, withdrawn, ends_on=today - datetime.timedelta(days=10), reason="Domstolsbeslut"
        )

        # A student who finished year 9 here in 2021: her page is in the archive.
        seed_left_student(self, school, mentor=teachers["mentor_4a"][0], maths_teacher=teachers["maths"][0])

        counts = {class_4a.pk: 2, class_5b.pk: 2}
        for school_class in (class_4a, class_5b):
            while counts[school_class.pk] < 25:
                self.family(school_class, year_start)
                counts[school_class.pk] += 1

    def family(self, school_class: SchoolClass, starts_on: datetime.date) -> None:
        rnd = self.random
        surname = rnd.choice(SURNAMES)
        first = rnd.choice(GIRLS if rnd.random() < 0.5 else BOYS)
        child = self.person(first, surname, email=False)
        m.enrol_student(SYSTEM, child, school_class, starts_on=starts_on)
        shape = rnd.random()
        guardians = [self.person(rnd.choice(ADULT_WOMEN), surname)]
        if shape < 0.75:  # two guardians in one home
            guardians.append(self.person(rnd.choice(ADULT_MEN), surname))
        elif shape < 0.9:  # separated: the second guardian lives elsewhere, another surname
            guardians.append(self.person(rnd.choice(ADULT_MEN), rnd.choice(SURNAMES)))
        for guardian in guardians:
            m.add_guardianship(SYSTEM, guardian, child, starts_on=starts_on)
