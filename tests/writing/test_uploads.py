"""Uploaded attachments are judged by their content and stored without metadata.

Every sample is generated here (Pillow in memory, PDFs written byte by byte), so each test
shows exactly what it feeds in.
"""

from __future__ import annotations

import hashlib
import io
import random
import struct
import warnings
import zlib

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation
from PIL import ExifTags, Image, ImageCms, ImageSequence, PngImagePlugin

from writing import uploads as attachments
from writing.uploads import CheckedFile, UploadRejected, check_upload

RED = (255, 0, 0)
BLUE = (0, 0, 255)
XMP = (
    b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
    b'<rdf:Description xmlns:exif="http://ns.adobe.com/exif/1.0/" exif:GPSLatitude="59,20.0N" '
    b'exif:GPSLongitude="18,4.0E"/></rdf:RDF></x:xmpmeta>'
)


# --- sample builders ------------------------------------------------------------------------


def noise(size: int) -> bytes:
    """Reproducible random bytes (test data, not secrets)."""
    return random.Random(size).randbytes(size)  # noqa: S311


def is_red(pixel: object) -> bool:
    assert isinstance(pixel, tuple)
    return pixel[0] > 200 and pixel[2] < 60


def is_blue(pixel: object) -> bool:
    assert isinstance(pixel, tuple)
    return pixel[2] > 200 and pixel[0] < 60


