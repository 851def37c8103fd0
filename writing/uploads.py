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
import io
import re
import unicodedata
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, Final, Literal

from django.core.exceptions import ValidationError
from django.core.files.storage import Storage, storages
from django.utils.formats import number_format
from django.utils.translation import gettext
from PIL import ExifTags, Image, ImageChops, ImageCms

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

_PDF_EOF_WINDOW: Final = 1024
# Total bytes we are willing to inflate while looking inside compressed PDF streams. A PDF
# that needs more cannot be checked within reasonable time and memory and is refused.
_PDF_INFLATE_BUDGET: Final = 128 * 1024 * 1024


class UploadRejected(ValidationError):
    """The upload cannot be attached; ``code`` says why, the message says it to a person."""

    code: RejectCode

    def __init__(self, message: str, *, code: RejectCode, params: dict[str, Any] | None = None) -> None:
        super().__init__(message, code=code, params=params)


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
            params={"limit": _format_size(max_bytes)},
        )

    detected = _sniff(data)
    if detected == "PDF":
        _check_pdf(data)
        return _checked("pdf", "PDF", data, None, None, name)

    cleaned, width, height = _clean_image(detected, data, max_pixels)
    return _checked("image", detected, cleaned, width, height, name)


# --- Detecting the type -------------------------------------------------------------------

_ImageFormat = Literal["JPEG", "PNG", "WEBP", "GIF"]
_Detected = Literal["JPEG", "PNG", "WEBP", "GIF", "PDF"]

_CONTENT_TYPES: Final[dict[_Detected, tuple[str, str]]] = {
    "JPEG": ("image/jpeg", ".jpg"),
    "PNG": ("image/png", ".png"),
    "WEBP": ("image/webp", ".webp"),
    "GIF": ("image/gif", ".gif"),
    "PDF": ("application/pdf", ".pdf"),
}

# ISO base media ("ftyp") brands: HEIF/HEIC as saved by iPhones, and AVIF.
_HEIC_BRANDS: Final = frozenset({b"heic", b"heix", b"hevc", b"hevx", b"heim", b"heis", b"hevm", b"hevs"})
_AVIF_BRANDS: Final = frozenset({b"avif", b"avis"})


def _sniff(data: bytes) -> _Detected:
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
        raise _unsupported()
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
    raise _unsupported()


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


def _unsupported() -> UploadRejected:
    return UploadRejected(
        gettext(
            "Only images (JPEG, PNG, WebP, GIF) and PDF files can be attached. "
            "Save other documents as PDF first."
        ),
        code="unsupported_type",
    )


def _corrupt() -> UploadRejected:
    return UploadRejected(
        gettext("The file seems to be damaged and cannot be opened. Try again or choose another file."),
        code="corrupt",
    )


# --- Images ---------------------------------------------------------------------------------

# Pillow names an MPO (a JPEG with extra pictures, e.g. depth or HDR maps from phones) "MPO";
# only its first picture, the photo itself, is kept.
_PILLOW_FORMATS: Final[dict[_ImageFormat, frozenset[str]]] = {
    "JPEG": frozenset({"JPEG", "MPO"}),
    "PNG": frozenset({"PNG"}),
    "WEBP": frozenset({"WEBP"}),
    "GIF": frozenset({"GIF"}),
}

_ORIENTATION_TRANSPOSE: Final[dict[int, Image.Transpose]] = {
    2: Image.Transpose.FLIP_LEFT_RIGHT,
    3: Image.Transpose.ROTATE_180,
    4: Image.Transpose.FLIP_TOP_BOTTOM,
    5: Image.Transpose.TRANSPOSE,
    6: Image.Transpose.ROTATE_270,
    7: Image.Transpose.TRANSVERSE,
    8: Image.Transpose.ROTATE_90,
}

# Modes each encoder can write as they are; anything else is converted (see _normalise_mode).
_KEPT_MODES: Final[dict[_ImageFormat, frozenset[str]]] = {
    "JPEG": frozenset({"L", "RGB", "CMYK"}),
    "PNG": frozenset({"1", "L", "LA", "P", "RGB", "RGBA", "I;16"}),
    "WEBP": frozenset({"RGB", "RGBA"}),
    "GIF": frozenset({"P", "L"}),
}

_ICC_COLOUR_SPACE: Final[dict[str, str]] = {
    "L": "GRAY",
    "LA": "GRAY",
    "RGB": "RGB ",
    "RGBA": "RGB ",
    "P": "RGB ",
    "CMYK": "CMYK",
}


@dataclass
class _Decoded:
    """Pixels of an image with no metadata attached, plus the few facts needed to encode."""

    frames: list[Image.Image]
    durations: list[float]
    loop: int | None
    transparency: Any
    icc_profile: bytes | None
    webp_lossless: bool
    apng_default_image: bool


