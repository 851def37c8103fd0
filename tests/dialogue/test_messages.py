"""The dialogue's actions and HTTP endpoints: what is stored, who gets files, the flag
review, and the page's event numbers."""

from __future__ import annotations

import uuid
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection, connections
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.actions import SYSTEM
from accounts.actions import memberships as m
from accounts.errors import Refused
from dialogue import doors, queries
from dialogue.actions.attachments import upload_attachment
from dialogue.actions.messages import edit_message, mark_read, post_message, retract_message
from dialogue.models import Assessment, Attachment, Message, StudentPage, Thread
from tests.support.cast import Cast, build_cast
from tests.support.clients import verified_client
from tests.support.dialogue import dialogue_objects, png_bytes
from writing.actions import review_flagged_text


@pytest.fixture
def extra(cast: Cast) -> dict[str, Any]:
    return dialogue_objects(cast)


def send(cast_member: Any, extra: dict[str, Any], body: str = "Hej!", **more: Any) -> Message:
    message, _payload = post_message(
        cast_member, extra["page"], thread_id=extra["thread"].pk, body=body, client_id=uuid.uuid4(), **more
    )
    return message


def test_sending_a_message_takes_three_round_trips(cast: Cast, extra: dict[str, Any]) -> None:
    with CaptureQueriesContext(connection) as captured:
        send(cast.teacher, extra, "Vi har prov i matte på fredag.")
    # The thread with its page and student, the relation, and one statement that takes the
    # page's next number, checks the send limit and inserts the message and its outbox row.
    # (Here inside the test's transaction, a savepoint around the statement keeps a refused
    # copy from spoiling the caller's transaction; a socket's send has none.)
    sql = [q["sql"] for q in captured if "SAVEPOINT" not in q["sql"]]
    assert len(sql) == 3, [q[:80] for q in sql]
    assert sql[0].startswith("SELECT t.")
    assert 'FROM "dialogue_thread" t' in sql[0]
    assert "relation_to_student" in sql[1]
    assert "UPDATE dialogue_studentpage" in sql[2]
    assert "INSERT INTO notifications_event" in sql[2]
    assert len(captured) == 5


def test_the_page_is_made_at_enrolment_with_a_thread_per_taught_subject_and_keeps_old_ones(
    cast: Cast,
) -> None:
    page = StudentPage.objects.get(student=cast.student)  # made when the student was enrolled
    kinds = sorted((t.kind, t.subject.code if t.subject else "") for t in page.threads.all())
    # Maths is taught in 4A now; English was, until yesterday (its thread stays, with its history).
    assert kinds == [("general", ""), ("subject", "EN"), ("subject", "MA")]
    m.assign_teaching(SYSTEM, cast.other_teacher, cast.class_4a, cast.swedish)
    for assignment in cast.teacher.teaching_assignments.all():
        m.end_membership(SYSTEM, assignment)
    codes = sorted(t.subject.code for t in page.threads.filter(kind=Thread.Kind.SUBJECT) if t.subject)
    assert codes == ["EN", "MA", "SV"]  # maths and English stay with their history


def test_only_members_may_open_the_page_through_the_door_and_trying_writes_nothing(cast: Cast) -> None:
    pages, threads = StudentPage.objects.count(), Thread.objects.count()
    with pytest.raises(PermissionDenied):
        doors.student_page(cast.other_guardian, cast.student.pk)
    assert (StudentPage.objects.count(), Thread.objects.count()) == (pages, threads)


def test_a_failed_send_saves_nothing_and_keeps_the_attachment_for_retry(
    cast: Cast, extra: dict[str, Any]
) -> None:
    attachment = upload_attachment(cast.guardian_2, extra["page"], name="bild.png", data=png_bytes())
    before = Message.objects.count()
    with pytest.raises(Refused) as refused:
        send(cast.guardian_2, extra, "Se bilden.", attachment_ids=[attachment.pk, 10**9])
    assert refused.value.code == "attachment_unavailable"
    assert Message.objects.count() == before
    attachment.refresh_from_db()
    assert attachment.message is None
    page = StudentPage.objects.get(pk=extra["page"].pk)
    assert page.last_seq == Message.objects.filter(page=page).count()  # no number was used up
    message = send(cast.guardian_2, extra, "Se bilden.", attachment_ids=[attachment.pk])
    assert list(message.attachments.all()) == [attachment]


