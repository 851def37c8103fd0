"""Building an export's ZIP from the register of what is held (``accounts.held``), and only
from it: every declared kind with rows about the subject becomes ``<kind>.json`` (an array
of the kind's ``export(row)``), its section of ``index.html`` (the same, readable, in the
requester's language) and its stored files under ``files/``; ``schema.json`` documents every
kind's fields.

It streams: rows are read in chunks (``iterator``) and written into the ZIP entry as they
come; the HTML copy is written beside them into a temporary file and copied in at the end,
and the files are copied in blocks. Memory stays flat whatever the size of the page; only
the stored files' names are kept until the end (a ZIP entry is written one at a time).
"""

from __future__ import annotations

import json
import shutil
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import IO, Any
from zipfile import ZIP_DEFLATED, ZIP_STORED, ZipFile, ZipInfo

from django.core.files import File
from django.core.files.storage import Storage
from django.core.serializers.json import DjangoJSONEncoder
from django.db.models import QuerySet
from django.utils import translation
from django.utils.crypto import get_random_string

from accounts.held import HeldKind, kinds, names_as_seen_by
from records.exports import html
from records.models import DataExport
from writing.uploads import private_storage

CHUNK_ROWS = 500
COPY_BLOCK = 256 * 1024


@dataclass(frozen=True)
class Part:
    """One declared kind and its rows about the subject."""

    kind: HeldKind
    rows: QuerySet[Any]


def parts_of(export: DataExport) -> list[Part]:
    """The register's kinds that hold something about the export's subject, by name, as
    far as the requester may read them (``HeldKind.readable``)."""
    found = []
    for kind in sorted(kinds(), key=lambda kind: kind.name):
        if export.scope == DataExport.Scope.STUDENT:
            rows = kind.rows_about_student(export.subject_id)
        else:
            rows = kind.of_person(export.subject_id) if kind.of_person is not None else None
        if rows is not None and kind.readable is not None:
            # Only what the requester may read (a private thread's lines to its audience).
            rows = kind.readable(rows, export.requested_by)
        if rows is not None:
            # The relations the kind's export reads come with the rows (no query per row).
            found.append(Part(kind, rows.select_related(*kind.related).order_by("pk")))
    return found


def schema() -> dict[str, Any]:
    """Every kind of the register: its label and documented fields (English)."""
    with translation.override("en"):
        return {
            kind.name: {"label": str(kind.label), "file": f"{kind.name}.json", "fields": dict(kind.fields)}
            for kind in sorted(kinds(), key=lambda kind: kind.name)
        }


@dataclass(frozen=True)
class StoredFile:
    arcname: str
    storage: Storage
    name: str


@dataclass
class Built:
    name: str
    size: int
    counts: dict[str, int]


def build_zip(export: DataExport, *, progress: Callable[[int], None] = lambda percent: None) -> Built:
    """Write the export's ZIP into private storage (``exports/<random>.zip``) and return its
    name, size and rows per kind. ``progress(percent)`` is called after each kind."""
    parts = parts_of(export)
    counts: dict[str, int] = {}
    files: list[StoredFile] = []
    with (
        tempfile.TemporaryFile() as archive_file,
        tempfile.TemporaryFile(mode="w+", encoding="utf-8") as page,
        translation.override(export.language),
        names_as_seen_by(export.requested_by),
    ):
        with ZipFile(archive_file, "w", compression=ZIP_DEFLATED, allowZip64=True) as archive:
            html.begin(page, export)
            for done, part in enumerate(parts, start=1):
                counts[part.kind.name] = _write_kind(archive, page, part, files)
                progress(int(90 * done / max(len(parts), 1)))
            html.end(page, counts)
            with archive.open("schema.json", "w") as entry:
                entry.write(json.dumps(schema(), ensure_ascii=False, indent=2).encode())
            page.seek(0)
            with archive.open("index.html", "w") as entry:
                _copy_text(page, entry)
            written: set[str] = set()
            for stored in files:
                if stored.arcname not in written:  # one file named by two rows
                    written.add(stored.arcname)
                    _write_file(archive, stored)
        size = archive_file.tell()
        archive_file.seek(0)
        name = private_storage().save(f"exports/{get_random_string(32)}.zip", File(archive_file))
    return Built(name=name, size=size, counts=counts)


def _write_kind(archive: ZipFile, page: IO[str], part: Part, files: list[StoredFile]) -> int:
    """``<kind>.json`` and the kind's HTML section, row by row; returns the row count."""
    kind = part.kind
    count = 0
    html.begin_section(page, kind)
    with archive.open(f"{kind.name}.json", "w") as entry:
        entry.write(b"[")
        for row in _rows(part.rows):
            data = kind.export(row)
            entry.write((b",\n" if count else b"\n") + _json(data))
            html.row(page, kind, data)
            count += 1
            if kind.files is not None:
                for stored in kind.files(row):
                    if stored and stored.name:
                        files.append(_stored(kind, row, stored))
        entry.write(b"\n]\n")
    html.end_section(page, kind, count)
    return count


def _rows(rows: QuerySet[Any]) -> Iterator[Any]:
    # Server-side cursor on PostgreSQL: never the whole page in memory.
    return rows.iterator(chunk_size=CHUNK_ROWS)


def _json(data: Any) -> bytes:
    return json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False).encode()


def _stored(kind: HeldKind, row: Any, stored: Any) -> StoredFile:
    base = PurePosixPath(str(stored.name)).name
    return StoredFile(f"files/{kind.name}/{row.pk}/{base}", stored.storage, str(stored.name))


def _write_file(archive: ZipFile, stored: StoredFile) -> None:
    try:
        source = stored.storage.open(stored.name, "rb")
    except FileNotFoundError:  # lost in a restore: the JSON still names it
        return
    # Photos and PDFs are compressed already: stored as they are (deflating them again took
    # a third of a large export's time and saved nothing).
    info = ZipInfo(stored.arcname, date_time=time.localtime()[:6])
    info.compress_type = ZIP_STORED
    with source, archive.open(info, "w") as entry:
        shutil.copyfileobj(source, entry, COPY_BLOCK)


def _copy_text(source: IO[str], entry: IO[bytes]) -> None:
    while block := source.read(COPY_BLOCK):
        entry.write(block.encode())
