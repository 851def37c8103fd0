"""Images and PDFs of blog posts: checked on upload, kept unattached until the post is
saved, never lost when a post is refused, and described for those who cannot see them."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied

from accounts.errors import Refused, SensitiveText
from classblog.actions import (
    FileChoice,
    remove_unattached_file,
    upload_file,
    write_post,
)
from classblog.actions.files import MAX_UNATTACHED_FILES
from classblog.models import MAX_ALT_TEXT_LENGTH, MAX_IMAGE_BYTES, MAX_IMAGES_PER_POST, Post, PostFile
from tests.support.blog import (
    noisy_png,
    pdf_bytes,
    png_bytes,
    published_post,
    set_blog,
    where_seen,
)
from tests.support.cast import Cast
from writing.uploads import DEFAULT_MAX_BYTES

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("module_cast")]  # one cast per module

ALT = "Klassen står vid sjön i morgondimma."


def upload_image(cast: Cast, name: str = "sjon.png", data: bytes | None = None) -> PostFile:
    return upload_file(cast.teacher, cast.class_4a, name=name, data=data or png_bytes())


def unattached(cast: Cast) -> list[PostFile]:
    return list(PostFile.objects.filter(uploaded_by=cast.teacher, post__isnull=True))


def test_an_image_and_a_pdf_are_attached_in_order_and_every_reader_gets_them(cast: Cast) -> None:
    image = upload_image(cast)
    pdf = upload_file(cast.teacher, cast.class_4a, name="Packlista utflykt.pdf", data=pdf_bytes())
    assert (image.kind, pdf.kind) == (PostFile.Kind.IMAGE, PostFile.Kind.PDF)
    assert image.post is None
    assert (image.width, image.height) == (40, 30)

    post = published_post(
        cast,
        files=[FileChoice(pdf.pk, alt_text="not used for a PDF"), FileChoice(image.pk, alt_text=f"  {ALT} ")],
    )

    stored = {f.pk: f for f in post.files.all()}
    assert [f.pk for f in post.files.all()] == [pdf.pk, image.pk]
    assert stored[image.pk].alt_text == ALT
    assert stored[pdf.pk].alt_text == ""
    assert stored[image.pk].file.storage.exists(stored[image.pk].file.name)
    assert where_seen(cast.guardian_2, post) >= {"posts", "single"}
    assert unattached(cast) == []


@pytest.mark.parametrize(
    ("name", "data", "in_message"),
    [
        ("klasslista.txt", "Åsa, Bertil, Cecilia\n".encode(), "PDF"),
        ("hej.docx", b"PK\x03\x04" + b"\x00" * 100, "PDF"),
        ("logga.svg", b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>', "SVG"),
        ("tom.png", b"", ""),
    ],
    ids=["text file", "word document", "svg image", "empty file"],
)
def test_a_file_that_is_not_an_image_or_pdf_is_refused_with_its_name_and_nothing_is_kept(
    name: str, data: bytes, in_message: str, cast: Cast
) -> None:
    with pytest.raises(Refused) as refused:
        upload_file(cast.teacher, cast.class_4a, name=name, data=data)
    assert refused.value.code in {"unsupported_type", "empty"}
    assert refused.value.message.startswith(f"{name}: ")
    assert in_message in refused.value.message
    assert refused.value.details == {"file": name}
    assert not PostFile.objects.exists()


def test_an_image_over_the_blogs_size_limit_is_refused_with_the_limit_in_the_message(cast: Cast) -> None:
    data = noisy_png(1700)
    assert MAX_IMAGE_BYTES < len(data) <= DEFAULT_MAX_BYTES  # over the blog's limit only
    with pytest.raises(Refused) as refused:
        upload_file(cast.teacher, cast.class_4a, name="stor.png", data=data)
    assert refused.value.code == "image_too_large"
    assert "stor.png" in refused.value.message
    assert str(MAX_IMAGE_BYTES // (1024 * 1024)) in refused.value.message
    assert not PostFile.objects.exists()


def test_a_file_over_every_size_limit_is_refused(cast: Cast) -> None:
    data = noisy_png(1900)
    assert len(data) > DEFAULT_MAX_BYTES
    with pytest.raises(Refused) as refused:
        upload_file(cast.teacher, cast.class_4a, name="jättestor.png", data=data)
    assert refused.value.code == "too_large"
    assert refused.value.message.startswith("jättestor.png: ")
    assert not PostFile.objects.exists()


def test_an_image_without_a_description_is_refused_and_kept_for_the_next_try(cast: Cast) -> None:
    image = upload_image(cast)
    for alt in ("", "   "):
        with pytest.raises(Refused) as refused:
            published_post(cast, files=[FileChoice(image.pk, alt_text=alt)])
        assert refused.value.code == "alt_text_missing"
        assert "sjon.png" in refused.value.message
        assert refused.value.details == {"file": image.pk}
    assert not Post.objects.exists()
    assert unattached(cast) == [image]

    post = published_post(cast, files=[FileChoice(image.pk, alt_text=ALT)])
    assert [f.pk for f in post.files.all()] == [image.pk]


def test_an_image_description_over_the_limit_is_refused(cast: Cast) -> None:
    image = upload_image(cast)
    with pytest.raises(Refused) as refused:
        published_post(cast, files=[FileChoice(image.pk, alt_text="x" * (MAX_ALT_TEXT_LENGTH + 1))])
    assert refused.value.code == "too_long"
    assert str(MAX_ALT_TEXT_LENGTH) in refused.value.message
    assert not Post.objects.exists()
    assert unattached(cast) == [image]


def test_a_photo_of_students_needs_the_consent_confirmed_and_is_kept_until_it_is(cast: Cast) -> None:
    image = upload_image(cast)
    with pytest.raises(Refused) as refused:
        published_post(cast, files=[FileChoice(image.pk, alt_text=ALT, shows_students=True)])
    assert refused.value.code == "consent_unchecked"
    assert "sjon.png" in refused.value.message
    assert not Post.objects.exists()
    assert unattached(cast) == [image]

    post = published_post(
        cast, files=[FileChoice(image.pk, alt_text=ALT, shows_students=True, consent_checked=True)]
    )
    attached = post.files.get()
    assert attached.shows_students


def test_a_pdf_never_counts_as_showing_students(cast: Cast) -> None:
    pdf = upload_file(cast.teacher, cast.class_4a, name="brev.pdf", data=pdf_bytes())
    post = published_post(cast, files=[FileChoice(pdf.pk, shows_students=True, consent_checked=True)])
    assert not post.files.get().shows_students


def test_a_sensitive_image_description_is_caught_by_the_guard(cast: Cast) -> None:
    image = upload_image(cast)
    with pytest.raises(SensitiveText) as warned:
        published_post(
            cast, files=[FileChoice(image.pk, alt_text="Han med adhd-diagnosen står längst fram.")]
        )
    assert set(warned.value.by_field) == {"alt"}
    assert not Post.objects.exists()
    assert unattached(cast) == [image]


def test_a_post_refused_for_its_text_keeps_its_files_unattached(cast: Cast) -> None:
    image = upload_image(cast)
    with pytest.raises(Refused):
        published_post(cast, title="", files=[FileChoice(image.pk, alt_text=ALT)])
    assert unattached(cast) == [image]


def test_more_images_than_a_post_may_have_are_refused(cast: Cast) -> None:
    images = [upload_image(cast, name=f"bild{n}.png") for n in range(MAX_IMAGES_PER_POST + 1)]
    with pytest.raises(Refused) as refused:
        published_post(cast, files=[FileChoice(i.pk, alt_text=ALT) for i in images])
    assert refused.value.code == "too_many_images"
    assert str(MAX_IMAGES_PER_POST) in refused.value.message
    assert len(unattached(cast)) == MAX_IMAGES_PER_POST + 1
    post = published_post(cast, files=[FileChoice(i.pk, alt_text=ALT) for i in images[:MAX_IMAGES_PER_POST]])
    assert post.files.count() == MAX_IMAGES_PER_POST


def test_the_same_file_twice_in_one_post_is_refused(cast: Cast) -> None:
    image = upload_image(cast)
    with pytest.raises(Refused) as refused:
        published_post(cast, files=[FileChoice(image.pk, alt_text=ALT), FileChoice(image.pk, alt_text=ALT)])
    assert refused.value.code == "invalid"
    assert not Post.objects.exists()


def test_someone_elses_file_or_a_file_already_used_cannot_be_attached(cast: Cast) -> None:
    theirs = upload_file(cast.principal, cast.class_4a, name="rektor.png", data=noisy_png(20))
    with pytest.raises(Refused) as refused:
        published_post(cast, files=[FileChoice(theirs.pk, alt_text=ALT)])
    assert refused.value.code == "file_missing"

    mine = upload_image(cast)
    published_post(cast, files=[FileChoice(mine.pk, alt_text=ALT)])
    with pytest.raises(Refused) as again:
        published_post(cast, files=[FileChoice(mine.pk, alt_text=ALT)])
    assert again.value.code == "file_missing"
    assert Post.objects.count() == 1


def test_a_file_of_another_classes_blog_cannot_be_attached(cast: Cast) -> None:
    in_4b = upload_file(cast.principal, cast.class_4b, name="4b.png", data=noisy_png(20))
    with pytest.raises(Refused) as refused:
        published_post(cast, author=cast.principal, files=[FileChoice(in_4b.pk, alt_text=ALT)])
    assert refused.value.code == "file_missing"


def test_unattached_files_are_limited_so_that_uploads_cannot_pile_up(cast: Cast) -> None:
    for n in range(MAX_UNATTACHED_FILES):
        upload_image(cast, name=f"bild{n}.png")
    with pytest.raises(Refused) as refused:
        upload_image(cast, name="en för mycket.png")
    assert refused.value.code == "too_many_files"
    assert len(unattached(cast)) == MAX_UNATTACHED_FILES


def test_only_those_who_write_posts_upload_files(cast: Cast) -> None:
    for user in (
        cast.guardian_1,
        cast.student,
        cast.other_teacher,
        cast.former_teacher,
        cast.other_principal,
    ):
        with pytest.raises(PermissionDenied):
            upload_file(user, cast.class_4a, name="bild.png", data=noisy_png(20))
    set_blog(cast, student_posts=True)
    file = upload_file(cast.student, cast.class_4a, name="bild.png", data=noisy_png(20))
    assert file.uploaded_by == cast.student


def test_an_unattached_file_is_taken_back_by_its_uploader_only(
    cast: Cast, django_capture_on_commit_callbacks: Any
) -> None:
    image = upload_image(cast)
    storage, name = image.file.storage, image.file.name
    for user in (cast.principal, cast.student):
        with pytest.raises(PermissionDenied):
            remove_unattached_file(user, image)
    assert storage.exists(name)

    with django_capture_on_commit_callbacks(execute=True):
        remove_unattached_file(cast.teacher, image)

    assert not PostFile.objects.exists()
    assert not storage.exists(name)


def test_a_file_of_a_post_cannot_be_taken_back(cast: Cast) -> None:
    image = upload_image(cast)
    published_post(cast, files=[FileChoice(image.pk, alt_text=ALT)])
    image.refresh_from_db()
    with pytest.raises(PermissionDenied):
        remove_unattached_file(cast.teacher, image)
    assert PostFile.objects.filter(pk=image.pk).exists()


def test_a_students_post_with_an_image_keeps_it_while_waiting(cast: Cast) -> None:
    set_blog(cast, student_posts=True)
    image = upload_file(cast.student, cast.class_4a, name="holk.png", data=noisy_png(30))
    post = write_post(
        cast.student,
        cast.class_4a,
        title="Fågelholken",
        body="Titta på vår holk!",
        client_id=uuid.uuid4(),
        files=[FileChoice(image.pk, alt_text="En fågelholk av trä på en björk.")],
    )
    assert post.status == Post.Status.PENDING
    assert post.files.get().pk == image.pk


def test_a_file_attached_since_it_was_loaded_is_not_taken_back(cast: Cast) -> None:
    """The remove button of a form left open must not take a photo off a published post."""
    image = upload_image(cast)
    as_loaded = PostFile.objects.get(pk=image.pk)
    post = published_post(cast, files=[FileChoice(image.pk, alt_text=ALT)])
    with pytest.raises(PermissionDenied):
        remove_unattached_file(cast.teacher, as_loaded)
    [kept] = post.files.all()
    assert kept.file.storage.exists(kept.file.name)