def quadrant_image(size: tuple[int, int] = (60, 40), mode: str = "RGB") -> Image.Image:
    """Blue picture with a red top-left quadrant, so rotation can be seen in the pixels."""
    image = Image.new("RGB", size, BLUE)
    image.paste(RED, (0, 0, size[0] // 2, size[1] // 2))
    return image.convert(mode)


def gps_exif(orientation: int = 1) -> Image.Exif:
    exif = Image.Exif()
    exif[ExifTags.Base.Orientation] = orientation
    exif[ExifTags.Base.Make] = "PhoneMaker"
    exif[ExifTags.Base.Model] = "Phone 15"
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    gps[ExifTags.GPS.GPSLatitudeRef] = "N"
    gps[ExifTags.GPS.GPSLatitude] = (59.0, 20.0, 6.0)
    gps[ExifTags.GPS.GPSLongitudeRef] = "E"
    gps[ExifTags.GPS.GPSLongitude] = (18.0, 4.0, 3.0)
    return exif


def srgb_profile() -> bytes:
    return ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()


def encode(image: Image.Image, fmt: str, **options: object) -> bytes:
    out = io.BytesIO()
    image.save(out, format=fmt, **options)
    return out.getvalue()


def photo_jpeg(orientation: int = 6) -> bytes:
    return encode(
        quadrant_image(),
        "JPEG",
        quality=95,
        exif=gps_exif(orientation),
        xmp=XMP,
        comment=b"taken at Skolan i Solna",
        icc_profile=srgb_profile(),
    )


def animated_gif(frames: int = 4, size: tuple[int, int] = (40, 30)) -> bytes:
    images = []
    for index in range(frames):
        frame = Image.new("RGBA", size, (0, 0, 0, 0))
        frame.paste((255, 0, 0, 255), (index * 5, 5, index * 5 + 10, 15))
        images.append(frame)
    return encode(
        images[0],
        "GIF",
        save_all=True,
        append_images=images[1:],
        duration=[100, 200, 300, 400][:frames] + [100] * max(0, frames - 4),
        loop=0,
        disposal=2,
        comment=b"secret comment",
    )


def png_header_only(width: int, height: int) -> bytes:
    """A tiny PNG whose header declares ``width`` x ``height``: a decompression bomb's shape."""

    def chunk(kind: bytes, payload: bytes) -> bytes:
        return (
            struct.pack(">I", len(payload)) + kind + payload + struct.pack(">I", zlib.crc32(kind + payload))
        )

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\x00" * 64))
        + chunk(b"IEND", b"")
    )


def make_pdf(
    *, catalog_extra: bytes = b"", objects: tuple[bytes, ...] = (), trailer_extra: bytes = b""
) -> bytes:
    """A small well-formed PDF (correct xref offsets); extra objects are numbered from 4."""
    bodies = [
        b"<< /Type /Catalog /Pages 2 0 R " + catalog_extra + b" >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] >>",
        *objects,
    ]
    out = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(bodies, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(bodies) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R %s >>\n" % (len(bodies) + 1, trailer_extra)
    out += b"startxref\n%d\n%%%%EOF\n" % xref
    return bytes(out)


def stream_object(dictionary: bytes, payload: bytes) -> bytes:
    return b"<< %s /Length %d >>\nstream\n" % (dictionary, len(payload)) + payload + b"\nendstream"


def object_stream(*objects: bytes, dictionary: bytes = b"/Filter /FlateDecode") -> bytes:
    """An object stream holding ``objects`` as numbers 10, 11, ..., compressed with Flate."""
    header = b""
    body = b""
    for index, obj in enumerate(objects):
        header += b"%d %d " % (10 + index, len(body))
        body += obj + b"\n"
    raw = header + body
    payload = zlib.compress(raw) if b"FlateDecode" in dictionary else raw
    return stream_object(
        b"/Type /ObjStm /N %d /First %d %s" % (len(objects), len(header), dictionary), payload
    )


def rejected(name: str, data: bytes, **limits: int) -> UploadRejected:
    with pytest.raises(UploadRejected) as info:
        check_upload(name, data, **limits)
    return info.value


def reopen(checked: CheckedFile) -> Image.Image:
    return Image.open(io.BytesIO(checked.data))


# --- photos -----------------------------------------------------------------------------------


def test_jpeg_photo_is_turned_upright_by_its_exif_orientation() -> None:
    checked = check_upload("IMG_0001.JPG", photo_jpeg(orientation=6))

    # Orientation 6 means "rotate 90° clockwise to show": 60x40 becomes 40x60 and the red
    # top-left corner ends up top-right.
    assert (checked.width, checked.height) == (40, 60)
    image = reopen(checked).convert("RGB")
    assert image.size == (40, 60)
    assert is_red(image.getpixel((35, 5)))
    assert is_blue(image.getpixel((5, 55)))


def test_jpeg_photo_loses_exif_gps_position_xmp_and_comment() -> None:
    original = photo_jpeg()
    assert Image.open(io.BytesIO(original)).getexif().get_ifd(ExifTags.IFD.GPSInfo)
    assert b"GPS" in original
    assert b"Exif" in original

    checked = check_upload("IMG_0001.JPG", original)

    image = reopen(checked)
    assert len(image.getexif()) == 0
    assert not {"exif", "xmp", "comment"} & set(image.info)
    for marker in (b"GPS", b"Exif", b"PhoneMaker", b"xmpmeta", b"Solna"):
        assert marker not in checked.data


def test_jpeg_keeps_its_colour_profile_because_it_holds_no_personal_data() -> None:
    checked = check_upload("photo.jpg", photo_jpeg())

    assert reopen(checked).info.get("icc_profile") == srgb_profile()


def test_jpeg_result_describes_the_stored_bytes() -> None:
    checked = check_upload("photo.jpg", photo_jpeg())

    assert checked.kind == "image"
    assert checked.content_type == "image/jpeg"
    assert checked.extension == ".jpg"
    assert checked.size == len(checked.data)
    assert checked.sha256 == hashlib.sha256(checked.data).hexdigest()
    assert reopen(checked).format == "JPEG"


def test_jpeg_without_orientation_keeps_its_size() -> None:
    checked = check_upload("photo.jpg", photo_jpeg(orientation=1))

    assert (checked.width, checked.height) == (60, 40)


def test_cmyk_jpeg_is_accepted() -> None:
    checked = check_upload("print.jpg", encode(quadrant_image(mode="CMYK"), "JPEG"))

    assert reopen(checked).mode == "CMYK"


def test_checked_file_is_frozen() -> None:
    checked = check_upload("photo.jpg", photo_jpeg())

    with pytest.raises(AttributeError):
        checked.size = 1  # type: ignore[misc]


# --- other image formats --------------------------------------------------------------------


def test_png_text_chunks_exif_and_xmp_are_removed() -> None:
    text = PngImagePlugin.PngInfo()
    text.add_text("Author", "Anna Andersson")
    text.add_text("Comment", "GPS 59.33N 18.06E", zip=True)
    text.add_itxt("XML:com.adobe.xmp", XMP.decode())
    original = encode(quadrant_image(mode="RGBA"), "PNG", pnginfo=text, exif=gps_exif())
    assert b"Anna" in original

    checked = check_upload("screenshot.png", original)

    image = reopen(checked)
    assert (checked.content_type, checked.extension) == ("image/png", ".png")
    assert image.mode == "RGBA"
    assert image.text == {}  # type: ignore[attr-defined]
    assert len(image.getexif()) == 0
    for marker in (b"tEXt", b"zTXt", b"iTXt", b"eXIf", b"Anna", b"GPS", b"xmpmeta"):
        assert marker not in checked.data


def test_png_palette_transparency_is_kept() -> None:
    palette_image = quadrant_image().convert("P", palette=Image.Palette.ADAPTIVE, colors=4)
    red_index = palette_image.getpixel((0, 0))
    original = encode(palette_image, "PNG", transparency=red_index)

    image = reopen(check_upload("logo.png", original))

    assert image.mode == "P"
    assert image.convert("RGBA").getpixel((0, 0))[3] == 0  # type: ignore[index]
    assert image.convert("RGBA").getpixel((59, 39))[3] == 255  # type: ignore[index]


def test_webp_photo_loses_exif_and_xmp() -> None:
    original = encode(quadrant_image(), "WEBP", quality=90, exif=gps_exif(orientation=8), xmp=XMP)
    assert b"EXIF" in original
    assert b"XMP " in original

    checked = check_upload("photo.webp", original)

    assert (checked.content_type, checked.extension) == ("image/webp", ".webp")
    assert (checked.width, checked.height) == (40, 60)  # orientation 8 applied
    for marker in (b"EXIF", b"XMP ", b"GPS"):
        assert marker not in checked.data
    assert len(reopen(checked).getexif()) == 0


def test_lossless_webp_stays_lossless_and_keeps_transparency() -> None:
    drawing = quadrant_image(mode="RGBA")
    drawing.paste((0, 0, 0, 0), (50, 30, 60, 40))
    original = encode(drawing, "WEBP", lossless=True)

    checked = check_upload("drawing.webp", original)

    assert b"VP8L" in checked.data[:64]
    image = reopen(checked)
    assert image.getpixel((0, 0)) == (*RED, 255)
    assert image.getpixel((55, 35))[3] == 0  # type: ignore[index]


def test_animated_gif_keeps_frames_timing_and_loop_but_not_comments() -> None:
    original = animated_gif()
    assert b"secret comment" in original

    checked = check_upload("dance.gif", original)

    image = reopen(checked)
    assert checked.content_type == "image/gif"
    assert image.n_frames == 4  # type: ignore[attr-defined]
    assert image.info.get("loop") == 0
    assert [frame.info["duration"] for frame in ImageSequence.Iterator(image)] == [100, 200, 300, 400]
    assert b"secret comment" not in checked.data
    # The last frame shows only its own square: earlier frames do not show through.
    image.seek(3)
    last = image.convert("RGBA")
    assert last.getpixel((20, 10))[3] == 255  # type: ignore[index]
    assert last.getpixel((2, 10))[3] == 0  # type: ignore[index]


def test_animated_webp_keeps_its_frames() -> None:
    frames = [Image.new("RGB", (20, 20), colour) for colour in (RED, BLUE, (0, 255, 0))]
    original = encode(
        frames[0], "WEBP", save_all=True, append_images=frames[1:], duration=[50, 60, 70], loop=2
    )

    checked = check_upload("sticker.webp", original)

    image = reopen(checked)
    assert image.n_frames == 3  # type: ignore[attr-defined]
    assert image.info.get("loop") == 2


def test_still_gif_keeps_its_transparency() -> None:
    palette_image = quadrant_image().convert("P", palette=Image.Palette.ADAPTIVE, colors=4)
    original = encode(palette_image, "GIF", transparency=palette_image.getpixel((0, 0)), comment=b"hello")

    checked = check_upload("icon.gif", original)

    image = reopen(checked)
    assert image.convert("RGBA").getpixel((0, 0))[3] == 0  # type: ignore[index]
    assert b"hello" not in checked.data


# --- refusals -----------------------------------------------------------------------------------


def test_empty_file_is_refused() -> None:
    assert rejected("photo.jpg", b"").code == "empty"


def test_file_over_the_size_limit_is_refused_with_the_limit_in_the_message() -> None:
    data = photo_jpeg()

    with translation.override("en"):
        error = rejected("photo.jpg", data + b"\0" * (10 * 1024 * 1024))
        assert error.code == "too_large"
        assert error.messages == ["The file is larger than 10 MB."]

    assert rejected("photo.jpg", data, max_bytes=len(data) - 1).code == "too_large"
    assert check_upload("photo.jpg", data, max_bytes=len(data)).kind == "image"


def test_refusal_is_a_django_validation_error() -> None:
    assert isinstance(rejected("x.jpg", b""), ValidationError)


def test_html_named_jpg_is_refused() -> None:
    html = b"<!DOCTYPE html><html><body><script>alert(document.cookie)</script></body></html>"

    assert rejected("photo.jpg", html).code == "unsupported_type"


def test_svg_with_script_is_refused_with_an_svg_message() -> None:
    svg = b'<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'

    with translation.override("en"):
        error = rejected("drawing.svg", svg)

    assert error.code == "unsupported_type"
    assert "SVG" in error.messages[0]


def test_windows_program_named_pdf_is_refused() -> None:
    exe = b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 56 + b"This program cannot be run in DOS mode."

    assert rejected("schema.pdf", exe).code == "unsupported_type"


def test_heic_photo_is_refused_with_a_hint() -> None:
    heic = b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic" + b"\x00" * 64

    with translation.override("en"):
        error = rejected("IMG_0001.HEIC", heic)

    assert error.code == "unsupported_type"
    assert "HEIC" in error.messages[0]


def test_jpeg_named_pdf_is_judged_by_its_content() -> None:
    checked = check_upload("doc.pdf", photo_jpeg())

    assert checked.kind == "image"
    assert checked.content_type == "image/jpeg"
    assert checked.display_name == "doc.jpg"


def test_truncated_jpeg_is_refused_as_corrupt() -> None:
    noisy = Image.frombytes("RGB", (200, 200), noise(200 * 200 * 3))
    data = encode(noisy, "JPEG", quality=90)

    assert rejected("photo.jpg", data[: len(data) // 2]).code == "corrupt"


def test_truncated_jpeg_is_refused_even_after_weasyprint_loosened_pillow() -> None:
    """WeasyPrint sets Pillow's global LOAD_TRUNCATED_IMAGES on import; once the server has
    built a released copy, the upload check must still refuse a truncated photo."""
    import weasyprint  # noqa: F401  (imported for its side effect on Pillow)
    from PIL import ImageFile

    ImageFile.LOAD_TRUNCATED_IMAGES = True  # as weasyprint.images leaves it
    noisy = Image.frombytes("RGB", (200, 200), noise(200 * 200 * 3))
    data = encode(noisy, "JPEG", quality=90)

    assert rejected("photo.jpg", data[: len(data) // 2]).code == "corrupt"


def test_jpeg_magic_followed_by_garbage_is_refused_as_corrupt() -> None:
    assert rejected("photo.jpg", b"\xff\xd8\xff\xe0" + b"garbage" * 20).code == "corrupt"


def test_png_with_broken_checksum_is_refused_as_corrupt() -> None:
    data = bytearray(encode(quadrant_image(), "PNG"))
    data[-20] ^= 0xFF  # inside the last IDAT chunk

    assert rejected("image.png", bytes(data)).code == "corrupt"


@pytest.mark.parametrize(
    ("width", "height"),
    [
        (100_000, 100_000),  # far beyond Pillow's own limit: DecompressionBombError
        (10_000, 10_000),  # beyond Pillow's warning limit: DecompressionBombWarning
        (8_000, 8_000),  # below Pillow's limits, above ours (40 MP)
    ],
)
def test_image_declaring_huge_dimensions_is_refused_before_decoding(width: int, height: int) -> None:
    assert rejected("bomb.png", png_header_only(width, height)).code == "too_many_pixels"


def test_pillow_bomb_warning_that_is_only_logged_is_still_refused() -> None:
    # In production the warning is not an error; our own pixel count must refuse it.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", Image.DecompressionBombWarning)
        error = rejected("bomb.png", png_header_only(10_000, 10_000))

    assert error.code == "too_many_pixels"


def test_image_just_over_a_lowered_pixel_limit_is_refused() -> None:
    data = encode(quadrant_image((100, 100)), "PNG")

    assert rejected("big.png", data, max_pixels=9_999).code == "too_many_pixels"
    assert check_upload("big.png", data, max_pixels=10_000).width == 100


def test_animation_counts_the_pixels_of_all_frames() -> None:
    data = animated_gif(frames=10, size=(60, 30))  # 1,800 pixels a frame
    assert Image.open(io.BytesIO(data)).n_frames == 10  # type: ignore[attr-defined]

    assert rejected("long.gif", data, max_pixels=17_999).code == "too_many_pixels"
    assert check_upload("long.gif", data, max_pixels=18_000).kind == "image"


# --- PDF ------------------------------------------------------------------------------------


def test_minimal_pdf_is_accepted_unchanged() -> None:
    data = make_pdf()

    checked = check_upload("Utvecklingsplan.pdf", data)

    assert checked.kind == "pdf"
    assert checked.content_type == "application/pdf"
    assert checked.extension == ".pdf"
    assert checked.data == data
    assert (checked.width, checked.height) == (None, None)
    assert checked.display_name == "Utvecklingsplan.pdf"
    assert checked.sha256 == hashlib.sha256(data).hexdigest()


def test_pdf_written_by_pillow_with_a_photo_is_accepted() -> None:
    data = encode(quadrant_image((300, 200)), "PDF", resolution=72)

    assert check_upload("scan.pdf", data).kind == "pdf"


def test_pdf_with_random_binary_streams_is_not_mistaken_for_active_content() -> None:
    random_bytes = noise(2 * 1024 * 1024)
    data = make_pdf(
        objects=(
            stream_object(
                b"/Type /XObject /Subtype /Image /Width 1 /Height 1 /Filter /DCTDecode", random_bytes
            ),
            stream_object(b"/Filter /FlateDecode", zlib.compress(random_bytes)),
            stream_object(b"", random_bytes[:100_000]),
        )
    )

    assert check_upload("scan.pdf", data).kind == "pdf"


def test_pdf_whose_link_opens_a_page_is_accepted() -> None:
    data = make_pdf(catalog_extra=b"/OpenAction [3 0 R /Fit] /PageMode /UseNone")

    assert check_upload("plan.pdf", data).kind == "pdf"


@pytest.mark.parametrize(
    ("catalog_extra", "objects"),
    [
        pytest.param(b"/OpenAction 4 0 R", (b"<< /S /JavaScript /JS (app.alert(1)) >>",), id="javascript"),
        pytest.param(
            b"/OpenAction 4 0 R", (b"<< /S /J#61vaScript /J#53 (app.alert(1)) >>",), id="hex-escaped"
        ),
        pytest.param(b"/OpenAction 4 0 R", (b"<< /S /javascript /JS (x) >>",), id="lower-case"),
        pytest.param(b"/OpenAction 4 0 R", (b"<< /S /Launch /F (cmd.exe) >>",), id="launch"),
        pytest.param(
            b"/Names << /EmbeddedFiles 4 0 R >>",
            (stream_object(b"/Type /EmbeddedFile", b"MZ payload"),),
            id="embedded-file",
        ),
        pytest.param(b"/Names 4 0 R", (b"<< /JavaScript 5 0 R >>", b"<< /Names [] >>"), id="names-tree"),
        pytest.param(b"/AA << /O 4 0 R >>", (b"<< /S /URI /URI (https://example.org) >>",), id="aa"),
        pytest.param(b"/AcroForm << /XFA [(template) 4 0 R] >>", (b"<< >>",), id="xfa"),
        pytest.param(b"", (b"<< /Type /Annot /Subtype /RichMedia >>",), id="richmedia"),
        pytest.param(
            b"/OpenAction 4 0 R", (b"<< /S /GoToR /F (\\\\\\\\host\\\\share\\\\x.pdf) >>",), id="gotor"
        ),
    ],
)
def test_pdf_with_active_content_is_refused(catalog_extra: bytes, objects: tuple[bytes, ...]) -> None:
    data = make_pdf(catalog_extra=catalog_extra, objects=objects)

    assert rejected("plan.pdf", data).code == "pdf_active_content"


def test_pdf_hiding_javascript_in_a_compressed_object_stream_is_refused() -> None:
    hidden = object_stream(b"<< /S /J#61vaScript /JS (app.alert(1)) >>")
    data = make_pdf(catalog_extra=b"/OpenAction 10 0 R", objects=(hidden,))
    assert b"J#61vaScript" not in data  # only visible after inflating

    assert rejected("plan.pdf", data).code == "pdf_active_content"


def test_pdf_hiding_additional_actions_in_an_object_stream_is_refused() -> None:
    hidden = object_stream(
        b"<< /Type /Page /AA << /O 11 0 R >> >>", b"<< /S /URI /URI (https://x.example) >>"
    )

    assert rejected("plan.pdf", make_pdf(objects=(hidden,))).code == "pdf_active_content"


def test_pdf_with_an_object_stream_that_cannot_be_decoded_is_refused() -> None:
    hidden = object_stream(b"<< /Producer (x) >>", dictionary=b"/Filter /LZWDecode")

    assert rejected("plan.pdf", make_pdf(objects=(hidden,))).code == "pdf_active_content"


def test_pdf_with_javascript_in_an_uncompressed_object_stream_is_refused() -> None:
    hidden = object_stream(b"<< /Type /Page /AA << /O 11 0 R >> >>", dictionary=b"")

    assert rejected("plan.pdf", make_pdf(objects=(hidden,))).code == "pdf_active_content"


def test_pdf_with_an_innocent_object_stream_is_accepted() -> None:
    innocent = object_stream(b"<< /Producer (LibreOffice) >>", b"<< /Type /Font /Subtype /Type1 >>")

    assert check_upload("plan.pdf", make_pdf(objects=(innocent,))).kind == "pdf"


def test_pdf_needing_too_much_inflating_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(attachments.pdfs, "_PDF_INFLATE_BUDGET", 1000)
    data = make_pdf(objects=(stream_object(b"/Filter /FlateDecode", zlib.compress(b"q Q\n" * 1000)),))

    assert rejected("plan.pdf", data).code == "pdf_active_content"


def test_encrypted_pdf_is_refused() -> None:
    data = make_pdf(
        objects=(b"<< /Filter /Standard /V 2 /R 3 /O <00> /U <00> /P -4 >>",),
        trailer_extra=b"/Encrypt 4 0 R /ID [<01> <01>]",
    )

    assert rejected("plan.pdf", data).code == "pdf_encrypted"


def test_pdf_without_end_marker_is_refused_as_corrupt() -> None:
    data = make_pdf().replace(b"%%EOF", b"")

    assert rejected("plan.pdf", data).code == "corrupt"


def test_pdf_header_alone_is_refused_as_corrupt() -> None:
    assert rejected("plan.pdf", b"%PDF-1.7\n%%EOF\n").code == "corrupt"


# --- display names ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("uploaded", "expected"),
    [
        ("../../etc/passwd.jpg", "passwd.jpg"),
        ("C:\\Users\\anna\\Bilder\\klassfoto.JPG", "klassfoto.jpg"),
        ("Åsa's bild.jpeg", "Åsa's bild.jpg"),
        ("A\u030asa.png", "Åsa.jpg"),  # decomposed (macOS) becomes composed
        ("evil\r\nX-Header: 1.jpg", "evil X-Header_ 1.jpg"),
        ("bad\x00name\x1b[31m.jpg", "badname[31m.jpg"),
        ("photo\u202egpj.exe", "photogpj.jpg"),  # right-to-left override removed
        ('a"b<c>d|e?f*g.jpg', "a_b_c_d_e_f_g.jpg"),
        ("version 1.2 plan", "version 1.2 plan.jpg"),
        ("IMG_1234", "IMG_1234.jpg"),
        ("...", "attachment.jpg"),
        ("", "attachment.jpg"),
        ("/", "attachment.jpg"),
        ("CON.jpg", "CON_.jpg"),
        ("  spaced   out  .jpg", "spaced out.jpg"),
        ("دفتر\u200cها.jpg", "دفتر\u200cها.jpg"),  # Persian zero-width non-joiner kept
    ],
)
def test_display_name_is_safe_and_ends_in_the_detected_extension(uploaded: str, expected: str) -> None:
    with translation.override("en"):
        assert attachments.display_name(uploaded, ".jpg") == expected


def test_very_long_display_name_is_shortened_but_keeps_the_extension() -> None:
    name = attachments.display_name("å" * 1000 + ".png", ".png")

    assert name.endswith(".png")
    assert len(name) == attachments.DISPLAY_NAME_MAX_CHARS
    assert set(name.removesuffix(".png")) == {"å"}


def test_display_name_comes_from_the_uploaded_name_with_the_detected_extension() -> None:
    checked = check_upload("../../etc/Åsa's bild.jpeg", photo_jpeg())

    assert checked.display_name == "Åsa's bild.jpg"
