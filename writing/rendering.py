"""The one place that turns user text into HTML (and into plain text for previews).

Messages, and later blog posts, assessments and goals, are written in a small Markdown
dialect. Nothing else in the project produces HTML from user text: templates insert the
result of :func:`render_markdown` with ``|safe`` and the browser with ``innerHTML``.

Two independent layers keep that safe:

1. markdown-it-py renders with raw HTML off, so anything that looks like a tag is escaped
   text, and with a link validator that lets only ``http``, ``https`` and ``mailto``
   destinations become links (anything else stays visible as the text the user typed).
2. nh3 (ammonia) re-parses the result the way a browser does and keeps only the allowlist
   below, so a bug in layer 1 still cannot produce a script, an event handler or a
   ``javascript:`` link.
"""

from __future__ import annotations

import html
import re
from collections.abc import Mapping, Sequence
from types import MappingProxyType

import nh3
from django.utils.safestring import SafeString, mark_safe
from markdown_it import MarkdownIt
from markdown_it.renderer import RendererHTML
from markdown_it.rules_core import StateCore
from markdown_it.token import Token
from markdown_it.utils import EnvType, OptionsDict

__all__ = [
    "ALLOWED_ATTRIBUTES",
    "ALLOWED_TAGS",
    "ALLOWED_URL_SCHEMES",
    "LINK_REL",
    "markdown_html",
    "render_markdown",
    "render_plain",
]

# Everything markdown-it can emit with the rules enabled below, and nothing more. Headings,
# images, tables and raw HTML are deliberately absent (see _MarkdownIt and _heading_*).
ALLOWED_TAGS: frozenset[str] = frozenset(
    {"p", "br", "strong", "em", "s", "ul", "ol", "li", "a", "blockquote", "code", "pre", "hr"}
)
# `start` keeps "3. tre" numbered from three; code language classes are dropped (no
# highlighter runs, and class values would be an unfiltered hook into the page's CSS).
ALLOWED_ATTRIBUTES: Mapping[str, frozenset[str]] = MappingProxyType(
    {"a": frozenset({"href"}), "ol": frozenset({"start"})}
)
ALLOWED_URL_SCHEMES: frozenset[str] = frozenset({"http", "https", "mailto"})
# nofollow: links written by users must not lend the school's pages ranking to spam.
LINK_REL = "noopener noreferrer nofollow"

# Relative links are refused as well: a message has no meaningful base URL, and a link to
# one of our own pages (say a GET that changes state) is not something users should plant.
_CLEANER = nh3.Cleaner(
    tags=set(ALLOWED_TAGS),
    clean_content_tags={"script", "style"},
    # "*" must be given: without it ammonia allows its default generic attributes (title, lang).
    attributes={"*": set(), **{tag: set(names) for tag, names in ALLOWED_ATTRIBUTES.items()}},
    link_rel=LINK_REL,
    url_schemes=set(ALLOWED_URL_SCHEMES),
    url_relative="deny",
    strip_comments=True,
)

# Checked on the URL after markdown-it has decoded entities, punycoded the host and
# percent-encoded the rest, so spaces, tabs and control characters in a scheme are `%xx`
# here and cannot match. An http(s) link must have a plain host name (or IPv6 literal): a
# host nh3 would refuse, like `ok.example%22`, is left as text rather than becoming an <a>
# without href. `https:foo`, `//host` and relative paths are left as text too.
_SAFE_LINK_RE = re.compile(
    r"""^(?:
        https?://
        (?:[^/?#@\s]*@)?                            # user:password@ (browsers accept it)
        (?:[a-z0-9][a-z0-9_.-]*|\[[0-9a-f:.]+\])     # host name or IPv6 literal
        (?::[0-9]*)?                                 # port
        (?:[/?#]|$)
      | mailto:\S
    )""",
    re.IGNORECASE | re.VERBOSE,
)

# Bare URLs, linkified without linkify-it-py (not a dependency). Deliberately narrow: only
# `http://`, `https://` and `www.` starts, not preceded by a character that would make it
# the middle of another word or URL. Quotes, angle brackets and backticks end a URL.
_BARE_URL_RE = re.compile(r"(?<![\w@/.:%+-])(?:https?://|www\.)[^\s<>\"`]+", re.IGNORECASE)
# Sentence punctuation after a URL ("se https://skolverket.se.") is not part of it.
_URL_TRAILING_PUNCTUATION = ".,:;!?*_~'\"”’»"
_WHITESPACE_RE = re.compile(r"\s+")


class _MarkdownIt(MarkdownIt):
    def validateLink(self, url: str) -> bool:
        # Replaces markdown-it's denylist (javascript:, vbscript:, file:, data:) with an
        # allowlist: a refused destination is not a link at all, so `[x](javascript:…)`
        # shows the user's text instead of an <a> that nh3 would leave without href.
        # The second test asks nh3 itself, because its URL parser refuses a few hosts the
        # pattern lets through (bad punycode such as `xn--.se`); it costs microseconds.
        return _SAFE_LINK_RE.match(url) is not None and 'href="' in _CLEANER.clean(
            f'<a href="{html.escape(url)}"></a>'
        )


def _link_bare_urls(state: StateCore) -> None:
    """Core rule: turn bare URLs in text (outside links and code) into links.

    Runs after text_join, so entities and escapes are already part of the text tokens.
    """
    for block_token in state.tokens:
        if block_token.type != "inline" or not block_token.children:
            continue
        children: list[Token] = []
        link_depth = 0
        for child in block_token.children:
            if child.type == "link_open":
                link_depth += 1
            elif child.type == "link_close":
                link_depth -= 1
            if child.type == "text" and link_depth == 0 and _BARE_URL_RE.search(child.content):
                children.extend(_split_bare_urls(state, child))
            else:
                children.append(child)
        block_token.children = children


