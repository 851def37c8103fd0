"""A data export never holds a civic number of anyone: not a guardian's copy of their child's
record (not even the child's number), not the guardian's own copy, not the child's."""

from __future__ import annotations

import pytest

from accounts.actions import SYSTEM, identity
from accounts.models import SecurityMarking
from records.exports.actions import request_export
from records.models import DataExport
from tests.support.cast import Cast
from tests.support.exports import build_ready, busy_classmate, full_page, open_zip

pytestmark = pytest.mark.django_db

NUMBERS = {
    "student": "201506152386",
    "guardian_1": "198112189876",
    "guardian_2": "197905122383",
    "teacher": "197001012389",
    "other_student": "201502282385",
}


def _forms(number: str) -> set[str]:
    return {number, f"{number[:8]}-{number[8:]}", number[2:], f"{number[2:8]}-{number[8:]}"}


def _give_numbers(cast: Cast) -> None:
    for role, number in NUMBERS.items():
        identity.set_civic_number(SYSTEM, getattr(cast, role), number)
    identity.set_security_marking(SYSTEM, cast.guardian_1, SecurityMarking.PROTECTED_REGISTRATION)


def _texts(export: DataExport) -> str:
    archive = open_zip(build_ready(export))
    return "\n".join(archive.read(name).decode("utf-8", "replace") for name in archive.namelist())


def test_no_export_holds_a_civic_number_of_anyone(cast: Cast) -> None:
    _give_numbers(cast)
    full_page(cast)
    busy_classmate(cast)
    exports = {
        "the guardian's copy of the child's record": request_export(
            cast.guardian_2, scope=DataExport.Scope.STUDENT, subject_id=cast.student.pk
        ),
        "the guardian's own copy": request_export(
            cast.guardian_1, scope=DataExport.Scope.PERSON, subject_id=cast.guardian_1.pk
        ),
        "the student's own copy": request_export(
            cast.student, scope=DataExport.Scope.PERSON, subject_id=cast.student.pk
        ),
    }
    every_form = set().union(*(_forms(number) for number in NUMBERS.values()))
    for what, export in exports.items():
        text = _texts(export)
        assert "Anna" in text, what  # the export is there, with names
        found = [form for form in every_form if form in text]
        assert found == [], what
