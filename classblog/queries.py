"""Reads of the class blog, each returning what its page needs in a fixed number of queries.

Who sees which post (the same rule for the page, the single post and the catch-up):
everyone who reads the blog sees published posts whose time has come; the author sees
their own posts in every state (waiting, declined, scheduled); the moderators (teachers of
the class and the principal) also see every waiting and every scheduled post. A removed
post is seen by nobody.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, F, Prefetch, Q, QuerySet
from django.utils import timezone

from accounts import policy
from accounts.models import Enrolment, SchoolClass, User
from classblog.models import ClassBlog, Comment, Post, PostFile

PAGE_SIZE = 25


def visible(user: User, rights: policy.BlogRights, now: datetime.datetime) -> Q:
    """The posts of a blog the user sees (see above)."""
    seen = Q(status=Post.Status.PUBLISHED, publish_at__lte=now) | Q(author_id=user.pk)
    if rights.moderate:
        seen |= Q(status__in=[Post.Status.PUBLISHED, Post.Status.PENDING])
    return seen & ~Q(status=Post.Status.REMOVED)


def with_contents(posts: QuerySet[Post]) -> QuerySet[Post]:
    return posts.select_related("author", "reviewed_by").prefetch_related(
        Prefetch("files", queryset=PostFile.objects.order_by("position", "pk")),
        Prefetch(
            "comments",
            queryset=Comment.objects.select_related("author", "hidden_by").order_by("created_at", "pk"),
        ),
    )


@dataclass
class BlogPage:
    posts: list[Post]  # published and due, pinned first, then newest first
    waiting: list[Post] = field(default_factory=list)  # the approval queue, or one's own
    scheduled: list[Post] = field(default_factory=list)
    declined: list[Post] = field(default_factory=list)  # one's own, with the reason
    has_more: bool = False


def blog_page(blog: ClassBlog, user: User, rights: policy.BlogRights, *, page: int = 1) -> BlogPage:
    """Six queries at most, whatever the number of posts, files and comments (posts, files
    and comments of the page; then the same for the queue and the writer's own other posts,
    when there are any)."""
    now = timezone.now()
    published = blog.posts.filter(status=Post.Status.PUBLISHED, publish_at__lte=now).order_by(
        F("pinned_at").desc(nulls_last=True), "-publish_at", "-pk"
    )
    start = (page - 1) * PAGE_SIZE
    posts = list(with_contents(published)[start : start + PAGE_SIZE + 1])
    result = BlogPage(posts=posts[:PAGE_SIZE], has_more=len(posts) > PAGE_SIZE)
    others = Q(status=Post.Status.PENDING) | Q(status=Post.Status.PUBLISHED, publish_at__gt=now)
    if not rights.moderate:
        others = (others | Q(status=Post.Status.DECLINED)) & Q(author_id=user.pk)
    elif page == 1:
        others |= Q(status=Post.Status.DECLINED, author_id=user.pk)
    if page == 1:
        for post in with_contents(blog.posts.filter(others).order_by("created_at", "pk")):
            if post.status == Post.Status.PENDING:
                result.waiting.append(post)
            elif post.status == Post.Status.DECLINED:
                result.declined.append(post)
            else:
                result.scheduled.append(post)
    return result


def changed_since(blog: ClassBlog, user: User, rights: policy.BlogRights, after: int) -> list[int]:
    """Ids of the posts the user sees that changed after event number ``after``, and of the
    posts taken away since: removed ones that had been published, and for the moderators
    also declined and removed ones from the queue. (Ids only: the page fetches each, the
    fetch of a post one may not see answers 404, and the page takes it away.)"""
    now = timezone.now()
    seen = visible(user, rights, now) | Q(status=Post.Status.REMOVED, publish_at__lte=now)
    if rights.moderate:
        seen |= Q(status__in=[Post.Status.DECLINED, Post.Status.REMOVED])
    posts = blog.posts.filter(seen, change_seq__gt=after)
    return list(posts.order_by("change_seq").values_list("pk", flat=True)[:200])


def blog_heads(class_ids: list[int]) -> dict[int, int]:
    return dict(
        ClassBlog.objects.filter(school_class_id__in=class_ids).values_list("school_class_id", "last_seq")
    )


def waiting_count(blog: ClassBlog) -> int:
    return blog.posts.filter(status=Post.Status.PENDING).count()


@dataclass
class BlogEntry:
    """A class blog in someone's list: which class, and why it is theirs."""

    school_class: SchoolClass
    archived: bool
    children: list[str] = field(default_factory=list)  # a guardian's children in the class
    waiting: int = 0  # posts waiting for approval, for the class's moderators


def blog_or_defaults(school_class: SchoolClass) -> ClassBlog:
    """The class's blog, or an unsaved one with the default settings while nothing has been
    written (reading never creates it; ``actions.blog_of`` does on the first write)."""
    blog = ClassBlog.objects.filter(school_class=school_class).first() or ClassBlog(school_class=school_class)
    blog.school_class = school_class
    return blog


def children_in(user: User, classes: list[SchoolClass]) -> dict[int, list[str]]:
    """The names of the user's children (guardianship in force today) in each class, as of
    the class's day (today, or the last day of an ended school year). One query.
    Precondition: each class's ``school_year`` is loaded."""
    today = timezone.localdate()
    days = {c.pk: min(today, c.school_year.ends_on) for c in classes}
    wards = policy.ward_ids(user, today)
    children: dict[int, list[str]] = defaultdict(list)
    enrolments = (
        Enrolment.objects.filter(school_class__in=classes, student__in=wards)
        .select_related("student")
        .order_by("student__first_name", "student__last_name")
    )
    for enrolment in enrolments:
        name = enrolment.student.display_name
        if (
            enrolment.is_active(days[enrolment.school_class_id])
            and name not in children[enrolment.school_class_id]
        ):
            children[enrolment.school_class_id].append(name)
    return children


def blogs_of(user: User) -> list[BlogEntry]:
    """Every class blog the user reads, this year's first, labelled with the user's children
    in each class (a guardian with children in several classes). Four queries (three for
    those who see no class list)."""
    today = timezone.localdate()
    classes = list(
        policy.visible_class_blogs(user)
        .select_related("school", "school_year")
        .order_by("-school_year__starts_on", "school__name", "grade", "name")
    )
    children = children_in(user, classes)
    rosters = set(policy.visible_class_rosters(user).values_list("pk", flat=True))
    waiting = dict(
        Post.objects.filter(status=Post.Status.PENDING, blog__school_class_id__in=rosters)
        .values_list("blog__school_class_id")
        .annotate(count=Count("pk"))
        .values_list("blog__school_class_id", "count")
    )
    return [
        BlogEntry(
            school_class=school_class,
            archived=policy.class_blog_is_archived(school_class, today),
            children=children.get(school_class.pk, []),
            waiting=waiting.get(school_class.pk, 0),
        )
        for school_class in classes
    ]


def classes_of_posts(post_ids: list[int]) -> dict[int, int]:
    """The class of each post (by id), to place news of posts beside their class. One query."""
    if not post_ids:
        return {}
    return dict(Post.objects.filter(pk__in=post_ids).values_list("pk", "blog__school_class_id"))
