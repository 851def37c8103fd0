"""Class blog objects on the shared cast's classes, made through the real actions, and a
way to ask where a person finds a post (the blog page, its queue, the single post view
and the catch-up after a reconnect), through the real queries."""

from __future__ import annotations

import datetime
import io
import os
import uuid
from dataclasses import dataclass
from typing import Any

from django.utils import timezone
from PIL import Image

from accounts.actions import SYSTEM
from accounts.actions import memberships as m
from accounts.actions import people as p
from accounts.actions import structure as s
from accounts.models import SchoolClass, User
from classblog import doors, queries
from classblog.actions import approve_post, blog_of, change_settings, write_comment, write_post
from classblog.doors import rights_in
from classblog.models import ClassBlog, Comment, Post
from tests.support.cast import PASSWORD, Cast

TITLE = "Utflykt till Nydalasjön"
BODY = "På fredag går vi till sjön. Ta med **matsäck** och kläder efter väder."

# Where a post shows up for someone (see ``where_seen``).
PUBLIC = frozenset({"posts", "single", "changes"})
WAITING = frozenset({"waiting", "single", "changes"})
SCHEDULED = frozenset({"scheduled", "single", "changes"})
DECLINED = frozenset({"declined", "single", "changes"})
NOWHERE: frozenset[str] = frozenset()


def set_blog(
    cast: Cast,
    *,
    student_posts: bool = True,
    comments: str = ClassBlog.Comments.CLASS,
    school_class: SchoolClass | None = None,
) -> ClassBlog:
    """The class's settings, as the principal (who moderates every class of the school)
    sets them."""
    return change_settings(
        cast.principal, school_class or cast.class_4a, student_posts=student_posts, comments=comments
    )


def allow_student_posts(cast: Cast, school_class: SchoolClass | None = None) -> ClassBlog:
    """Let students write (keeping the comments setting as it is)."""
    blog = blog_of(school_class or cast.class_4a)
    if blog.student_posts:
        return blog
    return set_blog(cast, comments=blog.comments, school_class=school_class)


def published_post(
    cast: Cast,
    *,
    author: User | None = None,
    school_class: SchoolClass | None = None,
    title: str = TITLE,
    body: str = BODY,
    **options: Any,
) -> Post:
    """A post the teacher (or ``author``, a teacher or the principal) publishes at once."""
    return write_post(
        author or cast.teacher,
        school_class or cast.class_4a,
        title=title,
        body=body,
        client_id=uuid.uuid4(),
        **options,
    )


def pending_post(
    cast: Cast,
    *,
    author: User | None = None,
    school_class: SchoolClass | None = None,
    title: str = "Vår fågelholk",
    body: str = "Vi byggde en fågelholk i slöjden. Nu väntar vi på att någon flyttar in!",
    **options: Any,
) -> Post:
    """A student's post (by default the cast's student in 4A), waiting for approval."""
    allow_student_posts(cast, school_class)
    post = write_post(
        author or cast.student,
        school_class or cast.class_4a,
        title=title,
        body=body,
        client_id=uuid.uuid4(),
        **options,
    )
    assert post.status == Post.Status.PENDING
    return post


def approved_post(cast: Cast, **options: Any) -> Post:
    """A student's post that the teacher has approved."""
    return approve_post(cast.teacher, pending_post(cast, **options))


def comment(author: User, post: Post, body: str = "Vad roligt!", **options: Any) -> Comment:
    return write_comment(author, post, body=body, client_id=uuid.uuid4(), **options)


def classmate(cast: Cast) -> tuple[User, User]:
    """A second student of 4A and that student's guardian (the cast has one student per
    class; "other students of the class" need another one)."""

    def person(username: str, first: str, last: str) -> User:
        return p.create_person(SYSTEM, username=username, first_name=first, last_name=last, password=PASSWORD)

    mate = person("bertil.bergman", "Bertil", "Bergman")
    parent = person("lena.bergman", "Lena", "Bergman")
    enrolment_start = cast.student.enrolments.get(school_class=cast.class_4a).starts_on
    m.enrol_student(SYSTEM, mate, cast.class_4a, starts_on=enrolment_start)
    m.add_guardianship(SYSTEM, parent, mate, starts_on=enrolment_start)
    return mate, parent


