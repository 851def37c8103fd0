"""The student's personal data export holds the requests for their records, the maskings,
and the released copy and the decision as PDF files."""

from __future__ import annotations

import json

import pytest

from records.exports.actions import request_export
from records.models import DataExport
from tests.support.cast import Cast
from tests.support.dialogue import dialogue_objects
from tests.support.exports import build_ready, open_zip
from tests.support.release import released_with_masking
from writing.uploads import private_storage

pytestmark = pytest.mark.django_db


def read(name: str) -> bytes:
    with private_storage().open(name, "rb") as stored:
        return bytes(stored.read())


def test_the_students_export_holds_the_request_its_maskings_its_copy_and_its_decision(cast: Cast) -> None:
    objects = dialogue_objects(cast)
    request = released_with_masking(cast, objects["message"], "ritat")
    export = build_ready(
        request_export(cast.guardian_1, scope=DataExport.Scope.STUDENT, subject_id=cast.student.pk)
    )
    archive = open_zip(export)
    requests = json.loads(archive.read("records.releaserequest.json"))
    assert len(requests) == 1
    row = requests[0]
    assert row["reference"] == request.reference
    assert row["requester"] == "Jon Journalist"
    assert row["outcome"] == "masked"
    assert row["handler"] == cast.registrar.display_name
    assert "requester_contact" not in row  # who received the records, not where they live
    assert "jon@example.org" not in archive.read("records.releaserequest.json").decode()
    maskings = json.loads(archive.read("records.masking.json"))
    assert [(m["request"], m["document"], m["ground"]) for m in maskings] == [
        (request.pk, "message", "23 kap. 2 § OSL")
    ]
    folder = f"files/records.releaserequest/{request.pk}/"
    files = {
        name[len(folder) :]: archive.read(name) for name in archive.namelist() if name.startswith(folder)
    }
    assert files == {
        request.copy_pdf.rsplit("/", 1)[-1]: read(request.copy_pdf),
        request.decision_pdf.rsplit("/", 1)[-1]: read(request.decision_pdf),
    }
    # The readable index names the request too.
    assert request.reference in archive.read("index.html").decode()


def test_a_persons_own_export_holds_no_request_for_the_students_records(cast: Cast) -> None:
    objects = dialogue_objects(cast)
    released_with_masking(cast, objects["message"], "ritat")
    for person in (cast.registrar, cast.student):
        export = build_ready(request_export(person, scope=DataExport.Scope.PERSON, subject_id=person.pk))
        names = open_zip(export).namelist()
        assert "records.releaserequest.json" not in names
        assert not any(name.startswith("files/records.releaserequest") for name in names)
