"""The worker's side of the register sync: who may ask for a run, the queue that runs it,
and the nightly run (roster.jobs)."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.utils import timezone

from accounts.actions import SYSTEM
from accounts.actions import memberships as m
from accounts.actions import people as p
from accounts.errors import NotFound, Refused
from accounts.models import School, StaffRole, User
from notifications.kinds import periodic_jobs
from roster import jobs
from roster.models import RosterRun, RosterRunSchool, SourceLink
from roster.sources import configured_reader
from roster.sync import sync
from tests.support.cast import Cast

pytestmark = pytest.mark.django_db


@pytest.fixture
def configured(settings: Any, tmp_path: Any) -> Any:
    """A register is configured (a file that nothing here reads)."""
    settings.ROSTER_API_URL = ""
    settings.ROSTER_FILE = str(tmp_path / "roster.json")
    return settings


def _admin_of_other_school(cast: Cast) -> User:
    admin = p.create_person(SYSTEM, username="admin.soder", first_name="Siv", last_name="Söder")
    m.grant_staff_role(SYSTEM, admin, cast.other_school, StaffRole.Role.SCHOOL_ADMIN)
    return admin


def _local(day: datetime.date, hour: int, minute: int = 0) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, minute)))


# --- Who may ask ---------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["teacher", "principal", "registrar", "student", "guardian_1"])
def test_only_a_school_administrator_may_ask_for_a_run(cast: Cast, configured: Any, role: str) -> None:
    with pytest.raises(NotFound):
        jobs.request_sync(getattr(cast, role), cast.school.pk, dry_run=True)
    assert not RosterRun.objects.exists()


def test_an_administrator_of_another_school_is_told_the_school_does_not_exist(
    cast: Cast, configured: Any
) -> None:
    with pytest.raises(NotFound):
        jobs.request_sync(_admin_of_other_school(cast), cast.school.pk, dry_run=False)
    assert not RosterRun.objects.exists()


def test_a_school_administrator_queues_a_run_of_the_school(cast: Cast, configured: Any) -> None:
    run = jobs.request_sync(cast.school_admin, cast.school.pk, dry_run=True)
    run.refresh_from_db()
    assert (run.status, run.trigger, run.dry_run, run.school, run.requested_by) == (
        RosterRun.Status.QUEUED,
        RosterRun.Trigger.MANUAL,
        True,
        cast.school,
        cast.school_admin,
    )


def test_the_operator_and_the_system_may_ask(cast: Cast, configured: Any) -> None:
    by_operator = jobs.request_sync(cast.operator, cast.other_school.pk, dry_run=True)
    by_system = jobs.request_sync(SYSTEM, cast.school.pk, dry_run=False)
    assert by_operator.requested_by == cast.operator
    assert by_system.requested_by is None


def test_without_a_register_a_run_is_refused_with_the_reason(cast: Cast, settings: Any) -> None:
    settings.ROSTER_API_URL = ""
    settings.ROSTER_FILE = ""
    with pytest.raises(Refused) as refused:
        jobs.request_sync(cast.school_admin, cast.school.pk, dry_run=True)
    assert refused.value.code == "no_register"
    assert "Inget elevregister är inställt" in refused.value.message


def test_a_second_run_is_refused_while_the_first_waits_or_runs(cast: Cast, configured: Any) -> None:
    first = jobs.request_sync(cast.school_admin, cast.school.pk, dry_run=True)
    with pytest.raises(Refused) as refused:
        jobs.request_sync(cast.school_admin, cast.school.pk, dry_run=False)
    assert refused.value.code == "run_pending"
    RosterRun.objects.filter(pk=first.pk).update(status=RosterRun.Status.RUNNING, started_at=timezone.now())
    with pytest.raises(Refused):
        jobs.request_sync(cast.school_admin, cast.school.pk, dry_run=False)
    # Another school's run is no obstacle.
    assert jobs.request_sync(cast.operator, cast.other_school.pk, dry_run=True).school == cast.other_school
    RosterRun.objects.filter(pk=first.pk).update(status=RosterRun.Status.DONE, finished_at=timezone.now())
    assert jobs.request_sync(cast.school_admin, cast.school.pk, dry_run=False).dry_run is False


def test_a_run_is_refused_while_the_nightly_run_of_every_school_waits(cast: Cast, configured: Any) -> None:
    RosterRun.objects.create(trigger=RosterRun.Trigger.NIGHTLY, status=RosterRun.Status.QUEUED)
    with pytest.raises(Refused) as refused:
        jobs.request_sync(cast.school_admin, cast.school.pk, dry_run=True)
    assert "alla skolor" in refused.value.message


# --- The queue -----------------------------------------------------------------------------


def test_nothing_starts_while_another_run_is_running(cast: Cast, configured: Any) -> None:
    RosterRun.objects.create(
        trigger=RosterRun.Trigger.MANUAL,
        status=RosterRun.Status.RUNNING,
        started_at=timezone.now(),
        school=cast.school,
    )
    queued = jobs.request_sync(cast.operator, cast.other_school.pk, dry_run=True)
    assert jobs.claim_next() is None
    queued.refresh_from_db()
    assert queued.status == RosterRun.Status.QUEUED


def test_a_run_left_running_by_a_stopped_worker_is_failed_and_the_queue_moves_on(
    cast: Cast, configured: Any
) -> None:
    left = RosterRun.objects.create(
        trigger=RosterRun.Trigger.MANUAL,
        school=cast.school,
        status=RosterRun.Status.RUNNING,
        started_at=timezone.now() - jobs.STALE_AFTER - datetime.timedelta(minutes=1),
    )
    queued = jobs.request_sync(cast.operator, cast.other_school.pk, dry_run=True)
    claimed = jobs.claim_next()
    assert claimed is not None
    assert claimed.pk == queued.pk
    assert claimed.status == RosterRun.Status.RUNNING
    left.refresh_from_db()
    assert left.status == RosterRun.Status.FAILED
    assert "avbröts" in left.error


def test_a_queued_run_without_a_register_fails_with_the_reason(cast: Cast, configured: Any) -> None:
    queued = jobs.request_sync(cast.school_admin, cast.school.pk, dry_run=True)
    configured.ROSTER_FILE = ""
    assert jobs.run_queued() == 1
    queued.refresh_from_db()
    assert queued.status == RosterRun.Status.FAILED
    assert "Inget elevregister är inställt" in queued.error


def test_both_jobs_are_registered_with_the_worker() -> None:
    by_name = {job.name: job for job in periodic_jobs()}
    assert by_name["roster.queued"].run == jobs.run_queued
    assert by_name["roster.nightly"].run == jobs.run_nightly
    assert by_name["roster.queued"].every_seconds <= 30


# --- The nightly run -----------------------------------------------------------------------


def test_the_nightly_run_is_queued_once_a_day_after_its_time(configured: Any) -> None:
    configured.ROSTER_NIGHTLY_AT = "02:30"
    today = timezone.localdate()
    assert jobs.run_nightly(_local(today, 2, 29)) is None
    first = jobs.run_nightly(_local(today, 2, 31))
    assert first is not None
    assert (first.trigger, first.status, first.school) == (
        RosterRun.Trigger.NIGHTLY,
        RosterRun.Status.QUEUED,
        None,
    )
    # Asked for at that moment (the test's clock is not the database's).
    RosterRun.objects.filter(pk=first.pk).update(requested_at=_local(today, 2, 31))
    assert jobs.run_nightly(_local(today, 2, 45)) is None
    assert jobs.run_nightly(_local(today, 23, 59)) is None
    assert RosterRun.objects.filter(trigger=RosterRun.Trigger.NIGHTLY).count() == 1
    tomorrow = today + datetime.timedelta(days=1)
    assert jobs.run_nightly(_local(tomorrow, 2, 35)) is not None
    assert RosterRun.objects.filter(trigger=RosterRun.Trigger.NIGHTLY).count() == 2


def test_no_nightly_run_without_a_register(settings: Any) -> None:
    settings.ROSTER_API_URL = ""
    settings.ROSTER_FILE = ""
    assert jobs.run_nightly(_local(timezone.localdate(), 3)) is None
    assert not RosterRun.objects.exists()


def _weekday(number: int) -> datetime.date:
    today = timezone.localdate()
    return today + datetime.timedelta(days=(number - today.weekday()) % 7)


def _applied(mode: str, at: datetime.datetime, **fields: Any) -> RosterRun:
    return RosterRun.objects.create(
        trigger=RosterRun.Trigger.NIGHTLY,
        mode=mode,
        status=RosterRun.Status.DONE,
        read_started_at=at,
        finished_at=at,
        **fields,
    )


def test_the_first_nightly_run_is_full_then_incremental_and_full_on_sundays(configured: Any) -> None:
    wednesday = _weekday(2)
    night = _local(wednesday, 3)
    assert jobs.nightly_mode(night) == RosterRun.Mode.FULL
    _applied(RosterRun.Mode.FULL, night - datetime.timedelta(days=2))
    assert jobs.nightly_mode(night) == RosterRun.Mode.INCREMENTAL
    sunday = _local(_weekday(6), 3)
    assert jobs.nightly_mode(sunday) == RosterRun.Mode.FULL


def test_a_full_run_more_than_a_week_old_makes_the_next_night_full(configured: Any) -> None:
    night = _local(_weekday(2), 3)
    _applied(RosterRun.Mode.FULL, night - datetime.timedelta(days=9))
    _applied(RosterRun.Mode.INCREMENTAL, night - datetime.timedelta(days=1))
    assert jobs.nightly_mode(night) == RosterRun.Mode.FULL


def test_dry_runs_and_one_school_runs_do_not_count_as_the_last_full_read(cast: Cast, configured: Any) -> None:
    night = _local(_weekday(2), 3)
    _applied(RosterRun.Mode.FULL, night - datetime.timedelta(days=1), dry_run=True)
    _applied(RosterRun.Mode.FULL, night - datetime.timedelta(days=1), school=cast.school)
    assert jobs.nightly_mode(night) == RosterRun.Mode.FULL


# --- Against the real test server ----------------------------------------------------------


def test_a_queued_run_is_run_by_the_worker_against_the_register(ss12000: Any, municipality: Any) -> None:
    """A school administrator's run, queued and then run by the worker's job, reads the
    register over HTTP and applies the school's changes (a new student)."""
    reader = configured_reader()
    assert reader is not None
    first = sync(reader, trigger=RosterRun.Trigger.COMMAND)
    assert first.status == RosterRun.Status.DONE
    link = SourceLink.objects.get(kind=SourceLink.Kind.SCHOOL, source_id=municipality.school["id"])
    admin = p.create_person(SYSTEM, username="admin.bjork", first_name="Berit", last_name="Björk")
    m.grant_staff_role(SYSTEM, admin, School.objects.get(pk=link.local_id), StaffRole.Role.SCHOOL_ADMIN)
    municipality.add_student(municipality.school, municipality.class_4b, "Nils", "Nyström")
    ss12000.load(municipality.muni)
    ss12000.clear_log()

    queued = jobs.request_sync(admin, link.local_id, dry_run=False)
    assert jobs.run_queued() == 1
    assert jobs.run_queued() == 0  # nothing more waits

    queued.refresh_from_db()
    assert queued.status == RosterRun.Status.DONE, queued.error
    assert (queued.trigger, queued.requested_by, queued.started_at is not None) == (
        RosterRun.Trigger.MANUAL,
        admin,
        True,
    )
    assert queued.source == ss12000.url
    (result,) = queued.schools.all()
    assert result.status == RosterRunSchool.Status.APPLIED
    assert {"code": "add_student", "name": "Nils Nyström"}.items() <= next(
        change for change in result.changes if change["code"] == "add_student"
    ).items()
    assert User.objects.filter(first_name="Nils", last_name="Nyström").exists()
    assert ss12000.requests_to("/persons")  # read over HTTP


def test_a_dry_run_from_the_queue_changes_nothing(ss12000: Any, municipality: Any) -> None:
    reader = configured_reader()
    assert reader is not None
    sync(reader, trigger=RosterRun.Trigger.COMMAND)
    link = SourceLink.objects.get(kind=SourceLink.Kind.SCHOOL, source_id=municipality.school["id"])
    municipality.add_student(municipality.school, municipality.class_4b, "Nils", "Nyström")
    ss12000.load(municipality.muni)
    queued = jobs.request_sync(SYSTEM, link.local_id, dry_run=True)
    jobs.run_queued()
    queued.refresh_from_db()
    (result,) = queued.schools.all()
    assert result.status == RosterRunSchool.Status.PLANNED
    assert any(change["code"] == "add_student" for change in result.changes)
    assert not User.objects.filter(first_name="Nils", last_name="Nyström").exists()