def test_someone_elses_upload_cannot_be_attached(cast: Cast, extra: dict[str, Any]) -> None:
    attachment = upload_attachment(cast.guardian_2, extra["page"], name="bild.png", data=png_bytes())
    with pytest.raises(Refused):
        send(cast.teacher, extra, "Tar din bild.", attachment_ids=[attachment.pk])


def test_only_the_author_edits_and_author_or_principal_retracts(cast: Cast, extra: dict[str, Any]) -> None:
    message = extra["message"]
    with pytest.raises(PermissionDenied):
        edit_message(cast.teacher, message.pk, body="Ändrat av någon annan.")
    with pytest.raises(PermissionDenied):
        retract_message(cast.guardian_2, message.pk)
    retract_message(cast.principal, message.pk)
    message.refresh_from_db()
    assert message.retracted_by == cast.principal
    with pytest.raises(Refused):
        edit_message(cast.guardian_1, message.pk, body="Försöker ändra ett återkallat.")


def test_a_former_member_can_no_longer_edit_their_message(cast: Cast, extra: dict[str, Any]) -> None:
    message = send(cast.teacher, extra, "Läxan är sidan 12.")
    for assignment in cast.teacher.teaching_assignments.all():
        m.end_membership(SYSTEM, assignment)
    m.end_membership(SYSTEM, cast.teacher.mentorships.get())
    with pytest.raises(PermissionDenied):
        edit_message(cast.teacher, message.pk, body="Läxan är sidan 13.")
    assert Message.objects.filter(pk=message.pk, body="Läxan är sidan 12.").exists()  # stays on the page


# Every transactional test of the suite uses serialized_rollback: mixing it with plain
# flushes makes the next test restore rows that the flush had already recreated.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_event_numbers_are_gapless_and_unique_under_concurrent_sends() -> None:
    cast = build_cast()
    extra = dialogue_objects(cast)
    writers = [cast.guardian_1, cast.guardian_2, cast.teacher, cast.student] * 5

    def one_send(writer: Any) -> int:
        try:
            return send(writer, extra, f"Samtidigt från {writer.username}").seq
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=4) as pool:
        seqs = list(pool.map(one_send, writers))
    stored = sorted(Message.objects.filter(page=extra["page"]).values_list("seq", flat=True))
    assert stored == list(range(1, len(stored) + 1))
    assert sorted(seqs) == stored[-len(writers) :]
    assert StudentPage.objects.get(pk=extra["page"].pk).last_seq == stored[-1]


def test_reading_never_moves_backwards(cast: Cast, extra: dict[str, Any]) -> None:
    page = StudentPage.objects.get(pk=extra["page"].pk)
    assert mark_read(cast.teacher, page, thread_id=extra["thread"].pk, seq=page.last_seq) == {}
    assert mark_read(cast.teacher, page, thread_id=extra["thread"].pk, seq=0) == {}
    send(cast.guardian_1, extra, "Ett till.")
    assert queries.unread_counts(cast.teacher, page) == {extra["thread"].pk: 1}


def test_attachments_are_served_to_members_only_and_never_as_a_page(
    cast: Cast, extra: dict[str, Any]
) -> None:
    url = reverse("attachment", args=[extra["page"].pk, extra["attachment"].pk])
    response = verified_client(cast.student).get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert "sandbox" in response["Content-Security-Policy"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content).startswith(b"\x89PNG")  # type: ignore[attr-defined]
    assert verified_client(cast.other_guardian).get(url).status_code == 404


