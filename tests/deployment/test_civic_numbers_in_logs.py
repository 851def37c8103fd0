"""A civic number never reaches a log: the configured handler masks anything that looks like
one in a message, its arguments and an exception's text (config/logfilters.py)."""

from __future__ import annotations

import io
import logging
from collections.abc import Iterator

import pytest
from django.conf import settings

from config.logfilters import MASK, MaskCivicNumbers

FORMS = ("198112189876", "19811218-9876", "811218-9876", "8112189876", "811218+9876")


@pytest.fixture
def written() -> Iterator[io.StringIO]:
    """What the configured console handler writes, while the test runs."""
    handlers = [
        handler
        for handler in logging.getLogger().handlers
        if any(isinstance(f, MaskCivicNumbers) for f in handler.filters)
    ]
    assert handlers, "the console handler has no civic-number filter"
    handler = handlers[0]
    assert isinstance(handler, logging.StreamHandler)
    stream = io.StringIO()
    old = handler.setStream(stream)
    try:
        yield stream
    finally:
        handler.setStream(old)


def test_every_configured_handler_masks_civic_numbers() -> None:
    handlers: dict[str, dict[str, list[str]]] = settings.LOGGING["handlers"]  # type: ignore[assignment]
    for name, handler in handlers.items():
        assert "civic_numbers" in handler.get("filters", []), name


@pytest.mark.parametrize("number", FORMS)
def test_a_number_in_the_message_or_its_arguments_is_masked(written: io.StringIO, number: str) -> None:
    log = logging.getLogger("elevdialog.test")
    log.warning(f"no match for {number}")
    log.warning("no match for %s in %s", number, "4A")
    log.warning("no match for %(number)s", {"number": number})
    text = written.getvalue()
    assert number not in text
    assert text.count(MASK) == 3
    assert "in 4A" in text


def test_a_number_formatted_as_an_integer_is_masked(written: io.StringIO) -> None:
    logging.getLogger("elevdialog.test").error("person %d refused", 198112189876)
    assert "198112189876" not in written.getvalue()
    assert f"person {MASK} refused" in written.getvalue()


def test_a_number_in_an_exception_is_masked(written: io.StringIO) -> None:
    try:
        raise ValueError("bad civic number 19811218-9876")
    except ValueError:
        logging.getLogger("elevdialog.test").exception("import of %s failed", "person 7")
    text = written.getvalue()
    assert "9876" not in text
    assert "ValueError: bad civic number" in text
    assert "import of person 7 failed" in text


def test_dates_ids_and_times_are_left_alone(written: io.StringIO) -> None:
    logging.getLogger("elevdialog.test").warning("run 123456 on 2026-12-03 at 10:15, 42 rows")
    assert "run 123456 on 2026-12-03 at 10:15, 42 rows" in written.getvalue()
