"""PDF files: stored unchanged after a conservative scan for active content."""

from __future__ import annotations

import re
import zlib
from dataclasses import dataclass
from typing import Final

from django.utils.translation import gettext

from writing.uploads.common import (
    UploadRejected,
    corrupt,
)

_PDF_EOF_WINDOW: Final = 1024
# Total bytes we are willing to inflate while looking inside compressed PDF streams. A PDF
# that needs more cannot be checked within reasonable time and memory and is refused.
_PDF_INFLATE_BUDGET: Final = 128 * 1024 * 1024


# --- PDF ------------------------------------------------------------------------------------

# PDF delimiters and white space end a name; any other byte continues it.
_NAME_END: Final = rb"(?![^\x00\t\n\x0c\r ()<>\[\]{}/%])"
_WS: Final = rb"[\x00\t\n\x0c\r ]*"
_INDIRECT_REF: Final = rb"\d+" + _WS + rb"\d+" + _WS + rb"R" + _NAME_END
_DICT_WITH_KEY: Final = rb"<<" + _WS + rb"/"

# Names whose presence alone refuses the file: actions that run code, open programs or other
# files, send data, or carry attached files. Long enough never to occur by chance in binary
# stream data, so they are searched in every byte of the file and of inflated streams.
_ACTIVE_NAMES: Final = (
    "JavaScript",  # script action (/S /JavaScript) and the document-level script tree
    "Launch",  # runs a program or opens a file
    "EmbeddedFile",
    "EmbeddedFiles",
    "FileAttachment",  # annotation carrying a file
    "RichMedia",  # Flash/video with its own scripting
    "OnInstantiate",  # script in 3D artwork
    "GoToE",  # jump into an embedded file
    "GoToR",  # open another file, e.g. on a network share (leaks Windows credentials)
    "SubmitForm",  # sends form data to a server
    "ImportData",
)
# Short names could occur by chance in compressed or pixel data, so they count only when
# followed by the kind of value they take. In object text (outside stream bodies, and inside
# object streams) any such value counts; in raw binary only values too specific to be chance.
_SHORT_NAMES_IN_OBJECTS: Final = (
    ("JS", rb"(?:\(|<|" + _INDIRECT_REF + rb")"),  # script text of an action
    ("AA", rb"(?:<<|" + _INDIRECT_REF + rb")"),  # actions run on open, close, focus...
    ("XFA", rb"(?:\[|<<|" + _INDIRECT_REF + rb")"),  # XML forms, which may contain scripts
    ("EF", rb"(?:<<|" + _INDIRECT_REF + rb")"),  # embedded file streams of a file spec
)
_SHORT_NAMES_ANYWHERE: Final = (
    ("JS", _INDIRECT_REF),
    ("AA", rb"(?:" + _DICT_WITH_KEY + rb"|" + _INDIRECT_REF + rb")"),
    ("XFA", rb"(?:\[|" + _DICT_WITH_KEY + rb"|" + _INDIRECT_REF + rb")"),
    ("EF", rb"(?:" + _DICT_WITH_KEY + rb"|" + _INDIRECT_REF + rb")"),
)


def _name_pattern(name: str) -> bytes:
    """Regex for ``/name`` also when written with ``#xx`` escapes (``/J#61vaScript``).

    Matching ignores case: readers differ in leniency, and refusing ``/Javascript`` too is
    the safe side.
    """
    parts = []
    for char in name:
        codes = sorted({ord(char.lower()), ord(char.upper())})
        alternatives = [re.escape(bytes([code])) for code in codes] + [b"#%02x" % code for code in codes]
        parts.append(b"(?:" + b"|".join(alternatives) + b")")
    return b"/" + b"".join(parts) + _NAME_END


def _active_content_re(short_names: tuple[tuple[str, bytes], ...]) -> re.Pattern[bytes]:
    alternatives = [_name_pattern(name) for name in _ACTIVE_NAMES]
    alternatives += [_name_pattern(name) + _WS + value for name, value in short_names]
    return re.compile(b"|".join(alternatives), re.IGNORECASE)


_ACTIVE_IN_OBJECTS_RE: Final = _active_content_re(_SHORT_NAMES_IN_OBJECTS)
_ACTIVE_ANYWHERE_RE: Final = _active_content_re(_SHORT_NAMES_ANYWHERE)
_ENCRYPT_RE: Final = re.compile(_name_pattern("Encrypt"), re.IGNORECASE)
_OBJECT_STREAM_RE: Final = re.compile(_name_pattern("ObjStm"), re.IGNORECASE)
_IMAGE_OR_FONT_RE: Final = re.compile(
    b"|".join(_name_pattern(name) for name in ("Image", "Length1", "Length2", "Length3", "FontFile3")),
    re.IGNORECASE,
)
_FLATE_ONLY_RE: Final = re.compile(
    rb"/Filter" + _WS + rb"(?:/FlateDecode|\[" + _WS + rb"/FlateDecode" + _WS + rb"\])" + _NAME_END
)
_FILTER_RE: Final = re.compile(_name_pattern("Filter"), re.IGNORECASE)
_DECODE_PARMS_RE: Final = re.compile(_name_pattern("DecodeParms"), re.IGNORECASE)
_STREAM_START_RE: Final = re.compile(rb">>" + _WS + rb"stream(?:\r\n|\n|\r)")
_OBJECT_HEADER_RE: Final = re.compile(rb"(?<![\w/#.])\d+" + _WS + rb"\d+" + _WS + rb"obj(?!\w)")
# A literal "(...)" or hex "<...>" string (but not the "<<" / ">>" of a dictionary).
_STRING_START_RE: Final = re.compile(rb"\(|(?<!<)<(?!<)")


