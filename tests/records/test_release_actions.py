"""Handling a request for public records through the actions: who may, numbering, bad input
refused clearly, maskings, the decision (a refusal's decision document), delivery, and
nothing half-saved when building fails."""

from __future__ import annotations

import datetime
import threading
import uuid
from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import connection
from django.utils import timezone

from accounts.actions import SYSTEM
from accounts.actions import memberships as m
from accounts.actions import people as p
from accounts.errors import NotFound, Refused
from dialogue.actions.messages import edit_message, post_message
from dialogue.actions.pages import page_of
from dialogue.models import Message, Thread
from records.models import Masking, Opening, ReleaseRequest, SecrecyGround
from records.release.actions import (
    add_masking,
    decide_release,
    deciding,
    preview_html,
    record_delivery,
    register_request,
    remove_masking,
)
from records.release.documents import KINDS
from records.release.masking import text_sha256
from tests.records.pdf_reading import pdfminer_text, pypdf_text, squeeze
from tests.support.cast import PASSWORD, Cast
from writing.uploads import private_storage

SECRET = "Anna går hos kuratorn varje vecka"


def send(cast: Cast, body: str, author: Any = None, student: Any = None) -> Message:
    page = page_of(student or cast.student)
    thread = page.threads.get(kind=Thread.Kind.GENERAL)
    message, _payload = post_message(
        author or cast.guardian_1,
        page,
        thread_id=thread.pk,
        body=body,
        client_id=uuid.uuid4(),
        send_anyway=True,
    )
    return message


def register(cast: Cast, actor: Any = None, **changes: Any) -> ReleaseRequest:
    values: dict[str, Any] = {
        "student_id": cast.student.pk,
        "received_at": timezone.now(),
        "requester": "",
        "requester_contact": "",
        "kinds": ["messages"],
        "period_from": None,
        "period_to": None,
        "delivery": "paper",
        "handler_id": cast.registrar.pk,
    }
    values.update(changes)
    return register_request(actor or cast.registrar, **values)


def ground(provision: str = "23 kap. 2 §") -> SecrecyGround:
    return SecrecyGround.objects.get(provision=provision)


def mask(cast: Cast, request: ReleaseRequest, message: Message, passage: str, **changes: Any) -> Masking:
    actor = changes.pop("actor", cast.registrar)
    start = message.body.index(passage)
    values: dict[str, Any] = {
        "document": "message",
        "document_id": message.pk,
        "field": "body",
        "start": start,
        "end": start + len(passage),
        "selected": passage,
        "ground_id": ground().pk,
        "reason": "Uppgift om elevhälsa",
    }
    values.update(changes)
    return add_masking(actor, request.pk, **values)


def read(name: str) -> bytes:
    with private_storage().open(name, "rb") as stored:
        return bytes(stored.read())


def refused(code: str, call: Any, *args: Any, **kwargs: Any) -> Refused:
    with pytest.raises(Refused) as caught:
        call(*args, **kwargs)
    assert caught.value.code == code, caught.value.message
    return caught.value


# --- registering -----------------------------------------------------------------------------


@pytest.mark.django_db
def test_requests_are_numbered_per_school_and_year_under_the_schools_prefix(cast: Cast) -> None:
    cast.school.registry_code = "BJB"
    cast.school.save(update_fields=["registry_code"])
    first = register(cast)
    second = register(cast, student_id=cast.other_student.pk)
    last_year = register(cast, received_at=timezone.now().replace(year=timezone.now().year - 1))
    year = timezone.localdate().year
    assert (first.number, second.number, last_year.number) == (1, 2, 1)
    assert first.reference == f"BJB {year}-0001"
    assert second.reference == f"BJB {year}-0002"
    assert last_year.reference == f"BJB {year - 1}-0001"
    # Another school numbers its own requests from one.
    pupil = p.create_person(
        SYSTEM, username="pelle.soder", first_name="Pelle", last_name="Söder", password=PASSWORD
    )
    m.enrol_student(SYSTEM, pupil, cast.class_5c, starts_on=timezone.localdate() - datetime.timedelta(days=3))
    other = register(
        cast, actor=cast.other_principal, student_id=pupil.pk, handler_id=cast.other_principal.pk
    )
    assert (other.school, other.number) == (cast.other_school, 1)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_registrars_at_the_same_moment_never_get_the_same_number(cast: Cast) -> None:
    barrier = threading.Barrier(2)
    numbers: list[int] = []
    errors: list[BaseException] = []

    def registering(actor: Any) -> None:
        try:
            barrier.wait()
            numbers.append(register(cast, actor=actor).number)
        except BaseException as error:  # reported below
            errors.append(error)
        finally:
            connection.close()

    workers = [
        threading.Thread(target=registering, args=(actor,)) for actor in (cast.registrar, cast.principal)
    ]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    assert errors == []
    assert sorted(numbers) == [1, 2]


