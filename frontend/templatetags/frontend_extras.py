from __future__ import annotations

from typing import Any

from django import template
from django.conf import settings
from django.utils import timezone
from django.utils.html import format_html

from accounts import policy

register = template.Library()


@register.filter
def get_item(mapping: dict[Any, Any], key: Any) -> Any:
    """``mapping[key]`` in a template (None when missing)."""
    return mapping.get(key) if mapping else None


# The live socket's path (config/asgi.py routes it to frontend.consumer.LiveConsumer).
SOCKET_PATH = "/ws/"


@register.simple_tag
def page_settings() -> str:
    """What the page's scripts need from the server, as attributes of <html>: the school's
    time zone (times are written in it, whatever the device's zone), the live socket's path
    and the server's heartbeat interval."""
    return format_html(
        'data-time-zone="{}" data-socket="{}" data-heartbeat-ms="{}"',
        timezone.get_current_timezone_name(),
        SOCKET_PATH,
        settings.WEBSOCKET_HEARTBEAT_SECONDS * 1000,
    )


@register.filter
def shown_name(person: Any, hidden: Any) -> str:
    """``person``'s name, or the neutral label when ``hidden`` (the policy's
    ``names_hidden_from`` for the viewer) holds them: a protected student's or guardian's
    name reaches only those who need it."""
    if person is None:
        return ""
    return policy.shown_name(person, hidden or {})


@register.filter
def name_for(person: Any, viewer: Any) -> str:
    """``person``'s name as ``viewer`` may see it (``policy.names_hidden_from``), for one
    name in a page that has no ``hidden`` answer for all of its names. No query unless the
    person is protected."""
    if person is None:
        return ""
    return policy.shown_name(person, policy.names_hidden_from(viewer, [person]))
