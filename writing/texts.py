"""Free text as people send it: cleaned the same way everywhere, held to a limit, and checked
by the sensitive-text guard before it is saved."""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping

from django.utils.translation import gettext as _

from accounts.errors import Refused, SensitiveText
from writing import guard


def clean_text(text: str) -> str:
    """Normalise what browsers send: NFC (å typed two ways is one letter), Unix newlines, no
    trailing spaces at the end. A lone surrogate (which no UTF-8 text can hold, so the
    database would refuse it) is refused here, with a clear answer."""
    text = unicodedata.normalize("NFC", text.replace("\r\n", "\n").replace("\r", "\n")).rstrip()
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        raise Refused(
            "bad_text", _("The text holds a character that cannot be stored. Remove it and try again.")
        ) from None
    return text


def checked_text(text: str, label: str, limit: int, *, required: bool = False) -> str:
    """A free-text field, cleaned (``clean_text``); refused, naming the field, when longer than
    ``limit`` (or empty when ``required``)."""
    text = clean_text(text or "")
    if required and not text.strip():
        raise Refused("empty", _("Fill in “%(field)s”.") % {"field": label}, field=label)
    if len(text) > limit:
        raise Refused(
            "too_long",
            _("“%(field)s” is %(length)d characters long; the limit is %(limit)d.")
            % {"field": label, "length": len(text), "limit": limit},
            field=label,
            limit=limit,
        )
    return text


def guard_texts(texts: Mapping[str, str], *, send_anyway: bool) -> list[guard.Finding]:
    """Check every free-text field of what is being saved. Raises ``SensitiveText`` with all
    the findings (and each field's own) unless the writer chose to save anyway; returns the
    findings, which the caller flags for the principal once saved."""
    findings: list[guard.Finding] = []
    by_field: dict[str, list[guard.Finding]] = {}
    for name, text in texts.items():
        found = guard.check_text(text) if text else []
        if found:
            by_field[name] = found
            findings.extend(found)
    if findings and not send_anyway:
        raise SensitiveText(findings, by_field=by_field)
    return findings
