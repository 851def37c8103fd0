"""The released copy of a seeded page: masked text is nowhere in the output files, everything
else is, every page says what it is, and the page is shown as it stood when the request
arrived."""

from __future__ import annotations

import base64
import datetime
import html
import io
from dataclasses import dataclass
from typing import Any

import pytest
from django.utils import timezone
from pypdf import PdfReader

from records.models import ReleaseRequest, SecrecyGround
from records.release.actions import add_masking, decide_release, register_request
from records.release.documents import KINDS
from tests.records.pdf_reading import (
    image_colours,
    internals,
    pdfminer_text,
    pypdf_pages,
    pypdf_text,
    squeeze,
)
from tests.records.release_page import (
    ABSENT,
    ASSESSMENT_SECRET,
    HEADING,
    LINK_TARGET,
    LINK_TEXT,
    LONG,
    MASKED_IMAGE,
    MASKED_PDF,
    MASKED_PDF_TEXT,
    OPEN_SENTENCES,
    SWEDISH,
    SeededPage,
    seed_page,
)
from tests.support.cast import Cast
from writing.uploads import private_storage

PHRASE = "Utlämnad som allmän handling"
MARKER = "[Maskerat enligt 23 kap. 2 § OSL]"
# Every masked string, and words of them that are found nowhere else on the page.
MASKED = [
    SWEDISH,
    LONG,
    LINK_TEXT,
    LINK_TARGET,
    HEADING,
    MASKED_IMAGE,
    MASKED_PDF,
    MASKED_PDF_TEXT,
    ASSESSMENT_SECRET,
]
MASKED_WORDS = [
    "Öberg",
    "allergi",
    "avkoda",
    "bildstöd",
    "tröttnar",
    "Barnmottagningen",
    "barnmottagning",
    "anna-2026",
    "Dyslexiutredningen",
    "röntgenbild",
    "läkarintyg",
    "medicinering",
    "studiegång",
]


def read(name: str) -> bytes:
    with private_storage().open(name, "rb") as stored:
        return bytes(stored.read())


@dataclass
class Released:
    seeded: SeededPage
    request: ReleaseRequest
    html: str
    pdf: bytes
    decision_html: str
    decision_pdf: bytes


def register(seeded: SeededPage, **changes: object) -> ReleaseRequest:
    cast = seeded.cast
    values: dict[str, object] = {
        "student_id": cast.student.pk,
        "received_at": seeded.received_at,
        "requester": "Jon Journalist",
        "requester_contact": "jon@example.org",
        "kinds": list(KINDS),
        "period_from": None,
        "period_to": None,
        "delivery": "email",
        "handler_id": cast.registrar.pk,
    }
    values.update(changes)
    return register_request(cast.registrar, **values)  # type: ignore[arg-type]


def mask_passage(
    seeded: SeededPage, request: ReleaseRequest, document: str, pk: int, field: str, text: str, passage: str
) -> None:
    start = text.index(passage)
    add_masking(
        seeded.cast.registrar,
        request.pk,
        document=document,
        document_id=pk,
        field=field,
        start=start,
        end=start + len(passage),
        selected=passage,
        ground_id=SecrecyGround.objects.get(provision="23 kap. 2 §").pk,
        reason="Uppgift om elevens hälsa",
    )


@pytest.fixture
def seeded(cast: Cast, settings: object) -> SeededPage:
    settings.DIALOGUE_SEND_LIMIT_PER_MINUTE = 10_000  # type: ignore[attr-defined]
    return seed_page(cast)


