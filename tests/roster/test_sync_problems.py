"""What goes wrong is reported, never guessed: a school whose reading fails halfway, a school
whose changes cannot be saved, invalid data, conflicts with accounts already here."""

from __future__ import annotations

import datetime
import logging
from collections.abc import Iterator

import pytest
from django.utils import translation

from accounts import civic
from accounts.actions import SYSTEM
from accounts.actions.identity import set_civic_number
from accounts.actions.people import create_person
from accounts.models import Enrolment, School, User
from roster.describe import describe_problem
from roster.models import RosterRun, RosterRunSchool, SourceLink
from tests.roster.conftest import SmallMunicipality
from tests.roster.sync_support import run, user_of
from tests.support.ss12000 import SS12000Server

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


@pytest.fixture
def english() -> Iterator[None]:
    with translation.override("en"):
        yield


def add_second_school(municipality: SmallMunicipality) -> dict:
    school = municipality.add_school("Ekbackens skola", "87654321")
    for name in ("1A", "2A", "3A", "5A"):
        klass = municipality.add_class(school, name)
        municipality.add_student(
            school, klass, "Vera", "Holm", guardians=[municipality.add_guardian("Per", "Holm")]
        )
    return school


def by_name(result: RosterRun) -> dict[str, RosterRunSchool]:
    return {school.name: school for school in result.schools.all()}


def test_a_server_error_halfway_through_a_school_applies_nothing_there(
    ss12000: SS12000Server, municipality: SmallMunicipality
) -> None:
    second = add_second_school(municipality)
    ss12000.load(municipality.muni)
    # Ekbacken's classes span two pages: the second one fails.
    ss12000.fail_next("/groups", 503, after_pages=1, organisation=second["id"])

    result = run()

    assert result.status == RosterRun.Status.PROBLEMS
    schools = by_name(result)
    failed, applied = schools["Ekbackens skola"], schools["Björkbackaskolan"]
    assert failed.status == RosterRunSchool.Status.FAILED
    assert failed.changes == []
    assert failed.problems[0]["code"] == "read_failed"
    assert "could not be read" in describe_problem(failed.problems[0])
    assert not School.objects.filter(name="Ekbackens skola").exists()
    assert not User.objects.filter(first_name="Vera").exists()
    assert applied.status == RosterRunSchool.Status.APPLIED
    assert Enrolment.objects.filter(school_class__school__name="Björkbackaskolan").count() == 4
    # A run with a failed school is no starting point for the next incremental one.
    assert result.read_started_at is None
    assert failed.school is None  # not here yet
    assert by_name(run())["Ekbackens skola"].status == RosterRunSchool.Status.APPLIED
    ss12000.fail_next("/duties", 500, organisation=second["id"])
    again = by_name(run())["Ekbackens skola"]
    assert again.status == RosterRunSchool.Status.FAILED
    assert again.school == School.objects.get(name="Ekbackens skola")  # its administrators see it


def test_a_school_whose_changes_cannot_be_saved_is_rolled_back_alone(
    ss12000: SS12000Server, municipality: SmallMunicipality, caplog: pytest.LogCaptureFixture
) -> None:
    second = add_second_school(municipality)
    # Two classes of the same name in one school year: the second cannot be saved.
    twin = municipality.add_class(second, "1A")
    municipality.add_student(second, twin, "Alva", "Holm")
    ss12000.load(municipality.muni)

    with caplog.at_level(logging.ERROR, logger="elevdialog.roster"):
        result = run()

    schools = by_name(result)
    failed = schools["Ekbackens skola"]
    assert failed.status == RosterRunSchool.Status.FAILED
    assert failed.problems[-1]["code"] == "apply_failed"
    assert "could not be saved" in describe_problem(failed.problems[-1])
    assert not User.objects.filter(first_name__in=["Vera", "Alva", "Per"]).exists()  # made before the failure
    assert not School.objects.filter(name="Ekbackens skola").exists()
    assert schools["Björkbackaskolan"].status == RosterRunSchool.Status.APPLIED
    assert not civic.LOOKS_LIKE_CIVIC_NUMBER.search(caplog.text + str(failed.problems))


def test_the_register_unreachable_fails_the_run(
    ss12000: SS12000Server, municipality: SmallMunicipality
) -> None:
    ss12000.fail_next("/persons", 500)

    result = run()

    assert result.status == RosterRun.Status.FAILED
    assert result.error
    assert not result.schools.exists()
    assert not User.objects.exists()


