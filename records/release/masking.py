"""A document as the released copy shows it: its masked passages, files or the whole of it
replaced by the ground's marker ("[Maskerat enligt 23 kap. 2 § OSL]").

Masked text never reaches a renderer. A text's masked ranges (code points of the stored text)
are cut out first and an opaque token put in their place; only then is the text rendered
(the dialogue's Markdown through ``writing.rendering.render_markdown``, plain text escaped);
then each token is replaced by the escaped marker. A token is letters and digits only, so
Markdown and the sanitiser leave it as it is, wherever it lands. If one lands in a link's
target (part of a URL was masked) the link loses its target and keeps its text, and the
marker follows the text: no attribute ever holds a marker or a piece of a masked URL.

A masking names the whole text it was made on by its SHA-256 (``text_sha256``): a copy is
never made from a range that no longer fits its text (``StaleMasking``).

``ShownDocument`` holds only what the copy may show: it does not keep the document's texts,
so nothing later can render them by mistake.
"""

from __future__ import annotations

import hashlib
import html
import secrets
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Protocol

from django.utils.translation import gettext as _

from records.release.documents import Document, File, Text
from writing.rendering import render_markdown


class StaleMasking(Exception):
    """A masking does not fit the document as it is read now (its text changed, its range
    falls outside it, or the document or file is no longer there)."""


class MaskingLike(Protocol):
    """What applying a masking reads (``records.models.Masking`` with its ground)."""

    document: str
    document_id: int
    field: str
    start: int | None
    end: int | None
    text_sha256: str

    @property
    def provision(self) -> str: ...


def text_sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def check_range(text: str, start: int | None, end: int | None) -> None:
    """Raise ``ValueError`` unless 0 <= start < end <= len(text)."""
    if start is None or end is None or not (0 <= start < end <= len(text)):
        raise ValueError(f"range {start}..{end} does not fit a text of {len(text)} characters")


def marker_text(provisions: Iterable[str]) -> str:
    """The words that stand where something was masked, naming the ground(s)."""
    return _("[Masked under %(provision)s OSL]") % {"provision": ", ".join(dict.fromkeys(provisions))}


def marker_html(provisions: Iterable[str]) -> str:
    return f'<span class="masked">{html.escape(marker_text(provisions))}</span>'


@dataclass(frozen=True)
class Cut:
    """A merged masked range of one text and the grounds of the maskings it merges."""

    start: int
    end: int
    provisions: tuple[str, ...]


def merge(ranges: Iterable[tuple[int, int, str]]) -> list[Cut]:
    """Overlapping or touching ranges become one cut naming each ground once."""
    cuts: list[Cut] = []
    for start, end, provision in sorted(ranges):
        if cuts and start <= cuts[-1].end:
            last = cuts[-1]
            provisions = last.provisions if provision in last.provisions else (*last.provisions, provision)
            cuts[-1] = Cut(last.start, max(last.end, end), provisions)
        else:
            cuts.append(Cut(start, end, (provision,)))
    return cuts


@dataclass(frozen=True)
class ShownText:
    name: str
    label: str
    html: str  # rendered, with the masked passages as markers


@dataclass(frozen=True)
class ShownFile:
    """A file the copy shows (``file``), or, when it is masked, only its marker."""

    file: File | None
    marker: str = ""


@dataclass
class ShownDocument:
    kind: str
    key: tuple[str, int]
    title: str
    at_text: str
    author: str
    facts: list[tuple[str, str]] = field(default_factory=list)
    texts: list[ShownText] = field(default_factory=list)
    files: list[ShownFile] = field(default_factory=list)
    # The marker when the whole document is masked (then nothing else of it is shown).
    whole: str = ""
    # Passages masked in its texts, and files masked whole (for the copy's summary).
    passages: int = 0


def show(document: Document, maskings: Sequence[MaskingLike], *, at_text: str) -> ShownDocument:
    """The document as the copy shows it. ``maskings`` are those naming this document or
    one of its files. Raises ``StaleMasking`` when one does not fit."""
    own = [m for m in maskings if (m.document, m.document_id) == document.key]
    whole = [m for m in own if not m.field]
    if whole:
        return ShownDocument(
            kind=document.kind,
            key=document.key,
            title=document.generic_title or document.kind,
            at_text="",
            author="",
            whole=marker_html(m.provision for m in whole),
        )
    ranges: dict[str, list[tuple[int, int, str]]] = {}
    for masking in own:
        text = document.text(masking.field)
        if text is None:
            raise StaleMasking(f"{document.key} has no text {masking.field!r}")
        if text_sha256(text.value) != masking.text_sha256:
            raise StaleMasking(f"the text {masking.field!r} of {document.key} changed after it was masked")
        try:
            check_range(text.value, masking.start, masking.end)
        except ValueError as error:
            raise StaleMasking(str(error)) from error
        assert masking.start is not None
        assert masking.end is not None
        ranges.setdefault(masking.field, []).append((masking.start, masking.end, masking.provision))
    files: list[ShownFile] = []
    for file in document.files:
        masked = [m for m in maskings if (m.document, m.document_id) == file.key]
        files.append(ShownFile(None, marker_html(m.provision for m in masked)) if masked else ShownFile(file))
    texts = [
        ShownText(text.name, text.label, render_masked(text, merge(ranges.get(text.name, []))))
        for text in document.texts
    ]
    return ShownDocument(
        kind=document.kind,
        key=document.key,
        title=document.title,
        at_text=at_text,
        author=document.author,
        facts=list(document.facts),
        texts=texts,
        files=files,
        passages=sum(len(found) for found in ranges.values()),
    )


