"""A data export names a protected guardian only to those who may see the name, as the
pages do: the child's other guardian's copy of the record says "En vårdnadshavare" where the
protected guardian wrote; her own copy names her."""

from __future__ import annotations

import json

import pytest

from accounts.actions import SYSTEM, identity
from accounts.models import SecurityMarking
from records.exports.actions import request_export
from records.models import DataExport
from tests.support.cast import Cast
from tests.support.exports import build_ready, full_page, open_zip

pytestmark = pytest.mark.django_db

PROTECTED = "Karin Andersson"  # guardian_1 of the cast


def _texts(export: DataExport) -> str:
    archive = open_zip(build_ready(export))
    return "\n".join(archive.read(name).decode("utf-8", "replace") for name in archive.namelist())


def _authors(export: DataExport) -> set[str]:
    archive = open_zip(build_ready(export))
    return {row["author"] for row in json.loads(archive.read("dialogue.message.json"))}


def test_the_other_guardians_copy_gives_the_label_where_the_protected_guardian_wrote(cast: Cast) -> None:
    full_page(cast)
    identity.set_security_marking(SYSTEM, cast.guardian_1, SecurityMarking.PROTECTED_REGISTRATION)
    others_copy = request_export(cast.guardian_2, scope=DataExport.Scope.STUDENT, subject_id=cast.student.pk)
    authors = _authors(others_copy)
    assert "En vårdnadshavare" in authors
    assert "Johan Berg" in authors  # the reader's own name, and the rest, as before
    assert PROTECTED not in _texts(others_copy)


def test_the_protected_guardians_own_copy_names_her(cast: Cast) -> None:
    full_page(cast)
    identity.set_security_marking(SYSTEM, cast.guardian_1, SecurityMarking.PROTECTED_REGISTRATION)
    own_copy = request_export(cast.guardian_1, scope=DataExport.Scope.STUDENT, subject_id=cast.student.pk)
    assert PROTECTED in _authors(own_copy)