@pytest.mark.django_db
def test_the_registrar_of_the_last_school_registers_a_request_for_a_student_who_left(cast: Cast) -> None:
    request = register(cast, student_id=cast.left_student.pk)
    assert request.school == cast.school
    assert request.student == cast.left_student


@pytest.mark.django_db
@pytest.mark.parametrize(
    "role", ["teacher", "guardian_1", "student", "other_principal", "school_admin", "anonymous"]
)
def test_only_the_registrar_and_the_principal_of_the_students_school_may_register(
    cast: Cast, role: str
) -> None:
    actor = cast.person(role) or AnonymousUser()
    with pytest.raises(NotFound):
        register(cast, actor=actor, handler_id=cast.registrar.pk)
    assert not ReleaseRequest.objects.filter(student=cast.student).exists()
    assert register(cast, actor=cast.principal).created_by == cast.principal


@pytest.mark.django_db
def test_registering_refuses_bad_input_naming_the_field(cast: Cast) -> None:
    today = timezone.localdate()
    cases: list[tuple[str, dict[str, Any], str]] = [
        ("no_kinds", {"kinds": []}, "kinds"),
        ("bad_kinds", {"kinds": ["messages", "salaries"]}, "kinds"),
        ("bad_period", {"period_from": today, "period_to": today - datetime.timedelta(days=1)}, "period_to"),
        ("future", {"received_at": timezone.now() + datetime.timedelta(hours=1)}, "received_at"),
        ("email_needed", {"delivery": "email", "requester_contact": "Storgatan 1"}, "requester_contact"),
        ("bad_delivery", {"delivery": "pigeon"}, "delivery"),
        ("bad_handler", {"handler_id": cast.teacher.pk}, "handler_id"),
        ("bad_handler", {"handler_id": cast.other_principal.pk}, "handler_id"),
        ("requester_too_long", {"requester": "x" * 201}, "requester"),
    ]
    for code, changes, field in cases:
        error = refused(code, register, cast, **changes)
        assert error.field == field, code
    assert not ReleaseRequest.objects.filter(student=cast.student).exists()
    # Anonymous, on paper, a period, every kind: accepted, kinds in the copy's order.
    request = register(cast, kinds=["messages", "assessments"], period_from=today, period_to=today)
    assert request.kinds == ["assessments", "messages"]
    assert request.requester == ""


# --- masking ---------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_masking_must_name_exactly_the_selected_text_of_a_document_in_scope(cast: Cast) -> None:
    message = send(cast, f"Hej! {SECRET}. Vi hörs.")
    request = register(cast)
    later = send(cast, "Skrivet efter att begäran kom in.")
    others = send(cast, "Olles meddelande.", author=cast.other_guardian, student=cast.other_student)
    start = message.body.index(SECRET)
    error = refused("selection_changed", mask, cast, request, message, SECRET, selected=SECRET[:-1] + "X")
    assert error.field == "selected"
    refused("bad_range", mask, cast, request, message, SECRET, start=start, end=len(message.body) + 5)
    refused("bad_range", mask, cast, request, message, SECRET, start=start, end=start)
    refused("bad_range", mask, cast, request, message, SECRET, start=-1)
    refused("unknown_text", mask, cast, request, message, SECRET, field="subject")
    refused("not_in_scope", mask, cast, request, later, "Skrivet")
    refused("not_in_scope", mask, cast, request, others, "Olles")
    refused("not_in_scope", mask, cast, request, message, SECRET, document="assessment")
    refused("bad_ground", mask, cast, request, message, SECRET, ground_id=999_999)
    SecrecyGround.objects.filter(provision="26 kap. 1 §").update(active=False)
    refused("bad_ground", mask, cast, request, message, SECRET, ground_id=ground("26 kap. 1 §").pk)
    refused("reason_too_long", mask, cast, request, message, SECRET, reason="x" * 301)
    assert not request.maskings.exists()

    masking = mask(cast, request, message, SECRET)
    assert (masking.start, masking.end) == (start, start + len(SECRET))
    assert masking.text_sha256 == text_sha256(message.body)
    assert mask(cast, request, message, SECRET) == masking  # sent twice: kept once
    assert request.maskings.count() == 1


@pytest.mark.django_db
def test_a_teacher_cannot_mask_or_decide_and_a_principal_can(cast: Cast) -> None:
    message = send(cast, f"Hej! {SECRET}.")
    request = register(cast)
    for actor in (cast.teacher, cast.guardian_1, cast.other_principal):
        with pytest.raises(NotFound):
            mask(cast, request, message, SECRET, actor=actor)
        with pytest.raises(NotFound):
            decide_release(actor, request.pk, outcome="full")
        with pytest.raises(NotFound):
            preview_html(actor, request.pk)
    assert mask(cast, request, message, SECRET, actor=cast.principal).created_by == cast.principal