@pytest.fixture
def released(seeded: SeededPage) -> Released:
    request = register(seeded)
    messages = seeded.messages
    for key, passage in (
        ("swedish", SWEDISH),
        ("long", LONG),
        ("link", LINK_TEXT),
        ("link", LINK_TARGET),
        ("heading", HEADING),
    ):
        mask_passage(seeded, request, "message", messages[key].pk, "body", messages[key].body, passage)
    second = seeded.objects["second"]
    mask_passage(
        seeded, request, "assessment", second.pk, "develop_text", second.develop_text, ASSESSMENT_SECRET
    )
    ground = SecrecyGround.objects.get(provision="21 kap. 1 §")
    for key in ("masked_image", "masked_pdf"):
        add_masking(
            seeded.cast.registrar,
            request.pk,
            document="attachment",
            document_id=seeded.attachments[key].pk,
            ground_id=ground.pk,
            reason="Hälsouppgift",
        )
    request = decide_release(seeded.cast.registrar, request.pk, outcome="masked")
    return Released(
        seeded,
        request,
        read(request.copy_html).decode(),
        read(request.copy_pdf),
        read(request.decision_html).decode(),
        read(request.decision_pdf),
    )


@pytest.mark.django_db
def test_masked_text_is_nowhere_in_the_copy_or_the_decision_and_everything_else_is(
    released: Released,
) -> None:
    pdf_texts = {"pypdf": pypdf_text(released.pdf), "pdfminer": pdfminer_text(released.pdf)}
    outputs = {
        **pdf_texts,
        "copy internals": "\n".join(internals(released.pdf)),
        "copy html": released.html,
        "decision pdf": pypdf_text(released.decision_pdf) + pdfminer_text(released.decision_pdf),
        "decision internals": "\n".join(internals(released.decision_pdf)),
        "decision html": released.decision_html,
    }
    for where, text in outputs.items():
        squeezed = squeeze(text)
        for masked in MASKED:
            assert squeeze(masked) not in squeezed, (masked, where)
            assert squeeze(html.escape(masked)) not in squeezed, (masked, where)
        for word in MASKED_WORDS:
            assert word.casefold() not in text.casefold(), (word, where)
    for where, text in pdf_texts.items():
        squeezed = squeeze(text)
        for sentence in OPEN_SENTENCES:
            assert squeeze(sentence) in squeezed, (sentence, where)
        assert squeeze(MARKER) in squeezed, where
        assert squeeze("[Maskerat enligt 21 kap. 1 § OSL]") in squeezed, where
        # The unmasked PDF attachment is appended; the masked one is not.
        assert squeeze("Schemat för vårterminen i 4A") in squeezed, where
    assert "teckning-klassen.png" in released.html
    assert "schema-vt.pdf" in released.html


@pytest.mark.django_db
def test_a_masked_image_is_left_out_and_only_the_unmasked_one_is_embedded(released: Released) -> None:
    masked = read(released.seeded.attachments["masked_image"].file.name)
    shown = read(released.seeded.attachments["image"].file.name)
    assert base64.b64encode(masked).decode() not in released.html
    assert base64.b64encode(shown).decode() in released.html
    assert f'alt="{html.escape("teckning-klassen.png")}"' in released.html
    # One image in the PDF, the teal one; the red one is not there in any form.
    assert image_colours(released.pdf) == [(0, 128, 128)]


@pytest.mark.django_db
def test_every_page_of_a_multi_page_copy_has_the_header_with_reference_phrase_and_date(
    released: Released,
) -> None:
    pages = pypdf_pages(released.pdf)
    assert len(pages) >= 4
    request = released.request
    assert request.decided_at is not None
    day = timezone.localdate(request.decided_at).isoformat()
    for number, text in enumerate(pages, start=1):
        squeezed = squeeze(text)
        for part in (request.reference, PHRASE, day):
            assert squeeze(part) in squeezed, (number, part)


@pytest.mark.django_db
def test_the_pdf_metadata_names_only_the_reference_and_the_phrase(released: Released) -> None:
    reader = PdfReader(io.BytesIO(released.pdf))
    metadata: dict[str, Any] = dict(reader.metadata or {})
    assert metadata.get("/Title") == f"{released.request.reference} – {PHRASE}"
    student = released.seeded.cast.student
    for value in metadata.values():
        assert student.first_name not in str(value)
    titles = [str(item.title) for item in reader.outline if not isinstance(item, list)]
    assert titles
    assert all("Anna" not in title for title in titles)


