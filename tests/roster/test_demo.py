"""The demo school comes through the register sync, from the file shipped with the demo: the
path users depend on is the path the demo uses."""

from __future__ import annotations

import datetime
import io
import json
from typing import Any

import pytest
from django.core.management import call_command

from accounts import civic, policy
from accounts.models import Enrolment, Guardianship, SecurityMarking, TeachingAssignment, User
from roster import demo
from roster.demo import make_demo_roster
from roster.jobs import request_sync, run_queued
from roster.models import RosterRun, RosterRunSchool, SourceLink


@pytest.fixture
def seeded(db: None) -> None:
    call_command("seed_demo", stdout=io.StringIO())


def _register() -> dict:
    return demo.register_as_of(policy.today())


def _username(person: dict) -> str:
    return person["eduPersonPrincipalNames"][0].split("@")[0]


def test_the_demo_schools_people_came_through_two_demo_runs_of_the_sync(seeded: None) -> None:
    runs = list(RosterRun.objects.order_by("pk"))
    assert [(run.trigger, run.status, run.dry_run) for run in runs] == [("demo", "done", False)] * 2
    first, second = (run.schools.get() for run in runs)
    assert (first.name, first.status) == ("Björkbackaskolan", RosterRunSchool.Status.APPLIED)
    assert first.counts["add_student"] == 50
    # The second run: the court's decision took Marcus Wallin's guardianship of Noah away.
    assert second.status == RosterRunSchool.Status.APPLIED
    assert sum(second.counts.values()) == 1, second.counts
    ended = Guardianship.objects.get(guardian__username="marcus.wallin", student__username="noah.wallin")
    assert ended.ends_on == policy.today()
    assert not policy.relation_to_student(ended.guardian, ended.student).may_read


def test_every_person_of_the_register_is_linked_with_their_civic_number(seeded: None) -> None:
    register = _register()
    links = dict(SourceLink.objects.filter(kind=SourceLink.Kind.PERSON).values_list("source_id", "local_id"))
    for person in register["persons"]:
        user = User.objects.get(pk=links[person["id"]])
        assert user.username == _username(person)
        assert (user.first_name, user.last_name) == (person["givenName"], person["familyName"])
        assert user.civic_number == civic.normalise(person["civicNo"]["value"])
    assert len(links) == len(register["persons"]) == 150
    # Classes and memberships are linked too: every enrolment of this year's classes, every
    # teaching assignment but the substitute's (made by hand after the sync).
    enrolments = Enrolment.objects.filter(school_class__name__in=["4A", "5B"])
    linked = set(SourceLink.objects.filter(kind=SourceLink.Kind.ENROLMENT).values_list("local_id", flat=True))
    assert set(enrolments.values_list("pk", flat=True)) == linked
    assert len(linked) == 50
    teaching = TeachingAssignment.objects.exclude(teacher__username="tobias.burman").exclude(
        school_class__name="9A"
    )
    linked = set(SourceLink.objects.filter(kind=SourceLink.Kind.TEACHING).values_list("local_id", flat=True))
    assert set(teaching.values_list("pk", flat=True)) == linked


def test_one_student_of_4a_has_protected_personal_data(seeded: None) -> None:
    protected = User.objects.exclude(security_marking=SecurityMarking.NONE)
    assert [(u.username, u.security_marking) for u in protected] == [
        ("nora.fredriksson", SecurityMarking.PROTECTED_REGISTRATION)
    ]
    assert Enrolment.objects.active().get(student=protected[0]).school_class.name == "4A"


def test_seeding_twice_and_syncing_the_same_register_again_change_nothing(seeded: None) -> None:
    def state() -> tuple:
        return (
            sorted(User.objects.values_list("username", "first_name", "last_name", "civic_number", "email")),
            sorted(Enrolment.objects.values_list("student_id", "school_class_id", "starts_on", "ends_on")),
            sorted(Guardianship.objects.values_list("guardian_id", "student_id", "starts_on", "ends_on")),
            sorted(
                TeachingAssignment.objects.values_list("teacher_id", "subject_id", "starts_on", "ends_on")
            ),
            SourceLink.objects.count(),
        )

    before = state()
    output = io.StringIO()
    call_command("seed_demo", stdout=output)
    assert "already loaded" in output.getvalue()
    today = policy.today()
    again = demo.sync_demo_register(demo.without_withdrawn_guardian(demo.register_as_of(today)), today)
    assert again.status == RosterRun.Status.DONE
    assert again.schools.get().status == RosterRunSchool.Status.UNCHANGED
    assert state() == before


def test_the_shipped_file_is_what_its_script_writes() -> None:
    """The file is written by the kept script, never edited by hand."""
    assert make_demo_roster.build() == json.loads(demo.DEMO_FILE.read_text(encoding="utf-8"))


@pytest.mark.parametrize(
    ("today", "year"),
    [
        (datetime.date(2026, 12, 3), 2026),
        (datetime.date(2031, 7, 1), 2031),
        (datetime.date(2032, 6, 30), 2031),
    ],
)
def test_the_register_moves_to_the_school_year_of_the_day(today: datetime.date, year: int) -> None:
    register = demo.register_as_of(today)
    classes = {group["displayName"]: group for group in register["groups"]}
    assert classes["4A"]["startDate"] == f"{year}-07-01"
    assert classes["4A"]["endDate"] == f"{year + 1}-06-30"
    for person in register["persons"]:
        number = civic.normalise(person["civicNo"]["value"])  # valid: a real date, the right digit
        if person.get("enrolments"):
            grade = person["enrolments"][0]["schoolYear"]
            assert int(number[:4]) == year - 6 - grade, person["givenName"]


def test_sync_now_in_the_demo_reads_the_register_as_it_stands_and_finds_nothing_new(
    seeded: None, settings: Any
) -> None:
    standing = settings.VAR_DIR / demo.STANDING_FILE_NAME
    assert standing.exists()
    settings.ROSTER_FILE = str(standing)  # as config.settings points it in development
    administrator = User.objects.get(username="maria.holm")
    school = policy.administered_schools(administrator).get()
    run = request_sync(administrator, school.pk, dry_run=False)
    assert run_queued() == 1
    run.refresh_from_db()
    assert run.status == RosterRun.Status.DONE, run.error
    assert run.schools.get().status == RosterRunSchool.Status.UNCHANGED