def render_masked(text: Text, cuts: Sequence[Cut]) -> str:
    """The text as HTML with each cut replaced by its marker; the cut characters are gone
    before anything is rendered."""
    if not text.markdown:
        return _plain(text.value, cuts)
    nonce = secrets.token_hex(8)
    while nonce in text.value:  # the token must be found only where it was put
        nonce = secrets.token_hex(8)
    tokens: dict[str, Cut] = {}
    pieces: list[str] = []
    last = 0
    for number, cut in enumerate(cuts):
        token = f"zq{nonce}m{number}q"
        tokens[token] = cut
        pieces.append(text.value[last : cut.start])
        pieces.append(token)
        last = cut.end
    pieces.append(text.value[last:])
    rendered = render_markdown("".join(pieces))
    if not tokens:
        return rendered
    result = _Unmasker(tokens).run(rendered)
    if f"zq{nonce}" in result:  # never expected: a token that was not replaced
        raise RuntimeError("a masking token survived rendering")
    return result


def _plain(value: str, cuts: Sequence[Cut]) -> str:
    pieces: list[str] = []
    last = 0
    for cut in cuts:
        pieces.append(_escaped_lines(value[last : cut.start]))
        pieces.append(marker_html(cut.provisions))
        last = cut.end
    pieces.append(_escaped_lines(value[last:]))
    return f'<p class="plain">{"".join(pieces)}</p>'


def _escaped_lines(value: str) -> str:
    return "<br>\n".join(html.escape(line) for line in value.split("\n"))


class _Unmasker(HTMLParser):
    """Writes the sanitised HTML again with each token replaced by its marker; a link whose
    target holds a token is written as its text only, followed by the marker(s)."""

    def __init__(self, tokens: dict[str, Cut]) -> None:
        super().__init__(convert_charrefs=True)
        self.tokens = tokens
        self.out: list[str] = []
        self.text: list[str] = []
        # For each open <a>: the tokens of its target when it was dropped, else None.
        self.links: list[list[str] | None] = []
        self.shown: set[str] = set()

    def run(self, rendered: str) -> str:
        self.feed(rendered)
        self.close()
        self._flush()
        return "".join(self.out)

    def _found(self, value: str) -> list[str]:
        return [token for token in self.tokens if token in value]

    def _flush(self) -> None:
        if not self.text:
            return
        value = "".join(self.text)
        self.text = []
        escaped = html.escape(value, quote=False)
        for token in self._found(value):
            self.shown.add(token)
            escaped = escaped.replace(token, marker_html(self.tokens[token].provisions))
        self.out.append(escaped)

    def _tag(self, tag: str, attrs: list[tuple[str, str | None]], close: bool = False) -> str:
        written = "".join(
            f" {name}" if value is None else f' {name}="{html.escape(value, quote=True)}"'
            for name, value in attrs
        )
        return f"<{tag}{written}{' /' if close else ''}>"

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._flush()
        if tag == "a":
            hidden = [token for _name, value in attrs if value for token in self._found(value)]
            self.links.append(hidden or None)
            if hidden:
                return  # the link's text stays; the target is not written at all
        elif any(value and self._found(value) for _name, value in attrs):
            # No other attribute can hold user text (the sanitiser's allowlist); if one ever
            # did, the element's attributes are dropped rather than written.
            attrs = []
        self.out.append(self._tag(tag, attrs))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._flush()
        if any(value and self._found(value) for _name, value in attrs):
            attrs = []
        self.out.append(self._tag(tag, attrs, close=True))

    def handle_endtag(self, tag: str) -> None:
        self._flush()
        if tag == "a" and self.links:
            hidden = self.links.pop()
            if hidden is not None:
                for token in dict.fromkeys(hidden):
                    if token not in self.shown:
                        self.shown.add(token)
                        self.out.append(" " + marker_html(self.tokens[token].provisions))
                return
        self.out.append(f"</{tag}>")

    def handle_data(self, data: str) -> None:
        self.text.append(data)
