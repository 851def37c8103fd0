"""The shared cast of people every test uses, built by calling the real actions.

School 1 (Norrskolan) has classes 4A and 4B; school 2 (Söderskolan) has class 5C.

    student             4A, guardians guardian_1 and guardian_2 (separated, two homes)
    guardian_1/2        guardians of student
    teacher             teaches 4A Matematik and is mentor of 4A
    other_teacher       teaches 4B Svenska (same school, not the student's teacher)
    principal           principal of school 1
    other_student       4B, guardian other_guardian
    other_guardian      guardian of other_student
    other_principal     principal of school 2
    school_admin        school administrator of school 1
    former_teacher      taught 4A Engelska; the assignment ended yesterday
    withdrawn_guardian  was guardian of student; withdrawn yesterday (court decision)
    registrar           registrar of school 1 (keeps the archive of students who left)
    left_student        was in 4A, left yesterday (moved to another municipality); the page,
                        with one message of hers, is a read-only archive
    operator            superuser running the platform (administers, reads no pages)
    anonymous           not logged in
"""

from __future__ import annotations

import datetime
import uuid
from dataclasses import dataclass

from django.utils import timezone

from accounts.actions import SYSTEM
from accounts.actions import memberships as m
from accounts.actions import people as p
from accounts.actions import structure as s
from accounts.models import School, SchoolClass, StaffRole, Subject, User

PASSWORD = "correct horse battery staple"

ROLES = (
    "anonymous",
    "student",
    "guardian_1",
    "guardian_2",
    "teacher",
    "other_teacher",
    "principal",
    "other_student",
    "other_guardian",
    "other_principal",
    "school_admin",
    "former_teacher",
    "withdrawn_guardian",
    "registrar",
    "left_student",
    "operator",
)

STAFF_ROLES = frozenset(
    {"teacher", "other_teacher", "principal", "other_principal", "school_admin", "registrar", "operator"}
)


@dataclass
class Cast:
    school: School
    other_school: School
    class_4a: SchoolClass
    class_4b: SchoolClass
    class_5c: SchoolClass
    maths: Subject
    swedish: Subject
    english: Subject
    student: User
    guardian_1: User
    guardian_2: User
    teacher: User
    other_teacher: User
    principal: User
    other_student: User
    other_guardian: User
    other_principal: User
    school_admin: User
    former_teacher: User
    withdrawn_guardian: User
    registrar: User
    left_student: User
    operator: User

    def person(self, role: str) -> User | None:
        return None if role == "anonymous" else getattr(self, role)


