"""The class blog's kinds in the register of what is held (``accounts.held``).

A class blog is the class's, not a student's record: it is kept by its own retention rule
(its school year). What in it is about a person is what they wrote: their posts (with the
posts' files and earlier texts) and their own comments. A classmate's comment on a
student's post belongs to the classmate: it is neither exported with the student's post nor
found among the student's rows. Only when the post itself is removed do the comments on it
go too (a comment without its post says nothing, and the post's removal may not wait for
them).

The blog's own retention rule (five years after its school year, ``records.retention``) finds
a blog's posts, their earlier texts, files and comments through ``of_blog``, whoever wrote
them. The blog's settings row is the class's and stays with the class.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from accounts.held import ID, HeldKind, clear_reference, columns, declare, delete_rows, named, where
from classblog.models import ClassBlog, Comment, Post, PostFile, PostRevision

BLOG_FIELDS = {
    **ID,
    "class_name": "The class whose blog it is.",
    "school_year": "The class's school year.",
    "student_posts": "Whether students may write posts.",
    "comments": "off, class or everyone: who may comment.",
    "updated_at": "When the settings were last changed.",
}
# The blog's settings are the class's; they name a teacher only as who changed them last.
# Removing that person clears the name and keeps the blog.
CLASS_BLOG = HeldKind(
    name="classblog.classblog",
    model=ClassBlog,
    label=_("Class blog settings changed"),
    fields=BLOG_FIELDS,
    export=columns(
        BLOG_FIELDS,
        class_name=lambda row: row.school_class.name,
        school_year=lambda row: row.school_class.school_year.label,
    ),
    of_person=where(ClassBlog, "updated_by_id"),
    remove=clear_reference("updated_by"),
    related=("school_class__school_year",),
)

POST_FIELDS = {
    **ID,
    "class_name": "The class whose blog it is on.",
    "title": "The post's title.",
    "body": "The post's text (Markdown).",
    "status": "pending, published, declined or removed.",
    "created_at": "When it was written.",
    "edited_at": "When it was last edited; null if never (earlier texts: classblog.postrevision).",
    "publish_at": "When readers see it; null while waiting for approval.",
    "reviewed_at": "When a teacher approved or declined it.",
    "reviewed_by": "The teacher who did.",
    "decline_reason": "Why it was declined.",
    "removed_at": "When it was taken off the blog; null if not.",
    "removed_by": "Who took it off.",
    "removed_reason": "Why.",
}


def remove_posts(rows: QuerySet[Post]) -> int:
    """The posts, and the comments on them (whoever wrote those) first."""
    delete_rows(Comment.objects.filter(post__in=rows.values("pk")))
    return delete_rows(rows)


POST = HeldKind(
    name="classblog.post",
    model=Post,
    label=_("Class blog posts"),
    fields=POST_FIELDS,
    export=columns(
        POST_FIELDS,
        class_name=lambda row: row.blog.school_class.name,
        reviewed_by=named("reviewed_by"),
        removed_by=named("removed_by"),
    ),
    of_person=where(Post, "author_id"),
    of_blog=where(Post, "blog_id"),
    remove=remove_posts,
    related=("blog__school_class", "reviewed_by", "removed_by"),
)

POST_REVISION_FIELDS = {
    **ID,
    "post": "The number of the post.",
    "title": "The title before the edit.",
    "body": "The text before the edit.",
    "replaced_at": "When it was edited.",
}
POST_REVISION = HeldKind(
    name="classblog.postrevision",
    model=PostRevision,
    label=_("Earlier texts of edited blog posts"),
    fields=POST_REVISION_FIELDS,
    export=columns(POST_REVISION_FIELDS, post=lambda row: row.post_id),
    of_person=where(PostRevision, "post__author_id"),
    of_blog=where(PostRevision, "post__blog_id"),
)

POST_FILE_FIELDS = {
    **ID,
    "post": "The number of the post; null for a file uploaded with a post never saved.",
    "display_name": "The file's name as uploaded.",
    "kind": "image or pdf.",
    "content_type": "The file's media type.",
    "size": "Size in bytes.",
    "width": "An image's width in pixels; null for a PDF.",
    "height": "An image's height in pixels; null for a PDF.",
    "sha256": "The SHA-256 checksum of the file's content.",
    "alt_text": "The image's description for those who cannot see it.",
    "shows_students": "Whether the uploader said the photo shows students.",
    "uploaded_at": "When it was uploaded.",
}
# The files of the person's posts, and files they uploaded for a post never saved.
POST_FILE = HeldKind(
    name="classblog.postfile",
    model=PostFile,
    label=_("Files of blog posts"),
    fields=POST_FILE_FIELDS,
    export=columns(POST_FILE_FIELDS, post=lambda row: row.post_id),
    of_person=lambda user_id: PostFile.objects.filter(Q(post__author_id=user_id) | Q(uploaded_by_id=user_id)),
    # Every file of the blog, those never attached to a post included.
    of_blog=where(PostFile, "blog_id"),
    files=lambda row: [row.file] if row.file else [],
)

COMMENT_FIELDS = {
    **ID,
    "post": "The number of the post commented on (the post itself is its author's).",
    "body": "The comment (Markdown).",
    "created_at": "When it was written.",
    "hidden_at": "When a teacher hid it; null if not.",
    "hidden_by": "The teacher who hid it.",
    "hidden_reason": "Why.",
}
COMMENT = HeldKind(
    name="classblog.comment",
    model=Comment,
    label=_("Comments on blog posts"),
    fields=COMMENT_FIELDS,
    export=columns(COMMENT_FIELDS, post=lambda row: row.post_id, hidden_by=named("hidden_by")),
    of_person=where(Comment, "author_id"),
    of_blog=where(Comment, "post__blog_id"),
    related=("hidden_by",),
)

declare(CLASS_BLOG, POST, POST_REVISION, POST_FILE, COMMENT)
