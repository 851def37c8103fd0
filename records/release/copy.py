"""The released copy of a request for public records: one self-contained HTML file, and the
PDF made from it.

The HTML has its style inline and no external resource: an image sent in the dialogue is
embedded as a ``data:`` URI of its stored bytes (already cleaned of camera metadata on
upload), with its file name as the alternative text. A PDF sent in the dialogue is listed by
name and its pages are appended to the PDF copy (``records.release.pdf``); the HTML copy
names it only. Anything masked whole, a document or a file, is left out entirely, its
marker in its place: no name, no alternative text, no bytes.

Every text goes through ``records.release.masking`` and nothing else here writes a
document's text: a masked passage is gone before rendering, so it is not in the HTML, the
PDF's text layer, its metadata (the title is the reference and "Released as a public
record" only), its bookmarks (only the kinds' headings) or its links.

Each page of the PDF has the running header (the reference, the phrase, the release date)
from the copy's own ``@page`` rule.
"""

from __future__ import annotations

import base64
import datetime
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.utils import timezone, translation
from django.utils.html import escape
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from records.models import Masking, ReleaseRequest, SecrecyGround
from records.release.documents import KINDS, Document, File, moment
from records.release.masking import ShownDocument, StaleMasking, show
from records.release.pdf import Appendix, append_pdfs, css_string, html_to_pdf
from writing.uploads import private_storage

PHRASE = gettext_lazy("Released as a public record")

STYLE = """
@page {
  size: A4;
  margin: 22mm 18mm 18mm 18mm;
  @top-center { content: %(header)s; font-size: 9pt; color: #222; }
  @bottom-right { content: %(page)s counter(page) %(of)s counter(pages); font-size: 8pt; color: #444; }
}
html { font-family: "DejaVu Sans", sans-serif; font-size: 9.5pt; line-height: 1.4; color: #111; }
body { margin: 0 auto; max-width: 48rem; }
h1, h3, h4 { bookmark-level: none; }
h1 { font-size: 16pt; margin: 0 0 .6em; }
h2 { font-size: 13pt; margin: 1.4em 0 .5em; border-bottom: 1px solid #888; }
h3 { font-size: 11pt; margin: 0 0 .2em; }
h4 { font-size: 10pt; margin: .6em 0 .1em; }
.release-header { border: 1px solid #444; padding: .4em .6em; margin-bottom: 1em; }
.release-header p { margin: 0; }
.release-header .phrase { font-weight: bold; }
dl { display: grid; grid-template-columns: max-content auto; gap: .1em .8em; margin: .3em 0; }
dt { font-weight: bold; }
dd { margin: 0; }
article { border-top: 1px solid #ccc; padding: .4em 0; }
article p { margin: .3em 0; }
.meta { color: #444; font-size: 8.5pt; }
.masked { font-weight: bold; background: #e8e8e8; border: 1px solid #999; padding: 0 .2em; }
figure { margin: .4em 0; }
img { max-width: 100%%; max-height: 110mm; }
a { color: #0645ad; }
pre, code { white-space: pre-wrap; font-family: "DejaVu Sans Mono", monospace; }
"""


def release_day(request: ReleaseRequest) -> datetime.date:
    """The date the copy is released: the decision's, or today for a preview."""
    return timezone.localdate(request.decided_at) if request.decided_at else timezone.localdate()


def running_header(request: ReleaseRequest, phrase: str | None = None) -> str:
    """The words at the top of every page: reference, phrase, date."""
    return f"{request.reference} · {phrase or str(PHRASE)} · {release_day(request).isoformat()}"


def page_style(header: str) -> str:
    return STYLE % {
        "header": css_string(header),
        "page": css_string(_("Page") + " "),
        "of": css_string(" / "),
    }


def _relevant(document: Document, maskings: Sequence[Masking]) -> list[Masking]:
    keys = {document.key, *(file.key for file in document.files)}
    return [masking for masking in maskings if (masking.document, masking.document_id) in keys]


def shown_documents(documents: Sequence[Document], maskings: Sequence[Masking]) -> list[ShownDocument]:
    """Each document as the copy shows it. Raises ``StaleMasking`` when a masking names
    something the request no longer covers, or no longer fits its text."""
    keys = {document.key for document in documents} | {
        file.key for document in documents for file in document.files
    }
    for masking in maskings:
        if (masking.document, masking.document_id) not in keys:
            raise StaleMasking(f"{masking.document} {masking.document_id} is not covered by the request")
    by_key: dict[tuple[str, int], list[Masking]] = {}
    for masking in maskings:
        by_key.setdefault((masking.document, masking.document_id), []).append(masking)
    shown = []
    for document in documents:
        own = [m for key in (document.key, *(f.key for f in document.files)) for m in by_key.get(key, [])]
        shown.append(show(document, own, at_text=moment(document.at)))
    return shown


