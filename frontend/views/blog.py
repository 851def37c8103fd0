"""The class blog in the browser: the list of one's blogs, a class's blog with the writing
form and the teachers' approval queue, one post (also as a fragment for live updates), its
files, and the forms to write and change a post and to comment (moderation is in
``blog_moderation``). Every form works without scripts; a refused form is shown again with
what was written (status 400) and the files already added kept.

Access: readers of the blog (``classblog.doors``) see it, everyone else gets 404; a reader
whose role does not allow an action gets 403.
"""

from __future__ import annotations

import datetime
import functools
import uuid
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from accounts import policy
from accounts.errors import Forbidden, Refused, SensitiveText
from accounts.models import User
from classblog import actions, doors, queries
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
    Post,
    PostFile,
)
from frontend.answers import form_failure
from frontend.requests import send_anyway, viewer
from frontend.views.files import private_file_response
from writing.uploads import DEFAULT_MAX_BYTES

IMAGE_SLOTS = range(1, 4)  # image fields of the form without scripts


def _children(blog: doors.BlogAccess) -> list[str]:
    """A guardian's children in the class, to label whose class this is."""
    if not blog.relation.is_guardian:
        return []
    return queries.children_in(blog.viewer, [blog.school_class]).get(blog.school_class.pk, [])


def _post_guard_message() -> str:
    return _(
        "The text may contain information that must not be written on the class blog, which the "
        "whole class reads. Change it, or publish anyway: the principal is then told."
    )


def _limits() -> dict[str, int]:
    return {
        "title": MAX_TITLE_LENGTH,
        "body": MAX_POST_LENGTH,
        "comment": MAX_COMMENT_LENGTH,
        "alt": MAX_ALT_TEXT_LENGTH,
        "reason": MAX_REASON_LENGTH,
        "images": MAX_IMAGES_PER_POST,
        "files": MAX_FILES_PER_POST,
        "image_mb": MAX_IMAGE_BYTES // (1024 * 1024),
        "file_mb": DEFAULT_MAX_BYTES // (1024 * 1024),
    }


def _blog_context(blog: doors.BlogAccess, page_number: int | None = 1, **form: Any) -> dict[str, Any]:
    """What the blog's templates need; without ``page_number`` (one post's page or fragment)
    the posts of the blog are not read."""
    page = None
    if blog.blog.pk and page_number is not None:
        page = queries.blog_page(blog.blog, blog.viewer, blog.rights, page=page_number)
    context: dict[str, Any] = {
        "school_class": blog.school_class,
        "blog": blog.blog,
        "rights": blog.rights,
        "archived": blog.archived,
        # (called by the template where it labels the blog, once; a fragment never asks)
        "children": functools.cache(lambda: _children(blog)),
        "page": page or queries.BlogPage(posts=[]),
        "page_number": page_number,
        "limits": _limits(),
        "comment_choices": ClassBlog.Comments.choices,
        "image_slots": IMAGE_SLOTS,
        "posted": {},
        "kept": [],
        "error": "",
        "guarded": False,
        "client_id": uuid.uuid4(),
    }
    context.update(form)
    context["hidden"] = _hidden_names(blog, context["page"], context.get("post"))
    return context


def _hidden_names(blog: doors.BlogAccess, page: queries.BlogPage, post: Post | None) -> policy.HiddenNames:
    """The names on the page (writers of posts and comments, and who reviewed or hid them)
    that the viewer may not see: a protected student or guardian reads as "A student" or "A
    guardian" to the rest of the class. No query unless someone on the page is protected."""
    posts = [*page.posts, *page.waiting, *page.scheduled, *page.declined, *([post] if post else [])]
    people: list[User | None] = []
    for shown in posts:
        people += [shown.author, shown.reviewed_by]
        people += [
            person for comment in shown.comments.all() for person in (comment.author, comment.hidden_by)
        ]
    return policy.names_hidden_from(blog.viewer, people)


@require_GET
@login_required
def blogs_view(request: HttpRequest) -> HttpResponse:
    """Every class blog the person reads, each labelled (a guardian with children in several
    classes sees whose class each is); earlier years below as an archive."""
    entries = queries.blogs_of(viewer(request))
    return render(
        request,
        "frontend/blogs.html",
        {"current": [e for e in entries if not e.archived], "archive": [e for e in entries if e.archived]},
    )


