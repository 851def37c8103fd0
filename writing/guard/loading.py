"""Reading the word lists from disk, and the cached default matcher ``check_text`` uses."""

from __future__ import annotations

import functools
from collections.abc import Iterator
from pathlib import Path

from writing.guard.categories import CATEGORIES
from writing.guard.matching import Finding, Matcher
from writing.guard.syntax import Entry, parse_line

WORDS_DIR = Path(__file__).resolve().parent / "words"


class WordListError(ValueError):
    """A word-list directory that does not have the expected layout."""


def load_word_lists(extra_dir: Path | None = None) -> Matcher:
    """A matcher for the shipped lists, plus the entries under ``extra_dir`` if given.

    ``extra_dir`` has the layout of ``WORDS_DIR``: ``<language>/<category>.txt``, where
    ``<category>`` is one of ``CATEGORIES`` and ``<language>`` any directory name (a new one
    adds a language). Its entries, exceptions included, are added to the shipped ones.
    Raises ``WordListError`` (or ``EntrySyntaxError``) naming the file and line at fault.
    """
    entries = list(_read_tree(WORDS_DIR))
    if extra_dir is not None:
        if not extra_dir.is_dir():
            raise WordListError(f"{extra_dir}: the extra word-list directory does not exist")
        entries.extend(_read_tree(extra_dir))
    return Matcher(entries)


def _read_tree(root: Path) -> Iterator[Entry]:
    for language_dir in sorted(path for path in root.iterdir() if path.is_dir()):
        for path in sorted(language_dir.glob("*.txt")):
            if path.stem not in CATEGORIES:
                raise WordListError(f"{path}: unknown category; expected one of {', '.join(CATEGORIES)}")
            # utf-8-sig: lists edited in Windows tools often start with a byte-order mark.
            lines = path.read_text(encoding="utf-8-sig").splitlines()
            for number, line in enumerate(lines, start=1):
                yield from parse_line(
                    line, category=path.stem, language=language_dir.name, source=f"{path}:{number}"
                )


def _configured_extra_dir() -> Path | None:
    """The municipality's own lists, from the optional ``GUARD_EXTRA_WORDS_DIR`` setting."""
    from django.conf import settings

    value = getattr(settings, "GUARD_EXTRA_WORDS_DIR", None) if settings.configured else None
    return Path(value) if value else None


@functools.cache
def default_matcher() -> Matcher:
    """The shipped lists plus the configured extra directory, built on first use."""
    return load_word_lists(_configured_extra_dir())


def reset_cache() -> None:
    """Forget the default matcher; the next ``check_text`` reads the lists again."""
    default_matcher.cache_clear()


def check_text(text: str) -> list[Finding]:
    """The sensitive words in ``text`` by position, using the default matcher."""
    return default_matcher().check(text)
