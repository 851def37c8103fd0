"""The export pages: "My data", the status a page's script follows, and the download: only
the requester, only for seven days, streamed, never cached, and logged."""

from __future__ import annotations

import datetime
import io
import zipfile
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.actions import SYSTEM
from accounts.actions import memberships as m
from accounts.models import Guardianship, StaffRole
from accounts.openings import opened
from records.exports.actions import request_export
from records.models import DataExport
from tests.support.cast import Cast
from tests.support.clients import verified_client
from tests.support.exports import build_ready

PERSON, STUDENT = DataExport.Scope.PERSON, DataExport.Scope.STUDENT


def _download(export: DataExport) -> str:
    return reverse("export-download", args=[export.pk])


def test_a_guardian_sees_a_button_per_child_and_a_student_one_for_their_page(cast: Cast) -> None:
    page = verified_client(cast.guardian_1).get(reverse("my-data")).content.decode()
    assert "Ladda ned allt om Anna" in page
    assert "Olle" not in page
    page = verified_client(cast.student).get(reverse("my-data")).content.decode()
    assert f'id="student-{cast.student.pk}"' in page
    page = verified_client(cast.teacher).get(reverse("my-data")).content.decode()
    assert 'name="scope" value="student"' not in page


def test_asking_on_the_page_queues_the_export_and_shows_it_in_progress(cast: Cast) -> None:
    client = verified_client(cast.guardian_1)
    response = client.post(reverse("export-request"), {"scope": "student", "subject": str(cast.student.pk)})
    export = DataExport.objects.get()
    assert response.status_code == 302
    assert response["Location"].endswith(f"#export-{export.pk}")
    page = client.get(reverse("my-data")).content.decode()
    assert reverse("export-status", args=[export.pk]) in page
    assert "frontend/exports" in page  # the script that follows the progress
    status = client.get(reverse("export-status", args=[export.pk])).json()
    assert status["in_progress"]
    assert status["download_url"] == ""


def test_a_ready_export_shows_its_download_link_and_expiry(cast: Cast) -> None:
    export = build_ready(request_export(cast.guardian_1, scope=STUDENT, subject_id=cast.student.pk))
    client = verified_client(cast.guardian_1)
    page = client.get(reverse("my-data")).content.decode()
    assert _download(export) in page
    status = client.get(reverse("export-status", args=[export.pk])).json()
    assert status == status | {"status": "ready", "in_progress": False, "download_url": _download(export)}


def test_the_download_is_the_zip_streamed_and_never_cached(cast: Cast) -> None:
    export = build_ready(request_export(cast.teacher, scope=PERSON, subject_id=cast.teacher.pk))
    response = verified_client(cast.teacher).get(_download(export))
    assert response.status_code == 200
    assert response.streaming
    assert response["Content-Type"] == "application/zip"
    assert "no-store" in response["Cache-Control"]
    archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))  # type: ignore[attr-defined]
    assert "index.html" in archive.namelist()
    assert "schema.json" in archive.namelist()


def test_nobody_but_the_requester_can_download_or_follow_an_export(cast: Cast) -> None:
    export = build_ready(request_export(cast.guardian_1, scope=STUDENT, subject_id=cast.student.pk))
    for person in (
        cast.guardian_2,
        cast.student,
        cast.teacher,
        cast.principal,
        cast.other_guardian,
        cast.operator,
    ):
        client = verified_client(person)
        assert client.get(_download(export)).status_code == 404
        assert client.get(reverse("export-status", args=[export.pk])).status_code == 404


def test_a_guardian_whose_guardianship_ended_can_no_longer_download(cast: Cast) -> None:
    export = build_ready(request_export(cast.guardian_2, scope=STUDENT, subject_id=cast.student.pk))
    guardianship = Guardianship.objects.get(guardian=cast.guardian_2, student=cast.student)
    m.end_membership(SYSTEM, guardianship, ends_on=timezone.localdate(), reason="Court decision")
    assert verified_client(cast.guardian_2).get(_download(export)).status_code == 404


