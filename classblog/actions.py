"""Every write to a class blog: settings, posts, their files, approval, pinning, comments.

Each action asks the policy (``doors.rights_in``), validates, writes in one
transaction, gives the change the blog's next event number and, after the commit, tells
the open blogs (``blog_change`` events carry ids only; every browser fetches what changed
through a view that asks the policy again) and announces it for notifications.

Who hears what: a published post (and its comments) goes to the group of the blog's
readers; a pending or declined student post only to the class's moderators (its teachers
and the principal) and its author; a scheduled post to the moderators until its time.
"""

from __future__ import annotations

import datetime
import uuid
from dataclasses import dataclass

from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts import events
from accounts.errors import Refused, require
from accounts.events import user_group
from accounts.models import SchoolClass, User
from classblog.doors import rights_in
from classblog.flags import FlagSource
from classblog.models import (
    MAX_ALT_TEXT_LENGTH,
    MAX_COMMENT_LENGTH,
    MAX_FILES_PER_POST,
    MAX_IMAGE_BYTES,
    MAX_IMAGES_PER_POST,
    MAX_POST_LENGTH,
    MAX_REASON_LENGTH,
    MAX_TITLE_LENGTH,
    ClassBlog,
    Comment,
    Post,
    PostFile,
    PostRevision,
)
from writing import guard
from writing.actions import flag_text
from writing.counters import next_seq
from writing.texts import checked_text, guard_texts
from writing.uploads import DEFAULT_MAX_BYTES, UploadRejected, check_upload

MAX_UNATTACHED_FILES = 12
MAX_SCHEDULE_DAYS = 366


def readers_group(class_id: int) -> str:
    return f"blog.{class_id}"


def moderators_group(class_id: int) -> str:
    return f"blog.{class_id}.moderators"


def blog_of(school_class: SchoolClass) -> ClassBlog:
    """The class's blog, created with the default settings on first use."""
    blog, _created = ClassBlog.objects.get_or_create(school_class=school_class)
    blog.school_class = school_class
    return blog


def _tell(post: Post, *, public: bool) -> None:
    """After the commit, tell the open blogs that ``post`` changed (ids only)."""
    class_id = post.blog.school_class_id
    event = {"type": "blog.change", "blog": class_id, "post": post.pk, "seq": post.change_seq}
    groups = [readers_group(class_id)] if public else [moderators_group(class_id), user_group(post.author_id)]
    events.publish(groups, event)


def _is_public(post: Post, now: datetime.datetime | None = None) -> bool:
    return (
        post.status == Post.Status.PUBLISHED
        and post.publish_at is not None
        and post.publish_at <= (now or timezone.now())
    )


def _flag(
    actor: User, blog: ClassBlog, source: str, source_id: int, text: str, found: list[guard.Finding]
) -> None:
    if found:
        flag_text(
            school_id=blog.school_class.school_id,
            student_id=None,
            author=actor,
            source=source,
            source_id=source_id,
            text=text,
            findings=found,
        )


# --- Settings ------------------------------------------------------------------------------


@transaction.atomic
def change_settings(
    actor: User, school_class: SchoolClass, *, student_posts: bool, comments: str
) -> ClassBlog:
    blog = blog_of(school_class)
    require(rights_in(actor, blog).moderate)
    if comments not in ClassBlog.Comments.values:
        raise Refused("invalid", _("Choose who may comment."))
    blog.student_posts = student_posts
    blog.comments = comments
    blog.updated_by = actor
    blog.save(update_fields=["student_posts", "comments", "updated_by", "updated_at"])
    return blog


# --- Files ---------------------------------------------------------------------------------


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


def _attach(actor: User, blog: ClassBlog, post: Post, choices: list[FileChoice]) -> None:
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


def _check_files(actor: User, blog: ClassBlog, choices: list[FileChoice]) -> None:
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


# --- Posts ---------------------------------------------------------------------------------


