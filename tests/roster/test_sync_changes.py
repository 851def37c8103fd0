"""What changes in the register during the year reaches the school: a student moving class,
a guardianship ended, a teacher leaving an activity, a leaving, a new name; incrementally
too, with deletions."""

from __future__ import annotations

import datetime

import pytest

from accounts import policy
from accounts.models import Enrolment, Guardianship, Leaving, Mentorship, StaffRole, TeachingAssignment
from dialogue.models import StudentPage
from roster.models import RosterRun, RosterRunSchool
from roster.plan import removed_reason
from roster.sync import REGISTER_CLOCK_MARGIN
from tests.roster.conftest import SmallMunicipality
from tests.roster.sync_support import run, user_of
from tests.support.ss12000 import SS12000Server

pytestmark = pytest.mark.django_db

TODAY = datetime.date.today()


def only_school(result: RosterRun) -> RosterRunSchool:
    (school_run,) = result.schools.all()
    return school_run


def test_a_student_moving_class_mid_year(ss12000: SS12000Server, municipality: SmallMunicipality) -> None:
    run()
    elsa = user_of(municipality.students[0])
    page = StudentPage.objects.get(student=elsa)
    municipality.move_student(municipality.students[0], municipality.class_4a, municipality.class_4b, TODAY)
    ss12000.load(municipality.muni)

    school_run = only_school(run())

    old, new = Enrolment.objects.filter(student=elsa).order_by("starts_on")
    assert (old.school_class.name, old.ends_on) == ("4A", TODAY)
    assert (new.school_class.name, new.starts_on) == ("4B", TODAY)
    assert new.ends_on == municipality.muni.year_end + datetime.timedelta(days=1)
    assert old.end_reason  # the register's end, so a later change in the register may move it
    assert StudentPage.objects.get(student=elsa) == page  # the page (and its history) stays
    assert school_run.changes == [
        {"code": "move", "name": "Elsa Andersson", "from": "4A", "to": "4B", "on": TODAY.isoformat()}
    ]
    assert only_school(run()).status == RosterRunSchool.Status.UNCHANGED


def test_a_guardianship_ended_in_the_register_ends_access_that_day(
    ss12000: SS12000Server, municipality: SmallMunicipality
) -> None:
    run()
    student, guardian = municipality.students[1], municipality.guardians[2]
    hugo, anna = user_of(student), user_of(guardian)
    assert policy.relation_to_student(anna, hugo).is_guardian
    municipality.end_guardianship(student, guardian)
    ss12000.load(municipality.muni)

    school_run = only_school(run())

    ended = Guardianship.objects.get(guardian=anna, student=hugo)
    assert (ended.ends_on, ended.end_reason) == (TODAY, removed_reason())
    assert not policy.relation_to_student(anna, hugo).is_guardian
    assert policy.relation_to_student(user_of(municipality.guardians[3]), hugo).is_guardian
    assert school_run.counts == {"end_guardianship": 1}


def test_a_teachers_activity_ended(ss12000: SS12000Server, municipality: SmallMunicipality) -> None:
    run()
    activity = municipality.activity_for(municipality.class_4a, "MA")
    assert activity is not None
    last_day = TODAY - datetime.timedelta(days=1)
    municipality.end_activity_teacher(activity, municipality.teacher, last_day)
    ss12000.load(municipality.muni)

    school_run = only_school(run())

    assignment = TeachingAssignment.objects.get()
    assert assignment.ends_on == TODAY  # the first day after the last
    assert school_run.counts == {"end_teaching": 1}
    teacher = user_of(municipality.person_of(municipality.teacher))
    elsa = user_of(municipality.students[0])
    assert not policy.relation_to_student(teacher, elsa).taught_subject_ids
    assert Mentorship.objects.get().is_active()  # still the mentor


def test_a_leaving_in_the_register_starts_the_archive(
    ss12000: SS12000Server, municipality: SmallMunicipality
) -> None:
    run()
    maja = municipality.students[2]
    last_day = TODAY - datetime.timedelta(days=1)
    municipality.leave(maja, last_day)
    ss12000.load(municipality.muni)

    school_run = only_school(run())

    leaving = Leaving.objects.get(student=user_of(maja))
    assert (leaving.left_on, leaving.reason) == (TODAY, Leaving.Reason.OTHER)
    assert Enrolment.objects.get(student=user_of(maja)).ends_on == TODAY
    assert policy.relation_to_student(user_of(municipality.guardians[4]), user_of(maja)).is_archived
    assert [c["code"] for c in school_run.changes] == ["end_enrolment", "record_leaving"]
    assert only_school(run()).status == RosterRunSchool.Status.UNCHANGED


