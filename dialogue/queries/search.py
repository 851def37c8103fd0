"""Search in the dialogue: the messages and documents (the cards) a person may read, on one
page or across all of theirs, in Swedish.

The policy filters in the query, never after it: the pages are ``visible_students`` and the
threads ``readable_threads_q``, both as subqueries of the one search query, so a hit the
person may not read is never fetched (and never counted, ranked or cut into a snippet).
Retracted messages stay on record but are never found.

Two ways to match, one answer:

* PostgreSQL (production and the tests): full-text search with the ``swedish``
  configuration (Snowball stems, Swedish stop words), ``websearch`` syntax ("quoted
  phrases", -not, or), ranked, with ``ts_headline`` snippets, in the messages' text and the
  cards' texts (``SearchedText``). The GIN expression index of migration
  ``dialogue.0012_message_search_index`` is on the same expression.
* SQLite (the embedded demo of ``make run``): the query's words stemmed with the same
  Snowball algorithm (the ``snowballstemmer`` package) and matched as substrings, newest
  first, so "läxorna" still finds "läxa". Plain ORM: the tests run it on PostgreSQL too. It
  matches the text only (for a card, its summary line): SQLite stores JSON with å, ä and ö
  escaped, so a substring of a card's texts is not found there.

Snippets are HTML built here and nowhere else: the message text is escaped, and only the
highlight marks (bracketed by a random marker the text cannot guess) become ``<mark>``.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import snowballstemmer
from django.contrib.postgres.search import SearchHeadline, SearchQuery, SearchRank, SearchVectorField
from django.db import connection
from django.db.models import F, Func, Q, QuerySet
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from accounts import policy
from accounts.errors import Refused
from accounts.models import User
from dialogue.models import Message

MAX_QUERY_LENGTH = 200
PER_PAGE = 20
# The text search configuration of the index and of every query (PostgreSQL).
CONFIG = "swedish"
# Words that are searched for, at most (the rest of a long query is ignored by the fallback).
MAX_WORDS = 10
_WORD = re.compile(r"\w+")
_SNIPPET_CHARS = 220


@dataclass(frozen=True)
class Hit:
    """One message found, with its thread, page, student and author loaded."""

    message: Message
    snippet: SafeString

    @property
    def student(self) -> User:
        return self.message.page.student

    @property
    def thread_title(self) -> str:
        return self.message.thread.display_title


@dataclass(frozen=True)
class Results:
    hits: list[Hit]
    has_next: bool


def clean_query(text: str | None) -> str:
    """The query as searched, or ``Refused`` with what to do instead: nothing to search for, a
    query longer than ``MAX_QUERY_LENGTH`` characters, or one without a letter or digit."""
    text = " ".join((text or "").split())
    if not text:
        raise Refused("empty_query", _("Write a word to search for."), field="q")
    if len(text) > MAX_QUERY_LENGTH:
        raise Refused(
            "query_too_long",
            _("The search is too long: use at most %(n)s characters.") % {"n": MAX_QUERY_LENGTH},
            field="q",
        )
    if not _WORD.search(text):
        raise Refused("query_without_words", _("Search for words or numbers, not only symbols."), field="q")
    return text


def readable_messages(user: User, *, student_id: int | None = None) -> QuerySet[Message]:
    """The messages ``user`` may read (one page's with ``student_id``), retracted ones left
    out; a filter of subqueries, no query of its own."""
    messages = Message.objects.filter(
        policy.readable_threads_q(user, prefix="thread__"),
        page__student__in=policy.visible_students(user),
        retracted_at__isnull=True,
    )
    if student_id is not None:
        messages = messages.filter(page__student_id=student_id)
    return messages.select_related("author", "thread__subject", "page__student")


def search(
    user: User, text: str, *, student_id: int | None = None, limit: int = PER_PAGE, offset: int = 0
) -> Results:
    """The messages matching ``text`` (already ``clean_query``-ed) that ``user`` may read,
    best first: full-text search on PostgreSQL, stems on other databases. One query."""
    if connection.vendor == "postgresql":
        return search_full_text(user, text, student_id=student_id, limit=limit, offset=offset)
    return search_stems(user, text, student_id=student_id, limit=limit, offset=offset)


class SearchedText(Func):
    """What full-text search matches in a message (PostgreSQL): its text (for a card, the
    one-line summary) and every string of its card, which are the document's own texts as
    the page shows them (an assessment's "what the student can", a programme's measures;
    HTML tags in them are not words to the parser). Written out with fixed literals: it is
    the very expression of the GIN index (migration ``dialogue.0012``), which PostgreSQL uses
    only for an identical expression."""

    output_field = SearchVectorField()

    def __init__(self) -> None:
        super().__init__(F("body"), F("card"))

    def as_sql(self, compiler: Any, connection: Any, **extra: Any) -> tuple[str, list[Any]]:  # type: ignore[override]
        body, body_params = compiler.compile(self.source_expressions[0])
        card, card_params = compiler.compile(self.source_expressions[1])
        sql = (
            f"(to_tsvector('{CONFIG}'::regconfig, COALESCE({body}, '')) || jsonb_to_tsvector("
            f"'{CONFIG}'::regconfig, COALESCE({card}, '{{}}'::jsonb), '[\"string\"]'::jsonb))"
        )
        return sql, [*body_params, *card_params]


def search_full_text(
    user: User, text: str, *, student_id: int | None = None, limit: int = PER_PAGE, offset: int = 0
) -> Results:
    """PostgreSQL: ranked by ``ts_rank`` with the Swedish configuration, then newest first."""
    query = SearchQuery(text, config=CONFIG, search_type="websearch")
    marker = secrets.token_hex(8)
    start, stop = f"[{marker}[", f"]{marker}]"
    found = (
        readable_messages(user, student_id=student_id)
        .alias(found=SearchedText())
        .filter(found=query)
        .annotate(
            rank=SearchRank(F("found"), query),
            headline=SearchHeadline(
                "body",
                query,
                config=CONFIG,
                start_sel=start,
                stop_sel=stop,
                max_words=30,
                min_words=12,
                max_fragments=2,
                fragment_delimiter=" … ",
            ),
        )
        .order_by("-rank", "-created_at", "-pk")
    )
    rows = list(found[offset : offset + limit + 1])
    hits = [Hit(row, _marked(row.headline, start, stop)) for row in rows[:limit]]
    return Results(hits, has_next=len(rows) > limit)


def _marked(headline: str, start: str, stop: str) -> SafeString:
    """The headline escaped, with only the marker pairs turned into ``<mark>``."""
    html = escape(headline).replace(start, "<mark>").replace(stop, "</mark>")
    return mark_safe(html)  # noqa: S308  # escaped above; the only markup is ours


def stems(text: str) -> list[str]:
    """The distinct Snowball stems of the query's words, in order (at most ``MAX_WORDS``)."""
    words = [word.lower() for word in _WORD.findall(text)][:MAX_WORDS]
    found: list[str] = []
    # A stemmer keeps state while it works: one per call (cheap), never shared by threads.
    for stem in snowballstemmer.stemmer("swedish").stemWords(words):
        if stem and stem not in found:
            found.append(stem)
    return found


def search_stems(
    user: User, text: str, *, student_id: int | None = None, limit: int = PER_PAGE, offset: int = 0
) -> Results:
    """Any database (the embedded demo's SQLite): every stem of the query appears in the
    message (a substring match, so inflected forms are found), newest first."""
    words = stems(text)
    matching = Q()
    for stem in words:
        # SQLite's LIKE folds only ASCII letters: a word that starts a sentence ("Åtgärden")
        # is matched by its capitalised stem too.
        matching &= Q(body__icontains=stem) | Q(body__contains=stem[:1].upper() + stem[1:])
    found = readable_messages(user, student_id=student_id).filter(matching).order_by("-created_at", "-pk")
    rows = list(found[offset : offset + limit + 1])
    hits = [Hit(row, stem_snippet(row.body, words)) for row in rows[:limit]]
    return Results(hits, has_next=len(rows) > limit)


def stem_snippet(body: str, words: Sequence[str]) -> SafeString:
    """A window of the text around the first word that starts with one of the stems, each
    such word marked; the text escaped."""
    if not words:
        return mark_safe("")
    pattern = re.compile(r"\w*(?:" + "|".join(re.escape(word) for word in words) + r")\w*", re.IGNORECASE)
    first = pattern.search(body)
    begin = 0 if first is None else max(0, first.start() - _SNIPPET_CHARS // 3)
    if begin:
        # Start at a word boundary rather than inside a word.
        space = body.find(" ", begin)
        begin = space + 1 if 0 <= space < (first.start() if first else begin) else begin
    window = body[begin : begin + _SNIPPET_CHARS]
    parts: list[str] = ["… " if begin else ""]
    at = 0
    for match in pattern.finditer(window):
        parts.append(escape(window[at : match.start()]))
        parts.append(f"<mark>{escape(match.group(0))}</mark>")
        at = match.end()
    parts.append(escape(window[at:]))
    if begin + _SNIPPET_CHARS < len(body):
        parts.append(" …")
    return mark_safe("".join(parts))  # noqa: S308  # every piece of text is escaped
