"""The live socket's frames: reading the fields of an inbound frame, and the one way an error
becomes a frame.

Every inbound frame that concerns a send names it with ``client_id`` (the browser's id for the
message); other frames may carry a ``ref``. Every answer to a frame carries the same field with
the same value, so the browser finds what it concerns (an error about a send marks that send
failed).
"""

from __future__ import annotations

import json
import uuid
from typing import Any

from django.utils.translation import gettext as _

from accounts.errors import ActionError, Refused, SensitiveText
from writing.guard import findings_payload

# The largest id a frame may name (ids are positive 64-bit integers).
MAX_ID = 2**62


def encode_frame(frame: dict[str, Any]) -> str:
    """A frame as the socket sends it (compact JSON). A frame for many sockets is encoded once."""
    return json.dumps(frame, separators=(",", ":"))


def _malformed(name: str) -> Refused:
    return Refused("malformed", _("The request was not understood (%(field)s).") % {"field": name})


def int_field(frame: dict[str, Any], name: str, *, minimum: int = 0) -> int:
    value = frame.get(name)
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum or value > MAX_ID:
        raise _malformed(name)
    return value


def text_field(frame: dict[str, Any], name: str) -> str:
    value = frame.get(name)
    if not isinstance(value, str):
        raise _malformed(name)
    return value


def ids_field(frame: dict[str, Any], name: str, *, limit: int = 10) -> list[int]:
    value = frame.get(name, [])
    if (
        not isinstance(value, list)
        or len(value) > limit
        or not all(
            isinstance(item, int) and not isinstance(item, bool) and 0 < item <= MAX_ID for item in value
        )
    ):
        raise _malformed(name)
    return value


def uuid_field(frame: dict[str, Any], name: str) -> uuid.UUID:
    try:
        return uuid.UUID(text_field(frame, name))
    except ValueError:
        raise _malformed(name) from None


def reply_id(frame: dict[str, Any] | None) -> dict[str, Any]:
    """The field that names what an answer is about: the send's ``client_id``, else the
    frame's ``ref`` when that is a plain value (a nested one is not echoed back); None when
    the frame had neither."""
    if frame is not None and isinstance(frame.get("client_id"), str):
        return {"client_id": frame["client_id"]}
    ref = frame.get("ref") if frame is not None else None
    return {"ref": ref if isinstance(ref, str | int | float | bool) else None}


def answer_frame(error: ActionError, frame: dict[str, Any] | None) -> dict[str, Any]:
    """The frame that answers an inbound frame with an error: ``guard`` with the findings when
    the sensitive-text guard has something to say, otherwise ``error`` with the code, the
    message and the error's details (how long to wait, a limit)."""
    if isinstance(error, SensitiveText):
        return {"type": "guard", "findings": findings_payload(error.findings), **reply_id(frame)}
    return {
        "type": "error",
        "code": error.code,
        "message": error.message,
        **{key: value for key, value in error.details.items() if isinstance(value, str | int | float)},
        **reply_id(frame),
    }