def test_invalid_data_is_reported_and_left_out(
    ss12000: SS12000Server, municipality: SmallMunicipality
) -> None:
    elsa = municipality.students[0]
    elsa["civicNo"]["value"] = elsa["civicNo"]["value"][:-1] + str(
        (int(elsa["civicNo"]["value"][-1]) + 1) % 10
    )
    municipality.class_4b["groupMemberships"].append(
        {"id": "m-nobody", "person": {"id": "no-such-person"}, "startDate": "2026-08-17"}
    )
    municipality.add_activity(municipality.school, municipality.class_4b, "XX", [municipality.teacher])
    municipality.add_class(municipality.school, "Blåbären")
    ss12000.load(municipality.muni)

    result = run()

    (school_run,) = result.schools.all()
    assert school_run.status == RosterRunSchool.Status.APPLIED
    codes = sorted(problem["code"] for problem in school_run.problems)
    assert codes == ["bad_civic_number", "membership_without_person", "unknown_subject", "unreadable_grade"]
    sentences = [describe_problem(problem) for problem in school_run.problems]
    assert any("Elsa Andersson" in sentence for sentence in sentences)
    assert not civic.LOOKS_LIKE_CIVIC_NUMBER.search(str(school_run.problems) + " ".join(sentences))
    # Elsa is imported without the number; everyone else as usual.
    assert user_of(elsa).civic_number is None
    assert Enrolment.objects.count() == 4


def test_a_conflict_is_reported_and_left_for_a_person(
    ss12000: SS12000Server, municipality: SmallMunicipality
) -> None:
    # Two accounts typed in by hand: one has Hugo's civic number, the other his school account.
    hugo = municipality.students[1]
    by_number = create_person(SYSTEM, username="hugo1", first_name="Hugo", last_name="L")
    set_civic_number(SYSTEM, by_number, hugo["civicNo"]["value"])
    by_account = create_person(SYSTEM, username="hugo2", first_name="Hugo", last_name="L")
    from accounts.actions.identity import set_school_account_names

    set_school_account_names(SYSTEM, by_account, hugo["eduPersonPrincipalNames"])

    result = run()

    (school_run,) = result.schools.all()
    (problem,) = school_run.problems
    assert (problem["code"], problem["reason"], problem["name"]) == (
        "person_conflict",
        "matches_two_accounts",
        "Hugo Lindqvist",
    )
    assert problem["skipped"] == 3  # his enrolment and two guardianships
    assert "check it by hand" in describe_problem(problem)
    assert not SourceLink.objects.filter(source_id=hugo["id"]).exists()
    assert not Enrolment.objects.filter(student__first_name="Hugo").exists()
    assert Enrolment.objects.count() == 3
    # Left as it is on the next run too.
    again = run()
    assert again.schools.get().problems == school_run.problems


def test_a_civic_number_changed_in_the_register_is_a_conflict(
    ss12000: SS12000Server, municipality: SmallMunicipality
) -> None:
    run()
    liam = municipality.students[3]
    liam["civicNo"]["value"] = municipality.muni.civic_number(
        civic.birth_date(civic.normalise(liam["civicNo"]["value"]))
    )
    municipality.rename(liam, given="Liam-Olof")
    ss12000.load(municipality.muni)

    result = run()

    (problem,) = result.schools.get().problems
    assert problem["reason"] == "civic_number_changed"
    assert user_of(liam).first_name == "Liam"  # nothing of his changed


def test_a_class_linked_to_another_school_is_a_conflict(
    ss12000: SS12000Server, municipality: SmallMunicipality
) -> None:
    run()
    # The register moves 4B to another school unit: the class here stays where it is.
    other = municipality.add_school("Ekbackens skola", "87654321")
    municipality.class_4b["organisation"] = {"id": other["id"]}
    ss12000.load(municipality.muni)

    result = run()

    ekbacken = by_name(result)["Ekbackens skola"]
    assert [p["code"] for p in ekbacken.problems] == ["class_in_other_school"]
    assert "already belongs to another school" in describe_problem(ekbacken.problems[0])
    enrolment = Enrolment.objects.get(student=user_of(municipality.students[3]))
    assert enrolment.school_class.school.name == "Björkbackaskolan"
    assert enrolment.ends_on == municipality.muni.year_end + datetime.timedelta(days=1)  # untouched
    assert by_name(result)["Björkbackaskolan"].status == RosterRunSchool.Status.UNCHANGED
