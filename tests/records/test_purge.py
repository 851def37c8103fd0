"""Retention: nothing is removed before its date; at the date every row and file about the
student is gone (counted per kind through the register, files checked on disk), while the
classmate, the later year's blog and the school stay."""

from __future__ import annotations

import datetime
import io
import json
import re

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from accounts.actions import SYSTEM
from accounts.actions import memberships as m
from accounts.actions.leaving import undo_leaving
from accounts.models import Guardianship, Leaving, User
from classblog.models import ClassBlog, Post
from records.models import PendingFileRemoval, PurgeLog
from records.retention.due import NotDue, due_students
from records.retention.purge import purge_one_student, run_purge
from records.retention.rules import add_years
from tests.support.blog import classmate
from tests.support.cast import Cast
from tests.support.purge import (
    all_counts,
    build_world,
    counts_about,
    counts_in_blog,
    on_disk,
    record_leaving,
)
from writing.uploads import private_storage

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def only_the_students_of_each_test(cast: Cast) -> None:
    """The cast's left student (who left yesterday) would come due in the years these tests
    move the clock through: their leaving is undone, as an administrator would."""
    undo_leaving(SYSTEM, Leaving.objects.get(student=cast.left_student, undone_at__isnull=True).pk)


def left_on(cast: Cast) -> datetime.date:
    """The student moved abroad a month before the school year ended (so 4A's blog, kept
    from the year's end, comes due a month after the student)."""
    return cast.class_4a.school_year.ends_on - datetime.timedelta(days=30)


def test_nothing_is_removed_a_day_before_five_years_and_everything_about_the_student_at_five(
    cast: Cast,
) -> None:
    world = build_world(cast)
    leaving = left_on(cast)
    record_leaving(cast.student, leaving)
    student_id = cast.student.pk
    before = counts_about(student_id)
    others = all_counts(world)
    assert sum(before.values()) > 30
    assert all(on_disk(name) for name in world.files)
    assert {k for k, n in before.items() if n} >= {
        "accounts.user",
        "accounts.enrolment",
        "accounts.guardianship",
        "accounts.leaving",
        "dialogue.studentpage",
        "dialogue.message",
        "dialogue.attachment",
        "dialogue.assessment",
        "dialogue.goal",
        "dialogue.selfassessment",
        "dialogue.developmenttalk",
        "dialogue.actionprogramme",
        "classblog.post",
        "classblog.postfile",
        "notifications.notification",
        "records.opening",
        "records.releaserequest",
        "records.masking",
    }

    almost = add_years(leaving, 5) - datetime.timedelta(days=1)  # four years and 364 days
    result = run_purge(almost)
    assert not result.students
    assert not result.blogs
    assert counts_about(student_id) == before
    assert all_counts(world) == others

    run_purge(add_years(leaving, 5))
    assert {kind: n for kind, n in counts_about(student_id).items() if n} == {}
    assert not any(on_disk(name) for name in world.files)
    assert all(on_disk(name) for name in world.classmate_files)
    assert all_counts(world) == others
    assert not User.objects.filter(
        pk__in=[cast.guardian_1.pk, cast.guardian_2.pk, cast.withdrawn_guardian.pk]
    )
    teachers_post = Post.objects.get(title="Läxa till fredag")  # 4A's blog is kept a month longer

    blog_4a = ClassBlog.objects.get(school_class=cast.class_4a)
    run_purge(add_years(cast.class_4a.school_year.ends_on, 5))
    assert not Post.objects.filter(pk=teachers_post.pk).exists()
    assert {kind: n for kind, n in counts_in_blog(blog_4a.pk).items() if n} == {}
    assert all_counts(world) == others  # the next year's blog, the school, the classmate


def test_purge_before_the_date_is_refused_and_says_when(cast: Cast) -> None:
    record_leaving(cast.student, datetime.date(2021, 6, 15), "finished")
    before = counts_about(cast.student.pk)
    with pytest.raises(NotDue) as refused:
        purge_one_student(cast.student.pk, datetime.date(2026, 6, 14))
    assert refused.value.due_on == datetime.date(2026, 6, 15)
    assert "2026-06-15" in str(refused.value)
    assert counts_about(cast.student.pk) == before


def test_the_command_refuses_one_student_before_the_date_with_a_non_zero_exit(cast: Cast) -> None:
    record_leaving(cast.student, datetime.date.today() - datetime.timedelta(days=30))
    with pytest.raises(CommandError, match="may be removed from"):
        call_command("purge_records", "--student", str(cast.student.pk))
    with pytest.raises(CommandError, match="no standing leaving"):
        call_command("purge_records", "--student", str(cast.other_student.pk))
    assert User.objects.filter(pk=cast.student.pk).exists()


def test_a_leaving_on_29_february_is_due_on_28_february_five_years_later() -> None:
    assert add_years(datetime.date(2024, 2, 29), 5) == datetime.date(2029, 2, 28)
    assert add_years(datetime.date(2021, 6, 15), 5) == datetime.date(2026, 6, 15)


