"""Serving a stored upload (an attachment, a blog image) once a view has checked access."""

from __future__ import annotations

import logging

from django.db.models.fields.files import FieldFile
from django.http import FileResponse, Http404

log = logging.getLogger("elevdialog.files")


def private_file_response(
    file: FieldFile, *, content_type: str, as_attachment: bool, filename: str
) -> FileResponse:
    """The file as data, never as a page: nothing in it may run, even if a browser sniffs,
    and only the person's own browser may cache it. A file missing from storage (lost in a
    restore, say) is a 404 for the person and an error in the log, not a crash."""
    try:
        opened = file.open("rb")
    except FileNotFoundError:
        log.error("stored file missing: %s", file.name)
        raise Http404 from None
    response = FileResponse(opened, content_type=content_type, as_attachment=as_attachment, filename=filename)
    response["Content-Security-Policy"] = "default-src 'none'; img-src 'self'; sandbox"
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, max-age=3600"
    return response