def appended_pdfs(shown: Iterable[ShownDocument]) -> list[File]:
    """The PDF files the copy shows, in the copy's order: appended to the PDF copy."""
    return [
        item.file
        for document in shown
        for item in document.files
        if item.file is not None and not item.file.is_image
    ]


@dataclass(frozen=True)
class GroundUse:
    ground: SecrecyGround
    passages: int
    documents: int
    files: int
    reasons: list[str]


def grounds_used(maskings: Sequence[Masking]) -> list[GroundUse]:
    """Each ground the maskings use: how many passages, whole documents and files, and the
    reasons given (each once), in the grounds' order."""
    grounds: dict[int, SecrecyGround] = {}
    counts: dict[int, list[int]] = {}
    reasons: dict[int, dict[str, None]] = {}
    for masking in maskings:
        grounds[masking.ground_id] = masking.ground
        count = counts.setdefault(masking.ground_id, [0, 0, 0])
        if masking.field:
            count[0] += 1
        elif masking.document == "attachment":
            count[2] += 1
        else:
            count[1] += 1
        if masking.reason.strip():
            reasons.setdefault(masking.ground_id, {})[masking.reason.strip()] = None
    ordered = sorted(grounds.values(), key=lambda ground: (ground.position, ground.provision))
    return [
        GroundUse(
            ground,
            passages=counts[ground.pk][0],
            documents=counts[ground.pk][1],
            files=counts[ground.pk][2],
            reasons=list(reasons.get(ground.pk, {})),
        )
        for ground in ordered
    ]


def describe_use(use: GroundUse) -> str:
    parts = []
    if use.passages:
        parts.append(
            ngettext("%(n)d masked passage", "%(n)d masked passages", use.passages) % {"n": use.passages}
        )
    if use.documents:
        parts.append(
            ngettext("%(n)d document withheld", "%(n)d documents withheld", use.documents)
            % {"n": use.documents}
        )
    if use.files:
        parts.append(ngettext("%(n)d file withheld", "%(n)d files withheld", use.files) % {"n": use.files})
    return ", ".join(parts)


def period_text(request: ReleaseRequest) -> str:
    if request.period_from and request.period_to:
        return f"{request.period_from.isoformat()} – {request.period_to.isoformat()}"
    if request.period_from:
        return _("from %(date)s") % {"date": request.period_from.isoformat()}
    if request.period_to:
        return _("until %(date)s") % {"date": request.period_to.isoformat()}
    return _("the whole time")


def kinds_text(request: ReleaseRequest) -> list[str]:
    return [str(label) for kind, label in KINDS.items() if kind in request.kinds]


def header_block(request: ReleaseRequest, phrase: str) -> str:
    return (
        '<header class="release-header">'
        f'<p class="reference">{escape(request.reference)}</p>'
        f'<p class="phrase">{escape(phrase)}</p>'
        f'<p class="date">{escape(release_day(request).isoformat())}</p>'
        "</header>\n"
    )


def element(tag: str, text: str, attributes: str = "") -> str:
    """``text`` escaped in one element (gettext calls stay outside f-strings, where the
    message extractor finds them)."""
    return f"<{tag}{attributes}>{escape(text)}</{tag}>"


def facts_list(facts: Iterable[tuple[str, str]]) -> str:
    items = "".join(f"<dt>{escape(name)}</dt><dd>{escape(value)}</dd>" for name, value in facts)
    return f'<dl class="facts">{items}</dl>\n' if items else ""


def html_page(*, title: str, language: str, header: str, body: str) -> str:
    return (
        f'<!DOCTYPE html>\n<html lang="{escape(language)}">\n<head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{escape(title)}</title><style>{page_style(header)}</style></head>\n"
        f"<body>\n{body}</body>\n</html>\n"
    )


def copy_html(
    request: ReleaseRequest, documents: Sequence[Document], maskings: Sequence[Masking], *, language: str
) -> str:
    """The copy as one self-contained HTML file in ``language``. ``documents`` are the
    request's (``documents_in_scope``), ``maskings`` its maskings with their grounds.
    Raises ``StaleMasking`` when a masking does not fit."""
    with translation.override(language):
        return _copy_html(request, shown_documents(documents, maskings), maskings, language=language)


def _copy_html(
    request: ReleaseRequest, shown: Sequence[ShownDocument], maskings: Sequence[Masking], *, language: str
) -> str:
    with translation.override(language):
        phrase = str(PHRASE)
        body = [header_block(request, phrase), element("h1", _("Copy of public records")) + "\n"]
        body.append(_summary(request, maskings, shown))
        for kind, label in KINDS.items():
            if kind not in request.kinds:
                continue
            of_kind = [document for document in shown if document.kind == kind]
            body.append(f'<section class="kind"><h2>{escape(str(label))}</h2>\n')
            if not of_kind:
                body.append(element("p", _("No documents of this kind in the period.")) + "\n")
            body.extend(_article(document) for document in of_kind)
            body.append("</section>\n")
        pdfs = appended_pdfs(shown)
        if pdfs:
            body.append('<section class="appended">' + element("h2", _("Attached PDF files")) + "\n")
            intro = _("These files sent in the dialogue follow after this copy in its PDF version:")
            body.append(f"<p>{escape(intro)}</p>")
            body.append(
                "<ol>" + "".join(f"<li>{escape(file.name)}</li>" for file in pdfs) + "</ol></section>\n"
            )
        return html_page(
            title=f"{request.reference} – {phrase}",
            language=language,
            header=running_header(request, phrase),
            body="".join(body),
        )


