"""Asking for a personal data export: who may ask for whose data, and one in progress at a
time per requester and subject."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from accounts.actions import SYSTEM
from accounts.actions import memberships as m
from accounts.errors import NotFound, Refused
from accounts.models import StaffRole
from records.exports.actions import request_export
from records.models import DataExport
from tests.support.cast import Cast

PERSON, STUDENT = DataExport.Scope.PERSON, DataExport.Scope.STUDENT


def test_anyone_logged_in_may_ask_for_a_copy_of_what_is_stored_about_themselves(cast: Cast) -> None:
    for person in (cast.student, cast.teacher, cast.guardian_1, cast.school_admin, cast.former_teacher):
        export = request_export(person, scope=PERSON, subject_id=person.pk)
        assert (export.requested_by, export.subject, export.status) == (
            person,
            person,
            DataExport.Status.QUEUED,
        )


def test_a_person_export_is_only_ever_about_the_person_asking(cast: Cast) -> None:
    with pytest.raises(NotFound):
        request_export(cast.guardian_1, scope=PERSON, subject_id=cast.student.pk)
    assert not DataExport.objects.exists()


def test_the_student_and_the_guardians_may_export_the_student(cast: Cast) -> None:
    for person in (cast.student, cast.guardian_1, cast.guardian_2):
        export = request_export(person, scope=STUDENT, subject_id=cast.student.pk)
        assert export.subject == cast.student


def test_nobody_else_may_export_the_student_and_is_told_it_does_not_exist(cast: Cast) -> None:
    for person in (
        cast.teacher,
        cast.principal,
        cast.other_student,
        cast.other_guardian,
        cast.withdrawn_guardian,
        cast.school_admin,
        cast.operator,
    ):
        with pytest.raises(NotFound):
            request_export(person, scope=STUDENT, subject_id=cast.student.pk)
    with pytest.raises(NotFound):
        request_export(cast.guardian_1, scope=STUDENT, subject_id=cast.other_student.pk)
    assert not DataExport.objects.exists()


def test_asking_again_while_one_is_in_progress_returns_the_running_one(cast: Cast) -> None:
    first = request_export(cast.guardian_1, scope=STUDENT, subject_id=cast.student.pk)
    assert request_export(cast.guardian_1, scope=STUDENT, subject_id=cast.student.pk) == first
    # Another requester, or another scope, is another export.
    assert request_export(cast.guardian_2, scope=STUDENT, subject_id=cast.student.pk) != first
    assert request_export(cast.student, scope=PERSON, subject_id=cast.student.pk) != first
    DataExport.objects.filter(pk=first.pk).update(status=DataExport.Status.READY)
    assert request_export(cast.guardian_1, scope=STUDENT, subject_id=cast.student.pk) != first


def test_an_unknown_scope_is_refused(cast: Cast) -> None:
    with pytest.raises(Refused):
        request_export(cast.student, scope="everything", subject_id=cast.student.pk)


def test_the_export_is_made_in_the_requesters_language(cast: Cast) -> None:
    cast.guardian_1.language = "en"
    cast.guardian_1.save(update_fields=["language"])
    assert request_export(cast.guardian_1, scope=STUDENT, subject_id=cast.student.pk).language == "en"


def test_only_the_registrar_keeps_a_reference(cast: Cast) -> None:
    export = request_export(cast.guardian_1, scope=STUDENT, subject_id=cast.student.pk, reference="Dnr 1")
    assert export.reference == ""


def _make_registrar(cast: Cast) -> None:
    start = timezone.localdate() - datetime.timedelta(days=30)
    m.grant_staff_role(SYSTEM, cast.school_admin, cast.school, StaffRole.Role.REGISTRAR, starts_on=start)


def test_the_registrar_exports_a_student_of_their_school_for_a_request_by_post(cast: Cast) -> None:
    _make_registrar(cast)
    export = request_export(
        cast.school_admin, scope=STUDENT, subject_id=cast.student.pk, reference="Dnr 2026:117"
    )
    assert (export.requested_by, export.subject, export.reference) == (
        cast.school_admin,
        cast.student,
        "Dnr 2026:117",
    )


def test_the_registrar_of_one_school_may_not_export_a_student_of_another(cast: Cast) -> None:
    start = timezone.localdate() - datetime.timedelta(days=30)
    m.grant_staff_role(
        SYSTEM, cast.other_principal, cast.other_school, StaffRole.Role.REGISTRAR, starts_on=start
    )
    with pytest.raises(NotFound):
        request_export(cast.other_principal, scope=STUDENT, subject_id=cast.student.pk, reference="X")


pytestmark = pytest.mark.django_db