def test_an_unsent_upload_is_visible_to_its_uploader_only(cast: Cast, extra: dict[str, Any]) -> None:
    attachment = upload_attachment(cast.guardian_2, extra["page"], name="bild.png", data=png_bytes())
    url = reverse("attachment", args=[extra["page"].pk, attachment.pk])
    assert verified_client(cast.guardian_2).get(url).status_code == 200
    assert verified_client(cast.guardian_1).get(url).status_code == 404


def test_files_of_a_retracted_message_are_kept_but_not_served(cast: Cast, extra: dict[str, Any]) -> None:
    retract_message(cast.guardian_1, extra["message"].pk)
    url = reverse("attachment", args=[extra["page"].pk, extra["attachment"].pk])
    assert verified_client(cast.guardian_1).get(url).status_code == 404
    assert Attachment.objects.filter(pk=extra["attachment"].pk).exists()


def test_uploading_a_file_that_is_not_an_image_gives_a_clear_error(cast: Cast, extra: dict[str, Any]) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    url = reverse("attachment-upload", args=[extra["page"].pk])
    bad = SimpleUploadedFile(
        "semester.jpg", b"<html><script>alert(1)</script></html>", content_type="image/jpeg"
    )
    response = verified_client(cast.guardian_1).post(url, {"file": bad})
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "unsupported_type"
    assert response.json()["error"]["message"]
    good = SimpleUploadedFile("teckning.png", png_bytes(), content_type="application/octet-stream")
    answer = verified_client(cast.guardian_1).post(url, {"file": good})
    assert answer.status_code == 201
    assert answer.json()["attachment"]["kind"] == "image"


def test_history_returns_earlier_messages_oldest_first(
    cast: Cast, extra: dict[str, Any], settings: Any
) -> None:
    settings.DIALOGUE_SEND_LIMIT_PER_MINUTE = 100
    sent = [send(cast.teacher, extra, f"Meddelande {index}") for index in range(queries.PAGE_SIZE + 5)]
    url = reverse("thread-history", args=[extra["page"].pk, extra["thread"].pk])
    page_one = verified_client(cast.guardian_1).get(url).json()
    assert [m["id"] for m in page_one["messages"]] == [m.pk for m in sent[-queries.PAGE_SIZE :]]
    assert page_one["more"] is True
    before = page_one["messages"][0]["seq"]
    page_two = verified_client(cast.guardian_1).get(url, {"before": before}).json()
    assert page_two["messages"][-1]["seq"] < before
    assert verified_client(cast.guardian_1).get(url, {"before": "x"}).status_code == 400


def test_the_principal_reviews_flagged_texts_of_their_school_only(cast: Cast, extra: dict[str, Any]) -> None:
    flag = extra["flag"]
    page = verified_client(cast.principal).get(reverse("flagged-texts", args=[cast.school.pk]))
    assert "Hon har en diagnos sedan i våras." in page.content.decode()
    with pytest.raises(PermissionDenied):
        review_flagged_text(cast.other_principal, flag, note="Inte min skola.")
    response = verified_client(cast.principal).post(
        reverse("flagged-text-reviewed", args=[cast.school.pk, flag.pk]),
        {"note": "Pratat med vårdnadshavaren."},
    )
    assert response.status_code == 302
    flag.refresh_from_db()
    assert flag.reviewed_by == cast.principal
    assert flag.review_note == "Pratat med vårdnadshavaren."
    waiting = (
        verified_client(cast.principal).get(reverse("flagged-texts", args=[cast.school.pk])).content.decode()
    )
    assert "Hon har en diagnos sedan i våras." not in waiting


def test_start_page_and_class_list_show_unread_counts(cast: Cast, extra: dict[str, Any]) -> None:
    send(cast.teacher, extra, "Nytt från skolan.")
    start = verified_client(cast.guardian_1).get("/").content.decode()
    assert 'data-testid="unread"' in start
    roster = verified_client(cast.teacher).get(reverse("class", args=[cast.class_4a.pk])).content.decode()
    assert 'data-testid="unread"' in roster  # the two guardians' messages are unread for the teacher