def _publish_time(publish_at: datetime.datetime | None, now: datetime.datetime) -> datetime.datetime:
    if publish_at is None or publish_at <= now:
        return now
    if publish_at > now + datetime.timedelta(days=MAX_SCHEDULE_DAYS):
        raise Refused("too_late", _("A post can be scheduled at most a year ahead."))
    return publish_at


def write_post(
    actor: User,
    school_class: SchoolClass,
    *,
    title: str,
    body: str,
    client_id: uuid.UUID,
    files: list[FileChoice] | None = None,
    publish_at: datetime.datetime | None = None,
    pinned: bool = False,
    send_anyway: bool = False,
) -> Post:
    """Publish a post (a teacher or the principal; optionally scheduled and pinned) or submit
    it for approval (a student, where the class allows it). A retried form with the same
    ``client_id`` returns the post already made. Refusals raise ``Refused`` or
    ``SensitiveText`` and save nothing; uploaded files stay for the next try."""
    existing = Post.objects.filter(author=actor, client_id=client_id).select_related("blog").first()
    if existing is not None:
        return existing
    blog = blog_of(school_class)
    rights = rights_in(actor, blog)
    require(rights.write)
    title = checked_text(title, _("Title"), MAX_TITLE_LENGTH, required=True).strip()
    body = checked_text(body, _("Text"), MAX_POST_LENGTH, required=True)
    files = files or []
    _check_files(actor, blog, files)
    alt_texts = " ".join(f.alt_text for f in files)
    found = guard_texts({"title": title, "body": body, "alt": alt_texts}, send_anyway=send_anyway)
    now = timezone.now()
    if rights.needs_approval:
        if publish_at is not None or pinned:
            raise Refused("forbidden", _("Only teachers schedule and pin posts."))
        status, when = Post.Status.PENDING, None
    else:
        status, when = Post.Status.PUBLISHED, _publish_time(publish_at, now)
    try:
        with transaction.atomic():
            post = Post(
                blog=blog,
                author=actor,
                client_id=client_id,
                title=title,
                body=body,
                status=status,
                publish_at=when,
                announced_at=now if status == Post.Status.PUBLISHED and when == now else None,
                pinned_at=now if pinned else None,
                pinned_by=actor if pinned else None,
                change_seq=next_seq(blog),
            )
            post.save()
            _attach(actor, blog, post, files)
            _flag(
                actor,
                blog,
                FlagSource.BLOG_POST,
                post.pk,
                f"{title}\n\n{body}\n\n{alt_texts}".strip(),
                found,
            )
            _tell(post, public=_is_public(post, now))
            if _is_public(post, now):
                events.announce(
                    "blog.post_published", actor_id=actor.pk, post_id=post.pk, class_id=school_class.pk
                )
            elif status == Post.Status.PENDING:
                events.announce(
                    "blog.post_submitted", actor_id=actor.pk, post_id=post.pk, class_id=school_class.pk
                )
    except IntegrityError:
        # The same form sent twice at once: the unique form id refused the copy.
        existing = Post.objects.filter(author=actor, client_id=client_id).first()
        if existing is None:
            raise
        return existing
    return post


@transaction.atomic
def edit_post(actor: User, post: Post, *, title: str, body: str, send_anyway: bool = False) -> Post:
    """The author corrects the title or text of their post (published, scheduled or still
    waiting) while they may write on the blog; the earlier wording is kept as a revision.
    Refusals save nothing."""
    post = _locked_post(post.pk)
    require(post.author_id == actor.pk and rights_in(actor, post.blog).write)
    if post.status not in (Post.Status.PUBLISHED, Post.Status.PENDING):
        raise Refused("not_editable", _("This post can no longer be changed."))
    title = checked_text(title, _("Title"), MAX_TITLE_LENGTH, required=True).strip()
    body = checked_text(body, _("Text"), MAX_POST_LENGTH, required=True)
    if (title, body) == (post.title, post.body):
        return post
    found = guard_texts({"title": title, "body": body}, send_anyway=send_anyway)
    PostRevision.objects.create(post=post, title=post.title, body=post.body, replaced_by=actor)
    post.title, post.body = title, body
    post.edited_at = timezone.now()
    post.change_seq = next_seq(post.blog)
    post.save(update_fields=["title", "body", "edited_at", "change_seq"])
    _flag(actor, post.blog, FlagSource.BLOG_POST, post.pk, f"{title}\n\n{body}", found)
    _tell(post, public=_is_public(post))
    return post


