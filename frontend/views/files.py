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
    and no cache keeps it. A file missing from storage (lost in a restore, say) is a 404 for
    the person and an error in the log, not a crash."""
    try:
        opened = file.open("rb")
    except FileNotFoundError:
        log.error("stored file missing: %s", file.name)
        raise Http404 from None
    response = FileResponse(opened, content_type=content_type, as_attachment=as_attachment, filename=filename)
    response["Content-Security-Policy"] = "default-src 'none'; img-src 'self'; sandbox"
    response["X-Content-Type-Options"] = "nosniff"
    # Not "private, max-age=3600": a child's attachment or class photo would then stay an
    # hour in the browser's cache of a shared computer, readable by the next person without
    # any access check, and even after the file is removed or access ends. The policy is
    # asked again on every download instead (frontend.caching sets the same for every page).
    response["Cache-Control"] = "no-store"
    return response
