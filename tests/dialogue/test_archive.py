"""The archive: once a student has left, nothing on the page can be written by anyone, in
any way (actions, forms, socket frames, read positions), while its readers still read it
and are told it is an archive."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

import pytest
from django.apps import apps
from django.utils import timezone

from accounts.actions import SYSTEM
from accounts.actions.leaving import record_leaving
from accounts.errors import ActionError
from accounts.models import Leaving
from accounts.openings import opened
from dialogue.actions import goals, messages, self_assessments, support
from dialogue.actions.action_programmes import decisions, drafting
from dialogue.actions.assessments import save_draft
from dialogue.actions.attachments import upload_attachment
from dialogue.actions.talks import bookings, records
from dialogue.models import Message, ReadState
from tests.support.cast import Cast
from tests.support.clients import verified_client
from tests.support.dialogue import png_bytes
from tests.test_access_matrix import ROWS, matrix_extra

# Everyone who could write on the page before the leaving, and its archive's readers.
WRITERS = ("student", "guardian_1", "guardian_2", "teacher", "principal", "registrar")


def _snapshot() -> dict[str, Any]:
    """Every row of the dialogue and writing apps, with what an edit would change."""
    counts = {
        model._meta.label: model._default_manager.count()
        for app in ("dialogue", "writing")
        for model in apps.get_app_config(app).get_models()
    }
    texts = sorted(Message.objects.values_list("pk", "body", "retracted_at", "change_seq"))
    return {"counts": counts, "messages": texts}


@pytest.fixture
def archived(cast: Cast) -> dict[str, Any]:
    """Anna's full page (messages, a file, goals, an assessment, talks, an action
    programme), and then Anna leaves today."""
    extra = matrix_extra(cast)
    record_leaving(SYSTEM, cast.student.pk, left_on=timezone.localdate(), reason=Leaving.Reason.FINISHED)
    return extra


def _write_actions(cast: Cast, extra: dict[str, Any]) -> dict[str, Callable[[Any], object]]:
    page, thread, message = extra["page"], extra["thread"], extra["message"]
    goal, proposal, talk, programme = extra["goal"], extra["proposal"], extra["talk"], extra["programme"]
    student = cast.student
    return {
        "post a message": lambda actor: messages.post_message(
            actor, page.pk, thread_id=thread.pk, body="Hej!", client_id=uuid.uuid4()
        ),
        "edit a message": lambda actor: messages.edit_message(
            actor, message.pk, body="Ändrad.", page_id=page.pk
        ),
        "retract a message": lambda actor: messages.retract_message(actor, message.pk, page_id=page.pk),
        "attach a file": lambda actor: upload_attachment(actor, page.pk, name="bild.png", data=png_bytes()),
        "set a goal": lambda actor: goals.set_goal(actor, student, text="Läsa mer."),
        "propose a goal": lambda actor: goals.propose_goal(actor, student, text="Läsa mer."),
        "accept a proposal": lambda actor: goals.accept_goal(actor, proposal.pk, student_id=student.pk),
        "change a goal's status": lambda actor: goals.change_goal_status(
            actor, goal.pk, status="achieved", student_id=student.pk
        ),
        "edit a goal": lambda actor: goals.edit_goal(actor, goal.pk, text="Ny text.", student_id=student.pk),
        "reflect on a goal": lambda actor: goals.reflect_on_goal(
            actor, goal.pk, text="Det gick bra.", student_id=student.pk
        ),
        "write a self-assessment": lambda actor: self_assessments.write_self_assessment(
            actor, student, level="good", text="Bra.", goal_id=goal.pk
        ),
        "draft an assessment": lambda actor: save_draft(
            actor, cast.class_4a, student, cast.maths, levels={}, can_text="Kan.", develop_text="Mer."
        ),
        "draft an action programme": lambda actor: drafting.draft_programme(
            actor, student, subject=cast.maths, needs="Stöd.", measures="Hjälp.", responsible="Lars"
        ),
        "give a view on the programme": lambda actor: drafting.give_view(actor, programme.pk, body="Bra."),
        "close the programme": lambda actor: decisions.close_programme(actor, programme.pk, reason="Klart."),
        "book a talk": lambda actor: bookings.book_talk(actor, student, extra["free_slot"].pk),
        "cancel a talk": lambda actor: bookings.cancel_booking(actor, talk),
        "prepare a talk": lambda actor: records.add_preparation(actor, talk, body="Vi undrar."),
        "record a talk": lambda actor: records.record_talk(
            actor,
            extra["past_talk"],
            held_on=timezone.localdate(),
            iup_summary="Bra.",
            school_actions="",
            home_actions="",
        ),
        # --- Special support (issue 16) ---
        "record an extra adaptation": lambda actor: support.record_adaptation(
            actor,
            student.pk,
            cast.maths.pk,
            description="Extra tid.",
            starts_on=timezone.localdate(),
            follow_up_on=timezone.localdate(),
        ),
        "follow up an adaptation": lambda actor: support.follow_up_adaptation(
            actor, extra["adaptation"].pk, result="Bra.", continues=False
        ),
        "report to the principal": lambda actor: support.report_support_need(
            actor, student.pk, observations="Behöver stöd."
        ),
        "decide on investigating": lambda actor: support.decide_investigation(
            actor, extra["support_case"].pk, investigate=False, reason="Nej."
        ),
        "record the outcome": lambda actor: support.record_support_outcome(
            actor, extra["support_case"].pk, needs_support=False, summary="Räcker.", grounds="Skäl."
        ),
        "give a view on special support": lambda actor: support.add_support_view(
            actor, extra["support_case"].pk, body="Vår syn."
        ),
        "mark a thread read": lambda actor: messages.mark_read(
            actor, page.pk, thread_id=thread.pk, seq=page.last_seq
        ),
    }


def test_every_write_action_on_an_archive_is_refused_for_every_former_writer(
    cast: Cast, archived: dict[str, Any]
) -> None:
    before = _snapshot()
    read_states = ReadState.objects.count()
    written = []
    for name, action in _write_actions(cast, archived).items():
        for role in WRITERS:
            try:
                result = action(cast.person(role))
            except ActionError:
                continue
            if name == "mark a thread read" and result == {}:
                continue  # answered, but nothing kept
            written.append(f"{name} as {role}")
    assert not written, "written on an archive: " + ", ".join(written)
    assert _snapshot() == before
    assert ReadState.objects.count() == read_states


def test_every_form_on_an_archive_is_refused_and_writes_nothing(cast: Cast, archived: dict[str, Any]) -> None:
    """Every POST of the access matrix on Anna's page (her records' URLs, and the assessment
    flow's for her), as every former writer."""
    prefixes = (f"/students/{cast.student.pk}/", f"/pages/{archived['page'].pk}/")
    posts = {
        name: row
        for name, row in ROWS.items()
        if row.method == "post"
        and "@" not in name
        and (row.url(cast, archived).startswith(prefixes) or name.startswith("assessment-"))
    }
    assert len(posts) >= 20
    before = _snapshot()
    answered = []
    for name, row in posts.items():
        url = row.url(cast, archived)
        data = row.data(cast, archived) if callable(row.data) else dict(row.data)
        for role in WRITERS:
            response = verified_client(cast.person(role)).post(url, data)
            answered.append((name, role, response.status_code))
    upload = {"file": _png_file()}
    for role in WRITERS:
        response = verified_client(cast.person(role)).post(
            f"/pages/{archived['page'].pk}/attachments/", upload
        )
        assert response.status_code in (403, 404), role
    assert _snapshot() == before, answered