def _clean_image(fmt: _ImageFormat, data: bytes, max_pixels: int) -> tuple[bytes, int, int]:
    decoded = _decode(fmt, data, max_pixels)
    width, height = decoded.frames[0].size
    return _encode(fmt, decoded), width, height


def _decode(fmt: _ImageFormat, data: bytes, max_pixels: int) -> _Decoded:
    """Decode every frame into images that carry pixels only (``info`` emptied)."""
    try:
        # verify() reads the whole file and checks what the format allows (PNG checksums);
        # Pillow needs a fresh open afterwards.
        with Image.open(io.BytesIO(data), formats=[fmt]) as probe:
            _check_pixel_count(probe.size, 0, max_pixels)
            probe.verify()
        with Image.open(io.BytesIO(data), formats=[fmt]) as im:
            if im.format not in _PILLOW_FORMATS[fmt]:
                raise _corrupt()
            return _decode_opened(fmt, im, data, max_pixels)
    except UploadRejected:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        # Pillow's own guard (its limit is higher than ours, so this is a very large image).
        # The warning arrives as an exception only where warnings are errors (the test run);
        # elsewhere it is logged and our own count below refuses the image.
        raise _too_many_pixels(max_pixels) from exc
    except Exception as exc:
        # Pillow reports broken input with many exception types (OSError, SyntaxError,
        # ValueError, EOFError, struct.error, IndexError, zlib.error...). Whatever failed while
        # decoding, the file is not an image we can show.
        raise _corrupt() from exc


def _decode_opened(fmt: _ImageFormat, im: Image.Image, data: bytes, max_pixels: int) -> _Decoded:
    # EXIF orientation is read from the first frame; a broken EXIF block only means we do not
    # rotate (EXIF is dropped anyway).
    try:
        orientation = int(im.getexif().get(ExifTags.Base.Orientation, 1))
    except Exception:
        orientation = 1
    transpose = _ORIENTATION_TRANSPOSE.get(orientation)
    icc_profile = im.info.get("icc_profile")
    animated = fmt != "JPEG" and bool(getattr(im, "is_animated", False))

    frames: list[Image.Image] = []
    durations: list[float] = []
    transparency: Any = None
    loop: int | None = None
    default_image = False
    for index, frame in enumerate(_frames(im, animated, max_pixels)):
        if animated:
            # Every frame as full RGBA: Pillow composites GIF/WebP/APNG frames on seek, so
            # the frames are complete pictures and the encoder recomputes the deltas.
            pixels = frame.convert("RGBA")
            durations.append(float(frame.info.get("duration", 0) or 0))
            if index == 0:
                loop = frame.info.get("loop")
                default_image = bool(frame.info.get("default_image", False))
        else:
            # The loaded file itself, not a copy: a 40 MP photo is 120 MB of pixels. Encoders
            # read only their options and ``info``, which is emptied below.
            pixels = frame
            transparency = frame.info.get("transparency")
        # Drop everything Pillow read besides pixels (EXIF, XMP, comments, text chunks...):
        # encoders copy some of these from ``info`` when saving.
        pixels.info = {}
        if transpose is not None:
            pixels = pixels.transpose(transpose)
            pixels.info = {}
        frames.append(pixels)

    if not animated:
        frames[0], transparency = _normalise_mode(fmt, frames[0], transparency)
    return _Decoded(
        frames=frames,
        durations=durations,
        loop=loop,
        transparency=transparency,
        icc_profile=_usable_icc_profile(icc_profile, frames[0].mode),
        webp_lossless=fmt == "WEBP" and _webp_is_lossless(data),
        apng_default_image=default_image,
    )


def _frames(im: Image.Image, animated: bool, max_pixels: int) -> Iterator[Image.Image]:
    """Yield the loaded frames, refusing before decoding a frame that breaks the limits."""
    pixels_per_frame = im.size[0] * im.size[1]
    index = 0
    while True:
        if index:
            if not animated:
                return
            try:
                im.seek(index)
            except EOFError:
                return
        _check_pixel_count(im.size, index * pixels_per_frame, max_pixels, animated=animated)
        if index >= MAX_FRAMES:
            raise _too_many_pixels(max_pixels, animated=True)
        im.load()
        yield im
        index += 1


def _check_pixel_count(
    size: tuple[int, int], already: int, max_pixels: int, *, animated: bool = False
) -> None:
    if already + size[0] * size[1] > max_pixels:
        raise _too_many_pixels(max_pixels, animated=animated)


def _too_many_pixels(max_pixels: int, *, animated: bool = False) -> UploadRejected:
    if animated:
        return UploadRejected(
            gettext(
                "The animation is too large (too many frames or pixels). Attach a shorter or smaller one."
            ),
            code="too_many_pixels",
        )
    return UploadRejected(
        gettext("The image is too large (more than %(limit)s megapixels). Attach a smaller image."),
        code="too_many_pixels",
        params={"limit": _format_number(max_pixels / 1_000_000)},
    )