def _summary(request: ReleaseRequest, maskings: Sequence[Masking], shown: Sequence[ShownDocument]) -> str:
    outcome = (
        request.get_outcome_display() if request.outcome else _("Preview: the request is not decided yet")
    )
    facts = [
        (_("Reference"), request.reference),
        (_("Request received"), moment(request.received_at)),
        (_("Student"), request.student.display_name),
        (_("Documents requested"), ", ".join(kinds_text(request))),
        (_("Period"), period_text(request)),
        (_("Documents in this copy"), str(len(shown))),
        (_("Decision"), str(outcome)),
    ]
    parts = ['<section class="request">' + element("h2", _("The request")) + "\n", facts_list(facts)]
    parts.append(
        "<p>"
        + escape(
            _(
                "The documents are shown as they stood when the request was received. Drafts are not public "
                "records and are not included."
            )
        )
        + "</p>\n"
    )
    uses = grounds_used(maskings)
    if uses:
        parts.append(element("h3", _("Grounds for masking")) + "\n<ul>")
        for use in uses:
            ground = f"{use.ground} – {use.ground.title} ({describe_use(use)})"
            parts.append(f"<li>{escape(ground)}</li>")
        parts.append("</ul>\n")
    parts.append("</section>\n")
    return "".join(parts)


def _article(document: ShownDocument) -> str:
    """One document: its title, one line of when, who and its facts (a line, not a table:
    WeasyPrint lays out a long copy of small documents several times faster so), its texts
    and its files."""
    anchor = f"doc-{document.key[0]}-{document.key[1]}"
    parts = [f'<article class="document" id="{escape(anchor)}">\n<h3>{escape(document.title)}</h3>\n']
    if document.whole:
        parts.append(f"<p>{document.whole}</p>\n</article>\n")
        return "".join(parts)
    meta: list[str] = [escape(part) for part in (document.at_text, document.author) if part]
    meta += [f"{escape(name)}: {escape(value)}" for name, value in document.facts]
    parts.append(f'<p class="meta">{" · ".join(meta)}</p>\n')
    for text in document.texts:
        if text.label:
            parts.append(f"<h4>{escape(text.label)}</h4>\n")
        parts.append(f"{text.html}\n")
    for item in document.files:
        parts.append(_file(item.file) if item.file is not None else f'<p class="file">{item.marker}</p>\n')
    parts.append("</article>\n")
    return "".join(parts)


def _file(file: File) -> str:
    if not file.is_image:
        label = _("Attached PDF file (after the copy in its PDF version):")
        return f'<p class="file">{escape(label)} {escape(file.name)}</p>\n'
    data = _stored_bytes(file.stored_name)
    if data is None:
        return element("p", _("The file %(name)s is missing.") % {"name": file.name}, ' class="file"') + "\n"
    uri = f"data:{file.content_type};base64,{base64.b64encode(data).decode('ascii')}"
    return (
        f'<figure><img src="{escape(uri)}" alt="{escape(file.name)}">'
        f"<figcaption>{escape(file.name)}</figcaption></figure>\n"
    )


def _stored_bytes(name: str) -> bytes | None:
    try:
        with private_storage().open(name, "rb") as stored:
            data = stored.read()
    except FileNotFoundError:
        return None
    assert isinstance(data, bytes)
    return data


def copy_pdf(html: str, *, appendices: Sequence[Appendix] = (), header: str = "") -> bytes:
    """The PDF of a copy's (or a decision's) HTML; ``appendices`` are appended after it,
    each page below ``header``."""
    pdf = html_to_pdf(html)
    return append_pdfs(pdf, appendices, header=header) if appendices else pdf


@dataclass(frozen=True)
class BuiltCopy:
    html: str
    pdf: bytes


def build_copy(
    request: ReleaseRequest, documents: Sequence[Document], maskings: Sequence[Masking], *, language: str
) -> BuiltCopy:
    """The copy's HTML and its PDF (with the PDF attachments appended)."""
    with translation.override(language):
        shown = shown_documents(documents, maskings)
        html = _copy_html(request, shown, maskings, language=language)
        pdfs = appended_pdfs(shown)
        header = running_header(request)
    appendices = []
    for file in pdfs:
        data = _stored_bytes(file.stored_name)
        if data is not None:
            appendices.append(Appendix(file.name, data))
    return BuiltCopy(html, copy_pdf(html, appendices=appendices, header=header))