@pytest.mark.django_db
def test_a_masking_is_removed_only_while_the_request_is_open(cast: Cast) -> None:
    message = send(cast, f"Hej! {SECRET}.")
    request = register(cast)
    first = mask(cast, request, message, SECRET)
    remove_masking(cast.registrar, request.pk, first.pk)
    assert not request.maskings.exists()
    with pytest.raises(NotFound):
        remove_masking(cast.registrar, request.pk, first.pk)
    second = mask(cast, request, message, SECRET)
    decide_release(cast.registrar, request.pk, outcome="masked")
    refused("decided", remove_masking, cast.registrar, request.pk, second.pk)
    refused("decided", mask, cast, request, message, "Hej")


# --- deciding --------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_decision_must_fit_the_maskings(cast: Cast) -> None:
    message = send(cast, f"Hej! {SECRET}.")
    request = register(cast)
    refused("no_maskings", decide_release, cast.registrar, request.pk, outcome="masked")
    refused("bad_outcome", decide_release, cast.registrar, request.pk, outcome="maybe")
    error = refused("bad_ground", decide_release, cast.registrar, request.pk, outcome="refused")
    assert error.field == "refusal_ground_id"
    mask(cast, request, message, SECRET)
    refused("has_maskings", decide_release, cast.registrar, request.pk, outcome="full")
    request.refresh_from_db()
    assert request.status == ReleaseRequest.Status.OPEN
    assert request.copy_pdf == ""


@pytest.mark.django_db
def test_a_refusal_makes_a_decision_document_with_the_grounds_and_how_to_appeal_and_no_copy(
    cast: Cast,
) -> None:
    send(cast, f"Hej! {SECRET}.")
    request = register(cast, requester="")
    request = decide_release(
        cast.principal,
        request.pk,
        outcome="refused",
        refusal_ground_id=ground("26 kap. 1 §").pk,
        refusal_reason="Uppgifterna rör en anmälan till socialtjänsten.",
    )
    assert request.status == ReleaseRequest.Status.DECIDED
    assert request.outcome == ReleaseRequest.Outcome.REFUSED
    assert (request.copy_pdf, request.copy_html) == ("", "")
    pdf = read(request.decision_pdf)
    for text in (pypdf_text(pdf), pdfminer_text(pdf)):
        squeezed = squeeze(text)
        for expected in (
            "Beslut om utlämnande av allmän handling",
            request.reference,
            "Anonym",
            "Begäran avslås",
            "26 kap. 1 § offentlighets- och sekretesslagen (2009:400)",
            "Socialtjänst (till exempel en orosanmälan)",
            "Uppgifterna rör en anmälan till socialtjänsten.",
            "Beslutat av",
            cast.principal.display_name,
            "kammarrätten",
            "inom tre veckor från den dag du fick del av beslutet",
            "vilket beslut du överklagar",
            "vilken ändring du vill ha",
        ):
            assert squeeze(expected) in squeezed, expected
        assert squeeze(SECRET) not in squeezed
    refused("no_copy", preview_html, cast.registrar, request.pk)


@pytest.mark.django_db
def test_a_masked_release_has_a_decision_naming_each_ground_its_reasons_and_count(cast: Cast) -> None:
    message = send(cast, f"Hej! {SECRET}. Hon har astma. Vi hörs.")
    request = register(cast, requester="Jon Journalist")
    mask(cast, request, message, SECRET)
    mask(cast, request, message, "Hon har astma", ground_id=ground("21 kap. 1 §").pk, reason="Hälsouppgift")
    request = decide_release(cast.registrar, request.pk, outcome="masked")
    text = pypdf_text(read(request.decision_pdf))
    squeezed = squeeze(text)
    for expected in (
        "Jon Journalist",
        "Handlingarna lämnas ut med maskering",
        "23 kap. 2 § offentlighets- och sekretesslagen (2009:400)",
        "Elevhälsa och särskilt stöd",
        "Uppgift om elevhälsa",
        "21 kap. 1 § offentlighets- och sekretesslagen (2009:400)",
        "Hälsouppgift",
        "1 maskerat avsnitt",
        "kammarrätten",
    ):
        assert squeeze(expected) in squeezed, expected
    copy = read(request.copy_html).decode()
    assert SECRET not in copy
    assert "Hon har astma" not in copy
    assert "[Maskerat enligt 23 kap. 2 § OSL]" in copy
    assert "[Maskerat enligt 21 kap. 1 § OSL]" in copy


