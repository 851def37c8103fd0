"""The words of a notification, in the language of whoever reads it (the inbox in the
page's language, an e-mail or a push in the recipient's own)."""

from __future__ import annotations

from collections.abc import Mapping

from django.utils import translation
from django.utils.translation import gettext

from notifications import kinds
from notifications.models import Notification


def _param(value: object, language: str) -> str:
    if isinstance(value, Mapping):
        return str(value.get(language) or value.get("sv") or next(iter(value.values()), ""))
    return str(value)


def title_and_body(
    notification: Notification, language: str | None = None, *, count: int = 1
) -> tuple[str, str]:
    """Title and body in ``language`` (default: the active one), for ``count`` notifications
    of the same kind, actor and source shown as one (the inbox's lines). A kind that is no
    longer registered, or a text whose parameters are missing, still reads as something."""
    language = language or translation.get_language() or "sv"
    with translation.override(language):
        kind = kinds.kind(notification.kind)
        params = {key: _param(value, language) for key, value in notification.params.items()}
        if kind is not None:
            try:
                title, body = str(kind.title) % params, str(kind.body) % params
            except (KeyError, TypeError, ValueError):
                pass
            else:
                if count == 1:
                    return title, body
                try:
                    if kind.many is not None:
                        return str(kind.many % {**params, "count": count}), body
                except (KeyError, TypeError, ValueError):
                    pass  # an older notice without every name the plural text needs
                return gettext("%(title)s (%(count)d times)") % {"title": title, "count": count}, body
        return gettext("Something new in Elevdialog"), ""
