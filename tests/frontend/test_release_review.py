"""The review of a request for public records: the documents in scope shown exactly as
stored (so that a selection is a range of the stored text), masking a passage, a whole
document or an attachment with a ground, the preview, the decision, the files and the
delivery; the openings the review writes to the student's access log; its query count."""

from __future__ import annotations

import uuid
from html.parser import HTMLParser

import pytest
from django.urls import reverse

from accounts.models import User
from dialogue.actions.messages import post_message
from dialogue.actions.pages import page_of
from dialogue.models import Message, Thread
from frontend.release_texts import marked_text
from records.models import Masking, Opening, ReleaseRequest
from records.release import actions
from tests.support.cast import Cast
from tests.support.clients import verified_client
from tests.support.dialogue import dialogue_objects
from tests.support.releases import ground, mask_passage, register

pytestmark = pytest.mark.django_db

# Emoji outside the basic plane (two UTF-16 units, one code point, and a modifier) and a line
# break: a range must still be the stored text's code points. (The dialogue stores line
# breaks as LF and text as NFC; a CR in any stored text is kept too, see the last test.)
BODY = "Hej! 😀 Anna går hos kuratorn varje vecka.\nHon mår bättre nu. Café på fredag 👍🏽."
PASSAGE = "går hos kuratorn varje vecka"