def _split_bare_urls(state: StateCore, token: Token) -> list[Token]:
    text = token.content
    nodes: list[Token] = []
    last = 0
    for match in _BARE_URL_RE.finditer(text):
        url = _trim_url(match.group())
        href = state.md.normalizeLink(url if "://" in url else "https://" + url)
        if url.lower() in ("http://", "https://", "www.") or not state.md.validateLink(href):
            continue
        start, end = match.start(), match.start() + len(url)
        if start > last:
            nodes.append(_text_token(text[last:start], token.level))
        nodes.append(
            Token("link_open", "a", 1, attrs={"href": href}, level=token.level, markup="linkify", info="auto")
        )
        # The link text is what the user typed, so a look-alike host is shown as written.
        nodes.append(_text_token(url, token.level + 1))
        nodes.append(Token("link_close", "a", -1, level=token.level, markup="linkify", info="auto"))
        last = end
    if not nodes:
        return [token]
    if last < len(text):
        nodes.append(_text_token(text[last:], token.level))
    return nodes


def _trim_url(url: str) -> str:
    while url:
        if url[-1] in _URL_TRAILING_PUNCTUATION:
            url = url[:-1]
        elif url[-1] == ")" and url.count(")") > url.count("("):
            # In "(se https://example.se/a)" the parenthesis belongs to the sentence.
            url = url[:-1]
        else:
            break
    return url


def _text_token(content: str, level: int) -> Token:
    return Token("text", "", 0, level=level, content=content)


def _heading_open(
    self: RendererHTML, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType
) -> str:
    # A "# Rubrik" in a chat message should stand out, not shout: one bold paragraph
    # whatever the level, so no user can put an <h1> on a teacher's page.
    return "<p><strong>"


def _heading_close(
    self: RendererHTML, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType
) -> str:
    return "</strong></p>\n"


def _build_markdown() -> MarkdownIt:
    md = _MarkdownIt(
        "commonmark",
        {
            "html": False,  # raw HTML is text, never markup
            "breaks": True,  # a single newline is a line break, as people type in chat
            "linkify": False,  # needs linkify-it-py; _link_bare_urls does a narrow version
            "typographer": False,
            "xhtmlOut": False,
            # Bounds recursion on deep "> > >" or list nesting. markdown-it drops what lies
            # deeper than this (safely), so it is set far above anything people write.
            "maxNesting": 100,
        },
    )
    # Images come as attachments: `![alt](url)` renders as "!" and a link.
    md.disable(["image", "html_inline", "html_block"])
    md.enable("strikethrough")
    md.core.ruler.after("text_join", "bare_urls", _link_bare_urls)
    md.add_render_rule("heading_open", _heading_open)
    md.add_render_rule("heading_close", _heading_close)
    return md


_MD = _build_markdown()


def render_markdown(text: str) -> str:
    """Render user Markdown to sanitised HTML, safe for ``|safe`` and ``innerHTML``.

    Precondition: ``text`` is the user's text as stored (any length limit is the caller's;
    markdown-it is linear for ordinary text but the caller decides how much to accept).

    Output uses only ``ALLOWED_TAGS``; the only attributes are ``href`` on ``a`` (always an
    absolute ``http``, ``https`` or ``mailto`` URL), the ``rel`` nh3 adds to every link
    (``LINK_REL``, never a ``target``) and ``start`` on ``ol``. Empty or whitespace-only
    text gives ``""``. Text that looks like HTML is shown escaped, as typed.
    """
    return _CLEANER.clean(_MD.render(text))


def render_plain(text: str, limit: int | None = None) -> str:
    """Return the words of user Markdown as one line of plain text, for previews.

    Markup is dropped (link text stays, link targets go), whitespace is collapsed to single
    spaces. With ``limit`` (precondition: ``limit >= 1``), a longer result is cut at a word
    boundary and ends with "…", and is at most ``limit`` characters long.

    The result is text, not HTML: it must be escaped where it is put into HTML (Django
    templates do that unless told otherwise).
    """
    if limit is not None and limit < 1:
        raise ValueError(f"limit must be at least 1, got {limit}")
    pieces: list[str] = []
    for token in _MD.parse(text):
        if token.type == "inline" and token.children:
            pieces.append("".join(_inline_plain(child) for child in token.children))
        elif token.type in ("fence", "code_block"):
            pieces.append(token.content)
    plain = _WHITESPACE_RE.sub(" ", " ".join(pieces)).strip()
    if limit is None or len(plain) <= limit:
        return plain
    return _truncate(plain, limit)


def _inline_plain(token: Token) -> str:
    if token.type in ("text", "code_inline", "text_special"):
        return token.content
    if token.type in ("softbreak", "hardbreak"):
        return " "
    return ""


def _truncate(plain: str, limit: int) -> str:
    cut = plain[: limit - 1]  # one character is left for the ellipsis
    if plain[limit - 1] != " ":
        # The cut fell inside a word: drop the partial word, unless it is the only one.
        space = cut.rfind(" ")
        if space > 0:
            cut = cut[:space]
    return cut.rstrip(" ,;:") + "…"


def markdown_html(text: str) -> SafeString:
    """``render_markdown`` marked safe for templates: the one place that says the
    sanitised output needs no further escaping (models' ``*_html`` properties use it)."""
    return mark_safe(render_markdown(text))  # noqa: S308 (sanitised by nh3 above)
