"""The entry syntax of the word lists, and the one tokenizer both entries and texts go through.

A word-list file is UTF-8, one entry per line; ``#`` starts a comment, blank lines are
ignored. An entry is one or more words separated by spaces or hyphens (a phrase); each
word is made of letters and digits and may carry wildcards:

``word``
    the whole word only (``lat`` matches "lat", not "latin" or "lata").
``word*``
    the word and any ending (``diagnos*``: "diagnos", "diagnosen", "diagnoserna").
``*word``
    any beginning: the word as the last part of a compound (``*psykolog``: "skolpsykolog").
``*word*``
    anywhere inside a word (``*ångest*``: "ångestattacker", "prestationsångesten").
``{a,b,}``
    alternatives, expanded when the list is read; an empty alternative is allowed
    (``lat{,a,are,ast}`` is "lat", "lata", "latare", "latast"; ``{hans,hennes} tro``).
``!entry``
    an exception: text matched by it is never reported for this file's category, whatever
    the other entries say (``!diagnostisk*``, ``!homo sapiens``, ``!ett fan``).

A match always covers whole words of the text. Words of a phrase must follow each other
in the text separated only by spaces, hyphens or apostrophes. Matching is case-insensitive
(Unicode case folding, text normalised to NFC), so entries are written in lower case.
"""

from __future__ import annotations

import enum
import itertools
import re
import unicodedata
from dataclasses import dataclass

# A word of text: letters and digits, with combining marks (a decomposed "å") and soft
# hyphens kept inside the word. Everything else separates words. (Written so that the
# common case runs as one character class: about twice as fast as an alternation.)
TOKEN_RE = re.compile(r"[^\W_]+(?:[\u0300-\u036f\u00ad]+[^\W_]*)*")
# What may stand between the words of a phrase, in a text and in an entry.
PHRASE_GAP_RE = re.compile(r"[\s\-\u2010\u2011'\u2019]+")
_BRACES_RE = re.compile(r"\{([^{}]*)\}")
_CORE_RE = re.compile(r"[^\W_]+")


def normalise_word(word: str) -> str:
    """The form words are compared in: NFC, case-folded, soft hyphens removed."""
    if not word.isascii():
        word = unicodedata.normalize("NFC", word.replace("\u00ad", ""))
    return word.casefold()


class Kind(enum.Enum):
    WORD = "word"
    PREFIX = "prefix"  # word*
    SUFFIX = "suffix"  # *word
    INFIX = "infix"  # *word*


@dataclass(frozen=True, slots=True)
class WordPattern:
    kind: Kind
    core: str


@dataclass(frozen=True, slots=True)
class Entry:
    """One expanded entry: ``term`` is the line as written, ``words`` one of its expansions."""

    category: str
    language: str
    term: str
    words: tuple[WordPattern, ...]
    exception: bool
    source: str  # "path:line", for error messages and debugging


class EntrySyntaxError(ValueError):
    """A word-list line that does not follow the entry syntax."""


def parse_line(line: str, *, category: str, language: str, source: str) -> list[Entry]:
    """The entries one line of a word-list file stands for (none for blanks and comments)."""
    text = unicodedata.normalize("NFC", line.split("#", 1)[0]).strip()
    if not text:
        return []
    exception = text.startswith("!")
    body = text[1:].strip() if exception else text
    if not body:
        raise EntrySyntaxError(f"{source}: an exception needs an entry after '!'")
    entries = []
    for expansion in _expand_braces(body, source):
        words = tuple(_parse_word(w, source) for w in PHRASE_GAP_RE.split(expansion.strip()) if w)
        if not words:
            raise EntrySyntaxError(f"{source}: {text!r} expands to an empty entry")
        entries.append(Entry(category, language, text, words, exception, source))
    return entries


def _expand_braces(body: str, source: str) -> list[str]:
    parts = _BRACES_RE.split(body)  # literal, alternatives, literal, alternatives, ..., literal
    if any(c in part for part in parts[::2] for c in "{}"):
        raise EntrySyntaxError(f"{source}: unbalanced or nested braces in {body!r}")
    choices = [[part] if i % 2 == 0 else part.split(",") for i, part in enumerate(parts)]
    return ["".join(combination) for combination in itertools.product(*choices)]


def _parse_word(word: str, source: str) -> WordPattern:
    leading, trailing = word.startswith("*"), word.endswith("*") and len(word) > 1
    core = word[1 if leading else 0 : len(word) - 1 if trailing else len(word)]
    if not _CORE_RE.fullmatch(core):
        raise EntrySyntaxError(
            f"{source}: {word!r} is not a word (letters and digits, '*' only at either end)"
        )
    kind = {
        (False, False): Kind.WORD,
        (False, True): Kind.PREFIX,
        (True, False): Kind.SUFFIX,
        (True, True): Kind.INFIX,
    }[(leading, trailing)]
    return WordPattern(kind, normalise_word(core))
