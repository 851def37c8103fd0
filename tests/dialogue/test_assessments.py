"""Written assessments through the actions: drafts, who publishes, versions, the guard,
the school's form, the phrase bank, the cards on the page, and the teacher's flow."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.http import Http404
from django.test.utils import CaptureQueriesContext

from accounts import events
from accounts.actions import SYSTEM
from accounts.actions import memberships as m
from accounts.actions import people as p
from accounts.errors import NotFound, Refused, SensitiveText
from accounts.models import CurriculumArea, Subject, User
from dialogue.actions import assessments as a
from dialogue.actions.messages import edit_message
from dialogue.flags import FlagSource
from dialogue.models import Assessment, Message, Phrase, StudentPage, Thread
from tests.support.cast import ROLES, Cast
from tests.support.clients import verified_client
from writing.models import FlaggedText

pytestmark = pytest.mark.django_db


def maths_areas(cast: Cast) -> list[CurriculumArea]:
    return list(CurriculumArea.objects.filter(subject=cast.maths))


def card_message(assessment: Assessment) -> Message:
    assert assessment.message_id is not None
    return Message.objects.get(pk=assessment.message_id)


def card_of(assessment: Assessment) -> dict[str, Any]:
    card = card_message(assessment).card
    assert isinstance(card, dict)
    return card


def write(
    cast: Cast, author: User | None = None, subject: Subject | None = None, **fields: Any
) -> tuple[Assessment, dict[str, Any]]:
    values: dict[str, Any] = {
        "levels": {},
        "can_text": "Anna räknar säkert med tal upp till 1000.",
        "develop_text": "",
    }
    values.update(fields)
    writer = author or cast.teacher
    draft, findings = a.save_draft(writer, cast.class_4a, cast.student, subject or cast.maths, **values)
    return draft, findings


def test_every_lgr22_subject_has_curriculum_areas() -> None:
    assert not Subject.objects.filter(areas__isnull=True).exists()
    assert CurriculumArea.objects.filter(subject__code="MA").count() == 6


def test_a_draft_is_seen_by_nobody_but_stays_off_the_page(cast: Cast) -> None:
    area = maths_areas(cast)[0]
    draft, findings = write(cast, levels={str(area.pk): "acceptable"})
    assert draft.status == Assessment.Status.DRAFT
    assert draft.levels == {str(area.pk): "acceptable"}
    assert findings == {}
    assert not Message.objects.filter(card__isnull=False).exists()
    # Saving again updates the same draft (autosave), never a second one.
    again, _ = write(cast, can_text="Ny text")
    assert again.pk == draft.pk
    assert Assessment.objects.count() == 1


@pytest.mark.parametrize("role", [r for r in ROLES if r not in ("anonymous", "teacher")])
def test_only_the_subjects_teacher_writes_and_publishes(cast: Cast, role: str) -> None:
    person = cast.person(role)
    with pytest.raises(PermissionDenied):
        write(cast, author=person)
    draft, _ = write(cast)
    assert person is not None
    with pytest.raises(Refused):
        a.publish_assessment(person, draft.pk)
    assert Assessment.objects.get(pk=draft.pk).status == Assessment.Status.DRAFT


def test_a_teacher_cannot_publish_a_subject_they_do_not_teach_the_student(cast: Cast) -> None:
    # The teacher teaches 4A maths and is its mentor; Swedish in 4A is not theirs.
    with pytest.raises(PermissionDenied):
        write(cast, subject=cast.swedish)


def test_publishing_puts_a_card_in_the_subject_thread_and_announces_it(
    cast: Cast, django_capture_on_commit_callbacks
) -> None:
    heard: list[dict] = []

    def listener(sender, kind, signal, **data):
        heard.append({"kind": kind, **data})

    events.announced.connect(listener)
    try:
        area = maths_areas(cast)[1]
        draft, _ = write(cast, levels={str(area.pk): "more"}, develop_text="Öva på **bråk**.")
        with django_capture_on_commit_callbacks(execute=True):
            published = a.publish_assessment(cast.teacher, draft.pk)
    finally:
        events.announced.disconnect(listener)
    assert published.status == Assessment.Status.PUBLISHED
    assert published.published_by == cast.teacher
    card = card_message(published)
    assert card.thread.kind == Thread.Kind.SUBJECT
    assert card.thread.subject == cast.maths
    content = card_of(published)
    assert content["type"] == "assessment"
    assert content["levels"] == [{"area": {"sv": area.name_sv, "en": area.name_en}, "level": "more"}]
    assert "<strong>bråk</strong>" in content["develop_html"]
    assert card.seq == StudentPage.objects.get(student=cast.student).last_seq
    assert heard == [
        {
            "kind": "assessment.published",
            "actor_id": cast.teacher.pk,
            "student_id": cast.student.pk,
            "page_id": card.page_id,
            "assessment_id": published.pk,
            "subject_id": cast.maths.pk,
            "version": 1,
        }
    ]


def test_a_published_assessment_is_never_changed_only_corrected(cast: Cast) -> None:
    draft, _ = write(cast, can_text="Version ett.")
    first = a.publish_assessment(cast.teacher, draft.pk)
    with pytest.raises(Refused) as refused:
        a.publish_assessment(cast.teacher, first.pk)
    assert refused.value.code == "published"
    # Writing again starts a correction: a new draft of the same period.
    correction, _ = write(cast, can_text="Version två.")
    assert correction.pk != first.pk
    assert (correction.version, correction.corrects_id) == (2, first.pk)
    first.refresh_from_db()
    assert first.can_text == "Version ett."
    assert first.status == Assessment.Status.PUBLISHED
    second = a.publish_assessment(cast.teacher, correction.pk)
    # The first card now says it was replaced; both stay on the page.
    first_card = card_message(first)
    assert card_of(first)["corrected_by"] == 2
    assert first_card.change_seq > first_card.seq
    assert card_of(second)["corrects"] is True
    client = verified_client(cast.guardian_1)
    response = client.get(f"/students/{cast.student.pk}/assessments/{first.pk}/")
    assert response.status_code == 200
    assert [v.version for v in response.context["versions"]] == [2, 1]
    assert "Version ett." in response.content.decode()
    assert "Version två." in response.content.decode()


def test_a_card_cannot_be_edited_as_a_message(cast: Cast) -> None:
    draft, _ = write(cast)
    published = a.publish_assessment(cast.teacher, draft.pk)
    with pytest.raises(Refused) as refused:
        edit_message(cast.teacher, card_message(published).pk, body="Något annat")
    assert refused.value.code == "card"


def test_the_guard_warns_on_drafts_and_asks_before_publishing(cast: Cast) -> None:
    draft, findings = write(cast, develop_text="Hon har en diagnos och behöver lugn.")
    assert [f.matched for f in findings["develop_text"]] == ["diagnos"]
    with pytest.raises(SensitiveText) as warning:
        a.publish_assessment(cast.teacher, draft.pk)
    assert set(warning.value.by_field) == {"develop_text"}
    assert Assessment.objects.get(pk=draft.pk).status == Assessment.Status.DRAFT
    published = a.publish_assessment(cast.teacher, draft.pk, send_anyway=True)
    flag = FlaggedText.objects.get(source=FlagSource.ASSESSMENT, source_id=published.pk)
    assert flag.author == cast.teacher
    assert "diagnos" in flag.text


@pytest.mark.parametrize(
    ("fields", "code"),
    [
        ({"levels": {"999999": "acceptable"}}, "unknown_area"),
        ({"levels": {"AREA": "excellent"}}, "bad_level"),
        ({"can_text": "x" * 4001}, "too_long"),
    ],
)
def test_bad_input_is_refused_and_keeps_the_saved_draft(cast: Cast, fields: dict, code: str) -> None:
    area = maths_areas(cast)[0]
    draft, _ = write(cast, can_text="Sparad text.")
    if "levels" in fields:
        fields = {"levels": {k.replace("AREA", str(area.pk)): v for k, v in fields["levels"].items()}}
    with pytest.raises(Refused) as refused:
        write(cast, **fields)
    assert refused.value.code == code
    assert Assessment.objects.get(pk=draft.pk).can_text == "Sparad text."


def test_an_empty_draft_cannot_be_published(cast: Cast) -> None:
    draft, _ = write(cast, can_text="")
    with pytest.raises(Refused) as refused:
        a.publish_assessment(cast.teacher, draft.pk)
    assert refused.value.code == "empty"


def test_the_principal_decides_the_form(cast: Cast) -> None:
    with pytest.raises(Http404):  # not a school the teacher leads
        a.set_assessment_form(cast.teacher, cast.school.pk, use_levels=False, period="term")
    a.set_assessment_form(cast.principal, cast.school.pk, use_levels=False, period="term")
    area = maths_areas(cast)[0]
    draft, _ = write(cast, levels={str(area.pk): "acceptable"})
    assert draft.levels == {}
    assert draft.use_levels is False
    assert draft.term in ("HT", "VT")
    with pytest.raises(Refused):
        a.set_assessment_form(cast.principal, cast.school.pk, use_levels=True, period="weekly")


def test_phrases_belong_to_their_owner(cast: Cast) -> None:
    phrase = a.add_phrase(
        cast.teacher, text="  Visar  god förståelse för   taluppfattning. ", subject=cast.maths
    )
    assert phrase.text == "Visar god förståelse för taluppfattning."
    with pytest.raises(NotFound):  # someone else's phrase is not found, like a missing one
        a.remove_phrase(cast.other_teacher, phrase.pk)
    with pytest.raises(Refused):
        a.add_phrase(cast.teacher, text="x" * 501, subject=None)
    a.remove_phrase(cast.teacher, phrase.pk)
    assert not Phrase.objects.exists()


def _class_of(cast: Cast, size: int) -> None:
    for index in range(size):
        pupil = p.create_person(SYSTEM, username=f"elev{index}", first_name="Elev", last_name=f"{index:02d}")
        m.enrol_student(SYSTEM, pupil, cast.class_4a)


def _count(client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured)


def test_the_class_flow_query_count_does_not_grow_with_students(cast: Cast) -> None:
    client = verified_client(cast.teacher)
    url = f"/classes/{cast.class_4a.pk}/assessments/{cast.maths.pk}/"
    draft, _ = write(cast)
    a.publish_assessment(cast.teacher, draft.pk)
    write(cast, can_text="En rättelse på gång.")
    # session, user, device; class, subject taught; the school's form; students; their
    # assessments; the guardians who have not seen the published ones; areas; phrases
    expected = 3 + 8
    assert _count(client, url) == expected
    _class_of(cast, 27)
    a.add_phrase(cast.teacher, text="Läser flytande.", subject=None)
    response = client.get(url)
    assert len(response.context["rows"]) == 28
    assert _count(client, url) == expected


def test_the_student_page_with_cards_query_count_does_not_grow(cast: Cast) -> None:
    client = verified_client(cast.guardian_1)
    draft, _ = write(cast)
    published = a.publish_assessment(cast.teacher, draft.pk)
    thread_id = card_message(published).thread_id
    url = f"/students/{cast.student.pk}/?thread={thread_id}"
    client.get(url)
    # Same as a page without cards (test_pages): a card is a message row. (+1: the access
    # log's row.)
    assert _count(client, url) == 3 + 12 + 1
    write(cast, can_text="Rättelse.")
    a.publish_assessment(cast.teacher, Assessment.objects.get(status="draft").pk)
    response = client.get(url)
    assert [m["card"]["version"] for m in response.context["dialogue"]["messages"]] == [1, 2]
    assert _count(client, url) == 3 + 12 + 1


def test_without_scripts_publishing_saves_what_was_typed_and_asks_about_sensitive_words(cast: Cast) -> None:
    client = verified_client(cast.teacher)
    flow = f"/classes/{cast.class_4a.pk}/assessments/{cast.maths.pk}/"
    publish = f"{flow}students/{cast.student.pk}/publish/"
    area = maths_areas(cast)[0]
    typed = {
        f"level-{area.pk}": "acceptable",
        "can_text": "Skrivet utan skript.",
        "develop_text": "Hon har en diagnos.",
    }
    response = client.post(publish, typed)
    assert response.status_code == 302
    draft = Assessment.objects.get()
    # Nothing typed was lost, and nothing with findings was published without asking.
    assert (draft.status, draft.can_text, draft.levels) == (
        "draft",
        "Skrivet utan skript.",
        {str(area.pk): "acceptable"},
    )
    page = client.get(flow)
    body = page.content.decode()
    assert "<mark>diagnos</mark>" in body
    assert "data-publish-anyway" in body
    client.post(publish, {**typed, "send_anyway": "1"})
    draft.refresh_from_db()
    assert draft.status == Assessment.Status.PUBLISHED
    assert FlaggedText.objects.filter(source=FlagSource.ASSESSMENT, source_id=draft.pk).exists()