def _normalise_mode(fmt: _ImageFormat, image: Image.Image, transparency: Any) -> tuple[Image.Image, Any]:
    """Convert to a mode the encoder writes; keep palette/colour-key transparency if possible."""
    if image.mode in _KEPT_MODES[fmt]:
        return image, transparency if fmt in ("PNG", "GIF") else None
    if fmt == "PNG" and image.mode == "I":
        converted = image.convert("I;16")
    elif fmt == "JPEG":
        converted = image.convert("RGB")
    else:
        has_alpha = "A" in image.mode or transparency is not None
        converted = image.convert("RGBA" if has_alpha or fmt == "GIF" else "RGB")
    converted.info = {}
    return converted, None


def _usable_icc_profile(icc: object, mode: str) -> bytes | None:
    """The embedded colour profile, if it is a real one that fits the pixels, else None.

    Kept on purpose: phones shoot in wide-gamut colour (Display P3) and without the profile
    photos look dull or wrong. A profile describes colour maths, not the photo: it names the
    colour space and its maker, never where or when a picture was taken. It is validated and
    size-capped so it cannot smuggle arbitrary data.
    """
    if not isinstance(icc, bytes) or not icc or len(icc) > MAX_ICC_BYTES:
        return None
    expected = _ICC_COLOUR_SPACE.get(mode)
    if expected is None:
        return None
    try:
        profile = ImageCms.ImageCmsProfile(io.BytesIO(icc))
    except Exception:
        # littleCMS rejects it: not a profile we can vouch for.
        return None
    return icc if profile.profile.xcolor_space == expected else None


def _webp_is_lossless(data: bytes) -> bool:
    """True when the first image data chunk is VP8L (lossless), so we do not add loss."""
    position = 12
    while position + 8 <= len(data):
        fourcc = data[position : position + 4]
        length = int.from_bytes(data[position + 4 : position + 8], "little")
        if fourcc == b"VP8L":
            return True
        if fourcc == b"VP8 ":
            return False
        if fourcc == b"ANMF":
            # Frame header (16 bytes) is followed by the frame's own chunks.
            position += 8 + 16
            continue
        position += 8 + length + (length & 1)
    return False


def _encode(fmt: _ImageFormat, decoded: _Decoded) -> bytes:
    """Write the pixels with only the options given here; no metadata is passed on."""
    first, rest = decoded.frames[0], decoded.frames[1:]
    options: dict[str, Any] = {}
    if decoded.icc_profile is not None and fmt != "GIF":
        options["icc_profile"] = decoded.icc_profile

    if fmt == "JPEG":
        options.update(quality=JPEG_QUALITY, optimize=True)
    elif fmt == "PNG":
        # optimize is slow on animations; APNG frames use the default compression.
        options["optimize"] = not rest
    elif fmt == "WEBP":
        options.update(lossless=decoded.webp_lossless, quality=WEBP_QUALITY, method=4)

    if rest or decoded.durations:
        options.update(save_all=True, append_images=rest, duration=decoded.durations)
        if fmt == "GIF":
            if decoded.loop is not None:
                options["loop"] = decoded.loop
            if any(_has_transparency(frame) for frame in decoded.frames):
                # Full frames with see-through parts: clear to background between frames,
                # or an earlier frame would show through a later one.
                options["disposal"] = 2
        else:
            options["loop"] = decoded.loop or 0
        if fmt == "PNG" and decoded.apng_default_image:
            options["default_image"] = True
    elif decoded.transparency is not None:
        options["transparency"] = decoded.transparency

    out = io.BytesIO()
    first.save(out, format=fmt, **options)
    return out.getvalue()


def _has_transparency(rgba: Image.Image) -> bool:
    # getbbox() finds non-zero pixels; in the inverted alpha those are the see-through ones.
    return ImageChops.invert(rgba.getchannel("A")).getbbox() is not None


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


def _check_pdf(data: bytes) -> None:
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
        raise _corrupt()
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
            raise _corrupt()
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
            raise _corrupt()
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
    kind: Kind, detected: _Detected, data: bytes, width: int | None, height: int | None, name: str
) -> CheckedFile:
    content_type, extension = _CONTENT_TYPES[detected]
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


def _format_size(size: int) -> str:
    megabytes = size / (1024 * 1024)
    if megabytes >= 1:
        return f"{_format_number(megabytes)} MB"
    return f"{_format_number(size / 1024)} KB"


def _format_number(value: float) -> str:
    """One decimal at most, in the active language's style (e.g. "1,5" in Swedish)."""
    rounded = round(value, 1)
    return number_format(rounded, 0 if rounded == int(rounded) else 1)


def private_storage() -> Storage:
    """Where checked uploads are kept: outside every public URL. A view serves each file only
    after asking the access policy."""
    return storages["attachments"]
