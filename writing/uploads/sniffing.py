"""Telling what a file is from its first bytes (never from its name or the browser's word)."""

from __future__ import annotations

from typing import Final, Literal

from django.utils.translation import gettext

from writing.uploads.common import (
    UploadRejected,
    unsupported,
)

# --- Detecting the type -------------------------------------------------------------------

ImageFormat = Literal["JPEG", "PNG", "WEBP", "GIF"]
Detected = Literal["JPEG", "PNG", "WEBP", "GIF", "PDF"]

CONTENT_TYPES: Final[dict[Detected, tuple[str, str]]] = {
    "JPEG": ("image/jpeg", ".jpg"),
    "PNG": ("image/png", ".png"),
    "WEBP": ("image/webp", ".webp"),
    "GIF": ("image/gif", ".gif"),
    "PDF": ("application/pdf", ".pdf"),
}

# ISO base media ("ftyp") brands: HEIF/HEIC as saved by iPhones, and AVIF.
_HEIC_BRANDS: Final = frozenset({b"heic", b"heix", b"hevc", b"hevx", b"heim", b"heis", b"hevm", b"hevs"})
_AVIF_BRANDS: Final = frozenset({b"avif", b"avis"})


def sniff(data: bytes) -> Detected:
    """Name the format from the leading magic bytes, or refuse with a helpful message."""
    if data.startswith(b"\xff\xd8\xff"):
        return "JPEG"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "PNG"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "WEBP"
    if data[:6] in (b"GIF87a", b"GIF89a"):
        return "GIF"
    if data.startswith(b"%PDF-"):
        return "PDF"

    brands = _iso_brands(data)
    if brands & _AVIF_BRANDS:
        raise unsupported()
    if brands & (_HEIC_BRANDS | {b"mif1", b"msf1"}):
        raise UploadRejected(
            gettext(
                "HEIC photos from iPhone cannot be attached yet. Choose the photo from the photo "
                "library (it is then sent as JPEG), or set the camera to save JPEG: Settings → "
                "Camera → Formats → Most Compatible."
            ),
            code="unsupported_type",
        )
    if _looks_like_svg(data):
        raise UploadRejected(
            gettext(
                "SVG images cannot be attached because they can contain scripts. "
                "Save the image as PNG or JPEG and try again."
            ),
            code="unsupported_type",
        )
    raise unsupported()


def _iso_brands(data: bytes) -> set[bytes]:
    """Major and compatible brands of an ISO base media file ("....ftyp"), else empty."""
    if data[4:8] != b"ftyp":
        return set()
    box_size = int.from_bytes(data[0:4], "big")
    end = min(max(box_size, 16), len(data), 256)
    brands = {data[8:12]}
    brands.update(data[i : i + 4] for i in range(16, end - 3, 4))
    return brands


def _looks_like_svg(data: bytes) -> bool:
    head = data[:4096].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    return head.startswith(b"<svg") or (
        head.startswith((b"<?xml", b"<!doctype", b"<!--")) and b"<svg" in head
    )
