"""PDF from the release's HTML (WeasyPrint), and PDF attachments appended to it (pypdf).

WeasyPrint lays out HTML and CSS with Pango (real text, so the PDF has a text layer a screen
reader and a search can use) and supports paged media: each page's running header comes from
the document's own ``@page`` rule. It never fetches anything: the fetcher reads only
``data:`` URIs (the copy's images are embedded), so neither a link in a message nor a
mistake in a template can make the server reach the network or read a local file.

An appended PDF's pages are shrunk a little and put below a header of the same words, so
that every page of the copy, its own and the attachments', says what it is.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from pypdf import PdfReader, PdfWriter, Transformation
from pypdf.errors import PdfReadError
from pypdf.generic import RectangleObject
from weasyprint import HTML
from weasyprint.urls import URLFetcher

# The band above an appended page's content that holds the header, in points (16 mm).
HEADER_BAND = 45.0


class _DataOnly(URLFetcher):
    """Reads ``data:`` URIs and refuses everything else (WeasyPrint then leaves the
    resource out)."""

    def __init__(self) -> None:
        super().__init__(allowed_protocols={"data"}, allow_redirects=False)

    def fetch(self, url: str, headers: Any = None) -> Any:
        if not url.lower().startswith("data:"):
            raise ValueError("only data: URIs are read")
        return super().fetch(url, headers)


def html_to_pdf(html: str) -> bytes:
    pdf = HTML(string=html, url_fetcher=_DataOnly()).write_pdf()
    assert isinstance(pdf, bytes)
    return pdf


def css_string(value: str) -> str:
    """``value`` as a CSS string literal: everything but letters, digits and spaces escaped,
    so no text can end the string or the rule. (CSS takes the one space after an escape as
    its end, so each escape is followed by one.)"""
    escaped = "".join(ch if ch.isalnum() or ch == " " else f"\\{ord(ch):06x} " for ch in value)
    return f'"{escaped}"'


@dataclass(frozen=True)
class Appendix:
    """A PDF to append: its name as the copy lists it, and its bytes."""

    name: str
    data: bytes


class UnreadableAppendix(Exception):
    """An attached PDF that cannot be read to be appended (damaged or encrypted)."""

    def __init__(self, name: str) -> None:
        super().__init__(name)
        self.name = name


def append_pdfs(pdf: bytes, appendices: Sequence[Appendix], *, header: str) -> bytes:
    """``pdf`` with each appendix's pages after it, each below ``header`` (its words, laid
    out by WeasyPrint like the copy's own header)."""
    if not appendices:
        return pdf
    writer = PdfWriter(clone_from=io.BytesIO(pdf))
    stamps: dict[tuple[int, int], Any] = {}
    for appendix in appendices:
        try:
            reader = PdfReader(io.BytesIO(appendix.data))
            if reader.is_encrypted and not reader.decrypt(""):
                raise UnreadableAppendix(appendix.name)
            pages = list(reader.pages)
        except (PdfReadError, ValueError, KeyError) as error:
            raise UnreadableAppendix(appendix.name) from error
        for source in pages:
            # pypdf changes a page's content only once the page belongs to the writer.
            page = writer.add_page(source)
            page.transfer_rotation_to_content()
            box = page.mediabox
            width, height = float(box.width), float(box.height)
            size = (round(width), round(height))
            if size not in stamps:
                stamps[size] = PdfReader(io.BytesIO(_stamp(size, header))).pages[0]
            scale = max(0.1, (size[1] - HEADER_BAND) / height)
            page.add_transformation(
                Transformation()
                .translate(-float(box.left), -float(box.bottom))
                .scale(scale, scale)
                .translate((size[0] - width * scale) / 2, 0)
            )
            page.mediabox = page.cropbox = RectangleObject((0, 0, size[0], size[1]))
            page.merge_page(stamps[size])
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _stamp(size: tuple[int, int], header: str) -> bytes:
    """One empty page of ``size`` (points) with only the running header."""
    width, height = size
    return html_to_pdf(
        "<!DOCTYPE html><html><head><meta charset='utf-8'><style>"
        f"@page {{ size: {width}pt {height}pt; margin: {HEADER_BAND}pt 0 0 0;"
        f" @top-center {{ content: {css_string(header)}; font-family: 'DejaVu Sans', sans-serif;"
        " font-size: 9pt; color: #222; }}"
        "</style></head><body></body></html>"
    )