def test_an_undone_leaving_is_never_purged(cast: Cast) -> None:
    leaving = record_leaving(cast.student, datetime.date(2015, 6, 15))
    leaving.undone_at = leaving.recorded_at
    leaving.save(update_fields=["undone_at"])  # as the archive's undo does
    before = counts_about(cast.student.pk)
    assert due_students() == []
    run_purge()
    assert counts_about(cast.student.pk) == before
    with pytest.raises(NotDue):
        purge_one_student(cast.student.pk)


def test_the_dry_run_removes_nothing_and_reports_the_registers_counts(
    cast: Cast, capsys: pytest.CaptureFixture[str]
) -> None:
    world = build_world(cast)
    record_leaving(cast.student, datetime.date(2019, 6, 15), "finished")
    before = counts_about(cast.student.pk)
    others = all_counts(world)

    result = run_purge(dry_run=True)
    ((due, removal),) = result.students
    assert due.student_id == cast.student.pk
    student_rows = {kind: n for kind, n in before.items() if n}
    guardians = removal.guardians
    assert guardians == 3  # guardian_1, guardian_2 and the withdrawn guardian: no other ward
    for kind, n in student_rows.items():
        assert removal.counts[kind] >= n, kind  # the guardians' own rows come on top
    assert removal.counts["accounts.user"] == 1 + guardians
    assert sorted(removal.files) == sorted(world.files)

    call_command("purge_records", "--dry-run")
    out = capsys.readouterr().out
    assert f"Student #{cast.student.pk}: left 2019-06-15 (finished), due 2024-06-15; would remove:" in out
    assert re.search(rf"\n +dialogue\.message +{removal.counts['dialogue.message']}\n", out)
    for secret in (
        cast.student.first_name,
        cast.student.last_name,
        cast.student.username,
        cast.guardian_1.last_name,
    ):
        assert secret not in out
    assert counts_about(cast.student.pk) == before
    assert all_counts(world) == others
    assert all(on_disk(name) for name in world.files)
    assert not PurgeLog.objects.exists()

    purged = run_purge()
    ((_due, real),) = purged.students
    assert real.counts == removal.counts
    assert real.guardians == guardians


def test_running_twice_changes_nothing_the_second_time(cast: Cast) -> None:
    world = build_world(cast)
    record_leaving(cast.student, datetime.date(2019, 6, 15))
    run_purge()
    after = all_counts(world)
    logs = PurgeLog.objects.count()
    second = run_purge()
    assert not second.students
    assert not second.blogs
    assert not second.files_finished
    assert all_counts(world) == after
    assert PurgeLog.objects.count() == logs
    with pytest.raises(NotDue, match="no standing leaving"):
        purge_one_student(cast.student.pk)


def test_a_guardian_left_alone_is_removed_while_one_with_another_child_or_a_staff_role_stays(
    cast: Cast,
) -> None:
    mate, _parent = classmate(cast)
    start = cast.class_4a.school_year.starts_on
    m.add_guardianship(SYSTEM, cast.guardian_2, mate, starts_on=start)  # another child
    m.add_guardianship(SYSTEM, cast.teacher, cast.student, starts_on=start)  # a teacher who is a guardian
    record_leaving(cast.student, datetime.date(2019, 6, 15))

    result = run_purge()
    assert result.students[0][1].guardians == 2
    remaining = set(User.objects.values_list("pk", flat=True))
    assert cast.guardian_1.pk not in remaining
    assert cast.withdrawn_guardian.pk not in remaining
    assert {cast.guardian_2.pk, cast.teacher.pk, mate.pk} <= remaining
    assert Guardianship.objects.filter(guardian=cast.guardian_2, student=mate).exists()
    assert not Guardianship.objects.filter(student_id=cast.student.pk).exists()


def test_the_purge_log_holds_counts_per_kind_and_nothing_about_the_person(cast: Cast) -> None:
    build_world(cast)
    record_leaving(cast.student, datetime.date(2019, 6, 15))
    student = cast.student
    preview = run_purge(dry_run=True).students[0][1]
    run_purge()

    (entry,) = PurgeLog.objects.all()
    assert (entry.rule, entry.years, entry.subjects, entry.files) == (
        "student_records",
        5,
        1,
        len(preview.files),
    )
    # Every number in the log is a count the register gave: no id of a person can hide in it.
    assert entry.counts == dict(preview.counts)
    text = json.dumps(
        {field.name: str(getattr(entry, field.name)) for field in PurgeLog._meta.fields}, ensure_ascii=False
    )
    for secret in (student.first_name, student.last_name, student.username, cast.guardian_1.username):
        assert secret not in text


def test_a_run_first_finishes_the_file_removals_a_killed_run_left(cast: Cast) -> None:
    storage = private_storage()
    name = storage.save("0/left-behind.png", io.BytesIO(b"png"))
    PendingFileRemoval.objects.create(storage_name=name)
    result = run_purge()
    assert result.files_finished == 1
    assert not on_disk(name)
    assert not PendingFileRemoval.objects.exists()
