"""Reading a PDF every way a leak could hide in it: the text two independent extractors find
(pypdf and pdfminer.six), every object of the file with its streams decoded, the document
information dictionary, the XMP metadata, the bookmarks and the link targets."""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from typing import Any

from pdfminer.high_level import extract_text
from pypdf import PdfReader
from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject, StreamObject

_SPACE = re.compile(r"\s+")


def squeeze(text: str) -> str:
    """Without any whitespace (a line break in a wrapped sentence, or a space an extractor
    put in or left out), case folded."""
    return _SPACE.sub("", text).casefold()


def normalised(text: str) -> str:
    return _SPACE.sub(" ", text).strip()


def pypdf_pages(pdf: bytes) -> list[str]:
    return [page.extract_text() or "" for page in PdfReader(io.BytesIO(pdf)).pages]


def pypdf_text(pdf: bytes) -> str:
    return "\n".join(pypdf_pages(pdf))


def pdfminer_text(pdf: bytes) -> str:
    return extract_text(io.BytesIO(pdf))


def _strings(value: Any, seen: set[int]) -> Iterator[str]:
    """Every string inside a PDF object (names, text strings, byte strings), recursively."""
    if isinstance(value, IndirectObject):
        if value.idnum in seen:
            return
        seen.add(value.idnum)
        value = value.get_object()
    if isinstance(value, DictionaryObject):
        for key, item in value.items():
            yield str(key)
            yield from _strings(item, seen)
        if isinstance(value, StreamObject):
            data = value.get_data()
            yield data.decode("latin-1")
            yield data.decode("utf-8", errors="ignore")
            yield data.decode("utf-16-be", errors="ignore")
    elif isinstance(value, ArrayObject):
        for item in value:
            yield from _strings(item, seen)
    elif value is not None:
        yield str(value)


def internals(pdf: bytes) -> list[str]:
    """Every object of the file (streams decoded), the raw file in three encodings, the
    information dictionary, the XMP packet, the bookmarks' titles and the links' targets."""
    reader = PdfReader(io.BytesIO(pdf))
    found = [
        pdf.decode("latin-1"),
        pdf.decode("utf-8", errors="ignore"),
        pdf.decode("utf-16-be", errors="ignore"),
    ]
    seen: set[int] = set()
    for number in range(1, int(reader.trailer["/Size"])):  # type: ignore[call-overload]
        try:
            found.extend(_strings(IndirectObject(number, 0, reader), seen))
        except Exception:  # noqa: S112  # a free object number
            continue
    found.extend(_strings(reader.trailer, seen))
    found.extend(f"{key}={value}" for key, value in (reader.metadata or {}).items())
    xmp = reader.xmp_metadata
    if xmp is not None:
        found.append(xmp.stream.get_data().decode("utf-8", errors="ignore"))
    found.extend(_outline_titles(reader.outline))
    for page in reader.pages:
        for annotation in page.get("/Annots") or []:
            found.extend(_strings(annotation, set()))
    return found


def _outline_titles(outline: Any) -> Iterator[str]:
    for item in outline:
        if isinstance(item, list):
            yield from _outline_titles(item)
        else:
            yield str(item.title)


def image_colours(pdf: bytes) -> list[Any]:
    """The colour of each image's first pixel, each image of the file once (pages may share
    their resources)."""
    colours = []
    seen = set()
    for page in PdfReader(io.BytesIO(pdf)).pages:
        for image in page.images:
            reference = image.indirect_reference
            key = reference.idnum if reference is not None else id(image)
            if key not in seen:
                seen.add(key)
                assert image.image is not None
                colours.append(image.image.convert("RGB").getpixel((0, 0)))
    return colours