@dataclass
class _PdfStream:
    header: bytes  # from the last "N G obj" before the stream keyword, keyword included
    body: bytes  # raw (still encoded) bytes up to the first "endstream"


def check_pdf(data: bytes) -> None:
    """Refuse PDFs that are broken, encrypted, or carry active content or attached files.

    This is a conservative scan of the bytes, NOT a PDF parser. It looks for the names that
    introduce scripts, launch and remote actions, attached files, XML forms and additional
    actions, also when written with ``#xx`` escapes, in the object text of the file and inside
    compressed (FlateDecode) streams, where PDF 1.5+ writers keep most objects (object
    streams). It errs towards refusing: a matching name inside a text string, an object
    stream it cannot decode, or more compressed data than it will inflate all lead to
    refusal; a scanned or "printed to PDF" document passes. It cannot promise to see what a
    reader that repairs badly broken files would find, so PDFs must still be served as
    downloads (Content-Disposition: attachment, nosniff), never rendered on our origin.
    """
    if b"%%EOF" not in data[-_PDF_EOF_WINDOW:] or not _OBJECT_HEADER_RE.search(data):
        raise corrupt()
    # Encryption first: encrypted streams cannot be looked into, so nothing else is reliable.
    if _ENCRYPT_RE.search(data):
        raise _pdf_encrypted()
    if _ACTIVE_ANYWHERE_RE.search(data):
        raise _pdf_active_content()

    object_text, streams = _split_pdf(data)
    if _ACTIVE_IN_OBJECTS_RE.search(object_text):
        raise _pdf_active_content()

    budget = _PDF_INFLATE_BUDGET
    for stream in streams:
        budget -= _check_pdf_stream(stream, budget)


def _check_pdf_stream(stream: _PdfStream, budget: int) -> int:
    """Look inside one stream; return how many inflated bytes the look cost."""
    header = stream.header
    object_stream = bool(_OBJECT_STREAM_RE.search(header))
    compressed = bool(_FILTER_RE.search(header))
    if object_stream and not compressed:
        # An uncompressed object stream is object text as it stands.
        if _ACTIVE_IN_OBJECTS_RE.search(stream.body):
            raise _pdf_active_content()
        return 0
    if object_stream and (not _FLATE_ONLY_RE.search(header) or _DECODE_PARMS_RE.search(header)):
        # Objects we cannot read could be anything; real writers use plain Flate here.
        raise _pdf_active_content()
    if not object_stream and _IMAGE_OR_FONT_RE.search(header) and not _STRING_START_RE.search(header):
        # Pictures and fonts hold no PDF objects; skipping them keeps large documents fast.
        # Trusted only when the header has no string that could hide a misleading "obj" or
        # name from this simple scan.
        return 0

    inflated = _inflate(stream.body, budget)
    if inflated is None:  # not Flate data (JPEG pictures, uncompressed, other filters)
        if object_stream:
            raise corrupt()
        return 0
    if len(inflated) > budget:
        raise _pdf_active_content()
    if _ENCRYPT_RE.search(inflated):
        raise _pdf_encrypted()
    # Other streams may hold any bytes (pixels, fonts), so only the strict patterns apply.
    pattern = _ACTIVE_IN_OBJECTS_RE if object_stream else _ACTIVE_ANYWHERE_RE
    if pattern.search(inflated):
        raise _pdf_active_content()
    return len(inflated)


def _split_pdf(data: bytes) -> tuple[bytes, list[_PdfStream]]:
    """Split into the object text (all bytes outside stream bodies) and the streams.

    A body ends at the first ``endstream`` after the stream keyword, which is never later
    than where a reader following ``/Length`` ends it, so no object text is mistaken for a
    body by a short ``/Length``.
    """
    text: list[bytes] = []
    streams: list[_PdfStream] = []
    position = 0
    while match := _STREAM_START_RE.search(data, position):
        body_start = match.end()
        body_end = data.find(b"endstream", body_start)
        if body_end < 0:
            raise corrupt()
        header_start = position
        for header in _OBJECT_HEADER_RE.finditer(data, position, match.start()):
            header_start = header.start()
        text.append(data[position:body_start])
        streams.append(_PdfStream(header=data[header_start:body_start], body=data[body_start:body_end]))
        position = body_end
    text.append(data[position:])
    return b"".join(text), streams


def _inflate(body: bytes, budget: int) -> bytes | None:
    """Flate-decode up to ``budget + 1`` bytes; None if the body is not zlib data."""
    try:
        return zlib.decompressobj().decompress(body, budget + 1)
    except zlib.error:
        return None


def _pdf_encrypted() -> UploadRejected:
    return UploadRejected(
        gettext(
            "This PDF is protected with a password or encryption, so it cannot be checked. "
            "Attach a copy without protection."
        ),
        code="pdf_encrypted",
    )


def _pdf_active_content() -> UploadRejected:
    return UploadRejected(
        gettext(
            "This PDF contains scripts, attached files or other content that cannot be checked, "
            "so it cannot be attached. Tip: print it to a new PDF (“Save as PDF”) and attach that."
        ),
        code="pdf_active_content",
    )