def test_members_see_the_earlier_versions_of_an_edited_message(cast: Cast, extra: dict[str, Any]) -> None:
    message = extra["message"]
    edit_message(cast.guardian_1, message.pk, body="Andra versionen.")
    edit_message(cast.guardian_1, message.pk, body="Tredje versionen.")
    url = reverse("message-revisions", args=[extra["page"].pk, message.pk])
    revisions = verified_client(cast.teacher).get(url).json()["revisions"]
    assert [r["html"] for r in revisions] == [
        "<p>Anna har <strong>ritat</strong> en teckning hemma.</p>\n",
        "<p>Andra versionen.</p>\n",
    ]
    retract_message(cast.guardian_1, message.pk)
    assert verified_client(cast.teacher).get(url).status_code == 404


def test_the_demo_dialogue_is_written_once(db: None) -> None:
    import io

    from django.core.management import call_command

    from dialogue.demo import archive as demo_archive
    from dialogue.demo import elsa as demo_elsa
    from dialogue.demo import private_threads as demo_private

    call_command("seed_demo", stdout=io.StringIO())
    first, second = io.StringIO(), io.StringIO()
    call_command("seed_demo_dialogue", stdout=first)
    cards = list(Message.objects.filter(card__isnull=False).values_list("pk", "change_seq"))
    call_command("seed_demo_dialogue", stdout=second)
    assert "8 message(s) written" in first.getvalue()
    assert "0 message(s) written" in second.getvalue()
    # The dialogue of this year, Elsa's own with her family's private threads, and Linnea's
    # from 2020-21 (now an archive).
    private = sum(1 + len(replies) for *_thread, replies in demo_private.THREADS)
    assert (
        Message.objects.filter(card__isnull=True).count()
        == 8 + len(demo_elsa.CONVERSATION) + len(demo_archive.CONVERSATION) + private
    )
    # The demo documents too are written once: published maths assessments for Alva and
    # Hugo (Hugo's corrected: two cards), the mentor's unpublished Swedish draft, two talks;
    # on Elsa's page a corrected maths assessment (two cards) and a Swedish one.
    assert list(Message.objects.filter(card__isnull=False).values_list("pk", "change_seq")) == cards
    kinds = [message.card["type"] for message in Message.objects.filter(card__isnull=False) if message.card]
    # Alva's four goals (one a guardian's proposal) and her self-assessment, Alva's booked
    # talk and Elsa's held one, Hugo's adopted action programme; Elsa's two goals, her
    # self-assessment and her coming talk; Linnea's maths assessment and goal of 2020-21;
    # Alva's two extra adaptations and two reports to the principal, Elsa's adaptation and
    # report in maths (dialogue.demo.support).
    assert sorted(kinds) == (
        ["action_programme"]
        + ["adaptation"] * 3
        + ["assessment"] * 7
        + ["goal"] * 7
        + ["self_assessment"] * 2
        + ["support_case"] * 3
        + ["talk"] * 3
    )
    assert Assessment.objects.filter(status="draft").count() == 1


def test_a_retry_of_a_stored_send_is_answered_even_when_sending_too_fast(
    cast: Cast, extra: dict[str, Any], settings: Any
) -> None:
    settings.DIALOGUE_SEND_LIMIT_PER_MINUTE = 2
    client_id = uuid.uuid4()
    first, _payload = post_message(
        cast.teacher, extra["page"], thread_id=extra["thread"].pk, body="Ett", client_id=client_id
    )
    send(cast.teacher, extra, "Två")
    again, _payload = post_message(
        cast.teacher, extra["page"], thread_id=extra["thread"].pk, body="Ett", client_id=client_id
    )
    assert again.pk == first.pk
    with pytest.raises(Refused):
        send(cast.teacher, extra, "Tre")