@pytest.mark.django_db
def test_the_stored_files_have_random_names(released: Released) -> None:
    request = released.request
    for name in (request.copy_html, request.copy_pdf, request.decision_html, request.decision_pdf):
        assert name.startswith("releases/")
        assert "anna" not in name.casefold()
        assert len(name.split("/")[-1].split(".")[0]) == 32
        assert private_storage().exists(name)


@pytest.mark.django_db
def test_the_copy_shows_the_page_as_it_stood_when_the_request_arrived(seeded: SeededPage) -> None:
    request = decide_release(seeded.cast.registrar, register(seeded).pk, outcome="full")
    copy = read(request.copy_html).decode()
    text = pypdf_text(read(request.copy_pdf))
    for sentence in ABSENT:
        assert sentence not in copy, sentence
        assert squeeze(sentence) not in squeeze(text), sentence
    # Both versions of the assessment published by then, not the one published after.
    assert "Anna räknar säkert med tal upp till 1000." in copy
    assert "Anna räknar säkert med bråk och decimaltal." in copy
    assert "version 3" not in copy
    # A message edited after the request arrived shows its earlier text; one sent after is
    # not there; a retracted one is, marked.
    assert "Första texten före begäran." in copy
    assert "Det här tar jag tillbaka." in copy
    assert "Återtaget från sidan" in copy
    # The goal as it read then, and its version replaced before.
    assert "Anna ska kunna tabellerna 1–5." in copy
    assert "Anna ska kunna tabellerna 1–4." in copy
    # A full release has no decision document.
    assert request.decision_pdf == request.decision_html == ""
    assert request.outcome == ReleaseRequest.Outcome.FULL


@pytest.mark.django_db
def test_a_period_leaves_out_what_was_made_outside_it(seeded: SeededPage) -> None:
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    request = register(seeded, period_from=tomorrow, period_to=None)
    request = decide_release(seeded.cast.registrar, request.pk, outcome="full")
    copy = read(request.copy_html).decode()
    assert "Anna har varit på" not in copy
    assert copy.count('class="document"') == 0


@pytest.mark.django_db
def test_only_the_kinds_asked_for_are_in_the_copy(seeded: SeededPage) -> None:
    request = register(seeded, kinds=["assessments"])
    request = decide_release(seeded.cast.registrar, request.pk, outcome="full")
    copy = read(request.copy_html).decode()
    assert "Anna räknar säkert med tal upp till 1000." in copy
    assert "Anna har varit på" not in copy
    assert "Vi tycker att planen är bra." not in copy


@pytest.mark.django_db
def test_a_document_masked_whole_shows_only_its_kind_and_date_and_its_files_go_with_it(
    seeded: SeededPage,
) -> None:
    request = register(seeded)
    message = seeded.messages["pdfs"]
    add_masking(
        seeded.cast.registrar,
        request.pk,
        document="message",
        document_id=message.pk,
        ground_id=SecrecyGround.objects.get(provision="21 kap. 3 §").pk,
    )
    request = decide_release(seeded.cast.registrar, request.pk, outcome="masked")
    copy = read(request.copy_html).decode()
    text = pypdf_text(read(request.copy_pdf))
    for gone in ("Här är två papper.", "schema-vt.pdf", MASKED_PDF, "Schemat för vårterminen"):
        assert gone not in copy, gone
    article = copy[copy.index(f'id="doc-message-{message.pk}"') :]
    article = article[: article.index("</article>")]
    assert seeded.cast.guardian_2.last_name not in article  # nor who wrote it
    assert squeeze("Schemat för vårterminen") not in squeeze(text)
    assert f"Meddelande {timezone.localdate(message.created_at).isoformat()}" in copy
    assert squeeze("[Maskerat enligt 21 kap. 3 § OSL]") in squeeze(text)
