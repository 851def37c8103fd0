"""Comments on posts, and hiding them."""

from __future__ import annotations

import uuid

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from accounts import events
from accounts.errors import Refused, require
from accounts.models import User
from classblog.actions.common import (
    flag,
    is_public,
    tell,
)
from classblog.doors import rights_in
from classblog.flags import FlagSource
from classblog.models import (
    MAX_COMMENT_LENGTH,
    MAX_REASON_LENGTH,
    Comment,
    Post,
)
from writing.counters import next_seq
from writing.texts import checked_text, guard_texts


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
    if not is_public(post):
        raise Refused("not_published", _("Comments can be written once the post is published."))
    body = checked_text(body, _("Comment"), MAX_COMMENT_LENGTH, required=True)
    found = guard_texts({"body": body}, send_anyway=send_anyway)
    try:
        with transaction.atomic():
            comment = Comment.objects.create(post=post, author=actor, client_id=client_id, body=body)
            _bump(post)
            flag(actor, blog, FlagSource.BLOG_COMMENT, comment.pk, body, found)
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
    tell(post, public=True)


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
