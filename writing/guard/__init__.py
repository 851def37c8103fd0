"""The sensitive-text guard: warns before free text with sensitive content is saved.

Free-text fields (messages; later assessments, goals, blog posts) must not contain health,
sex life, ethnic origin, religious belief or political opinion, valuations of the student's
personal characteristics, or offensive language (see ``../shared/DOMAIN.md``). Before
saving, the caller checks the text; the writer sees which words triggered which category
and can edit or send anyway. The guard only finds words: it never blocks or stores.

API
---
``check_text(text: str) -> list[Finding]``
    The findings in ``text``, sorted by position. Where matches overlap only one is
    reported, the longest (a phrase beats its words). Uses a module-level default matcher,
    built lazily on the first call (never at import) from the shipped lists plus the
    directory named by the optional ``GUARD_EXTRA_WORDS_DIR`` setting.
``reset_cache() -> None``
    Forget the default matcher (tests; after a municipality edits its lists).
``load_word_lists(extra_dir: Path | None = None) -> Matcher``
    Build an immutable ``Matcher`` from the shipped lists, adding every entry of
    ``extra_dir`` (same layout: ``<language>/<category>.txt``). ``matcher.check(text)``
    works like ``check_text``; ``matcher.term_counts()`` counts entries per
    (language, category). Bad files raise ``WordListError`` / ``EntrySyntaxError``.
``Finding``
    Frozen dataclass: ``category`` (a code below), ``term`` (the list entry as written),
    ``matched`` (the exact text), ``start``, ``end`` (character offsets:
    ``text[start:end] == matched``).
``findings_payload(findings)``
    The findings as JSON for the writer's browser (with each category's label).
``CATEGORIES``, ``CATEGORY_LABELS``
    The stable category codes ``health``, ``sex_life``, ``ethnic_origin``, ``religion``,
    ``politics``, ``personal_characteristics``, ``offensive``, and code -> lazily translated
    label ("health", "sex life", ..., "offensive language").

Word lists
----------
``words/<language>/<category>.txt`` (``sv`` and ``en`` shipped): UTF-8, one entry per
line, ``#`` comments. Every text is checked against every language, since Swedish messages
quote English and the other way round; entries are chosen so that no entry fires on
ordinary words of either language. Entry syntax (details in ``syntax.py``): ``word``
whole word; ``word*`` with any ending; ``*word`` as the end of a compound; ``*word*``
anywhere in a word; ``{a,b,}`` alternatives; several words form a phrase
(``sexuell läggning``); ``!entry`` an exception that silences its category where it
matches (``!diagnostisk*``). Matching is case-insensitive, Unicode-aware and on word
boundaries; punctuation around words is ignored.
"""

from writing.guard.categories import CATEGORIES, CATEGORY_LABELS, findings_payload
from writing.guard.loading import WORDS_DIR, WordListError, check_text, load_word_lists, reset_cache
from writing.guard.matching import Finding, Matcher
from writing.guard.syntax import EntrySyntaxError

__all__ = [
    "CATEGORIES",
    "CATEGORY_LABELS",
    "WORDS_DIR",
    "EntrySyntaxError",
    "Finding",
    "Matcher",
    "WordListError",
    "check_text",
    "findings_payload",
    "load_word_lists",
    "reset_cache",
]
