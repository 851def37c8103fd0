"""Logging filters. A civic number (personnummer) must never reach a log: whatever a message,
its arguments or an exception's text hold that looks like one is masked before a handler
writes it. The pattern is ``accounts.civic.LOOKS_LIKE_CIVIC_NUMBER`` (ten or twelve digits,
with or without a separator); a masked false positive (an order number) costs less than a
leaked number."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from accounts.civic import LOOKS_LIKE_CIVIC_NUMBER

MASK = "[civic number]"


def mask(text: str) -> str:
    return LOOKS_LIKE_CIVIC_NUMBER.sub(MASK, text)


class MaskCivicNumbers(logging.Filter):
    """Masks civic numbers in a record's message (with its arguments filled in), its
    exception's text and its stack. Never drops a record."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a bad logging call: mask what it would print instead
            parts = [str(record.msg), *(repr(value) for value in _values(record.args))]
            record.msg, record.args = mask(" ".join(parts)), None
        else:
            masked = mask(message)
            if masked != message:
                # The message, filled in once, replaces the template and its arguments (an
                # argument may be a number formatted by "%d", which a mask could not keep).
                record.msg, record.args = masked, None
        if record.exc_info and record.exc_info[0] is not None and not record.exc_text:
            # The formatter would write the traceback (with the exception's message) later,
            # after this filter; write it now, masked, where the formatter looks first.
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = mask(record.exc_text)
        if record.stack_info:
            record.stack_info = mask(record.stack_info)
        return True


def _values(args: Any) -> list[Any]:
    if isinstance(args, Mapping):
        return list(args.values())
    if isinstance(args, tuple):
        return list(args)
    return [] if args is None else [args]
