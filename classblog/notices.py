"""What the class blog's events tell people (registered with the notifications app).
Recipients come from the access policy (``roles_in_class_blog``); a notice names the
class, never the post's words."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy

from accounts import policy
from classblog.actions import announce_due_posts
from classblog.doors import may_see_post
from classblog.models import Post
from notifications.kinds import FAMILY, STAFF, Notice, register, register_periodic, register_target, target


def _notice(
    data: Mapping[str, Any],
    *,
    wanted: tuple[str, ...],
    only: set[int] | None = None,
    by_blog: bool = False,
) -> Notice | None:
    """The notice of a post's event; ``by_blog``: grouped in the inbox by the blog, not the post."""
    post = Post.objects.select_related("blog__school_class__school_year").filter(pk=data["post_id"]).first()
    if post is None:
        return None
    school_class = post.blog.school_class
    roles = policy.roles_in_class_blog(school_class)
    recipients = {
        pk: FAMILY if role in (policy.STUDENT, policy.GUARDIAN) else STAFF
        for pk, role in roles.items()
        if role in wanted and (only is None or pk in only)
    }
    return Notice(
        target=target("blog_post", post.pk),
        url=reverse("blog-post", args=[school_class.pk, post.pk]),
        recipients=recipients,
        params={"class": school_class.name},
        actor_id=data.get("actor_id"),
        source=reverse("class-blog", args=[school_class.pk]) if by_blog else "",
    )


EVERYONE = (policy.STUDENT, policy.GUARDIAN, policy.TEACHER, policy.PRINCIPAL)
MODERATORS = (policy.TEACHER, policy.PRINCIPAL)


def post_published(data: Mapping[str, Any]) -> Notice | None:
    return _notice(data, wanted=EVERYONE, by_blog=True)


def post_submitted(data: Mapping[str, Any]) -> Notice | None:
    return _notice(data, wanted=MODERATORS)


def post_reviewed(data: Mapping[str, Any]) -> Notice | None:
    author = Post.objects.filter(pk=data["post_id"]).values_list("author_id", flat=True).first()
    return _notice(data, wanted=EVERYONE, only={author} if author else set())


def register_all() -> None:
    register_target("blog_post", may_see_post)
    register(
        "blog.post_published",
        group="blog_posts",
        describe=post_published,
        title=_("New post on the class blog of %(class)s"),
        body=_("Open the blog to read it."),
        many=ngettext_lazy(
            "%(count)d new post on the class blog of %(class)s",
            "%(count)d new posts on the class blog of %(class)s",
            "count",
        ),
    )
    register(
        "blog.post_submitted",
        group="blog_review",
        describe=post_submitted,
        title=_("A student's post on the blog of %(class)s waits for approval"),
        body=_("Open it to approve or decline it."),
    )
    register(
        "blog.post_approved",
        group="blog_review",
        describe=post_reviewed,
        title=_("Your post on the blog of %(class)s was approved"),
        body=_("Everyone in the class can read it now."),
    )
    register(
        "blog.post_declined",
        group="blog_review",
        describe=post_reviewed,
        title=_("Your post on the blog of %(class)s was declined"),
        body=_("Open it to see why."),
    )
    register(
        "blog.comment_written",
        group="blog_posts",
        describe=post_reviewed,
        title=_("New comment on your post on the blog of %(class)s"),
        body=_("Open the post to read it."),
        many=ngettext_lazy(
            "%(count)d new comment on your post on the blog of %(class)s",
            "%(count)d new comments on your post on the blog of %(class)s",
            "count",
        ),
    )
    register_periodic("scheduled blog posts", announce_due_posts, every_seconds=60)
