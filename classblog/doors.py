"""The one door to a class's blog: every view, socket subscription, download and notification
about a blog or a post comes through a function here, which fetches what is asked for with
the viewer's rights, computed once (``policy.relation_to_class``, one query, and
``policy.class_blog_rights``). A blog, post or file that is missing and one the viewer may not
see answer alike, with ``NotFound``.

Which posts a viewer sees is ``classblog.queries.visible``.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import policy
from accounts.errors import NotFound
from accounts.models import SchoolClass, User
from accounts.policy import AnyUser, BlogRights, ClassRelation
from classblog import queries
from classblog.models import ClassBlog, Post, PostFile


@dataclass(frozen=True)
class BlogAccess:
    """A class's blog as one viewer may see it: the class (with its school and year), the
    blog (unsaved with the default settings while nothing has been written), and the
    viewer's relation and rights."""

    viewer: User
    school_class: SchoolClass
    blog: ClassBlog
    relation: ClassRelation
    archived: bool
    rights: BlogRights

    def post(self, post_id: int) -> Post:
        """One of the blog's posts the viewer sees (``post_in``)."""
        return post_in(self, post_id)

    def url(self, post: Post | None = None) -> str:
        """The blog's page, at ``post`` when given."""
        url = reverse("class-blog", args=[self.school_class.pk])
        return f"{url}#post-{post.pk}" if post else url


def not_found() -> NotFound:
    return NotFound("not_found", _("That blog does not exist or you do not have access to it."))


def rights_in(viewer: AnyUser, blog: ClassBlog) -> BlogRights:
    """The viewer's rights in the blog: the one place they are assembled. Precondition: the
    blog's class has its school year loaded."""
    school_class = blog.school_class
    return policy.class_blog_rights(
        policy.relation_to_class(viewer, school_class),
        blog,
        archived=policy.class_blog_is_archived(school_class),
    )


def _find(viewer: AnyUser, class_id: int) -> BlogAccess | None:
    if not (viewer.is_authenticated and viewer.is_active):
        return None
    school_class = SchoolClass.objects.select_related("school", "school_year").filter(pk=class_id).first()
    if school_class is None:
        return None
    relation = policy.relation_to_class(viewer, school_class)
    if not relation.is_member:
        return None
    blog = queries.blog_or_defaults(school_class)
    archived = policy.class_blog_is_archived(school_class)
    assert isinstance(viewer, User)
    return BlogAccess(
        viewer,
        school_class,
        blog,
        relation,
        archived,
        policy.class_blog_rights(relation, blog, archived=archived),
    )


def blog(viewer: AnyUser, class_id: int) -> BlogAccess:
    access = _find(viewer, class_id)
    if access is None:
        raise not_found()
    return access


def post(viewer: AnyUser, class_id: int, post_id: int) -> tuple[BlogAccess, Post]:
    """One post the viewer sees, with its files and comments."""
    access = blog(viewer, class_id)
    return access, post_in(access, post_id)


def post_in(access: BlogAccess, post_id: int) -> Post:
    """One post of an opened blog that the viewer sees, with its files and comments."""
    found = (
        queries.with_contents(
            access.blog.posts.filter(queries.visible(access.viewer, access.rights, timezone.now()))
        )
        .filter(pk=post_id)
        .first()
        if access.blog.pk
        else None
    )
    if found is None:
        raise not_found()
    found.blog = access.blog
    return found


def file(viewer: AnyUser, class_id: int, file_id: int) -> tuple[BlogAccess, PostFile]:
    """A post's image or PDF: the file of a post the viewer sees, or an unattached file to its
    uploader only."""
    access = blog(viewer, class_id)
    found = PostFile.objects.filter(pk=file_id, blog__school_class=access.school_class).first()
    if found is None:
        raise not_found()
    if found.post_id is None:
        if found.uploaded_by_id != access.viewer.pk:
            raise not_found()
    else:
        post_in(access, found.post_id)
    return access, found


def may_see_post(viewer: User, post_id: int) -> bool:
    """Whether the viewer may see the post today (a notification about it is checked again
    before it is sent and when it is opened)."""
    class_id = Post.objects.filter(pk=post_id).values_list("blog__school_class_id", flat=True).first()
    if class_id is None:
        return False
    try:
        post(viewer, class_id, post_id)
    except NotFound:
        return False
    return True


def readable_blogs(viewer: AnyUser, class_ids: list[int]) -> dict[int, BlogRights]:
    """The rights in each of the blogs the viewer may still read (an open socket's
    subscriptions; access, and the right to moderate, can end at any time)."""
    found: dict[int, BlogRights] = {}
    for class_id in class_ids:
        access = _find(viewer, class_id)
        if access is not None:
            found[class_id] = access.rights
    return found