class _TextBoxes(HTMLParser):
    """The text content of each ``data-release-text`` box, as a browser's DOM would hold it."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.boxes: list[str] = []
        self._depth = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if self._depth:
            self._depth += 1
        elif any(name == "data-release-text" for name, _value in attrs):
            self._depth = 1
            self.boxes.append("")

    def handle_endtag(self, tag: str) -> None:
        if self._depth:
            self._depth -= 1

    def handle_data(self, data: str) -> None:
        if self._depth:
            self.boxes[-1] += data


def _boxes(html: str) -> list[str]:
    parser = _TextBoxes()
    parser.feed(html)
    return parser.boxes


def _message(cast: Cast, body: str = BODY, author: User | None = None) -> Message:
    page = page_of(cast.student)
    thread = page.threads.get(kind=Thread.Kind.GENERAL)
    message, _payload = post_message(
        author or cast.guardian_1, page, thread_id=thread.pk, body=body, client_id=uuid.uuid4()
    )
    return message


def _review(cast: Cast, request: ReleaseRequest, role: str = "registrar") -> str:
    response = verified_client(cast.person(role)).get(reverse("release", args=[request.pk]))
    assert response.status_code == 200
    return response.content.decode()


def test_every_text_is_shown_exactly_as_stored_so_a_selection_is_a_range_of_it(cast: Cast) -> None:
    message = _message(cast)
    assert message.body == BODY
    request = register(cast, kinds=["messages"])
    html = _review(cast, request)
    assert BODY in _boxes(html)  # line break and emoji, to the character
    assert f'id="document-message-{message.pk}"' in html
    assert "data-passage-form hidden" in html  # the passage form waits for the script


def test_masking_a_selected_passage_marks_it_and_the_preview_leaves_it_out(cast: Cast) -> None:
    message = _message(cast)
    request = register(cast, kinds=["messages"])
    client = verified_client(cast.registrar)
    start = BODY.index(PASSAGE)  # code points, as the page's script sends them
    assert start != BODY.encode("utf-16-le").find(PASSAGE.encode("utf-16-le")) // 2  # the emoji
    response = client.post(
        reverse("release-mask", args=[request.pk]),
        {
            "form": "passage",
            "document": "message",
            "document_id": str(message.pk),
            "field": "body",
            "start": str(start),
            "end": str(start + len(PASSAGE)),
            "selected": PASSAGE,
            "ground": str(ground().pk),
            "reason": "Elevhälsa",
        },
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("release", args=[request.pk]) + f"#document-message-{message.pk}"
    masking = Masking.objects.get(request=request)
    assert (masking.field, masking.start, masking.end, masking.reason) == (
        "body",
        start,
        start + 28,
        "Elevhälsa",
    )
    html = _review(cast, request)
    assert f'<mark class="masked-passage" data-maskings="{masking.pk}">{PASSAGE}</mark>' in html
    assert BODY in _boxes(html)  # the mark adds nothing to the text
    assert "23 kap. 2 § OSL: Elevhälsa" in html
    preview = client.get(reverse("release-preview", args=[request.pk]))
    assert preview.status_code == 200
    copy = preview.content.decode()
    assert PASSAGE not in copy
    assert "kuratorn" not in copy
    assert "23 kap. 2 §" in copy
    assert "Hon mår bättre nu." in copy


def test_the_preview_runs_nothing_and_loads_nothing(cast: Cast) -> None:
    _message(cast)
    request = register(cast, kinds=["messages"])
    preview = verified_client(cast.registrar).get(reverse("release-preview", args=[request.pk]))
    policy = preview["Content-Security-Policy"]
    assert policy.startswith("default-src 'none'; style-src 'sha256-")
    assert "script-src" not in policy
    assert "'self'" not in policy
    assert "unsafe" not in policy
    assert preview["Content-Type"] == "text/html; charset=utf-8"
    assert preview["Cache-Control"] == "no-store"


def test_a_selection_that_does_not_fit_the_stored_text_is_refused_and_the_form_comes_back(cast: Cast) -> None:
    message = _message(cast)
    request = register(cast, kinds=["messages"])
    start = BODY.index(PASSAGE)
    response = verified_client(cast.registrar).post(
        reverse("release-mask", args=[request.pk]),
        {
            "form": "passage",
            "document": "message",
            "document_id": str(message.pk),
            "field": "body",
            "start": str(start + 1),  # one off, as a UTF-16 count would be
            "end": str(start + 1 + len(PASSAGE)),
            "selected": PASSAGE,
            "ground": str(ground().pk),
            "reason": "Skrivet skäl",
        },
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert 'data-testid="form-error"' in html
    assert 'value="Skrivet skäl"' in html
    assert not Masking.objects.filter(request=request).exists()


def test_a_masking_needs_a_ground_and_a_passage_a_selection(cast: Cast) -> None:
    message = _message(cast)
    request = register(cast, kinds=["messages"])
    client = verified_client(cast.principal)
    url = reverse("release-mask", args=[request.pk])
    base = {"document": "message", "document_id": str(message.pk), "reason": "Mitt skäl"}
    no_ground = client.post(url, {**base, "form": "whole"})
    assert no_ground.status_code == 400
    assert "Välj sekretessgrund." in no_ground.content.decode()
    assert 'value="Mitt skäl"' in no_ground.content.decode()
    no_selection = client.post(url, {**base, "form": "passage", "ground": str(ground().pk)})
    assert no_selection.status_code == 400
    assert "Markera först det avsnitt i handlingens text som ska maskeras." in no_selection.content.decode()
    assert not Masking.objects.filter(request=request).exists()


def test_a_whole_document_and_an_attachment_are_masked_without_any_script(cast: Cast) -> None:
    objects = dialogue_objects(cast)
    request = register(cast, kinds=["messages"])
    client = verified_client(cast.registrar)
    html = _review(cast, request)
    attachment = objects["attachment"]
    assert f'id="file-attachment-{attachment.pk}"' in html
    for document, document_id in (("attachment", attachment.pk), ("message", objects["message"].pk)):
        response = client.post(
            reverse("release-mask", args=[request.pk]),
            {
                "form": "whole",
                "document": document,
                "document_id": str(document_id),
                "ground": str(ground("21 kap. 1 §").pk),
            },
        )
        assert response.status_code == 302, response.content.decode()[:3000]
    assert Masking.objects.filter(request=request, field="").count() == 2
    html = _review(cast, request)
    assert "Hela handlingen är maskerad" in html
    assert html.count("21 kap. 1 § OSL") >= 2
    preview = client.get(reverse("release-preview", args=[request.pk])).content.decode()
    assert "ritat" not in preview
    assert "teckning.png" not in preview


def test_a_masking_is_removed_and_removing_it_twice_says_so(cast: Cast) -> None:
    message = _message(cast)
    request = register(cast, kinds=["messages"])
    masking = mask_passage(cast.registrar, request, message, PASSAGE)
    url = reverse("release-unmask", args=[request.pk, masking.pk])
    first = verified_client(cast.principal).post(url)
    assert first.status_code == 302
    assert not Masking.objects.filter(pk=masking.pk).exists()
    again = verified_client(cast.registrar).post(url, follow=True)
    assert "Maskeringen var redan borttagen." in again.content.decode()


def test_deciding_with_masking_makes_the_files_which_download_under_the_reference(cast: Cast) -> None:
    message = _message(cast)
    request = register(cast, kinds=["messages"])
    mask_passage(cast.registrar, request, message, PASSAGE, reason="Elevhälsa")
    client = verified_client(cast.registrar)
    full = client.post(reverse("release-decide", args=[request.pk]), {"outcome": "full"})
    assert full.status_code == 400  # passages are masked: the action says so on the page
    assert 'data-testid="form-error"' in full.content.decode()
    decided = client.post(reverse("release-decide", args=[request.pk]), {"outcome": "masked"})
    assert decided.status_code == 302
    assert decided["Location"].endswith("#decision")
    request.refresh_from_db()
    assert (request.status, request.outcome, request.decided_by) == ("decided", "masked", cast.registrar)
    html = _review(cast, request)
    assert 'data-testid="decision-form"' not in html
    assert "Ta bort maskeringen" not in html
    stem = request.reference.replace(" ", "-")
    for name, content_type, file_name in (
        ("copy.pdf", "application/pdf", f"{stem}-kopia.pdf"),
        ("copy.html", "text/html; charset=utf-8", f"{stem}-kopia.html"),
        ("decision.pdf", "application/pdf", f"{stem}-beslut.pdf"),
        ("decision.html", "text/html; charset=utf-8", f"{stem}-beslut.html"),
    ):
        assert reverse("release-file", args=[request.pk, name]) in html
        response = client.get(reverse("release-file", args=[request.pk, name]))
        assert response.status_code == 200, name
        assert response["Content-Type"] == content_type
        assert response["Content-Disposition"] == f'attachment; filename="{file_name}"'
        assert response["Cache-Control"] == "no-store"
        data = b"".join(response.streaming_content)  # type: ignore[attr-defined]
        if name.endswith(".pdf"):
            assert data.startswith(b"%PDF-")
        elif name == "copy.html":
            assert PASSAGE not in data.decode()
    assert cast.student.first_name not in html.split('data-testid="release-files"')[1].split("</ul>")[0]
    assert client.get(reverse("release-file", args=[request.pk, "other.pdf"])).status_code == 404


def test_a_refusal_needs_its_ground_and_makes_no_copy(cast: Cast) -> None:
    _message(cast)
    request = register(cast, kinds=["messages"])
    client = verified_client(cast.principal)
    url = reverse("release-decide", args=[request.pk])
    without = client.post(url, {"outcome": "refused", "refusal_reason": "Skrivet skäl"})
    assert without.status_code == 400
    assert "Skrivet skäl" in without.content.decode()
    refused = client.post(
        url, {"outcome": "refused", "refusal_ground": str(ground().pk), "refusal_reason": "Hela innehållet"}
    )
    assert refused.status_code == 302
    request.refresh_from_db()
    assert (request.outcome, request.copy_pdf, bool(request.decision_pdf)) == ("refused", "", True)
    html = _review(cast, request, "principal")
    assert reverse("release-file", args=[request.pk, "decision.pdf"]) in html
    assert reverse("release-file", args=[request.pk, "copy.pdf"]) not in html
    assert client.get(reverse("release-file", args=[request.pk, "copy.pdf"])).status_code == 404


def test_recording_the_delivery_once(cast: Cast) -> None:
    request = register(cast, kinds=["assessments"])
    client = verified_client(cast.registrar)
    early = client.post(reverse("release-delivered", args=[request.pk]))
    assert early.status_code == 302  # back to the review, told to decide first
    request.refresh_from_db()
    assert request.delivered_at is None
    actions.decide_release(cast.registrar, request.pk, outcome=ReleaseRequest.Outcome.FULL)
    sent = client.post(reverse("release-delivered", args=[request.pk]))
    assert sent.status_code == 302
    request.refresh_from_db()
    assert request.delivered_by == cast.registrar
    html = _review(cast, request)
    assert 'data-testid="delivered-button"' not in html
    assert "Rut Registrator" in html.split('data-testid="delivered"')[1].split("</dd>")[0]


def test_opening_the_review_the_preview_and_a_file_is_logged_and_acting_is_not(cast: Cast) -> None:
    message = _message(cast)
    request = register(cast, kinds=["messages"])
    client = verified_client(cast.principal)

    def logged() -> list[tuple[str, int | None]]:
        rows = Opening.objects.filter(student_id=cast.student.pk, viewer_id=cast.principal.pk).order_by("pk")
        return list(rows.values_list("what", "object_id"))

    assert client.get(reverse("release", args=[request.pk])).status_code == 200
    assert logged() == [("release", request.pk)]
    mask_url = reverse("release-mask", args=[request.pk])
    whole = {
        "form": "whole",
        "document": "message",
        "document_id": str(message.pk),
        "ground": str(ground().pk),
    }
    assert client.post(mask_url, whole).status_code == 302
    assert client.get(reverse("release-preview", args=[request.pk])).status_code == 200
    assert logged() == [("release", request.pk), ("release_copy", request.pk)]
    assert client.post(reverse("release-decide", args=[request.pk]), {"outcome": "masked"}).status_code == 302
    before = len(logged())
    assert client.get(reverse("release-file", args=[request.pk, "decision.pdf"])).status_code == 200
    assert logged()[before:] == [("release_decision", request.pk)]
    # Nobody else's openings: the door logs the one who opened, about the request's student.
    assert not Opening.objects.filter(student_id=cast.student.pk, viewer_id=cast.registrar.pk).exists()


def test_the_review_takes_the_same_queries_for_a_few_messages_and_for_many(
    cast: Cast, django_assert_num_queries: object
) -> None:
    first = _message(cast)
    request = register(cast, kinds=["messages"])
    mask_passage(cast.registrar, request, first, PASSAGE)
    client = verified_client(cast.registrar)
    url = reverse("release", args=[request.pk])
    with django_assert_num_queries(REVIEW_QUERIES):  # type: ignore[operator]
        assert client.get(url).status_code == 200
    for number in range(15):
        _message(cast, body=f"Meddelande {number} med 😀", author=cast.teacher)
    many = register(cast, kinds=["messages"])
    mask_passage(cast.registrar, many, first, PASSAGE)
    mask_passage(cast.registrar, many, first, "Hon mår bättre nu.")
    with django_assert_num_queries(REVIEW_QUERIES):  # type: ignore[operator]
        response = client.get(reverse("release", args=[many.pk]))
    assert len(response.context["documents"]) == 16


# The session, the person, whether they need the code step; the request with its school,
# student, handler and the rest (the door), the relation, the opening's INSERT; the messages
# in scope with their authors and threads, their files, their earlier texts; the maskings
# with their grounds; the grounds to choose from.
REVIEW_QUERIES = 11


def test_a_carriage_return_and_markup_are_kept_as_text_and_a_mark_adds_nothing() -> None:
    """A CR is written as a character reference (the HTML parser would read a literal CR LF
    as LF and shift every offset after it); overlapping maskings make one mark."""
    value = "Rad ett\r\n<b>två</b> & 😀 tre fyra"
    masks = [
        Masking(pk=1, field="body", start=value.index("två"), end=value.index("två") + 3),
        Masking(pk=2, field="body", start=value.index("två") + 1, end=value.index(" tre")),
        Masking(pk=3, field="body", start=len(value) - 4, end=len(value) + 10),  # clamped
    ]
    html = marked_text(value, masks)
    assert "&#13;" in html
    assert "<b>" not in html
    assert '<mark class="masked-passage" data-maskings="1 2">' in html
    assert html.endswith('<mark class="masked-passage" data-maskings="3">fyra</mark>')
    assert _boxes(f"<div data-release-text>{html}</div>") == [value]
