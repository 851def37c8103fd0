"""Building an export: the worker claims it with a lease, writes the ZIP from the register
alone (a JSON file per kind with the right count, the schema, a readable HTML copy, the
stored files), and nothing about any other child is in it."""

from __future__ import annotations

import datetime
import json

import pytest
from django.utils import timezone

from accounts.held import kinds
from notifications.kinds import periodic_jobs
from records.exports import jobs
from records.exports.actions import request_export
from records.models import DataExport
from tests.support.cast import Cast
from tests.support.exports import (
    CLASSMATE_MESSAGES,
    CLASSMATE_POST,
    build_ready,
    busy_classmate,
    full_page,
    open_zip,
)
from writing.uploads import private_storage

PERSON, STUDENT = DataExport.Scope.PERSON, DataExport.Scope.STUDENT


def test_the_worker_runs_the_export_job_every_few_seconds() -> None:
    job = next(job for job in periodic_jobs() if job.name == "records.exports")
    assert job.every_seconds <= 5


def test_a_built_export_is_ready_for_seven_days_in_private_storage(cast: Cast) -> None:
    export = build_ready(request_export(cast.teacher, scope=PERSON, subject_id=cast.teacher.pk))
    assert export.status == DataExport.Status.READY
    assert export.progress == 100
    assert export.file.startswith("exports/")
    assert export.file.endswith(".zip")
    assert private_storage().size(export.file) == export.size > 0
    assert export.ready_at is not None
    assert export.expires_at == export.ready_at + datetime.timedelta(days=7)
    assert export.claimed_until is None


def test_a_claimed_export_is_not_claimed_twice_until_its_lease_runs_out(cast: Cast) -> None:
    export = request_export(cast.student, scope=PERSON, subject_id=cast.student.pk)
    claimed = jobs.claim_next()
    assert claimed is not None
    assert claimed.pk == export.pk
    assert claimed.status == DataExport.Status.BUILDING
    assert jobs.claim_next() is None
    # The worker died: once the lease is over the next round builds it again.
    later = timezone.now() + jobs.LEASE + datetime.timedelta(seconds=1)
    again = jobs.claim_next(now=later)
    assert again is not None
    assert again.pk == export.pk
    assert again.attempts == 2


def test_a_build_that_keeps_crashing_fails_after_a_few_attempts(cast: Cast) -> None:
    export = request_export(cast.student, scope=PERSON, subject_id=cast.student.pk)
    now = timezone.now()
    for _attempt in range(jobs.MAX_ATTEMPTS):
        assert jobs.claim_next(now=now) is not None
        now += jobs.LEASE + datetime.timedelta(seconds=1)
    assert jobs.claim_next(now=now) is None
    export.refresh_from_db()
    assert export.status == DataExport.Status.FAILED


def test_a_build_whose_lease_was_taken_over_leaves_no_file_behind(cast: Cast) -> None:
    export = request_export(cast.student, scope=PERSON, subject_id=cast.student.pk)
    before = set(_stored_exports())
    slow = jobs.claim_next()
    assert slow is not None
    later = timezone.now() + jobs.LEASE + datetime.timedelta(seconds=1)
    fast = jobs.claim_next(now=later)
    assert fast is not None
    jobs.build(fast)
    jobs.build(slow)  # finishes late: its ZIP is thrown away
    export.refresh_from_db()
    assert export.status == DataExport.Status.READY
    assert set(_stored_exports()) - before == {export.file.removeprefix("exports/")}


def _stored_exports() -> list[str]:
    storage = private_storage()
    return storage.listdir("exports")[1] if storage.exists("exports") else []


def test_expired_exports_lose_their_file_and_say_so(cast: Cast) -> None:
    export = build_ready(request_export(cast.student, scope=PERSON, subject_id=cast.student.pk))
    assert jobs.expire_due(now=timezone.now() + datetime.timedelta(days=6)) == 0
    assert jobs.expire_due(now=timezone.now() + datetime.timedelta(days=7, seconds=1)) == 1
    name = export.file
    export.refresh_from_db()
    assert (export.status, export.file) == (DataExport.Status.EXPIRED, "")
    assert not private_storage().exists(name)