def _locked_post(post_id: int) -> Post:
    return Post.objects.select_for_update().select_related("blog__school_class__school_year").get(pk=post_id)


@transaction.atomic
def approve_post(actor: User, post: Post) -> Post:
    """A teacher publishes a student's pending post; from now on the whole class sees it."""
    post = _locked_post(post.pk)
    require(rights_in(actor, post.blog).moderate)
    if post.status != Post.Status.PENDING:
        raise Refused("not_pending", _("The post is no longer waiting for approval."))
    now = timezone.now()
    post.status = Post.Status.PUBLISHED
    post.publish_at = now
    post.announced_at = now
    post.reviewed_at = now
    post.reviewed_by = actor
    post.change_seq = next_seq(post.blog)
    post.save(
        update_fields=["status", "publish_at", "announced_at", "reviewed_at", "reviewed_by", "change_seq"]
    )
    _tell(post, public=True)
    events.announce(
        "blog.post_approved", actor_id=actor.pk, post_id=post.pk, class_id=post.blog.school_class_id
    )
    return post


@transaction.atomic
def decline_post(actor: User, post: Post, *, reason: str) -> Post:
    """A teacher declines a pending post with a reason for its author; it stays on record
    and is seen by its author only."""
    post = _locked_post(post.pk)
    require(rights_in(actor, post.blog).moderate)
    if post.status != Post.Status.PENDING:
        raise Refused("not_pending", _("The post is no longer waiting for approval."))
    reason = checked_text(reason, _("Reason"), MAX_REASON_LENGTH, required=True).strip()
    post.status = Post.Status.DECLINED
    post.decline_reason = reason
    post.reviewed_at = timezone.now()
    post.reviewed_by = actor
    post.change_seq = next_seq(post.blog)
    post.save(update_fields=["status", "decline_reason", "reviewed_at", "reviewed_by", "change_seq"])
    _tell(post, public=False)
    events.announce(
        "blog.post_declined", actor_id=actor.pk, post_id=post.pk, class_id=post.blog.school_class_id
    )
    return post


@transaction.atomic
def pin_post(actor: User, post: Post, *, pinned: bool) -> Post:
    """Pinned posts stay at the top of the blog (newest pin first)."""
    post = _locked_post(post.pk)
    require(rights_in(actor, post.blog).moderate)
    if post.status != Post.Status.PUBLISHED:
        raise Refused("not_published", _("Only published posts can be pinned."))
    if pinned == (post.pinned_at is not None):
        return post
    post.pinned_at = timezone.now() if pinned else None
    post.pinned_by = actor if pinned else None
    post.change_seq = next_seq(post.blog)
    post.save(update_fields=["pinned_at", "pinned_by", "change_seq"])
    _tell(post, public=_is_public(post))
    return post


@transaction.atomic
def remove_post(actor: User, post: Post, *, reason: str) -> Post:
    """Take a post off the blog (a teacher of the class or the principal, or its author while
    they may write): nobody sees it or its files any more; it stays on record with who
    removed it and why."""
    post = _locked_post(post.pk)
    rights = rights_in(actor, post.blog)
    require(rights.moderate or (rights.write and post.author_id == actor.pk))
    if post.status == Post.Status.REMOVED:
        raise Refused("already_removed", _("The post has already been removed."))
    post.removed_reason = checked_text(reason, _("Reason"), MAX_REASON_LENGTH, required=True).strip()
    was_public = _is_public(post)
    post.status = Post.Status.REMOVED
    post.removed_at = timezone.now()
    post.removed_by = actor
    post.change_seq = next_seq(post.blog)
    post.save(update_fields=["status", "removed_reason", "removed_at", "removed_by", "change_seq"])
    _tell(post, public=was_public)
    return post