@dataclass
class LastYear:
    """Class 3A of the school year before the cast's, at Norrskolan: its blog is an archive.

    At the year's end the cast's student was in it (with guardian_1 and guardian_2, and
    ``former_guardian``, withdrawn since) and other_teacher taught it Swedish; ``left_early``
    left the class in the spring. The cast's teacher and principal came this autumn."""

    school_class: SchoolClass
    left_early: User
    former_guardian: User


def last_years_class(cast: Cast) -> LastYear:
    this_year = cast.class_4a.school_year
    year = s.ensure_school_year(SYSTEM, this_year.starts_on - datetime.timedelta(days=1))
    assert year.ends_on < this_year.starts_on
    class_3a = s.create_class(SYSTEM, cast.school, year, name="3A", grade=3)
    summer = year.ends_on + datetime.timedelta(days=1)  # memberships of the year end on it
    spring = year.ends_on - datetime.timedelta(days=60)
    yesterday = timezone.localdate() - datetime.timedelta(days=1)

    def person(username: str, first: str, last: str) -> User:
        return p.create_person(SYSTEM, username=username, first_name=first, last_name=last, password=PASSWORD)

    left_early = person("cecilia.flytt", "Cecilia", "Flytt")
    former_guardian = person("gustav.andersson", "Gustav", "Andersson")
    for student, ends_on in ((cast.student, summer), (left_early, spring)):
        enrolment = m.enrol_student(SYSTEM, student, class_3a, starts_on=year.starts_on)
        m.end_membership(SYSTEM, enrolment, ends_on=ends_on)
    teaching = m.assign_teaching(SYSTEM, cast.other_teacher, class_3a, cast.swedish, starts_on=year.starts_on)
    m.end_membership(SYSTEM, teaching, ends_on=summer)
    guardianship = m.add_guardianship(SYSTEM, former_guardian, cast.student, starts_on=year.starts_on)
    m.end_membership(SYSTEM, guardianship, ends_on=yesterday, reason="Court decision")
    return LastYear(class_3a, left_early, former_guardian)


def where_seen(user: User, post: Post) -> frozenset[str]:
    """Where ``user`` finds ``post`` on its blog: among the blog page's ``posts`` or in its
    ``waiting`` / ``scheduled`` / ``declined`` lists, as the ``single`` post, and among the
    ``changes`` a reconnecting blog catches up on (since the beginning).

    Precondition: the user reads the blog (the views open it through ``classblog.doors`` first)."""
    blog = ClassBlog.objects.select_related("school_class__school_year").get(pk=post.blog_id)
    rights = rights_in(user, blog)
    assert rights.read, f"{user} does not read the blog of {blog.school_class}"
    page = queries.blog_page(blog, user, rights)
    places = set()
    for name in ("posts", "waiting", "scheduled", "declined"):
        if post.pk in {listed.pk for listed in getattr(page, name)}:
            places.add(name)
    if doors.may_see_post(user, post.pk):
        places.add("single")
    if post.pk in queries.changed_since(blog, user, rights, 0):
        places.add("changes")
    return frozenset(places)


# --- Files -----------------------------------------------------------------------------------


def png_bytes(size: tuple[int, int] = (40, 30), colour: str = "teal") -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, colour).save(buffer, format="PNG")
    return buffer.getvalue()


def noisy_png(side: int) -> bytes:
    """A ``side`` x ``side`` PNG of random noise: it does not compress, so its size is
    about 3 x side² bytes."""
    image = Image.frombytes("RGB", (side, side), os.urandom(side * side * 3))
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", compress_level=1)
    return buffer.getvalue()


def pdf_bytes() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (200, 100), "white").save(buffer, format="PDF", resolution=72)
    return buffer.getvalue()
