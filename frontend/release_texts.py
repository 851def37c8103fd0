"""The review page's documents: each stored text exactly as stored, with the passages masked
so far marked, and each document's and attachment's maskings beside it.

A text is shown as plain text in a ``white-space: pre-wrap`` box whose text content is the
stored text to the character, so that a selection in the browser maps to code-point offsets
of ``Text.value`` (frontend/static/frontend/release_offsets.js). Hence the HTML is made here,
piece by piece, without any white space of a template between the pieces; and a carriage
return is written as ``&#13;``, which the HTML parser keeps (a literal CR LF would be read as
a single LF and shift every offset after it).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from records.models import Masking
from records.release.documents import Document, File, Text


@dataclass
class ShownPassage:
    masking: Masking
    passage: str  # the masked words, as stored


@dataclass
class ShownText:
    text: Text
    html: SafeString  # the stored text, with the masked passages in <mark>
    passages: list[ShownPassage]  # the passages masked in it, in text order


@dataclass
class ShownFile:
    file: File
    masking: Masking | None  # the attachment is masked whole

    @property
    def name(self) -> str:
        """``attachment-7``: the attachment's forms are named after it."""
        return f"{self.file.key[0]}-{self.file.key[1]}"


@dataclass
class ShownDocument:
    document: Document
    texts: list[ShownText] = field(default_factory=list)
    files: list[ShownFile] = field(default_factory=list)
    whole: Masking | None = None  # the whole document is masked

    @property
    def kind(self) -> str:
        return self.document.key[0]

    @property
    def id(self) -> int:
        return self.document.key[1]

    @property
    def name(self) -> str:
        """``message-42``: the document's forms are named after it."""
        return f"{self.kind}-{self.id}"

    @property
    def anchor(self) -> str:
        """The document's id in the page (``document-message-42``)."""
        return f"document-{self.name}"

    @property
    def passage_count(self) -> int:
        return sum(len(text.passages) for text in self.texts)


def _piece(value: str) -> str:
    return escape(value).replace("\r", "&#13;")


def marked_text(value: str, maskings: list[Masking]) -> SafeString:
    """``value`` as HTML with each masked range in a ``<mark>`` (overlapping ranges make
    one mark, naming every masking it holds). Ranges are clamped to the text."""
    length = len(value)
    ranges = sorted(
        (max(0, min(m.start or 0, length)), max(0, min(m.end or 0, length)), m.pk) for m in maskings
    )
    out: list[str] = []
    at = 0
    index = 0
    while index < len(ranges):
        start, end, pk = ranges[index]
        ids = [pk]
        index += 1
        while index < len(ranges) and ranges[index][0] < end:
            end = max(end, ranges[index][1])
            ids.append(ranges[index][2])
            index += 1
        if end <= start:
            continue
        start = max(start, at)
        out.append(_piece(value[at:start]))
        names = " ".join(str(masking_id) for masking_id in ids)
        out.append(f'<mark class="masked-passage" data-maskings="{names}">{_piece(value[start:end])}</mark>')
        at = end
    out.append(_piece(value[at:]))
    return mark_safe("".join(out))  # noqa: S308 - every piece of text is escaped above


def shown_documents(documents: list[Document], maskings: list[Masking]) -> list[ShownDocument]:
    """The documents in scope as the review page shows them, each with its maskings."""
    by_document: dict[tuple[str, int], list[Masking]] = defaultdict(list)
    for masking in maskings:
        by_document[(masking.document, masking.document_id)].append(masking)
    shown = []
    for document in documents:
        own = by_document.get(document.key, [])
        texts = []
        for text in document.texts:
            passages = sorted(
                (m for m in own if m.field == text.name and m.start is not None),
                key=lambda m: (m.start or 0, m.pk),
            )
            texts.append(
                ShownText(
                    text,
                    marked_text(text.value, passages),
                    [ShownPassage(m, text.value[m.start or 0 : m.end or 0]) for m in passages],
                )
            )
        files = [
            ShownFile(file, next((m for m in by_document.get(file.key, []) if m.is_whole), None))
            for file in document.files
        ]
        whole = next((m for m in own if m.is_whole), None)
        shown.append(ShownDocument(document, texts, files, whole))
    return shown
