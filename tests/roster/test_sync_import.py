"""The first import of a school from the register over HTTP, and a second run that finds
nothing to change."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts import civic
from accounts.models import (
    Enrolment,
    Guardianship,
    Mentorship,
    SchoolAccountName,
    SchoolClass,
    SecurityMarking,
    StaffRole,
    TeachingAssignment,
    User,
)
from roster.models import RosterRun, RosterRunSchool, SourceLink
from tests.roster.conftest import SmallMunicipality
from tests.roster.sync_support import run, user_of
from tests.support.ss12000 import SS12000Server

pytestmark = pytest.mark.django_db


def counts() -> dict[str, int]:
    return {
        model.__name__: model.objects.count()
        for model in (
            User,
            SchoolClass,
            Enrolment,
            Guardianship,
            TeachingAssignment,
            Mentorship,
            StaffRole,
            SchoolAccountName,
            SourceLink,
        )
    }


def test_first_import_of_a_school(ss12000: SS12000Server, municipality: SmallMunicipality) -> None:
    elsa = municipality.students[0]
    municipality.set_marking(elsa, "Skyddad folkbokföring")
    ss12000.load(municipality.muni)

    result = run()

    assert len(ss12000.requests_to("/persons")) > 1  # pages of three
    assert result.status == RosterRun.Status.DONE, result.error
    (school_run,) = result.schools.all()
    assert school_run.status == RosterRunSchool.Status.APPLIED
    assert school_run.problems == []
    # 4 students, 8 guardians, a teacher and a principal; two classes.
    assert counts() == {
        "User": 14,
        "SchoolClass": 2,
        "Enrolment": 4,
        "Guardianship": 8,
        "TeachingAssignment": 1,
        "Mentorship": 1,
        "StaffRole": 1,
        "SchoolAccountName": 6,  # students and staff have school accounts, guardians none
        "SourceLink": 1 + 14 + 2 + 4 + 8 + 1 + 1 + 1,
    }
    assert school_run.counts["add_student"] == 4
    assert school_run.counts["add_guardian"] == 8
    assert school_run.school is not None
    assert school_run.school.name == "Björkbackaskolan"
    assert school_run.school.municipality == "Exempelkommun"
    assert set(SchoolClass.objects.values_list("name", "grade")) == {("4A", 4), ("4B", 4)}
    elsa_user = user_of(elsa)
    assert (elsa_user.first_name, elsa_user.last_name) == ("Elsa", "Andersson")
    assert elsa_user.civic_number == civic.normalise(elsa["civicNo"]["value"])
    assert elsa_user.security_marking == SecurityMarking.PROTECTED_REGISTRATION
    assert not elsa_user.has_usable_password()
    assert elsa_user.username == elsa["eduPersonPrincipalNames"][0].split("@")[0]
    assert Enrolment.objects.get(student=elsa_user).school_class.name == "4A"
    assert Guardianship.objects.filter(student=elsa_user).count() == 2
    teacher = user_of(municipality.person_of(municipality.teacher))
    assignment = TeachingAssignment.objects.get()
    assert (assignment.teacher, assignment.school_class.name, assignment.subject.code) == (
        teacher,
        "4A",
        "MA",
    )
    assert Mentorship.objects.get().teacher == teacher
    principal = user_of(municipality.person_of(municipality.principal))
    assert StaffRole.objects.get().user == principal
    assert StaffRole.objects.get().role == StaffRole.Role.PRINCIPAL
    guardian = user_of(municipality.guardians[0])
    assert guardian.email == "anna.andersson@example.se"
    assert guardian.username == "anna.andersson"
    # Nothing of a civic number in what the run recorded.
    recorded = str(school_run.changes) + str(school_run.problems)
    assert not civic.LOOKS_LIKE_CIVIC_NUMBER.search(recorded)


def test_a_second_run_changes_nothing(ss12000: SS12000Server, municipality: SmallMunicipality) -> None:
    run()
    before = counts()
    with CaptureQueriesContext(connection) as queries:
        second = run()
    assert second.status == RosterRun.Status.DONE
    (school_run,) = second.schools.all()
    assert school_run.status == RosterRunSchool.Status.UNCHANGED
    assert (school_run.changes, school_run.problems) == ([], [])
    assert counts() == before
    writes = [
        q["sql"] for q in queries.captured_queries if q["sql"].startswith(("INSERT", "UPDATE", "DELETE"))
    ]
    # Only the run's own records are written.
    assert all("roster_rosterrun" in sql for sql in writes), writes


def test_what_was_typed_in_by_hand_is_taken_over_not_doubled(
    ss12000: SS12000Server, municipality: SmallMunicipality
) -> None:
    from accounts.actions import SYSTEM
    from accounts.actions.identity import set_civic_number
    from accounts.actions.memberships import enrol_student
    from accounts.actions.people import create_person
    from accounts.actions.structure import create_class, create_school, ensure_school_year

    school = create_school(SYSTEM, name="Björkbackaskolan", municipality="Exempelkommun")
    year_start = municipality.muni.year_start
    class_4a = create_class(SYSTEM, school, ensure_school_year(SYSTEM, year_start), name="4A", grade=4)
    elsa = municipality.students[0]
    typed = create_person(SYSTEM, username="elsa", first_name="Elsa", last_name="A")
    set_civic_number(SYSTEM, typed, elsa["civicNo"]["value"])
    enrol_student(SYSTEM, typed, class_4a, starts_on=year_start)

    school_run = run().schools.get()

    assert school_run.school == school
    assert "add_school" not in school_run.counts
    assert school_run.counts["link_person"] == 1
    assert user_of(elsa) == typed
    typed.refresh_from_db()
    assert (typed.username, typed.last_name) == ("elsa", "Andersson")  # the name follows the register
    assert SchoolClass.objects.filter(school=school).count() == 2
    assert Enrolment.objects.filter(student=typed).count() == 1
    assert run().schools.get().status == RosterRunSchool.Status.UNCHANGED


def test_a_class_named_without_a_grade_takes_its_students_year(
    ss12000: SS12000Server, municipality: SmallMunicipality
) -> None:
    owls = municipality.add_class(municipality.school, "Ugglorna")
    student = municipality.add_student(municipality.school, owls, "Tyra", "Ek")
    student["enrolments"][0]["schoolYear"] = 2
    ss12000.load(municipality.muni)

    school_run = run().schools.get()

    assert school_run.problems == []
    assert SchoolClass.objects.get(name="Ugglorna").grade == 2
    assert Enrolment.objects.get(student=user_of(student)).school_class.name == "Ugglorna"


def test_teaching_of_a_teaching_group_is_teaching_in_each_class_of_its_members(
    ss12000: SS12000Server, municipality: SmallMunicipality
) -> None:
    # Swedish for 4A and 4B together: a teaching group with Elsa (4A) and Liam (4B).
    together = municipality.add_class(municipality.school, "Sv 4AB", group_type="Undervisning")
    for student in (municipality.students[0], municipality.students[3]):
        together["groupMemberships"].append(
            {"id": municipality.new_id(), "person": {"id": student["id"]}, "startDate": together["startDate"]}
        )
    per = municipality.add_teacher(municipality.school, "Per", "Öberg")
    municipality.add_activity(municipality.school, together, "SV", [per])
    # A group whose members are in no class here teaches no class.
    municipality.add_activity(
        municipality.school,
        municipality.add_class(municipality.school, "Modersmål", group_type="Undervisning"),
        "MA",
        [per],
    )
    ss12000.load(municipality.muni)

    run()

    teacher = user_of(municipality.person_of(per))
    taught = TeachingAssignment.objects.filter(teacher=teacher)
    assert sorted((t.school_class.name, t.subject.code) for t in taught) == [("4A", "SV"), ("4B", "SV")]
    assert only_school_status(run()) == RosterRunSchool.Status.UNCHANGED


def only_school_status(result: RosterRun) -> str:
    return str(result.schools.get().status)
