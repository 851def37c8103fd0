"""Check an uploaded attachment on its content and return a cleaned copy to store.

Pages are about children, so an attachment is judged only by its bytes: the file name and the
browser's content type are ignored (both are chosen by the uploader). Accepted are images
(JPEG, PNG, WebP, GIF) and PDF files; everything else is refused with an ``UploadRejected``
whose ``code`` a view can act on and whose message a parent can read on a phone.

Images are decoded with Pillow and encoded again from their pixels only, which drops every
piece of metadata a phone or camera writes (EXIF with GPS position, camera serial and time,
XMP with edit history and user names, IPTC, comments, PNG text chunks, EXIF thumbnails and
the extra pictures (depth maps, previews) some phones put after the photo). The EXIF
orientation is applied to the pixels first, so the stored photo shows the right way up without
it. The ICC colour profile is the one thing kept (see ``_usable_icc_profile``).

PDFs are stored unchanged after a conservative scan for active content (see ``_check_pdf``).

Preconditions: ``data`` is the complete upload in memory; the caller has already capped the
request size (Django's ``DATA_UPLOAD_MAX_MEMORY_SIZE`` / ``FILE_UPLOAD_MAX_MEMORY_SIZE``), so
``max_bytes`` here is the product rule, not the only defence. The work is CPU-bound (decoding
up to ``max_pixels`` pixels, inflating PDF streams) and may take a second for a large file.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass, field
from typing import Any, Final

from django.core.files.storage import Storage, storages
from django.utils.translation import gettext

from writing.uploads.common import (
    DEFAULT_MAX_BYTES,
    DEFAULT_MAX_PIXELS,
    DISPLAY_NAME_MAX_CHARS,
    Kind,
    UploadRejected,
    format_size,
)
from writing.uploads.images import clean_image
from writing.uploads.pdfs import check_pdf
from writing.uploads.sniffing import CONTENT_TYPES, Detected, sniff


@dataclass(frozen=True)
class CheckedFile:
    """An upload that passed the checks; ``data`` is what to store (cleaned for images)."""

    kind: Kind
    content_type: str
    extension: str
    data: bytes = field(repr=False)
    size: int
    sha256: str
    width: int | None
    height: int | None
    display_name: str

    def model_fields(self) -> dict[str, Any]:
        """What a model storing the file records about it (the bytes go to its file field)."""
        return {
            "kind": self.kind,
            "content_type": self.content_type,
            "extension": self.extension,
            "display_name": self.display_name,
            "size": self.size,
            "sha256": self.sha256,
            "width": self.width,
            "height": self.height,
        }


def check_upload(
    name: str,
    data: bytes,
    *,
    max_bytes: int = DEFAULT_MAX_BYTES,
    max_pixels: int = DEFAULT_MAX_PIXELS,
) -> CheckedFile:
    """Judge ``data`` by its content and return what may be stored, or raise ``UploadRejected``.

    ``name`` is used only to build ``display_name``; it never decides the type.
    """
    if not data:
        raise UploadRejected(gettext("The file is empty."), code="empty")
    if len(data) > max_bytes:
        raise UploadRejected(
            gettext("The file is larger than %(limit)s."),
            code="too_large",
            params={"limit": format_size(max_bytes)},
        )

    detected = sniff(data)
    if detected == "PDF":
        check_pdf(data)
        return _checked("pdf", "PDF", data, None, None, name)

    cleaned, width, height = clean_image(detected, data, max_pixels)
    return _checked("image", detected, cleaned, width, height, name)


# --- Result and display name ------------------------------------------------------------------

# Characters Windows forbids in file names, also troublesome in headers and shells.
_FORBIDDEN_CHARS: Final = frozenset('<>:"/\\|?*')
# Zero-width joiner and non-joiner are format characters that some scripts (Persian, Indic)
# and emoji need; other format characters (bidi overrides that make "gpj.exe" read as
# "exe.jpg", BOM, soft hyphen) are removed.
_KEPT_FORMAT_CHARS: Final = frozenset("\u200c\u200d")
_UPLOADED_EXTENSION_RE: Final = re.compile(r"(.*[^.])\.[^\W_]{1,5}")
_WINDOWS_RESERVED: Final = frozenset(
    {"CON", "PRN", "AUX", "NUL"} | {f"COM{i}" for i in range(1, 10)} | {f"LPT{i}" for i in range(1, 10)}
)


def _checked(
    kind: Kind, detected: Detected, data: bytes, width: int | None, height: int | None, name: str
) -> CheckedFile:
    content_type, extension = CONTENT_TYPES[detected]
    return CheckedFile(
        kind=kind,
        content_type=content_type,
        extension=extension,
        data=data,
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        width=width,
        height=height,
        display_name=display_name(name, extension),
    )


def display_name(uploaded_name: str, extension: str) -> str:
    """A safe file name for Content-Disposition: the uploaded stem plus the detected extension.

    Path parts, control and bidi characters and characters Windows forbids are removed,
    Unicode is kept (NFC, as macOS sends decomposed letters), the length is limited, and the
    result is never empty. ``extension`` includes the dot.
    """
    base = re.split(r"[/\\]", uploaded_name or "")[-1]
    base = unicodedata.normalize("NFC", base)
    kept = []
    for char in base:
        category = unicodedata.category(char)
        if category[0] == "Z" or char.isspace():
            kept.append(" ")  # tabs, line breaks and Unicode spaces become a plain space
        elif category in ("Cc", "Cs", "Co", "Cn") or (category == "Cf" and char not in _KEPT_FORMAT_CHARS):
            continue
        elif char in _FORBIDDEN_CHARS:
            kept.append("_")
        else:
            kept.append(char)
    cleaned = " ".join("".join(kept).split())
    # Drop the uploaded extension, but only something that looks like one ("v1.2 plan" keeps
    # its dot); the detected extension replaces it.
    with_extension = _UPLOADED_EXTENSION_RE.fullmatch(cleaned)
    stem = with_extension.group(1) if with_extension else cleaned
    stem = stem.strip(" .")
    stem = stem[: DISPLAY_NAME_MAX_CHARS - len(extension)].rstrip(" .")
    if not stem:
        stem = gettext("attachment")
    if stem.upper() in _WINDOWS_RESERVED:
        stem += "_"
    return stem + extension


def private_storage() -> Storage:
    """Where checked uploads are kept: outside every public URL. A view serves each file only
    after asking the access policy."""
    return storages["attachments"]


__all__ = [
    "DEFAULT_MAX_BYTES",
    "DISPLAY_NAME_MAX_CHARS",
    "CheckedFile",
    "UploadRejected",
    "check_upload",
    "display_name",
    "private_storage",
]
