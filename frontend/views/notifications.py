"""The inbox, opening a notification, and the notification settings (choices per kind and
channel, e-mail timing, quiet hours, this device's push). Everything works without
scripts except turning push on, which needs the browser's Push API.

Access: only one's own notifications and devices; someone else's notification is 404.
"""

from __future__ import annotations

import json
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from accounts.errors import Refused
from accounts.models import User
from frontend.answers import json_error
from frontend.opening_channel import from_notification
from frontend.requests import viewer
from notifications import actions, preferences, push, queries
from notifications.kinds import GROUPS, STAFF
from notifications.models import Channel, NotificationSettings


@require_GET
@login_required
def inbox_view(request: HttpRequest) -> HttpResponse:
    user = viewer(request)
    page, entries = queries.inbox(user, request.GET.get("page"))
    return render(request, "frontend/notifications.html", {"page": page, "entries": entries})


@require_GET
@login_required
def open_view(request: HttpRequest, notification_id: int) -> HttpResponse:
    """Where a push, an e-mail and the inbox link: marks it read, asks the policy again,
    and goes on to the thing itself."""
    notification, allowed = actions.open_notification(viewer(request), notification_id)
    if allowed and url_has_allowed_host_and_scheme(notification.url, allowed_hosts=None):
        return redirect(from_notification(notification.url))
    messages.warning(request, _("What this notification was about is no longer available to you."))
    return redirect("notifications")


def _back(request: HttpRequest) -> HttpResponse:
    page = request.POST.get("page", "")
    inbox = reverse("notifications")
    return redirect(f"{inbox}?page={page}" if page.isdigit() else inbox)


@require_GET
@login_required
def unread_view(request: HttpRequest) -> HttpResponse:
    """The bell's count at page load (then kept live over the socket)."""
    return JsonResponse({"unread": queries.unread_count(viewer(request))})


@require_POST
@login_required
def read_view(request: HttpRequest, notification_id: int) -> HttpResponse:
    actions.mark_read(viewer(request), notification_id, read=request.POST.get("read", "1") != "0")
    return _back(request)


@require_POST
@login_required
def read_all_view(request: HttpRequest) -> HttpResponse:
    count = actions.mark_all_read(viewer(request))
    messages.success(request, _("%(count)d marked as read.") % {"count": count})
    return _back(request)


def _settings_context(user: User, **extra: Any) -> dict[str, Any]:
    # Family or staff decides the defaults shown (asked once for the whole page).
    audience = preferences.audience_of(user)
    table = dict(preferences.table_for(user, audience))
    choice = actions.settings_of(user, audience)
    return {
        "rows": [(group, table[group.key]) for group in GROUPS],
        "channels": list(Channel),
        "choice": choice,
        "quiet_from": choice.quiet_from.strftime("%H:%M"),
        "quiet_until": choice.quiet_until.strftime("%H:%M"),
        "is_staff": audience == STAFF,
        "email_modes": NotificationSettings.EmailMode.choices,
        "hours": range(24),
        "devices": queries.devices_of(user),
        "push_key": push.application_server_key() or "",
        "push_strings": {
            "on": _("Push is on for this device."),
            "off": _("Push is off for this device."),
            "working": _("Asking the browser…"),
            "blocked": _(
                "This browser blocks notifications from Elevdialog: allow them in its site settings."
            ),
            # What is missing when push cannot work here, checked in this order.
            "checking": _("Checking what this browser can do…"),
            "insecure": _(
                "Push needs a secure connection (an address starting with https://); "
                "this page was opened without one."
            ),
            "no_worker": _(
                "This browser does not let Elevdialog run a service worker, which push needs "
                "(for example in a private window, or with service workers turned off)."
            ),
            "no_push": _(
                "This browser has no support for push. On an iPhone, add Elevdialog to the home screen first."
            ),
            "no_notifications": _("This browser cannot show notifications."),
            "worker_failed": _("The browser could not start Elevdialog's service worker, which push needs."),
            "failed": _("Push could not be turned on."),
        },
        **extra,
    }


@login_required
def settings_view(request: HttpRequest) -> HttpResponse:
    user = viewer(request)
    if request.method != "POST":
        return render(request, "frontend/notification_settings.html", _settings_context(user))
    post = request.POST
    choices = {
        (group.key, channel.value): post.get(f"{group.key}:{channel.value}") == "on"
        for group in GROUPS
        for channel in Channel
    }
    try:
        digest_hour = int(post.get("digest_hour", "17"))
    except ValueError:
        digest_hour = -1
    try:
        actions.save_settings(
            user,
            email_mode=post.get("email_mode", ""),
            digest_hour=digest_hour,
            quiet_from=post.get("quiet_from", ""),
            quiet_until=post.get("quiet_until", ""),
            quiet_weekends=post.get("quiet_weekends") == "on",
            choices=choices,
        )
    except Refused as error:
        # Show the form again as it was sent; nothing was saved.
        sent = NotificationSettings(
            user=user,
            email_mode=post.get("email_mode", ""),
            quiet_weekends=post.get("quiet_weekends") == "on",
        )
        context = _settings_context(user, errors=[error.message])
        context.update(
            choice=sent, quiet_from=post.get("quiet_from", ""), quiet_until=post.get("quiet_until", "")
        )
        context["rows"] = [
            (group, {c.value: choices[(group.key, c.value)] for c in Channel}) for group in GROUPS
        ]
        return render(request, "frontend/notification_settings.html", context, status=400)
    messages.success(request, _("Your notification settings are saved."))
    return redirect("notification-settings")


def _json_body(request: HttpRequest) -> dict[str, Any]:
    try:
        body = json.loads(request.body or b"{}")
    except (ValueError, UnicodeDecodeError):
        return {}
    return body if isinstance(body, dict) else {}


@require_POST
@login_required
def push_subscribe_view(request: HttpRequest) -> HttpResponse:
    """The browser's PushSubscription (JSON, as ``toJSON()`` gives it; or the same three
    fields as a form)."""
    if request.content_type == "application/json":
        body = _json_body(request)
        raw_keys = body.get("keys")
        keys: dict[str, Any] = raw_keys if isinstance(raw_keys, dict) else {}
    else:
        body = {"endpoint": request.POST.get("endpoint", "")}
        keys = {"p256dh": request.POST.get("p256dh", ""), "auth": request.POST.get("auth", "")}
    try:
        device = actions.subscribe_push(
            viewer(request),
            endpoint=str(body.get("endpoint", "")),
            p256dh=str(keys.get("p256dh", "")),
            auth=str(keys.get("auth", "")),
            device=actions.device_name(request.headers.get("User-Agent", "")),
        )
    except Refused as error:
        return json_error(error)
    return JsonResponse({"id": device.pk}, status=201)


@require_POST
@login_required
def push_unsubscribe_view(request: HttpRequest) -> HttpResponse:
    """From this device's script (JSON with its endpoint) or the list of devices (a form
    with the id)."""
    user = viewer(request)
    if request.content_type == "application/json":
        removed = actions.unsubscribe_push(user, endpoint=str(_json_body(request).get("endpoint", "")))
        return JsonResponse({"removed": removed})
    raw = request.POST.get("device", "")
    if raw.isdigit():
        actions.unsubscribe_push(user, subscription_id=int(raw))
        messages.success(request, _("The device gets no more push notifications."))
    return redirect("notification-settings")
