"""The demo's archive: Linnea Forsberg finished year 9 at the demo school in June 2021. Her
class 9A of 2020/21, her mentor and maths teacher then, her guardian, and the leaving the
school administrator recorded ahead in May 2021, all made through the actions as on those
days (``accounts.demo.clock``). Her page's history is written by ``dialogue.demo.archive``.
Five years on, her records are due for removal (the purge's dry run lists her)."""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING

from accounts.actions import SYSTEM
from accounts.actions import memberships as m
from accounts.actions import structure as s
from accounts.actions.leaving import record_leaving
from accounts.demo.clock import as_on
from accounts.models import Leaving, School, User

if TYPE_CHECKING:
    from accounts.demo.school import Seeder

STARTED_ON = datetime.date(2020, 8, 17)
LEFT_ON = datetime.date(2021, 6, 15)
RECORDED_ON = datetime.date(2021, 5, 20)


def seed_left_student(seeder: Seeder, school: School, *, mentor: User, maths_teacher: User) -> User:
    with as_on(STARTED_ON):
        year = s.ensure_school_year(SYSTEM, STARTED_ON)
        class_9a = s.create_class(SYSTEM, school, year, name="9A", grade=9)
        linnea = seeder.person("Linnea", "Forsberg")
        annika = seeder.person("Annika", "Forsberg")
        m.enrol_student(SYSTEM, linnea, class_9a, starts_on=STARTED_ON)
        m.add_guardianship(SYSTEM, annika, linnea, starts_on=STARTED_ON)
        teaching = m.assign_teaching(
            SYSTEM, maths_teacher, class_9a, seeder.subjects["MA"], starts_on=STARTED_ON
        )
        mentoring = m.assign_mentor(SYSTEM, mentor, class_9a, starts_on=STARTED_ON)
        for membership in (teaching, mentoring):
            m.end_membership(SYSTEM, membership, ends_on=LEFT_ON, reason="Läsåret slut")
    with as_on(RECORDED_ON):
        record_leaving(
            SYSTEM, linnea.pk, left_on=LEFT_ON, reason=Leaving.Reason.FINISHED, note="Gick ut åk 9"
        )
    return linnea
