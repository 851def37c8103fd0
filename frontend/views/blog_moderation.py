"""The class blog's moderation in the browser: approving and declining students' posts,
pinning, removing, hiding comments and the blog's settings (the class's teachers and the
principal; a post's author may also remove their own). Every form works without scripts and
goes back to the blog with what happened said at the top.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.errors import Forbidden, NotFound
from classblog import actions, doors
from classblog.models import Comment
from frontend.answers import one_button
from frontend.requests import safe_next, viewer


def _moderated(
    request: HttpRequest, class_id: int, post_id: int, act: Any, done: str, **kwargs: Any
) -> HttpResponse:
    """A moderator's one-button form on a post; back to the ``next`` page the form names (on
    this site), or to the post."""
    blog = doors.blog(viewer(request), class_id)
    post = blog.post(post_id)
    if not blog.rights.moderate:
        raise Forbidden
    return one_button(
        request, lambda: act(blog.viewer, post, **kwargs), done=done, back=safe_next(request, blog.url(post))
    )


@require_POST
@login_required
def post_approve_view(request: HttpRequest, class_id: int, post_id: int) -> HttpResponse:
    return _moderated(
        request, class_id, post_id, actions.approve_post, _("Approved: the class sees the post now.")
    )


@require_POST
@login_required
def post_decline_view(request: HttpRequest, class_id: int, post_id: int) -> HttpResponse:
    return _moderated(
        request,
        class_id,
        post_id,
        actions.decline_post,
        _("Declined: the author sees why."),
        reason=request.POST.get("reason", ""),
    )


@require_POST
@login_required
def post_pin_view(request: HttpRequest, class_id: int, post_id: int) -> HttpResponse:
    pinned = request.POST.get("pinned") == "1"
    done = _("The post is pinned to the top of the blog.") if pinned else _("The post is no longer pinned.")
    return _moderated(request, class_id, post_id, actions.pin_post, done, pinned=pinned)


@require_POST
@login_required
def post_remove_view(request: HttpRequest, class_id: int, post_id: int) -> HttpResponse:
    """Take a post off the blog: its class's teachers and the principal, or its author."""
    blog = doors.blog(viewer(request), class_id)
    post = blog.post(post_id)
    if not (blog.rights.moderate or (blog.rights.write and post.author_id == blog.viewer.pk)):
        raise Forbidden
    return one_button(
        request,
        lambda: actions.remove_post(blog.viewer, post, reason=request.POST.get("reason", "")),
        done=_("The post is removed from the blog. It is kept on record."),
        back=blog.url(),
        back_when_refused=blog.url(post),
    )


@require_POST
@login_required
def comment_hide_view(request: HttpRequest, class_id: int, post_id: int, comment_id: int) -> HttpResponse:
    blog = doors.blog(viewer(request), class_id)
    post = blog.post(post_id)
    comment = Comment.objects.filter(pk=comment_id, post=post).first()
    if comment is None:
        raise NotFound
    if not blog.rights.moderate:
        raise Forbidden
    return one_button(
        request,
        lambda: actions.hide_comment(blog.viewer, comment, reason=request.POST.get("reason", "")),
        done=_("The comment is hidden. It is kept on record."),
        back=blog.url(post),
    )


@require_POST
@login_required
def settings_view(request: HttpRequest, class_id: int) -> HttpResponse:
    blog = doors.blog(viewer(request), class_id)
    if not blog.rights.moderate:
        raise Forbidden
    return one_button(
        request,
        lambda: actions.change_settings(
            blog.viewer,
            blog.school_class,
            student_posts=request.POST.get("student_posts") == "1",
            comments=request.POST.get("comments", ""),
        ),
        done=_("The blog's settings are saved."),
        back=blog.url(),
    )
