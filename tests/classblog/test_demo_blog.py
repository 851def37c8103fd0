"""The demo school's blogs (``make run``): written once, through the real actions."""

from __future__ import annotations

import io

from django.core.management import call_command

from accounts.models import User
from classblog import queries
from classblog.actions import blog_of
from classblog.doors import rights_in
from classblog.models import Comment, Post, PostFile


def test_the_demo_blogs_are_written_once_with_a_post_waiting_for_approval(db: None) -> None:
    call_command("seed_demo", stdout=io.StringIO())
    first, second = io.StringIO(), io.StringIO()
    call_command("seed_demo_blog", stdout=first)
    call_command("seed_demo_blog", stdout=second)
    assert "6 written" in first.getvalue()
    assert "0 written" in second.getvalue()
    assert Post.objects.count() == 6
    assert Comment.objects.count() == 4
    assert PostFile.objects.filter(post__isnull=True).count() == 0  # no stray upload from the rerun
    (picture,) = PostFile.objects.all()
    assert picture.alt_text

    # The mentor of 4A finds Elsa's post in the queue; a guardian of the class does not see it.
    pending = Post.objects.get(status=Post.Status.PENDING)
    blog = blog_of(pending.blog.school_class)
    mentor = User.objects.get(username="lars.berglund")
    assert [p.pk for p in queries.blog_page(blog, mentor, rights_in(mentor, blog)).waiting] == [pending.pk]
    guardian = User.objects.get(username="sara.lind")
    page = queries.blog_page(blog, guardian, rights_in(guardian, blog))
    assert pending.pk not in [p.pk for p in page.posts]
    assert len(page.posts) == 3
    assert page.posts[0].pinned_at is not None