@require_GET
@login_required
def blog_view(request: HttpRequest, class_id: int) -> HttpResponse:
    blog = doors.blog(viewer(request), class_id)
    try:
        page_number = max(1, int(request.GET.get("page", "1")))
    except ValueError:
        page_number = 1
    return render(request, "frontend/class_blog.html", _blog_context(blog, page_number))


# --- Writing a post --------------------------------------------------------------------------


def _publish_at(request: HttpRequest) -> datetime.datetime | None:
    """The scheduled time from a ``datetime-local`` field (Swedish time), None for now."""
    value = request.POST.get("publish_at", "").strip()
    if not value:
        return None
    try:
        moment = datetime.datetime.fromisoformat(value)
    except ValueError:
        raise Refused("invalid_time", _("Choose a valid date and time for publishing.")) from None
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment)
    return moment


def _kept_choices(request: HttpRequest) -> list[actions.FileChoice]:
    """Files added in an earlier try of this form, with what was said about each."""
    choices = []
    for value in request.POST.getlist("kept"):
        if not value.isdigit():
            continue
        choices.append(
            actions.FileChoice(
                id=int(value),
                alt_text=request.POST.get(f"alt_{value}", ""),
                shows_students=request.POST.get(f"shows_{value}") == "1",
                consent_checked=request.POST.get(f"consent_{value}") == "1",
            )
        )
    return choices


