"""Images: decoded and encoded again from their pixels only, so that no metadata survives."""

from __future__ import annotations

import io
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, Final

from django.utils.translation import gettext
from PIL import ExifTags, Image, ImageChops, ImageCms, ImageFile

from writing.uploads.common import (
    JPEG_QUALITY,
    MAX_FRAMES,
    MAX_ICC_BYTES,
    WEBP_QUALITY,
    UploadRejected,
    corrupt,
    format_number,
)
from writing.uploads.sniffing import ImageFormat

# --- Images ---------------------------------------------------------------------------------

# Pillow names an MPO (a JPEG with extra pictures, e.g. depth or HDR maps from phones) "MPO";
# only its first picture, the photo itself, is kept.
_PILLOW_FORMATS: Final[dict[ImageFormat, frozenset[str]]] = {
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
_KEPT_MODES: Final[dict[ImageFormat, frozenset[str]]] = {
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


def clean_image(fmt: ImageFormat, data: bytes, max_pixels: int) -> tuple[bytes, int, int]:
    decoded = _decode(fmt, data, max_pixels)
    width, height = decoded.frames[0].size
    return _encode(fmt, decoded), width, height


def _decode(fmt: ImageFormat, data: bytes, max_pixels: int) -> _Decoded:
    """Decode every frame into images that carry pixels only (``info`` emptied)."""
    # A truncated file must fail to decode (it is refused as corrupt), which is Pillow's
    # default; but the setting is one global of Pillow's, and WeasyPrint turns it on when it
    # is imported (the released copies of public records). Set it back before each decode.
    ImageFile.LOAD_TRUNCATED_IMAGES = False
    try:
        # verify() reads the whole file and checks what the format allows (PNG checksums);
        # Pillow needs a fresh open afterwards.
        with Image.open(io.BytesIO(data), formats=[fmt]) as probe:
            _check_pixel_count(probe.size, 0, max_pixels)
            probe.verify()
        with Image.open(io.BytesIO(data), formats=[fmt]) as im:
            if im.format not in _PILLOW_FORMATS[fmt]:
                raise corrupt()
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
        raise corrupt() from exc


def _decode_opened(fmt: ImageFormat, im: Image.Image, data: bytes, max_pixels: int) -> _Decoded:
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
        params={"limit": format_number(max_pixels / 1_000_000)},
    )


def _normalise_mode(fmt: ImageFormat, image: Image.Image, transparency: Any) -> tuple[Image.Image, Any]:
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


def _encode(fmt: ImageFormat, decoded: _Decoded) -> bytes:
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