def build_cast(*, username_prefix: str = "") -> Cast:
    """``username_prefix`` keeps the cast's usernames apart from people already in the
    database (the browser tests build the cast beside the demo school)."""
    today = timezone.localdate()
    term_start = today - datetime.timedelta(days=30)
    yesterday = today - datetime.timedelta(days=1)

    def person(username: str, first: str, last: str) -> User:
        return p.create_person(
            SYSTEM,
            username=f"{username_prefix}{username}",
            first_name=first,
            last_name=last,
            password=PASSWORD,
        )

    school = s.create_school(SYSTEM, name="Norrskolan", municipality="Umeå kommun")
    other_school = s.create_school(SYSTEM, name="Söderskolan", municipality="Umeå kommun")
    year = s.ensure_school_year(SYSTEM, today)
    class_4a = s.create_class(SYSTEM, school, year, name="4A", grade=4)
    class_4b = s.create_class(SYSTEM, school, year, name="4B", grade=4)
    class_5c = s.create_class(SYSTEM, other_school, year, name="5C", grade=5)
    maths, swedish, english = (Subject.objects.get(code=code) for code in ("MA", "SV", "EN"))

    student = person("anna.andersson", "Anna", "Andersson")
    guardian_1 = person("karin.andersson", "Karin", "Andersson")
    guardian_2 = person("johan.berg", "Johan", "Berg")
    teacher = person("lars.lund", "Lars", "Lund")
    other_teacher = person("eva.ek", "Eva", "Ek")
    principal = person("rektor.norr", "Ingrid", "Norberg")
    other_student = person("olle.nilsson", "Olle", "Nilsson")
    other_guardian = person("sara.nilsson", "Sara", "Nilsson")
    other_principal = person("rektor.soder", "Sven", "Söder")
    school_admin = person("admin.norr", "Maja", "Holm")
    former_teacher = person("per.vikarie", "Per", "Vikarie")
    withdrawn_guardian = person("bo.andersson", "Bo", "Andersson")
    registrar = person("registrator.norr", "Rut", "Registrator")
    left_student = person("lisa.flytt", "Lisa", "Flytt")
    operator = person("operator", "Olga", "Operatör")
    operator.is_superuser = True
    operator.save(update_fields=["is_superuser"])  # platform bootstrap, as createsuperuser does

    m.enrol_student(SYSTEM, student, class_4a, starts_on=term_start)
    m.enrol_student(SYSTEM, other_student, class_4b, starts_on=term_start)
    m.add_guardianship(SYSTEM, guardian_1, student, starts_on=term_start)
    m.add_guardianship(SYSTEM, guardian_2, student, starts_on=term_start)
    m.add_guardianship(SYSTEM, other_guardian, other_student, starts_on=term_start)
    withdrawn = m.add_guardianship(SYSTEM, withdrawn_guardian, student, starts_on=term_start)
    m.end_membership(SYSTEM, withdrawn, ends_on=yesterday, reason="Court decision")
    m.assign_teaching(SYSTEM, teacher, class_4a, maths, starts_on=term_start)
    m.assign_mentor(SYSTEM, teacher, class_4a, starts_on=term_start)
    m.assign_teaching(SYSTEM, other_teacher, class_4b, swedish, starts_on=term_start)
    ended = m.assign_teaching(SYSTEM, former_teacher, class_4a, english, starts_on=term_start)
    m.end_membership(SYSTEM, ended, ends_on=yesterday, reason="Substitute period over")
    m.grant_staff_role(SYSTEM, principal, school, StaffRole.Role.PRINCIPAL, starts_on=term_start)
    m.grant_staff_role(SYSTEM, other_principal, other_school, StaffRole.Role.PRINCIPAL, starts_on=term_start)
    m.grant_staff_role(SYSTEM, school_admin, school, StaffRole.Role.SCHOOL_ADMIN, starts_on=term_start)
    m.grant_staff_role(SYSTEM, registrar, school, StaffRole.Role.REGISTRAR, starts_on=term_start)
    _left_yesterday(left_student, class_4a, term_start, yesterday)

    return Cast(
        school=school,
        other_school=other_school,
        class_4a=class_4a,
        class_4b=class_4b,
        class_5c=class_5c,
        maths=maths,
        swedish=swedish,
        english=english,
        student=student,
        guardian_1=guardian_1,
        guardian_2=guardian_2,
        teacher=teacher,
        other_teacher=other_teacher,
        principal=principal,
        other_student=other_student,
        other_guardian=other_guardian,
        other_principal=other_principal,
        school_admin=school_admin,
        former_teacher=former_teacher,
        withdrawn_guardian=withdrawn_guardian,
        registrar=registrar,
        left_student=left_student,
        operator=operator,
    )


def _left_yesterday(
    student: User, school_class: SchoolClass, term_start: datetime.date, yesterday: datetime.date
) -> None:
    """A student of the class who wrote on her page and then left (recorded a day late, as
    a school administrator often does)."""
    from accounts.actions.leaving import record_leaving
    from accounts.models import Leaving
    from dialogue.actions.messages import post_message
    from dialogue.actions.pages import page_of
    from dialogue.models import Thread

    m.enrol_student(SYSTEM, student, school_class, starts_on=term_start)
    page = page_of(student)
    thread = page.threads.get(kind=Thread.Kind.GENERAL)
    post_message(
        student, page, thread_id=thread.pk, body="Vi flyttar till Luleå i sommar.", client_id=uuid.uuid4()
    )
    record_leaving(SYSTEM, student.pk, left_on=yesterday, reason=Leaving.Reason.MOVED_MUNICIPALITY)
