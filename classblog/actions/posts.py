"""Posts: the settings, writing and editing, approval, pinning, removal, scheduled posts."""

from __future__ import annotations

import datetime
import uuid

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import events
from accounts.errors import Refused, require
from accounts.models import SchoolClass, User
from classblog.actions.common import (
    blog_of,
    flag,
    is_public,
    locked_post,
    tell,
)
from classblog.actions.files import FileChoice, attach_files, check_files
from classblog.doors import rights_in
from classblog.flags import FlagSource
from classblog.models import (
    MAX_POST_LENGTH,
    MAX_REASON_LENGTH,
    MAX_TITLE_LENGTH,
    ClassBlog,
    Post,
    PostRevision,
)
from writing.counters import next_seq
from writing.texts import checked_text, guard_texts

MAX_SCHEDULE_DAYS = 366


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
    check_files(actor, blog, files)
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
            attach_files(actor, blog, post, files)
            flag(
                actor,
                blog,
                FlagSource.BLOG_POST,
                post.pk,
                f"{title}\n\n{body}\n\n{alt_texts}".strip(),
                found,
            )
            tell(post, public=is_public(post, now))
            if is_public(post, now):
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
    post = locked_post(post.pk)
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
    flag(actor, post.blog, FlagSource.BLOG_POST, post.pk, f"{title}\n\n{body}", found)
    tell(post, public=is_public(post))
    return post


@transaction.atomic
def approve_post(actor: User, post: Post) -> Post:
    """A teacher publishes a student's pending post; from now on the whole class sees it."""
    post = locked_post(post.pk)
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
    tell(post, public=True)
    events.announce(
        "blog.post_approved", actor_id=actor.pk, post_id=post.pk, class_id=post.blog.school_class_id
    )
    return post


@transaction.atomic
def decline_post(actor: User, post: Post, *, reason: str) -> Post:
    """A teacher declines a pending post with a reason for its author; it stays on record
    and is seen by its author only."""
    post = locked_post(post.pk)
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
    tell(post, public=False)
    events.announce(
        "blog.post_declined", actor_id=actor.pk, post_id=post.pk, class_id=post.blog.school_class_id
    )
    return post


@transaction.atomic
def pin_post(actor: User, post: Post, *, pinned: bool) -> Post:
    """Pinned posts stay at the top of the blog (newest pin first)."""
    post = locked_post(post.pk)
    require(rights_in(actor, post.blog).moderate)
    if post.status != Post.Status.PUBLISHED:
        raise Refused("not_published", _("Only published posts can be pinned."))
    if pinned == (post.pinned_at is not None):
        return post
    post.pinned_at = timezone.now() if pinned else None
    post.pinned_by = actor if pinned else None
    post.change_seq = next_seq(post.blog)
    post.save(update_fields=["pinned_at", "pinned_by", "change_seq"])
    tell(post, public=is_public(post))
    return post


@transaction.atomic
def remove_post(actor: User, post: Post, *, reason: str) -> Post:
    """Take a post off the blog (a teacher of the class or the principal, or its author while
    they may write): nobody sees it or its files any more; it stays on record with who
    removed it and why."""
    post = locked_post(post.pk)
    rights = rights_in(actor, post.blog)
    require(rights.moderate or (rights.write and post.author_id == actor.pk))
    if post.status == Post.Status.REMOVED:
        raise Refused("already_removed", _("The post has already been removed."))
    post.removed_reason = checked_text(reason, _("Reason"), MAX_REASON_LENGTH, required=True).strip()
    was_public = is_public(post)
    post.status = Post.Status.REMOVED
    post.removed_at = timezone.now()
    post.removed_by = actor
    post.change_seq = next_seq(post.blog)
    post.save(update_fields=["status", "removed_reason", "removed_at", "removed_by", "change_seq"])
    tell(post, public=was_public)
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
            post = locked_post(post_id)
            if post.announced_at is not None:
                continue
            post.announced_at = now
            post.change_seq = next_seq(post.blog)
            post.save(update_fields=["announced_at", "change_seq"])
            tell(post, public=True)
            events.announce(
                "blog.post_published",
                actor_id=post.author_id,
                post_id=post.pk,
                class_id=post.blog.school_class_id,
            )
            count += 1
    return count
