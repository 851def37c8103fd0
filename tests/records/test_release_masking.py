"""Masking a document's texts before rendering (``records.release.masking``): the masked
characters are gone before Markdown sees the text, markers name the grounds, a link whose
target is masked loses the target, and a masking that does not fit its text is refused."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from html.parser import HTMLParser

import pytest
from django.utils import timezone, translation

from records.release.documents import Document, File, Text
from records.release.masking import Cut, StaleMasking, merge, render_masked, show, text_sha256

A = "23 kap. 2 §"
B = "21 kap. 1 §"


@dataclass
class Marked:
    """A masking as ``show`` reads it (the model's fields and its ground's provision)."""

    document: str
    document_id: int
    field: str
    start: int | None
    end: int | None
    text_sha256: str
    provision: str


@pytest.fixture(autouse=True)
def swedish() -> object:
    with translation.override("sv"):
        yield


def cut(text: str, passage: str, provision: str = A) -> list[Cut]:
    start = text.index(passage)
    return merge([(start, start + len(passage), provision)])


class Balanced(HTMLParser):
    """Checks that every opened element is closed, and collects attributes."""

    VOID = frozenset({"br", "hr"})

    def __init__(self) -> None:
        super().__init__()
        self.open: list[str] = []
        self.attributes: list[tuple[str, str | None]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.attributes.extend(attrs)
        if tag not in self.VOID:
            self.open.append(tag)

    def handle_endtag(self, tag: str) -> None:
        assert self.open, tag
        assert self.open[-1] == tag, (self.open, tag)
        self.open.pop()


def balanced(html: str) -> Balanced:
    parser = Balanced()
    parser.feed(html)
    parser.close()
    assert parser.open == []
    return parser


def test_a_masked_passage_is_replaced_by_the_marker_naming_the_ground() -> None:
    text = "Anna har **träffat kuratorn** i dag."
    html = render_masked(Text("body", "", text), cut(text, "träffat kuratorn"))
    marker = '<span class="masked">[Maskerat enligt 23 kap. 2 § OSL]</span>'
    assert html == f"<p>Anna har <strong>{marker}</strong> i dag.</p>\n"
    balanced(html)


def test_a_partly_masked_link_target_loses_the_target_and_keeps_its_text() -> None:
    text = "Se [journalen](https://vard.example/journal/anna) nu."
    html = render_masked(Text("body", "", text), cut(text, "vard.example/journal/anna"))
    parsed = balanced(html)
    assert "href" not in html
    assert "vard" not in html
    assert "journalen" in html
    assert html.count("[Maskerat enligt 23 kap. 2 § OSL]") == 1
    assert all("zq" not in (value or "") for _name, value in parsed.attributes)


def test_a_masked_link_text_keeps_the_link_target_when_the_target_is_not_masked() -> None:
    text = "Se [kuratorns anteckning](https://skolan.example/info) nu."
    html = render_masked(Text("body", "", text), cut(text, "kuratorns anteckning"))
    balanced(html)
    assert 'href="https://skolan.example/info"' in html
    assert "kuratorns" not in html


def test_a_masked_bare_url_leaves_no_link() -> None:
    text = "Länk: https://vard.example/remiss/anna i dag"
    html = render_masked(Text("body", "", text), cut(text, "vard.example/remiss/anna"))
    balanced(html)
    assert "vard" not in html
    assert "remiss" not in html


def test_a_masked_heading_and_code_and_html_like_text() -> None:
    text = "# Diagnos: dyslexi\n`kod hemlig` och <script>alert(1)</script>"
    cuts = merge([(2, 18, A), (text.index("hemlig"), text.index("hemlig") + 6, A)])
    html = render_masked(Text("body", "", text), cuts)
    balanced(html)
    assert "Diagnos" not in html
    assert "hemlig" not in html
    assert "<script>" not in html
    assert "&lt;script&gt;" in html


def test_overlapping_and_touching_ranges_merge_into_one_marker_naming_each_ground() -> None:
    assert merge([(5, 10, A), (8, 12, B), (12, 14, A), (20, 22, A)]) == [
        Cut(5, 14, (A, B)),
        Cut(20, 22, (A,)),
    ]
    text = "Eleven har diagnos och medicin varje dag."
    html = render_masked(Text("body", "", text), merge([(11, 22, A), (19, 30, B)]))
    assert html.count("Maskerat") == 1
    assert "[Maskerat enligt 23 kap. 2 §, 21 kap. 1 § OSL]" in html
    assert "diagnos" not in html
    assert "medicin" not in html


def test_plain_text_is_escaped_with_its_line_breaks() -> None:
    text = "Rad ett <b>\nhemligt\nrad tre"
    html = render_masked(Text("what", "", text, markdown=False), cut(text, "hemligt"))
    marker = '<span class="masked">[Maskerat enligt 23 kap. 2 § OSL]</span>'
    assert html == f'<p class="plain">Rad ett &lt;b&gt;<br>\n{marker}<br>\nrad tre</p>'


def test_ranges_are_code_points_so_an_emoji_before_the_passage_counts_as_one() -> None:
    text = "😀 hemligt här"
    html = render_masked(Text("body", "", text), merge([(2, 9, A)]))
    assert "hemligt" not in html
    assert "😀" in html
    assert "här" in html


def document() -> Document:
    return Document(
        kind="messages",
        key=("message", 7),
        title="Meddelande i Allmänt",
        at=timezone.make_aware(datetime.datetime(2026, 11, 3, 14, 5)),
        author="Karin Andersson",
        facts=[("Samtalstråd", "Allmänt")],
        texts=[Text("body", "", "Hej! Anna har astma. Vi hörs.")],
        files=[
            File(("attachment", 1), "intyg-astma.pdf", "application/pdf", "x/1.pdf", False),
            File(("attachment", 2), "teckning.png", "image/png", "x/2.png", True),
        ],
        generic_title="Meddelande 2026-11-03",
    )


def marked(start: int | None = None, end: int | None = None, **changes: object) -> Marked:
    text = document().texts[0].value
    values: dict[str, object] = {
        "document": "message",
        "document_id": 7,
        "field": "body" if start is not None else "",
        "start": start,
        "end": end,
        "text_sha256": text_sha256(text) if start is not None else "",
        "provision": A,
    }
    values.update(changes)
    return Marked(**values)  # type: ignore[arg-type]


def test_a_whole_document_masked_shows_only_a_generic_title_and_the_marker() -> None:
    shown = show(document(), [marked()], at_text="2026-11-03 14:05")
    assert shown.title == "Meddelande 2026-11-03"
    assert (shown.author, shown.facts, shown.texts, shown.files, shown.at_text) == ("", [], [], [], "")
    assert "[Maskerat enligt 23 kap. 2 § OSL]" in shown.whole


def test_a_whole_attachment_masked_is_dropped_and_the_other_file_kept() -> None:
    masking = marked(document="attachment", document_id=1)
    shown = show(document(), [masking], at_text="")
    assert shown.files[0].file is None
    assert "Maskerat" in shown.files[0].marker
    assert shown.files[1].file is not None
    assert shown.files[1].file.name == "teckning.png"


def test_a_masking_that_does_not_fit_its_text_is_refused() -> None:
    text = document().texts[0].value
    start = text.index("astma")
    assert show(document(), [marked(start, start + 5)], at_text="").passages == 1
    with pytest.raises(StaleMasking):
        show(document(), [marked(start, start + 5, text_sha256=text_sha256(text + "!"))], at_text="")
    with pytest.raises(StaleMasking):
        show(document(), [marked(start, len(text) + 1)], at_text="")
    with pytest.raises(StaleMasking):
        show(document(), [marked(5, 5)], at_text="")
    with pytest.raises(StaleMasking):
        show(document(), [marked(start, start + 5, field="title")], at_text="")