def _png_file() -> Any:
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile("bild.png", png_bytes(), content_type="image/png")


def test_the_archive_says_so_and_shows_no_composer(cast: Cast) -> None:
    for role in ("left_student", "principal", "registrar"):
        page = verified_client(cast.person(role)).get(f"/students/{cast.left_student.pk}/").content.decode()
        assert 'data-testid="archive-banner"' in page, role
        assert "Lisa" in page
        assert "Arkiv" in page or "Archive" in page
        assert "data-composer" not in page
        assert "Rut Registrator" in page  # the registrar is among those who read it
    for part in ("plan", "goals", "self-assessments", "talks", "action-programmes"):
        page = (
            verified_client(cast.registrar).get(f"/students/{cast.left_student.pk}/{part}/").content.decode()
        )
        assert 'data-testid="archive-banner"' in page, part


def test_the_banner_says_when_and_why_in_swedish(cast: Cast) -> None:
    client = verified_client(cast.principal)
    client.cookies["django_language"] = "sv"
    page = client.get(f"/students/{cast.left_student.pk}/", HTTP_ACCEPT_LANGUAGE="sv").content.decode()
    yesterday = timezone.localdate() - __import__("datetime").timedelta(days=1)
    assert "Arkiv: Lisa slutade" in page
    assert "flyttade till en annan kommun" in page
    assert "Sidan kan läsas men inte ändras." in page
    assert str(yesterday.year) in page