def _release_files() -> set[str]:
    storage = private_storage()
    return set(storage.listdir("releases")[1]) if storage.exists("releases") else set()


@pytest.mark.django_db
def test_a_failure_while_building_leaves_nothing_half_saved(
    cast: Cast, monkeypatch: pytest.MonkeyPatch
) -> None:
    message = send(cast, f"Hej! {SECRET}.")
    request = register(cast)
    mask(cast, request, message, SECRET)
    before = _release_files()

    def broken(html: str) -> bytes:
        raise RuntimeError("the disk is full")

    # The copy is built and stored first; the decision's PDF then fails.
    monkeypatch.setattr(deciding, "decision_pdf", broken)
    with pytest.raises(RuntimeError):
        decide_release(cast.registrar, request.pk, outcome="masked")
    request.refresh_from_db()
    assert request.status == ReleaseRequest.Status.OPEN
    assert (request.outcome, request.copy_pdf, request.copy_html, request.decision_pdf) == ("", "", "", "")
    assert _release_files() == before
    assert not Opening.objects.filter(student=cast.student, what__startswith="release").exists()


@pytest.mark.django_db
def test_a_masking_that_no_longer_fits_its_text_stops_the_release(cast: Cast) -> None:
    message = send(cast, f"Hej! {SECRET}.")
    request = register(cast)
    masking = mask(cast, request, message, SECRET)
    Masking.objects.filter(pk=masking.pk).update(text_sha256="0" * 64)
    refused("stale_masking", decide_release, cast.registrar, request.pk, outcome="masked")
    refused("stale_masking", preview_html, cast.registrar, request.pk)
    request.refresh_from_db()
    assert request.status == ReleaseRequest.Status.OPEN


@pytest.mark.django_db
def test_the_preview_is_the_copy_as_it_will_be_released_and_then_the_stored_copy(cast: Cast) -> None:
    message = send(cast, f"Hej! {SECRET}.")
    request = register(cast)
    mask(cast, request, message, SECRET)
    preview = preview_html(cast.registrar, request.pk)
    assert SECRET not in preview
    assert "[Maskerat enligt 23 kap. 2 § OSL]" in preview
    assert "Förhandsvisning" in preview
    request = decide_release(cast.registrar, request.pk, outcome="masked")
    assert preview_html(cast.registrar, request.pk) == read(request.copy_html).decode()


@pytest.mark.django_db
def test_the_delivery_is_recorded_once_after_the_decision(cast: Cast) -> None:
    send(cast, "Hej!")
    request = register(cast)
    refused("not_decided", record_delivery, cast.registrar, request.pk)
    decide_release(cast.registrar, request.pk, outcome="full")
    request = record_delivery(cast.principal, request.pk)
    assert request.delivered_by == cast.principal
    assert request.delivered_at is not None
    refused("delivered", record_delivery, cast.registrar, request.pk)
    with pytest.raises(NotFound):
        record_delivery(cast.teacher, request.pk)


@pytest.mark.django_db
def test_releasing_writes_the_students_access_log_as_the_registrar(cast: Cast) -> None:
    send(cast, "Hej!")
    request = register(cast)
    assert not Opening.objects.filter(student=cast.student).exists()  # registering reads nothing
    decide_release(cast.registrar, request.pk, outcome="full")
    opening = Opening.objects.get(student=cast.student)
    assert (opening.viewer, opening.role, opening.what, opening.object_id) == (
        cast.registrar,
        Opening.Role.REGISTRAR,
        "release_copy",
        request.pk,
    )


@pytest.mark.django_db
def test_every_kind_can_be_asked_for_at_once(cast: Cast) -> None:
    send(cast, "Hej!")
    request = register(cast, kinds=list(KINDS))
    request = decide_release(cast.registrar, request.pk, outcome="full")
    copy = read(request.copy_html).decode()
    for label in (
        "Skriftliga omdömen",
        "Utvecklingssamtal och IUP",
        "Åtgärdsprogram",
        "Meddelanden i dialogen",
    ):
        assert label in copy


@pytest.mark.django_db
def test_a_masking_still_fits_after_the_message_is_edited_later(cast: Cast) -> None:
    """The document is the message as it read when the request arrived: an edit after that
    moves the text to a revision, and the masking made on it still fits."""
    message = send(cast, f"Hej! {SECRET}.")
    request = register(cast)
    mask(cast, request, message, SECRET)
    edit_message(cast.guardian_1, message.pk, body="Hej! Nu står det något annat här.")
    request = decide_release(cast.registrar, request.pk, outcome="masked")
    copy = read(request.copy_html).decode()
    assert SECRET not in copy
    assert "Nu står det något annat" not in copy
    assert "Hej! <span" in copy
