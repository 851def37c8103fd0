"""The demo school is realistic, complete and loads only once."""

from __future__ import annotations

import datetime
import io
from collections import Counter

import pytest
from django.contrib.auth import authenticate
from django.core.management import call_command

from accounts import policy
from accounts.archive import archived_students
from accounts.models import (
    Enrolment,
    Guardianship,
    Leaving,
    Mentorship,
    SchoolClass,
    StaffRole,
    TeachingAssignment,
    User,
)


@pytest.fixture
def demo(db: None) -> str:
    output = io.StringIO()
    call_command("seed_demo", stdout=output)
    return output.getvalue()


def _this_years_classes() -> list[SchoolClass]:
    """This school year's classes (the demo also keeps 9A of 2020/21, whose student left)."""
    today = policy.today()
    return list(
        SchoolClass.objects.filter(
            school__name="Björkbackaskolan",
            school_year__starts_on__lte=today,
            school_year__ends_on__gte=today,
        )
    )


def test_two_classes_of_about_25_students_each_with_guardians(demo: str) -> None:
    classes = _this_years_classes()
    assert sorted(c.name for c in classes) == ["4A", "5B"]
    for school_class in classes:
        students = User.objects.filter(
            enrolments__in=Enrolment.objects.active().filter(school_class=school_class)
        )
        assert 20 <= students.count() <= 30
        for student in students:
            assert Guardianship.objects.active().filter(student=student).exists(), student
            assert student.first_name
            assert student.last_name


def test_families_include_two_guardian_single_separated_and_siblings(demo: str) -> None:
    per_student = Counter(Guardianship.objects.active().values_list("student", flat=True))
    assert 1 in per_student.values()
    assert 2 in per_student.values()
    separated = [
        student
        for student, count in per_student.items()
        if count == 2
        and len({g.guardian.last_name for g in Guardianship.objects.active().filter(student=student)}) == 2
    ]
    assert separated, "at least one separated family with two homes"
    sofia = User.objects.get(username="sofia.lindqvist")
    children = policy.visible_students(sofia)
    assert sorted(child.first_name for child in children) == ["Elsa", "Hugo"]
    assert {e.school_class.name for e in Enrolment.objects.filter(student__in=children)} == {"4A", "5B"}
    # Withdrawn by a court: the register's later run no longer lists him (roster.demo).
    assert Guardianship.objects.exclude(ends_on=None).filter(guardian__username="marcus.wallin").exists()


def test_teachers_mentors_principal_and_administrator(demo: str) -> None:
    for school_class in _this_years_classes():
        assert Mentorship.objects.active().filter(school_class=school_class).count() == 1
        subjects = set(
            TeachingAssignment.objects.active()
            .filter(school_class=school_class)
            .values_list("subject__code", flat=True)
        )
        assert {"SV", "MA", "EN"} <= subjects
    assert StaffRole.objects.active().filter(role=StaffRole.Role.PRINCIPAL).count() == 1
    assert StaffRole.objects.active().filter(role=StaffRole.Role.SCHOOL_ADMIN).count() == 1


def logins() -> str:
    output = io.StringIO()
    call_command("demo_logins", stdout=output)
    return output.getvalue()


def test_printed_logins_work_and_staff_need_one_time_codes(demo: str) -> None:
    printed = logins()
    assert "elevdialog-demo" in printed
    usernames = [
        "elsa.lindqvist",
        "sofia.lindqvist",
        "sara.lind",
        "lars.berglund",
        "ahmed.hassan",
        "eva.lindgren",
        "birgitta.sundstrom",
    ]
    for username in usernames:
        assert username in printed
        assert authenticate(username=username, password="elevdialog-demo") is not None, username
    assert policy.requires_otp(User.objects.get(username="lars.berglund"))
    assert policy.requires_otp(User.objects.get(username="birgitta.sundstrom"))
    assert not policy.requires_otp(User.objects.get(username="sofia.lindqvist"))


def test_a_student_who_finished_year_9_in_2021_is_in_the_registrars_archive(demo: str) -> None:
    linnea = User.objects.get(username="linnea.forsberg")
    leaving = Leaving.objects.get(student=linnea, undone_at=None)
    assert (leaving.left_on, leaving.reason) == (datetime.date(2021, 6, 15), Leaving.Reason.FINISHED)
    assert leaving.recorded_at.date() == datetime.date(2021, 5, 20)  # recorded ahead, in May
    assert not Enrolment.objects.active().filter(student=linnea).exists()
    registrar = User.objects.get(username="birgitta.sundstrom")
    notes = archived_students(SchoolClass.objects.get(name="9A").school)
    assert [(note.student, note.school_class) for note in notes] == [
        (linnea, SchoolClass.objects.get(name="9A"))
    ]
    relation = policy.relation_to_student(registrar, linnea)
    assert relation.is_archived
    assert relation.may_read
    assert not policy.relation_to_student(User.objects.get(username="ahmed.hassan"), linnea).may_read
    guardian = policy.relation_to_student(User.objects.get(username="annika.forsberg"), linnea)
    assert guardian.may_read
    assert not guardian.may_write


def test_loading_twice_changes_nothing(demo: str) -> None:
    people = User.objects.count()
    memberships = Enrolment.objects.count() + Guardianship.objects.count()
    output = io.StringIO()
    call_command("seed_demo", stdout=output)
    assert "already loaded" in output.getvalue()
    assert "sofia.lindqvist" in logins()
    assert User.objects.count() == people
    assert Enrolment.objects.count() + Guardianship.objects.count() == memberships


def test_demo_one_time_code_command_prints_a_working_code(demo: str) -> None:
    from django_otp.plugins.otp_totp.models import TOTPDevice

    output = io.StringIO()
    call_command("demo_otp_code", "lars.berglund", stdout=output)
    code = output.getvalue().split("code: ")[1].split()[0]
    device = TOTPDevice.objects.get(user__username="lars.berglund")
    assert device.verify_token(code)