def test_opening_an_archive_is_recorded_as_the_archive(cast: Cast) -> None:
    heard: list[dict[str, Any]] = []

    def listen(sender: object, **kwargs: Any) -> None:
        heard.append(kwargs)

    opened.connect(listen, dispatch_uid="test-archive-opening")
    try:
        verified_client(cast.registrar).get(f"/students/{cast.left_student.pk}/")
        verified_client(cast.principal).get(f"/students/{cast.student.pk}/")
    finally:
        opened.disconnect(dispatch_uid="test-archive-opening")
    assert [(h["viewer_id"], h["what"]) for h in heard] == [
        (cast.registrar.pk, "archive"),
        (cast.principal.pk, "page"),
    ]
    assert heard[0]["relation"].is_registrar
    assert heard[0]["relation"].is_archived


def test_the_archive_list_shows_the_schools_students_who_left(cast: Cast) -> None:
    for role in ("registrar", "principal"):
        page = verified_client(cast.person(role)).get("/archive/").content.decode()
        assert f'href="/students/{cast.left_student.pk}/"' in page
        assert "4A" in page
        assert "Lisa Flytt" in page
    other = verified_client(cast.other_principal).get("/archive/").content.decode()
    assert "Lisa Flytt" not in other
    assert verified_client(cast.teacher).get("/archive/").status_code == 404
    start = verified_client(cast.registrar).get("/").content.decode()
    assert 'href="/archive/"' in start


ARCHIVE_SOCKET = {
    # action: outcome for (left_student, principal, registrar, teacher)
    "subscribe": ("subscribed", "subscribed", "subscribed", "error:not_found"),
    "send": ("error:forbidden", "error:forbidden", "error:forbidden", "error:not_subscribed"),
    "edit": ("error:forbidden", "error:forbidden", "error:forbidden", "error:not_subscribed"),
    "retract": ("error:forbidden", "error:forbidden", "error:forbidden", "error:not_subscribed"),
    "read": ("quiet", "quiet", "quiet", "error:not_subscribed"),
}


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.asyncio
async def test_every_socket_frame_on_an_archive_is_refused_and_writes_nothing() -> None:
    from channels.db import database_sync_to_async

    from tests.test_access_matrix import _socket_outcome

    def world() -> tuple[Cast, dict[str, Any], dict[str, Any]]:
        from dialogue.models import StudentPage, Thread
        from tests.support.cast import build_cast

        cast = build_cast()
        page = StudentPage.objects.get(student=cast.left_student)
        extra = {
            "page": page,
            "thread": page.threads.get(kind=Thread.Kind.GENERAL),
            "message": page.messages.get(),
            "class_4a": cast.class_4a.pk,
        }
        return cast, extra, _snapshot() | {"read": ReadState.objects.count()}

    cast, extra, before = await database_sync_to_async(world)()
    failures = []
    for action, outcomes in ARCHIVE_SOCKET.items():
        for role, expected in zip(
            ("left_student", "principal", "registrar", "teacher"), outcomes, strict=True
        ):
            actual = await _socket_outcome(cast.person(role), action, extra)
            if actual != expected:
                failures.append(f"{action} as {role}: expected {expected}, got {actual}")
    after = await database_sync_to_async(lambda: _snapshot() | {"read": ReadState.objects.count()})()
    assert not failures, "\n".join(failures)
    assert after == before
