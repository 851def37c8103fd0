"""The live socket's protocol around its handlers: the close codes, reading an inbound frame
before any handler sees it, and the answer while the database cannot be reached.

A frame must be text, at most MAX_FRAME_CHARS, a JSON object with a string ``type``,
shallow, and its text must be storable. One that is not is answered with an error naming
what it was about when that can be found: the send's ``client_id`` (the browser then marks
that send, instead of showing a general notice) or the frame's ``ref``.
"""

from __future__ import annotations

import json
import logging
import re
import time
from typing import Any

from django.db import InterfaceError, OperationalError
from django.utils.translation import gettext as _

from accounts.errors import ActionError, Refused
from writing.frames import reply_id

log = logging.getLogger("elevdialog.socket")

# Close codes the browser acts on: 4401 log in again (no reconnecting), 4429 too many sockets
# for one person (wait long before trying again), 4503 the service cannot serve the socket
# right now (back off and reconnect). Daphne itself closes with 1009 a message of 1 MiB or
# more.
CLOSE_NOT_AUTHENTICATED = 4401
CLOSE_TOO_MANY_SOCKETS = 4429
CLOSE_UNAVAILABLE = 4503


# The database cannot be reached (stopped, restarting, the network): not a fault of the
# frame, and not a crash; the frame is answered "unavailable" and the browser tries again.
DATABASE_UNAVAILABLE = (OperationalError, InterfaceError)
RETRY_AFTER_SECONDS = 5


def unavailable() -> ActionError:
    return ActionError(
        "unavailable",
        _("Nothing was saved: the service is unavailable for a moment. Try again shortly."),
        retry_after=RETRY_AFTER_SECONDS,
    )


def too_many_sockets(limit: int) -> ActionError:
    """Why the socket is closed with CLOSE_TOO_MANY_SOCKETS, said in a frame first (Daphne
    does not pass a close reason on to the browser)."""
    message = _(
        "This account has too many tabs or windows open (at most %(limit)d). Close some of them "
        "and reload this page."
    ) % {"limit": limit}
    return ActionError("too_many_sockets", message)


class OutageLog:
    """One warning a minute while the database cannot be reached: every frame or handshake
    of every socket would otherwise log its own, and none of them is a fault of its own."""

    def __init__(self, what: str) -> None:
        self.what = what
        self.last = -60.0
        self.answered = 0

    def note(self) -> None:
        self.answered += 1
        now = time.monotonic()
        if now - self.last >= 60:
            log.warning("database unavailable: %d %s", self.answered, self.what)
            self.last, self.answered = now, 0


outage_log = OutageLog("socket frames answered 'unavailable'")
handshake_outage_log = OutageLog("socket handshakes closed with 4503")


# The app's own limit; Daphne closes the socket (code 1009) on messages of 1 MiB or more.
MAX_FRAME_CHARS = 64 * 1024
# Frames are flat objects (the deepest field is a list of ids). Deeper nesting is refused
# before anything walks it recursively (thousands of levels ended in RecursionError).
MAX_DEPTH = 8

_LONE_SURROGATE = re.compile("[\ud800-\udfff]")
_CLIENT_ID = re.compile(r'"client_id"\s*:\s*"([0-9A-Fa-f-]{32,36})"')


class UnreadableFrame(Exception):
    """The frame cannot be handled. ``names`` is what the answer should name (a stand-in
    frame holding its ``client_id`` or ``ref``), None when nothing could be found."""

    def __init__(self, error: Refused, names: dict[str, Any] | None) -> None:
        super().__init__(error.message)
        self.error = error
        self.names = names


def read_frame(text_data: str | None, bytes_data: bytes | None) -> dict[str, Any]:
    """The frame, a dict whose ``type`` is a string, or UnreadableFrame."""
    if text_data is None:
        raise UnreadableFrame(Refused("malformed", _("Only text frames are accepted.")), None)
    if len(text_data) > MAX_FRAME_CHARS:
        raise UnreadableFrame(Refused("too_large", _("The request is too large.")), _named_in(text_data))
    try:
        frame = json.loads(text_data)
    except RecursionError:
        raise UnreadableFrame(_too_deep(), _named_in(text_data)) from None
    except ValueError:
        raise UnreadableFrame(
            Refused("malformed", _("The request was not understood.")), _named_in(text_data)
        ) from None
    if not isinstance(frame, dict) or not isinstance(frame.get("type"), str):
        raise UnreadableFrame(Refused("malformed", _("The request was not understood.")), None)
    _check_contents(frame)
    return frame


def _check_contents(frame: dict[str, Any]) -> None:
    """Refuse nesting deeper than MAX_DEPTH and strings holding a lone UTF-16 surrogate.

    JSON may escape one (``"\\ud800"``) and Python decodes it into a string that cannot be
    encoded as UTF-8, so saving it failed later as a server error. Walks without recursion.
    """
    pending: list[tuple[Any, int]] = [(frame, 1)]
    while pending:
        value, depth = pending.pop()
        if depth > MAX_DEPTH:
            raise UnreadableFrame(_too_deep(), reply_id(frame))
        if isinstance(value, dict):
            for key, item in value.items():
                if _LONE_SURROGATE.search(key):
                    raise UnreadableFrame(_broken_character(), reply_id(frame))
                pending.append((item, depth + 1))
        elif isinstance(value, list):
            pending.extend((item, depth + 1) for item in value)
        elif isinstance(value, str) and _LONE_SURROGATE.search(value):
            raise UnreadableFrame(_broken_character(), reply_id(frame))


def _named_in(text_data: str) -> dict[str, Any] | None:
    """The send a frame that could not be parsed was about, if its client id can be seen."""
    found = _CLIENT_ID.search(text_data)
    return {"client_id": found.group(1)} if found else None


def _too_deep() -> Refused:
    return Refused(
        "bad_frame", _("The request could not be read: it is nested too deeply. Nothing was saved.")
    )


def _broken_character() -> Refused:
    return Refused(
        "bad_frame",
        _(
            "The text contains an invalid character (for example a broken emoji). Nothing was saved; "
            "remove the character and try again."
        ),
    )