def test_after_seven_days_the_download_says_the_copy_expired_and_how_to_ask_again(cast: Cast) -> None:
    export = build_ready(request_export(cast.guardian_1, scope=STUDENT, subject_id=cast.student.pk))
    DataExport.objects.filter(pk=export.pk).update(expires_at=timezone.now() - datetime.timedelta(seconds=1))
    response = verified_client(cast.guardian_1).get(_download(export))
    assert response.status_code == 410
    page = response.content.decode()
    assert "Kopian har gått ut" in page
    assert reverse("my-data") in page
    assert "no-store" in response["Cache-Control"]


def test_each_download_of_a_student_export_is_one_opening_of_the_students_records(cast: Cast) -> None:
    export = build_ready(request_export(cast.guardian_1, scope=STUDENT, subject_id=cast.student.pk))
    heard: list[dict[str, Any]] = []

    def listen(sender: object, **kwargs: Any) -> None:
        heard.append(kwargs)

    opened.connect(listen, dispatch_uid="test-export-download")
    try:
        client = verified_client(cast.guardian_1)
        assert client.get(_download(export)).status_code == 200
        verified_client(cast.guardian_2).get(_download(export))  # refused: records nothing
    finally:
        opened.disconnect(dispatch_uid="test-export-download")
    assert len(heard) == 1
    assert heard[0] | {"relation": None} == {
        "viewer_id": cast.guardian_1.pk,
        "student_id": cast.student.pk,
        "what": "export",
        "object_id": export.pk,
        "relation": None,
        "channel": "page",
        "at": None,
        "signal": opened,
    }
    export.refresh_from_db()
    assert export.downloads == 1
    assert export.last_downloaded_at is not None


def test_a_person_export_counts_its_downloads_without_an_opening(cast: Cast) -> None:
    export = build_ready(request_export(cast.teacher, scope=PERSON, subject_id=cast.teacher.pk))
    heard: list[object] = []
    opened.connect(
        lambda sender, **kwargs: heard.append(kwargs), dispatch_uid="test-export-person", weak=False
    )
    try:
        client = verified_client(cast.teacher)
        client.get(_download(export))
        client.get(_download(export))
    finally:
        opened.disconnect(dispatch_uid="test-export-person")
    export.refresh_from_db()
    assert (export.downloads, heard) == (2, [])


def test_the_registrar_makes_a_copy_with_the_requests_reference(cast: Cast) -> None:
    start = timezone.localdate() - datetime.timedelta(days=30)
    m.grant_staff_role(SYSTEM, cast.school_admin, cast.school, StaffRole.Role.REGISTRAR, starts_on=start)
    client = verified_client(cast.school_admin)
    page = client.get(reverse("registrar-exports")).content.decode()
    assert cast.student.username in page
    assert cast.other_student.username in page
    assert cast.class_5c.school.name not in page
    response = client.post(
        reverse("registrar-exports"), {"student": str(cast.student.pk), "reference": "Dnr 2026:117"}
    )
    assert response.status_code == 302
    export = DataExport.objects.get()
    assert (export.subject, export.reference, export.requested_by) == (
        cast.student,
        "Dnr 2026:117",
        cast.school_admin,
    )


def test_the_registrars_page_is_missing_for_everyone_else(cast: Cast) -> None:
    assert verified_client(cast.principal).get(reverse("registrar-exports")).status_code == 404


pytestmark = pytest.mark.django_db


# session, user, OTP requirement (family) or the verified device (staff).
OVERHEAD = 3


def _queries(client: Any, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_my_data_takes_the_same_few_queries_however_many_copies_were_asked_for(cast: Cast) -> None:
    client = verified_client(cast.guardian_1)
    build_ready(request_export(cast.guardian_1, scope=STUDENT, subject_id=cast.student.pk))
    # The copies, whether a student, the children, whether a registrar.
    assert _queries(client, reverse("my-data")) == OVERHEAD + 4
    for _round in range(4):
        build_ready(request_export(cast.guardian_1, scope=STUDENT, subject_id=cast.student.pk))
        request_export(cast.guardian_1, scope=PERSON, subject_id=cast.guardian_1.pk)
    assert _queries(client, reverse("my-data")) == OVERHEAD + 4
