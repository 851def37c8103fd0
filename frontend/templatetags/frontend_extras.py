from __future__ import annotations

from typing import Any

from django import template
from django.conf import settings
from django.utils import timezone
from django.utils.html import format_html

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