def test_a_new_name_and_a_protected_identity(ss12000: SS12000Server, municipality: SmallMunicipality) -> None:
    run()
    liam = municipality.students[3]
    municipality.rename(liam, family="Bergström")
    municipality.set_marking(liam, "Sekretessmarkering")
    ss12000.load(municipality.muni)

    school_run = only_school(run())

    user = user_of(liam)
    assert (user.last_name, user.is_protected) == ("Bergström", True)
    assert school_run.changes == [
        {
            "code": "update_person",
            "name": "Liam Bergström",
            "old": "Liam Berg",
            "fields": ["name", "security_marking"],
        }
    ]


def test_an_incremental_run_reads_only_changes_and_ends_what_was_deleted(
    ss12000: SS12000Server, municipality: SmallMunicipality
) -> None:
    first = run()
    assert first.read_started_at is not None
    hugo = municipality.students[1]
    municipality.rename(municipality.students[0], given="Elsa-Marie")
    # Only Maja changes (her class does not): her guardianship still ends.
    municipality.end_guardianship(municipality.students[2], municipality.guardians[4])
    municipality.delete("persons", hugo["id"])
    for group in (municipality.class_4a,):
        group["groupMemberships"] = [m for m in group["groupMemberships"] if m["person"]["id"] != hugo["id"]]
    municipality.delete("duties", municipality.principal["id"])
    ss12000.load(municipality.muni)
    ss12000.clear_log()

    second = run(mode=RosterRun.Mode.INCREMENTAL)

    # A margin before the last read began: the register's clock may run behind ours.
    assert second.modified_after == first.read_started_at - REGISTER_CLOCK_MARGIN
    persons_read = ss12000.requests_to("/persons")
    assert persons_read
    assert all(r.param("meta.modified.after") or r.param("pageToken") for r in persons_read)
    school_run = only_school(second)
    codes = sorted(c["code"] for c in school_run.changes)
    assert codes == [
        "end_enrolment",
        "end_guardianship",
        "end_guardianship",
        "end_guardianship",
        "end_staff_role",
        "update_person",
    ]
    hugo_user = user_of(hugo)
    assert Enrolment.objects.get(student=hugo_user).ends_on == TODAY
    assert not Guardianship.objects.active().filter(student=hugo_user).exists()
    assert StaffRole.objects.get().ends_on == TODAY
    assert user_of(municipality.students[0]).first_name == "Elsa-Marie"
    # Untouched: the other students' enrolments and guardianships.
    assert Enrolment.objects.active().count() == 3
    third = run(mode=RosterRun.Mode.INCREMENTAL)
    assert second.read_started_at is not None
    assert third.modified_after == second.read_started_at - REGISTER_CLOCK_MARGIN
    assert only_school(third).status == RosterRunSchool.Status.UNCHANGED


def test_a_change_the_register_stamped_just_before_the_last_read_is_not_missed(
    ss12000: SS12000Server, municipality: SmallMunicipality
) -> None:
    first = run()
    assert first.read_started_at is not None
    # The register's clock runs five minutes behind ours: its change carries a time from
    # before our last read began.
    municipality.set_clock(first.read_started_at - datetime.timedelta(minutes=5))
    municipality.rename(municipality.students[0], given="Elsa-Marie")
    ss12000.load(municipality.muni)

    second = run(mode=RosterRun.Mode.INCREMENTAL)

    assert [c["code"] for c in only_school(second).changes] == ["update_person"]
    assert user_of(municipality.students[0]).first_name == "Elsa-Marie"


def test_moving_to_another_school_of_ours_is_not_leaving(
    ss12000: SS12000Server, municipality: SmallMunicipality
) -> None:
    other = municipality.add_school("Ekbackens skola", "87654321")
    class_5a = municipality.add_class(other, "4C")
    ss12000.load(municipality.muni)
    run()
    liam = municipality.students[3]
    municipality.move_student(liam, municipality.class_4b, class_5a, TODAY)
    ss12000.load(municipality.muni)

    result = run()

    assert result.status == RosterRun.Status.DONE
    student = user_of(liam)
    old, new = Enrolment.objects.filter(student=student).order_by("starts_on")
    assert (old.school_class.name, old.ends_on) == ("4B", TODAY)
    assert (new.school_class.name, new.school_class.school.name, new.starts_on) == (
        "4C",
        "Ekbackens skola",
        TODAY,
    )
    assert not Leaving.objects.exists()
    assert Guardianship.objects.active().filter(student=student).count() == 2
    assert StudentPage.objects.filter(student=student).count() == 1
