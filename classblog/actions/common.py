"""What the blog's actions share: the live groups, the blog itself, telling open blogs, flags."""

from __future__ import annotations

import datetime

from django.utils import timezone

from accounts import events
from accounts.events import user_group
from accounts.models import SchoolClass, User
from classblog.models import (
    ClassBlog,
    Post,
)
from writing import guard
from writing.actions import flag_text


def readers_group(class_id: int) -> str:
    return f"blog.{class_id}"


def moderators_group(class_id: int) -> str:
    return f"blog.{class_id}.moderators"


def blog_of(school_class: SchoolClass) -> ClassBlog:
    """The class's blog, created with the default settings on first use."""
    blog, _created = ClassBlog.objects.get_or_create(school_class=school_class)
    blog.school_class = school_class
    return blog


def tell(post: Post, *, public: bool) -> None:
    """After the commit, tell the open blogs that ``post`` changed (ids only)."""
    class_id = post.blog.school_class_id
    event = {"type": "blog.change", "blog": class_id, "post": post.pk, "seq": post.change_seq}
    groups = [readers_group(class_id)] if public else [moderators_group(class_id), user_group(post.author_id)]
    events.publish(groups, event)


def is_public(post: Post, now: datetime.datetime | None = None) -> bool:
    return (
        post.status == Post.Status.PUBLISHED
        and post.publish_at is not None
        and post.publish_at <= (now or timezone.now())
    )


def flag(
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


def locked_post(post_id: int) -> Post:
    return Post.objects.select_for_update().select_related("blog__school_class__school_year").get(pk=post_id)