def test_the_students_export_holds_every_declared_kind_with_rows_about_the_student(cast: Cast) -> None:
    objects = full_page(cast)
    busy_classmate(cast)
    export = build_ready(request_export(cast.guardian_1, scope=STUDENT, subject_id=cast.student.pk))
    archive = open_zip(export)
    names = set(archive.namelist())
    expected = {}
    for kind in kinds():
        rows = kind.rows_about_student(cast.student.pk)
        if rows is not None and rows.exists():
            expected[kind.name] = rows.count()
    # The page's documents are all there (the seed reaches every part of the page).
    for name in (
        "dialogue.message",
        "dialogue.attachment",
        "dialogue.assessment",
        "dialogue.goal",
        "dialogue.selfassessment",
        "dialogue.developmenttalk",
        "dialogue.actionprogramme",
        "classblog.post",
        "notifications.notification",
    ):
        assert name in expected, name
    for name, count in expected.items():
        assert f"{name}.json" in names, name
        assert len(json.loads(archive.read(f"{name}.json"))) == count, name
    schema = json.loads(archive.read("schema.json"))
    assert set(schema) == {kind.name for kind in kinds()}
    assert all(entry["fields"] and entry["label"] for entry in schema.values())
    # The guardian's drawing is among the files.
    drawing = objects["attachment"].file.name.rsplit("/", 1)[-1]
    assert any(name.startswith("files/") and name.endswith(drawing) for name in names)


def test_nothing_about_a_classmate_is_in_the_students_export(cast: Cast) -> None:
    full_page(cast)
    busy_classmate(cast)
    export = build_ready(request_export(cast.student, scope=STUDENT, subject_id=cast.student.pk))
    archive = open_zip(export)
    classmate = cast.other_student
    forbidden = {
        classmate.first_name,
        classmate.last_name,
        classmate.username,
        cast.other_guardian.username,
        *CLASSMATE_MESSAGES,
        *CLASSMATE_POST,
    }
    found = []
    for name in archive.namelist():
        text = name + "\n" + archive.read(name).decode("utf-8", errors="replace")
        found += [(name, word) for word in forbidden if word in text]
    assert found == []
    # (The search does find what is there: the student's own name and words.)
    everything = "".join(archive.read(name).decode("utf-8", errors="replace") for name in archive.namelist())
    assert cast.student.first_name in everything
    assert "Han heter Sixten." in everything


def test_the_readable_copy_is_self_contained_and_in_the_requesters_language(cast: Cast) -> None:
    full_page(cast)
    cast.guardian_2.language = "en"
    cast.guardian_2.save(update_fields=["language"])
    english = build_ready(request_export(cast.guardian_2, scope=STUDENT, subject_id=cast.student.pk))
    swedish = build_ready(request_export(cast.guardian_1, scope=STUDENT, subject_id=cast.student.pk))
    page_en = open_zip(english).read("index.html").decode()
    page_sv = open_zip(swedish).read("index.html").decode()
    assert '<html lang="en">' in page_en
    assert "Personal data held by Elevdialog" in page_en
    assert '<html lang="sv">' in page_sv
    assert "Personuppgifter" in page_sv
    for page in (page_en, page_sv):
        assert "<script" not in page
        assert "src=" not in page
        assert "href=" not in page
        assert page.count("<section") == len(
            [1 for kind in kinds() if kind.rows_about_student(cast.student.pk) is not None]
        )
        assert "Han heter Sixten." in page


def test_a_teachers_own_export_holds_their_account_memberships_and_what_they_wrote(cast: Cast) -> None:
    full_page(cast)
    export = build_ready(request_export(cast.teacher, scope=PERSON, subject_id=cast.teacher.pk))
    archive = open_zip(export)

    def rows(name: str) -> list[dict[str, object]]:
        return json.loads(archive.read(f"{name}.json"))

    assert [row["username"] for row in rows("accounts.user")] == [cast.teacher.username]
    assert len(rows("accounts.teachingassignment")) == 1
    assert len(rows("accounts.mentorship")) == 1
    written = json.dumps(rows("dialogue.message"), ensure_ascii=False)
    assert "Anna har jobbat bra i veckan." in written
    assert "Tack! Jag gillar matte." not in written  # the student's message is the student's
    assert "Vi var vid älven." not in json.dumps(rows("classblog.post"), ensure_ascii=False)


pytestmark = pytest.mark.django_db
