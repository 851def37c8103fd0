"""What every check shares: the limits, the refusal with its code, and sizes said the way a
person reads them."""

from __future__ import annotations

from typing import Any, Final, Literal

from django.core.exceptions import ValidationError
from django.utils.formats import number_format
from django.utils.translation import gettext

Kind = Literal["image", "pdf"]
RejectCode = Literal[
    "too_large",
    "empty",
    "unsupported_type",
    "corrupt",
    "too_many_pixels",
    "pdf_active_content",
    "pdf_encrypted",
]

DEFAULT_MAX_BYTES: Final = 10 * 1024 * 1024
# 40 megapixels holds every phone photo (a 48 MP sensor saves 12 MP by default) while keeping
# the decoded image under ~160 MB of memory (RGBA). For animations the limit is on the sum of
# all frames, because every frame is decoded and encoded again.
DEFAULT_MAX_PIXELS: Final = 40_000_000
MAX_FRAMES: Final = 500
JPEG_QUALITY: Final = 88
WEBP_QUALITY: Final = 88
# Real colour profiles are small (Display P3 from an iPhone is about 0.5 KB, camera and
# monitor profiles a few KB); a huge "profile" is more likely a carrier for other data.
MAX_ICC_BYTES: Final = 128 * 1024
DISPLAY_NAME_MAX_CHARS: Final = 120


class UploadRejected(ValidationError):
    """The upload cannot be attached; ``code`` says why, the message says it to a person."""

    code: RejectCode

    def __init__(self, message: str, *, code: RejectCode, params: dict[str, Any] | None = None) -> None:
        super().__init__(message, code=code, params=params)


def unsupported() -> UploadRejected:
    return UploadRejected(
        gettext(
            "Only images (JPEG, PNG, WebP, GIF) and PDF files can be attached. "
            "Save other documents as PDF first."
        ),
        code="unsupported_type",
    )


def corrupt() -> UploadRejected:
    return UploadRejected(
        gettext("The file seems to be damaged and cannot be opened. Try again or choose another file."),
        code="corrupt",
    )


def format_size(size: int) -> str:
    megabytes = size / (1024 * 1024)
    if megabytes >= 1:
        return f"{format_number(megabytes)} MB"
    return f"{format_number(size / 1024)} KB"


def format_number(value: float) -> str:
    """One decimal at most, in the active language's style (e.g. "1,5" in Swedish)."""
    rounded = round(value, 1)
    return number_format(rounded, 0 if rounded == int(rounded) else 1)