def _upload_new_files(
    request: HttpRequest, blog: doors.BlogAccess
) -> tuple[list[actions.FileChoice], list[str]]:
    """Store each chosen file (unattached until the post is saved); a refused file is named
    in the errors and the others are kept."""
    choices: list[actions.FileChoice] = []
    errors: list[str] = []
    slots = [(request.FILES.get(f"image_{slot}"), str(slot)) for slot in IMAGE_SLOTS]
    slots += [(upload, "") for upload in request.FILES.getlist("attachment")]
    for upload, slot in slots:
        if upload is None:
            continue
        if upload.size is not None and upload.size > DEFAULT_MAX_BYTES:
            errors.append(
                _("%(name)s: the file is larger than %(limit)d MB.")
                % {"name": upload.name, "limit": DEFAULT_MAX_BYTES // (1024 * 1024)}
            )
            continue
        try:
            file = actions.upload_file(
                blog.viewer, blog.school_class, name=upload.name or "", data=upload.read()
            )
        except Refused as refusal:
            errors.append(refusal.message)
            continue
        choices.append(
            actions.FileChoice(
                id=file.pk,
                alt_text=request.POST.get(f"alt_new_{slot}", "") if slot else "",
                shows_students=bool(slot) and request.POST.get(f"shows_new_{slot}") == "1",
                consent_checked=bool(slot) and request.POST.get(f"consent_new_{slot}") == "1",
            )
        )
    return choices, errors


def _kept_files(user: User, choices: list[actions.FileChoice]) -> list[tuple[PostFile, actions.FileChoice]]:
    files = {f.pk: f for f in PostFile.objects.filter(pk__in=[c.id for c in choices], uploaded_by=user)}
    return [(files[c.id], c) for c in choices if c.id in files]


@require_POST
@login_required
def post_new_view(request: HttpRequest, class_id: int) -> HttpResponse:
    blog = doors.blog(viewer(request), class_id)
    if not blog.rights.write:
        raise Forbidden
    kept = _kept_choices(request)
    for dropped in request.POST.getlist("drop"):
        kept = [c for c in kept if str(c.id) != dropped]
        file = PostFile.objects.filter(pk=dropped if dropped.isdigit() else 0, post__isnull=True).first()
        if file is not None and file.uploaded_by_id == blog.viewer.pk:
            actions.remove_unattached_file(blog.viewer, file)
    added, upload_errors = _upload_new_files(request, blog)
    files = kept + added
    error, guarded = " ".join(upload_errors), False
    post = None
    if not error:
        try:
            client_id = uuid.UUID(request.POST.get("client_id", ""))
        except ValueError:
            client_id = uuid.uuid4()
        try:
            post = actions.write_post(
                blog.viewer,
                blog.school_class,
                title=request.POST.get("title", ""),
                body=request.POST.get("body", ""),
                client_id=client_id,
                files=files,
                publish_at=_publish_at(request) if blog.rights.moderate else None,
                pinned=blog.rights.moderate and request.POST.get("pinned") == "1",
                send_anyway=send_anyway(request),
            )
        except (Refused, SensitiveText) as refusal:
            failure = form_failure(refusal, guard_message=_post_guard_message())
            error, guarded = failure.message, failure.guarded
    if post is None:
        context = _blog_context(
            blog,
            posted=request.POST,
            kept=_kept_files(blog.viewer, files),
            error=error,
            guarded=guarded,
            client_id=request.POST.get("client_id") or uuid.uuid4(),
        )
        return render(request, "frontend/class_blog.html", context, status=400)
    messages.success(request, _post_saved_message(post))
    return redirect(blog.url(post))


def _post_saved_message(post: Post) -> str:
    if post.status == Post.Status.PENDING:
        return _("Your post was sent to the teachers. The class sees it once a teacher has approved it.")
    if post.is_scheduled and post.publish_at is not None:
        when = date_format(timezone.localtime(post.publish_at), "j F Y H:i")
        return _("The post is scheduled: the class sees it from %(when)s.") % {"when": when}
    return _("The post is published.")


# --- One post ------------------------------------------------------------------------------


@require_GET
@login_required
def post_view(request: HttpRequest, class_id: int, post_id: int) -> HttpResponse:
    """One post with its comments: a page of its own, or with ``?fragment=1`` just the post
    (what an open blog fetches when it is told that the post changed)."""
    blog = doors.blog(viewer(request), class_id)
    post = blog.post(post_id)
    context = _blog_context(blog, page_number=None, post=post)
    if request.GET.get("fragment") == "1":
        return render(request, "frontend/includes/blog_post.html", context)
    return render(request, "frontend/blog_post.html", context)


@login_required
def post_edit_view(request: HttpRequest, class_id: int, post_id: int) -> HttpResponse:
    """The author corrects the title or text of their post (the files stay as they are)."""
    blog = doors.blog(viewer(request), class_id)
    post = blog.post(post_id)
    if not (blog.rights.write and post.author_id == blog.viewer.pk):
        raise Forbidden
    context = _blog_context(blog, page_number=None, post=post) | {
        "posted": {},
        "error": "",
        "guarded": False,
    }
    if request.method != "POST":
        return render(request, "frontend/blog_post_edit.html", context)
    try:
        actions.edit_post(
            blog.viewer,
            post,
            title=request.POST.get("title", ""),
            body=request.POST.get("body", ""),
            send_anyway=send_anyway(request),
        )
    except (Refused, SensitiveText) as refusal:
        failure = form_failure(refusal, guard_message=_post_guard_message())
        context.update(posted=request.POST, guarded=failure.guarded, error=failure.message)
        return render(request, "frontend/blog_post_edit.html", context, status=400)
    messages.success(request, _("The post is changed. Its earlier wording is kept."))
    return redirect(blog.url(post))


# --- Comments ------------------------------------------------------------------------------


@require_POST
@login_required
def comment_new_view(request: HttpRequest, class_id: int, post_id: int) -> HttpResponse:
    blog = doors.blog(viewer(request), class_id)
    post = blog.post(post_id)
    if not blog.rights.comment:
        raise Forbidden
    try:
        # One form id per page render; each post's comment form derives its own from it.
        client_id = uuid.uuid5(uuid.UUID(request.POST.get("client_id", "")), str(post.pk))
    except ValueError:
        client_id = uuid.uuid4()
    try:
        actions.write_comment(
            blog.viewer,
            post,
            body=request.POST.get("body", ""),
            client_id=client_id,
            send_anyway=send_anyway(request),
        )
    except (Refused, SensitiveText) as error:
        failure = form_failure(
            error,
            guard_message=_(
                "The comment may contain information that must not be written on the class blog. "
                "Change it, or send anyway: the principal is then told."
            ),
        )
        context = _blog_context(blog, page_number=None, post=post) | {
            "comment_error": failure.message,
            "comment_guarded": failure.guarded,
            "comment_posted": request.POST.get("body", ""),
            "client_id": request.POST.get("client_id") or uuid.uuid4(),
        }
        return render(request, "frontend/blog_post.html", context, status=400)
    return redirect(blog.url(post))


# --- Files ---------------------------------------------------------------------------------------


@require_GET
@login_required
def file_view(request: HttpRequest, class_id: int, file_id: int) -> FileResponse:
    """A post's image or PDF, after the door's check (the file of a post the person sees, or
    an unattached file to its uploader only)."""
    _access, file = doors.file(viewer(request), class_id, file_id)
    return private_file_response(
        file.file,
        content_type=file.content_type,
        as_attachment=file.kind != PostFile.Kind.IMAGE,
        filename=file.display_name,
    )
