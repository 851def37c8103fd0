"""The readable copy in an export (``index.html``): one self-contained page (no scripts, no
external resources, its small style inline) in the requester's language, one section per
record kind with a table of its rows. Written piece by piece as the rows stream past."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import IO, Any

from django.core.serializers.json import DjangoJSONEncoder
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import escape
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from accounts.held import HeldKind
from records.models import DataExport

STYLE = (
    "body{font-family:system-ui,sans-serif;margin:1rem auto;max-width:80rem;padding:0 1rem;line-height:1.4}"
    "table{border-collapse:collapse;width:100%;margin-bottom:1.5rem;font-size:.9rem}"
    "th,td{border:1px solid #bbb;padding:.3rem .4rem;text-align:left;vertical-align:top;"
    "overflow-wrap:anywhere}th{background:#eef}.empty{color:#555}"
)


def _section_id(kind: HeldKind) -> str:
    return "kind-" + kind.name.replace(".", "-")


def begin(page: IO[str], export: DataExport) -> None:
    subject = export.subject
    title = _("Personal data held by Elevdialog")
    about = (
        _("Everything stored about the student %(name)s")
        if export.scope == DataExport.Scope.STUDENT
        else _("Everything stored about %(name)s as a person")
    ) % {"name": subject.display_name}
    made = date_format(timezone.localtime(), "DATETIME_FORMAT")
    page.write(
        f'<!DOCTYPE html>\n<html lang="{escape(get_language() or "sv")}">\n<head><meta charset="utf-8">'
        f'<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{escape(title)}</title><style>{STYLE}</style></head>\n<body>\n"
        f"<h1>{escape(title)}</h1>\n<p>{escape(about)}. {escape(_('Made %(at)s.') % {'at': made})}</p>\n"
    )
    if export.reference:
        page.write(f"<p>{escape(_('Reference: %(ref)s') % {'ref': export.reference})}</p>\n")
    page.write(
        "<p>"
        + escape(
            _(
                "The same data is in the JSON files beside this page, one per kind of record; "
                "schema.json describes their fields. Stored files are in the folder files."
            )
        )
        + "</p>\n"
    )


def begin_section(page: IO[str], kind: HeldKind) -> None:
    heads = "".join(f"<th scope=col>{escape(name)}</th>" for name in kind.fields)
    page.write(
        f'<section id="{_section_id(kind)}">\n<h2>{escape(str(kind.label))}</h2>\n'
        f"<p>{escape(kind.name)}.json</p>\n<table>\n<thead><tr>{heads}</tr></thead>\n<tbody>\n"
    )


def row(page: IO[str], kind: HeldKind, data: Mapping[str, Any]) -> None:
    page.write("<tr>" + "".join(f"<td>{_cell(data.get(name))}</td>" for name in kind.fields) + "</tr>\n")


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return escape(value)
    if isinstance(value, bool):
        return escape(_("yes") if value else _("no"))
    return escape(json.dumps(value, cls=DjangoJSONEncoder, ensure_ascii=False))


def end_section(page: IO[str], kind: HeldKind, count: int) -> None:
    page.write("</tbody>\n</table>\n")
    if not count:
        page.write(f'<p class="empty">{escape(_("Nothing stored."))}</p>\n')
    page.write("</section>\n")


def end(page: IO[str], counts: Mapping[str, int]) -> None:
    page.write("</body>\n</html>\n")
