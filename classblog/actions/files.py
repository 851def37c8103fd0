"""A post's images and PDFs: checked and kept for the next post, attached when it is written."""

from __future__ import annotations

from dataclasses import dataclass

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts.errors import Refused, require
from accounts.models import SchoolClass, User
from classblog.actions.common import (
    blog_of,
)
from classblog.doors import rights_in
from classblog.models import (
    MAX_ALT_TEXT_LENGTH,
    MAX_FILES_PER_POST,
    MAX_IMAGE_BYTES,
    MAX_IMAGES_PER_POST,
    ClassBlog,
    Post,
    PostFile,
)
from writing.uploads import DEFAULT_MAX_BYTES, UploadRejected, check_upload

MAX_UNATTACHED_FILES = 12


def upload_file(actor: User, school_class: SchoolClass, *, name: str, data: bytes) -> PostFile:
    """Check a file on its content (images are re-encoded without metadata such as GPS
    position) and keep it, unattached, for the uploader's next post. Raises ``Refused`` with
    a message that names the file."""
    blog = blog_of(school_class)
    require(rights_in(actor, blog).write)
    waiting = PostFile.objects.filter(blog=blog, uploaded_by=actor, post__isnull=True).count()
    if waiting >= MAX_UNATTACHED_FILES:
        raise Refused("too_many_files", _("Publish or remove the files you have added before adding more."))
    try:
        checked = check_upload(name, data, max_bytes=DEFAULT_MAX_BYTES)
    except UploadRejected as rejection:
        raise Refused(
            rejection.code or "rejected", f"{name}: " + " ".join(rejection.messages), file=name
        ) from None
    if checked.kind == "image" and len(data) > MAX_IMAGE_BYTES:
        raise Refused(
            "image_too_large",
            _("%(name)s: an image on the blog may be at most %(limit)d MB; make it smaller and try again.")
            % {"name": name, "limit": MAX_IMAGE_BYTES // (1024 * 1024)},
            file=name,
        )
    file = PostFile(blog=blog, uploaded_by=actor, **checked.model_fields())
    file.file.save("upload", ContentFile(checked.data), save=False)
    file.save()
    return file


@transaction.atomic
def remove_unattached_file(actor: User, file: PostFile) -> None:
    """Take back a file added to a post not yet written (it was never shown to anyone)."""
    # As it is now: the caller's copy may predate the post that attached it since.
    file = PostFile.objects.select_for_update().get(pk=file.pk)
    require(file.uploaded_by_id == actor.pk and file.post_id is None)
    stored = file.file
    file.delete()
    transaction.on_commit(lambda: stored.delete(save=False))


@dataclass(frozen=True)
class FileChoice:
    """One uploaded file the writer attaches to the post, with what they said about it."""

    id: int
    alt_text: str = ""
    shows_students: bool = False
    consent_checked: bool = False


def attach_files(actor: User, blog: ClassBlog, post: Post, choices: list[FileChoice]) -> None:
    files = {
        f.pk: f
        for f in PostFile.objects.select_for_update().filter(
            pk__in=[c.id for c in choices], blog=blog, uploaded_by=actor, post__isnull=True
        )
    }
    for position, choice in enumerate(choices):
        file = files[choice.id]
        file.post = post
        file.position = position
        file.alt_text = choice.alt_text.strip() if file.kind == PostFile.Kind.IMAGE else ""
        file.shows_students = file.kind == PostFile.Kind.IMAGE and choice.shows_students
        file.save(update_fields=["post", "position", "alt_text", "shows_students"])


def check_files(actor: User, blog: ClassBlog, choices: list[FileChoice]) -> None:
    ids = [c.id for c in choices]
    if len(set(ids)) != len(ids):
        raise Refused("invalid", _("The same file was added twice."))
    found = {
        f.pk: f
        for f in PostFile.objects.filter(pk__in=ids, blog=blog, uploaded_by=actor, post__isnull=True).only(
            "pk", "kind", "display_name"
        )
    }
    if len(found) != len(ids):
        raise Refused("file_missing", _("A file you added is no longer there; add it again."))
    images = [c for c in choices if found[c.id].kind == PostFile.Kind.IMAGE]
    if len(images) > MAX_IMAGES_PER_POST:
        raise Refused(
            "too_many_images",
            ngettext(
                "A post may have at most %(limit)d image.",
                "A post may have at most %(limit)d images.",
                MAX_IMAGES_PER_POST,
            )
            % {"limit": MAX_IMAGES_PER_POST},
        )
    if len(choices) - len(images) > MAX_FILES_PER_POST:
        raise Refused(
            "too_many_files",
            ngettext(
                "A post may have at most %(limit)d PDF file.",
                "A post may have at most %(limit)d PDF files.",
                MAX_FILES_PER_POST,
            )
            % {"limit": MAX_FILES_PER_POST},
        )
    for choice in images:
        name = found[choice.id].display_name
        alt = choice.alt_text.strip()
        if not alt:
            raise Refused(
                "alt_text_missing",
                _("Describe the image %(name)s for those who cannot see it (the alt text).") % {"name": name},
                file=choice.id,
            )
        if len(alt) > MAX_ALT_TEXT_LENGTH:
            raise Refused(
                "too_long",
                _("The description of %(name)s is %(length)d characters long; the limit is %(limit)d.")
                % {"name": name, "length": len(alt), "limit": MAX_ALT_TEXT_LENGTH},
                file=choice.id,
            )
        if choice.shows_students and not choice.consent_checked:
            raise Refused(
                "consent_unchecked",
                _(
                    "%(name)s shows students: confirm that you have checked that they (or their guardians) "
                    "agree to it being shown on the class blog."
                )
                % {"name": name},
                file=choice.id,
            )
