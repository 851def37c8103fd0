"""The compiled matcher: finds word-list entries in a text.

Texts are split into words once (``syntax.TOKEN_RE``); each distinct word is classified
against every single-word pattern by dictionary look-ups (whole word, and its prefixes,
suffixes and substrings of the lengths that occur in the lists), and the result is
memoised, so a text costs about one dictionary look-up per word. Only words that satisfy
some pattern are kept; phrases are followed from their first word through the next kept
words, which must stand right after each other in the text.
"""

from __future__ import annotations

import bisect
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import NamedTuple

from writing.guard.categories import CATEGORIES
from writing.guard.syntax import PHRASE_GAP_RE, TOKEN_RE, Entry, Kind, WordPattern, normalise_word

# Distinct words remembered per matcher; cleared when full (school text has a small vocabulary).
_WORD_CACHE_LIMIT = 200_000
_KIND_SPECIFICITY = {Kind.WORD: 0, Kind.PREFIX: 1, Kind.SUFFIX: 1, Kind.INFIX: 2}


@dataclass(frozen=True, slots=True)
class Finding:
    """One piece of a text that matched a word-list entry.

    ``category`` is a code from ``CATEGORIES``, ``term`` the list entry as written,
    ``matched`` the text itself, ``text[start:end] == matched``.
    """

    category: str
    term: str
    matched: str
    start: int
    end: int


class _Token(NamedTuple):
    start: int
    end: int
    patterns: frozenset[int]


class Matcher:
    """An immutable set of word-list entries, ready to check texts (thread-safe)."""

    def __init__(self, entries: Iterable[Entry]) -> None:
        self.entries: tuple[Entry, ...] = tuple(entries)
        pattern_ids: dict[WordPattern, int] = {}
        singles: defaultdict[int, list[Entry]] = defaultdict(list)
        phrases: defaultdict[int, list[tuple[Entry, tuple[int, ...]]]] = defaultdict(list)
        for entry in self.entries:
            if entry.category not in CATEGORIES:
                raise ValueError(f"{entry.source}: unknown category {entry.category!r}")
            ids = tuple(pattern_ids.setdefault(p, len(pattern_ids)) for p in entry.words)
            if len(ids) == 1:
                singles[ids[0]].append(entry)
            else:
                phrases[ids[0]].append((entry, ids[1:]))
        self._singles = {k: tuple(v) for k, v in singles.items()}
        self._phrases = {k: tuple(v) for k, v in phrases.items()}

        by_kind: dict[Kind, defaultdict[str, list[int]]] = {kind: defaultdict(list) for kind in Kind}
        for pattern, pattern_id in pattern_ids.items():
            by_kind[pattern.kind][pattern.core].append(pattern_id)
        self._exact = {core: tuple(ids) for core, ids in by_kind[Kind.WORD].items()}
        self._affixes = tuple(
            (kind, {core: tuple(ids) for core, ids in table.items()}, tuple(sorted({len(c) for c in table})))
            for kind, table in by_kind.items()
            if kind is not Kind.WORD and table
        )
        self._word_cache: dict[str, frozenset[int]] = {}

    def check(self, text: str) -> list[Finding]:
        """The findings in ``text``, by position; of overlapping matches only the longest."""
        tokens = self._tokens_with_patterns(text)
        if not tokens:
            return []
        candidates: list[tuple[int, int, Entry]] = []
        for index, token in enumerate(tokens):
            for pattern_id in token.patterns:
                for entry in self._singles.get(pattern_id, ()):
                    candidates.append((token.start, token.end, entry))
                for entry, rest in self._phrases.get(pattern_id, ()):
                    end = _phrase_end(text, tokens, index, rest)
                    if end is not None:
                        candidates.append((token.start, end, entry))
        if not candidates:
            return []
        return [
            Finding(entry.category, entry.term, text[start:end], start, end)
            for start, end, entry in _longest_without_overlap(_without_exceptions(candidates))
        ]

    def term_counts(self) -> Counter[tuple[str, str]]:
        """How many list entries (lines, exceptions excluded) there are per (language, category)."""
        terms = {(e.language, e.category, e.term) for e in self.entries if not e.exception}
        return Counter((language, category) for language, category, _ in terms)

    def _tokens_with_patterns(self, text: str) -> list[_Token]:
        """The words of ``text`` that satisfy some pattern (most words satisfy none)."""
        cache = self._word_cache
        tokens = []
        for match in TOKEN_RE.finditer(text):
            word = match.group()
            patterns = cache.get(word)
            if patterns is None:
                patterns = self._classify(normalise_word(word))
                if len(cache) >= _WORD_CACHE_LIMIT:
                    cache.clear()
                cache[word] = patterns
            if patterns:
                tokens.append(_Token(match.start(), match.end(), patterns))
        return tokens

    def _classify(self, word: str) -> frozenset[int]:
        """The ids of every single-word pattern a normalised word satisfies."""
        found: set[int] = set(self._exact.get(word, ()))
        size = len(word)
        for kind, table, lengths in self._affixes:
            for length in lengths:
                if length > size:
                    break
                if kind is Kind.PREFIX:
                    found.update(table.get(word[:length], ()))
                elif kind is Kind.SUFFIX:
                    found.update(table.get(word[size - length :], ()))
                else:
                    for offset in range(size - length + 1):
                        found.update(table.get(word[offset : offset + length], ()))
        return frozenset(found)


def _phrase_end(text: str, tokens: list[_Token], first: int, rest: tuple[int, ...]) -> int | None:
    """Where a phrase starting at ``tokens[first]`` ends, if its other words follow.

    ``tokens`` holds only words that satisfy some pattern; the gap check makes sure no
    other word stands between two of them.
    """
    previous = tokens[first]
    for offset, pattern_id in enumerate(rest, start=1):
        index = first + offset
        if index >= len(tokens):
            return None
        token = tokens[index]
        if pattern_id not in token.patterns or not PHRASE_GAP_RE.fullmatch(text, previous.end, token.start):
            return None
        previous = token
    return previous.end


def _without_exceptions(candidates: list[tuple[int, int, Entry]]) -> list[tuple[int, int, Entry]]:
    """Drop matches lying inside an exception's match of the same category."""
    masks = [(start, end, entry.category) for start, end, entry in candidates if entry.exception]
    return [
        (start, end, entry)
        for start, end, entry in candidates
        if not entry.exception
        and not any(
            category == entry.category and mask_start <= start and end <= mask_end
            for mask_start, mask_end, category in masks
        )
    ]


def _longest_without_overlap(candidates: list[tuple[int, int, Entry]]) -> list[tuple[int, int, Entry]]:
    """Keep the longest of overlapping matches; equal spans go to the most specific entry."""

    def preference(candidate: tuple[int, int, Entry]) -> tuple[int, int, int, int, int, str]:
        start, end, entry = candidate
        return (
            start - end,
            -len(entry.words),
            sum(_KIND_SPECIFICITY[word.kind] for word in entry.words),
            -sum(len(word.core) for word in entry.words),
            CATEGORIES.index(entry.category),
            entry.term,
        )

    # Kept matches never overlap, so ordered by start they are ordered by end too: a new one
    # fits if it ends before its right neighbour starts and starts after its left one ends.
    kept: list[tuple[int, int, Entry]] = []
    starts: list[int] = []
    for candidate in sorted(candidates, key=preference):
        start, end, _ = candidate
        place = bisect.bisect_right(starts, start)
        if (place == 0 or kept[place - 1][1] <= start) and (place == len(kept) or end <= starts[place]):
            kept.insert(place, candidate)
            starts.insert(place, start)
    return kept