def announce_due_posts(now: datetime.datetime | None = None) -> int:
    """Tell the open blogs about scheduled posts whose time has come (readers see them from
    ``publish_at`` whether or not this has run; this makes them appear without a reload and
    lets notifications go out). Run every minute by the worker; returns how many."""
    now = now or timezone.now()
    count = 0
    due = Post.objects.filter(status=Post.Status.PUBLISHED, announced_at__isnull=True, publish_at__lte=now)
    for post_id in due.values_list("pk", flat=True)[:500]:
        with transaction.atomic():
            post = _locked_post(post_id)
            if post.announced_at is not None:
                continue
            post.announced_at = now
            post.change_seq = next_seq(post.blog)
            post.save(update_fields=["announced_at", "change_seq"])
            _tell(post, public=True)
            events.announce(
                "blog.post_published",
                actor_id=post.author_id,
                post_id=post.pk,
                class_id=post.blog.school_class_id,
            )
            count += 1
    return count


# --- Comments ------------------------------------------------------------------------------


def write_comment(
    actor: User, post: Post, *, body: str, client_id: uuid.UUID, send_anyway: bool = False
) -> Comment:
    """Comment on a published post, if the class allows the writer to (refused at the
    server, not only hidden in the page)."""
    existing = Comment.objects.filter(author=actor, client_id=client_id).first()
    if existing is not None:
        return existing
    # The settings and the post's state as they are now, not as the caller loaded them.
    post = Post.objects.select_related("blog__school_class__school_year").get(pk=post.pk)
    blog = post.blog
    require(rights_in(actor, blog).comment)
    if not _is_public(post):
        raise Refused("not_published", _("Comments can be written once the post is published."))
    body = checked_text(body, _("Comment"), MAX_COMMENT_LENGTH, required=True)
    found = guard_texts({"body": body}, send_anyway=send_anyway)
    try:
        with transaction.atomic():
            comment = Comment.objects.create(post=post, author=actor, client_id=client_id, body=body)
            _bump(post)
            _flag(actor, blog, FlagSource.BLOG_COMMENT, comment.pk, body, found)
            events.announce(
                "blog.comment_written",
                comment_id=comment.pk,
                post_id=post.pk,
                class_id=blog.school_class_id,
                actor_id=actor.pk,
            )
    except IntegrityError:
        # The same form sent twice at once: the unique form id refused the copy.
        existing = Comment.objects.filter(author=actor, client_id=client_id).first()
        if existing is None:
            raise
        return existing
    return comment


def _bump(post: Post) -> None:
    """A comment changed: the post gets a new event number, and readers fetch it again."""
    post.change_seq = next_seq(post.blog)
    Post.objects.filter(pk=post.pk).update(change_seq=post.change_seq)
    _tell(post, public=True)


@transaction.atomic
def hide_comment(actor: User, comment: Comment, *, reason: str) -> Comment:
    """A teacher hides a comment from the blog; it stays on record with who hid it and why."""
    comment = (
        Comment.objects.select_for_update()
        .select_related("post__blog__school_class__school_year")
        .get(pk=comment.pk)
    )
    require(rights_in(actor, comment.post.blog).moderate)
    if comment.hidden_at is not None:
        raise Refused(
            "already_hidden",
            _("The comment was already hidden on %(date)s.")
            % {"date": date_format(timezone.localtime(comment.hidden_at), "j F Y")},
        )
    comment.hidden_reason = checked_text(reason, _("Reason"), MAX_REASON_LENGTH, required=True).strip()
    comment.hidden_at = timezone.now()
    comment.hidden_by = actor
    comment.save(update_fields=["hidden_at", "hidden_by", "hidden_reason"])
    _bump(comment.post)
    return comment
