"""User text to HTML: ordinary Markdown renders as people expect, and no payload escapes.

The XSS corpus in data/xss_payloads.txt is rendered one payload at a time and the output is
parsed with Python's html.parser: only allowlisted elements and attributes, only http(s)
and mailto links, and nh3 with the same allowlist leaves it unchanged. Reading the output
back through a real browser is the browser suite's job.
"""

from __future__ import annotations

import html
import re
import time
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote

import nh3
import pytest

from writing.rendering import (
    ALLOWED_ATTRIBUTES,
    ALLOWED_TAGS,
    ALLOWED_URL_SCHEMES,
    LINK_REL,
    render_markdown,
    render_plain,
)

PAYLOAD_FILE = Path(__file__).parent / "data" / "xss_payloads.txt"
_ESCAPE_RE = re.compile(r"\\(n|t|r|\\|x[0-9a-fA-F]{2}|u[0-9a-fA-F]{4})")
_NAMED_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", "\\": "\\"}
_WORD_RE = re.compile(r"[^\W_]+")
_EMPHASIS_MARKERS_RE = re.compile(r"[*_~`]")
# Characters browsers strip around a URL (C0 controls and space) or delete inside it.
_URL_STRIPPED = "".join(chr(c) for c in range(0x21))
_URL_DELETED_RE = re.compile("[\t\n\r]")
_SCHEME_RE = re.compile(r"^([a-zA-Z][a-zA-Z0-9+.-]*):")
# Markdown syntax whose text is meant to disappear: link titles, fenced-code info strings,
# reference definitions, list numbers. Payloads using it only need *some* text to survive.
_MARKUP_THAT_HIDES_TEXT_RE = re.compile(r"\[|^\s*(```|~~~)|^\s*\d+[.)]\s", re.MULTILINE)

# Built from the module's public allowlist, so the idempotence check also proves that the
# module's own cleaner enforces exactly what it declares.
_RECLEANER = nh3.Cleaner(
    tags=set(ALLOWED_TAGS),
    clean_content_tags={"script", "style"},
    attributes={"*": set(), **{tag: set(names) for tag, names in ALLOWED_ATTRIBUTES.items()}},
    link_rel=LINK_REL,
    url_schemes=set(ALLOWED_URL_SCHEMES),
    url_relative="deny",
)


def _decode(line: str) -> str:
    def replace(match: re.Match[str]) -> str:
        code = match.group(1)
        return _NAMED_ESCAPES.get(code) or chr(int(code[1:], 16))

    return _ESCAPE_RE.sub(replace, line)


def _load_payloads() -> list[tuple[int, str]]:
    payloads = []
    for number, line in enumerate(PAYLOAD_FILE.read_text(encoding="utf-8").splitlines(), start=1):
        if line.strip() and not line.startswith("#:"):
            payloads.append((number, _decode(line)))
    return payloads


PAYLOADS = _load_payloads()
PAYLOAD_PARAMS = [pytest.param(payload, id=f"line{number}") for number, payload in PAYLOADS]


@dataclass
class ParsedHtml:
    elements: list[tuple[str, list[tuple[str, str | None]]]] = field(default_factory=list)
    text: list[str] = field(default_factory=list)
    oddities: list[str] = field(default_factory=list)

    @property
    def hrefs(self) -> list[str]:
        return [value or "" for tag, attrs in self.elements for name, value in attrs if name == "href"]

    @property
    def visible_text(self) -> str:
        return "".join(self.text)


class _Collector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parsed = ParsedHtml()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.parsed.elements.append((tag, attrs))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.parsed.elements.append((tag, attrs))

    def handle_endtag(self, tag: str) -> None:
        if tag not in ALLOWED_TAGS:
            self.parsed.oddities.append(f"end tag {tag}")

    def handle_data(self, data: str) -> None:
        self.parsed.text.append(data)

    def handle_comment(self, data: str) -> None:
        self.parsed.oddities.append(f"comment {data!r}")

    def handle_decl(self, decl: str) -> None:
        self.parsed.oddities.append(f"declaration {decl!r}")

    def unknown_decl(self, data: str) -> None:
        self.parsed.oddities.append(f"declaration {data!r}")

    def handle_pi(self, data: str) -> None:
        self.parsed.oddities.append(f"processing instruction {data!r}")


def parse(markup: str) -> ParsedHtml:
    collector = _Collector()
    collector.feed(markup)
    collector.close()
    return collector.parsed


def assert_only_allowlisted_markup(markup: str) -> ParsedHtml:
    parsed = parse(markup)
    assert parsed.oddities == []
    for tag, attrs in parsed.elements:
        assert tag in ALLOWED_TAGS, f"<{tag}> is not allowed"
        allowed = ALLOWED_ATTRIBUTES.get(tag, frozenset()) | ({"rel"} if tag == "a" else set())
        for name, _value in attrs:
            assert name in allowed, f"{name} on <{tag}> is not allowed"
        values = dict(attrs)
        if tag == "a":
            assert values.get("rel") == LINK_REL
            assert "href" in values, "an <a> without href means the two layers disagreed"
            assert_href_is_safe(values["href"] or "")
        if tag == "ol" and "start" in values:
            assert (values["start"] or "").isdigit()
    return parsed


def assert_href_is_safe(href: str) -> None:
    # No raw whitespace or control characters at all (markdown-it percent-encodes them), and
    # the scheme a browser would see after its own cleanup is on the allowlist.
    assert not any(ord(char) < 0x21 or 0x7F <= ord(char) <= 0x9F for char in href), repr(href)
    browser_view = _URL_DELETED_RE.sub("", href.strip(_URL_STRIPPED))
    scheme = _SCHEME_RE.match(browser_view)
    assert scheme is not None, f"relative href {href!r}"
    assert scheme.group(1).lower() in ALLOWED_URL_SCHEMES, repr(href)
    if scheme.group(1).lower() in ("http", "https"):
        assert browser_view[len(scheme.group(0)) :].startswith("//"), repr(href)


def words(text: str) -> set[str]:
    # Emphasis and code markers are consumed by design ("7*7*7" may become "7<em>7</em>7"),
    # so they are removed on both sides before the text is split into words.
    return {word.casefold() for word in _WORD_RE.findall(_EMPHASIS_MARKERS_RE.sub("", text))}


# --- ordinary Markdown -----------------------------------------------------------------


def test_bold_italics_and_strikethrough_render_as_strong_em_and_s() -> None:
    assert render_markdown("**fet** och *kursiv* och _också_ och ~~struken~~") == (
        "<p><strong>fet</strong> och <em>kursiv</em> och <em>också</em> och <s>struken</s></p>\n"
    )


def test_single_newline_becomes_a_line_break_and_blank_line_a_new_paragraph() -> None:
    assert render_markdown("rad ett\nrad två\n\nnytt stycke") == (
        "<p>rad ett<br>\nrad två</p>\n<p>nytt stycke</p>\n"
    )


def test_bulleted_and_numbered_lists_render_with_their_start_number() -> None:
    assert render_markdown("- äpple\n- päron\n\n3. tre\n4. fyra") == (
        '<ul>\n<li>äpple</li>\n<li>päron</li>\n</ul>\n<ol start="3">\n<li>tre</li>\n<li>fyra</li>\n</ol>\n'
    )


def test_explicit_link_gets_rel_and_no_title_or_target() -> None:
    assert render_markdown('[Skolverket](https://www.skolverket.se/ "Läs mer")') == (
        f'<p><a href="https://www.skolverket.se/" rel="{LINK_REL}">Skolverket</a></p>\n'
    )


def test_mailto_link_survives() -> None:
    assert render_markdown("[mejla](mailto:anna@skola.se)") == (
        f'<p><a href="mailto:anna@skola.se" rel="{LINK_REL}">mejla</a></p>\n'
    )


def test_bare_url_is_linked_without_the_sentence_punctuation_around_it() -> None:
    assert render_markdown("Läs (https://skolverket.se/a_b?x=1&y=2). Tack!") == (
        f'<p>Läs (<a href="https://skolverket.se/a_b?x=1&amp;y=2" rel="{LINK_REL}">'
        "https://skolverket.se/a_b?x=1&amp;y=2</a>). Tack!</p>\n"
    )


def test_www_address_is_linked_over_https_and_shown_as_typed() -> None:
    assert render_markdown("Se www.räksmörgås.se, tack") == (
        f'<p>Se <a href="https://www.xn--rksmrgs-5wao1o.se" rel="{LINK_REL}">www.räksmörgås.se</a>'
        ", tack</p>\n"
    )


def test_angle_bracket_autolinks_work_for_urls_and_email() -> None:
    assert render_markdown("<https://example.se> <anna@skola.se>") == (
        f'<p><a href="https://example.se" rel="{LINK_REL}">https://example.se</a> '
        f'<a href="mailto:anna@skola.se" rel="{LINK_REL}">anna@skola.se</a></p>\n'
    )


def test_urls_inside_code_and_link_text_are_not_linked_again() -> None:
    assert render_markdown("`https://a.se` [https://b.se](https://c.se)") == (
        f'<p><code>https://a.se</code> <a href="https://c.se" rel="{LINK_REL}">https://b.se</a></p>\n'
    )


def test_words_that_merely_contain_a_url_prefix_are_not_linked() -> None:
    assert render_markdown("foohttps://x.se och www.") == "<p>foohttps://x.se och www.</p>\n"


def test_block_quote_renders_as_blockquote() -> None:
    assert render_markdown("> Citat\n> rad två\n\nSvar") == (
        "<blockquote>\n<p>Citat<br>\nrad två</p>\n</blockquote>\n<p>Svar</p>\n"
    )


def test_inline_code_and_code_blocks_render_without_language_classes() -> None:
    assert render_markdown("`x < 1`\n\n```python\nif a < b:\n    pass\n```\n\n    indenterad") == (
        "<p><code>x &lt; 1</code></p>\n<pre><code>if a &lt; b:\n    pass\n</code></pre>\n"
        "<pre><code>indenterad\n</code></pre>\n"
    )


def test_headings_render_as_bold_paragraphs() -> None:
    assert render_markdown("# Stor\n###### Liten\nRubrik\n---") == (
        "<p><strong>Stor</strong></p>\n<p><strong>Liten</strong></p>\n<p><strong>Rubrik</strong></p>\n"
    )


def test_image_syntax_renders_a_link_never_an_img() -> None:
    assert render_markdown("![bild](https://example.se/a.png)") == (
        f'<p>!<a href="https://example.se/a.png" rel="{LINK_REL}">bild</a></p>\n'
    )


def test_swedish_characters_are_kept() -> None:
    assert (
        render_markdown("Hej på dig, Åsa! Öva på ärlighet.") == "<p>Hej på dig, Åsa! Öva på ärlighet.</p>\n"
    )


def test_html_looking_text_is_shown_as_text() -> None:
    assert render_markdown("<b>hej</b> & <script>x</script>") == (
        "<p>&lt;b&gt;hej&lt;/b&gt; &amp; &lt;script&gt;x&lt;/script&gt;</p>\n"
    )


@pytest.mark.parametrize(
    "text",
    ["[x](javascript:alert(1))", "[x](/admin/)", "[x](//evil.example)", "[x](#top)", "<javascript:alert(1)>"],
)
def test_refused_link_destinations_stay_visible_as_text(text: str) -> None:
    parsed = assert_only_allowlisted_markup(render_markdown(text))
    assert parsed.hrefs == []
    assert parsed.visible_text.strip() == text


@pytest.mark.parametrize("text", ["", "   ", "\n\n\t\n"])
def test_empty_text_renders_to_nothing(text: str) -> None:
    assert render_markdown(text) == ""
    assert render_plain(text) == ""


def test_nesting_deeper_than_the_limit_renders_safely_and_quickly() -> None:
    # markdown-it stops at maxNesting (100) and drops what lies deeper: an accepted loss for
    # text nobody writes, as long as it stays safe and cheap.
    started = time.perf_counter()
    for text in ("> " * 150 + "<img src=x onerror=alert(1)>", "- " * 150 + "x", "[" * 5000 + "x"):
        assert_only_allowlisted_markup(render_markdown(text))
    assert time.perf_counter() - started < 5


def test_quote_nesting_people_actually_use_keeps_its_text() -> None:
    assert "djupt" in render_markdown("> " * 30 + "djupt")


# --- plain text ------------------------------------------------------------------------


def test_plain_text_drops_markup_and_keeps_link_text() -> None:
    text = "# Rubrik\n**Hej** [Skolverket](https://skolverket.se), se `kod`\n\n- ett\n- två\n\n> citat"
    assert render_plain(text) == "Rubrik Hej Skolverket, se kod ett två citat"


def test_plain_text_keeps_html_looking_text_as_text() -> None:
    assert render_plain("<b>hej</b> &amp; åäö") == "<b>hej</b> & åäö"


def test_plain_text_collapses_whitespace() -> None:
    assert render_plain("  ett\n\ttvå   tre\n\n\nfyra  ") == "ett två tre fyra"


def test_plain_text_within_the_limit_is_not_cut() -> None:
    assert render_plain("Hej du", limit=6) == "Hej du"


def test_plain_text_is_cut_at_a_word_boundary_with_an_ellipsis() -> None:
    assert render_plain("Det här är en ganska lång mening", limit=20) == "Det här är en…"
    assert render_plain("Hej, du där", limit=5) == "Hej…"
    assert render_plain("ett två tre", limit=8) == "ett två…"


def test_plain_text_cut_never_exceeds_the_limit() -> None:
    text = "Lorem ipsum dolor sit amet, consectetur adipiscing elit"
    for limit in range(1, len(text) + 2):
        assert len(render_plain(text, limit=limit)) <= limit


def test_plain_text_with_one_long_word_is_cut_inside_it() -> None:
    assert render_plain("Ordsomärväldigtlångt", limit=10) == "Ordsomärv…"


def test_plain_text_refuses_a_limit_below_one() -> None:
    with pytest.raises(ValueError, match="limit"):
        render_plain("hej", limit=0)


# --- the XSS corpus --------------------------------------------------------------------


def test_corpus_has_at_least_200_payloads() -> None:
    assert len(PAYLOADS) >= 200
    assert len({payload for _number, payload in PAYLOADS}) == len(PAYLOADS), "duplicate payloads"


@pytest.mark.parametrize("payload", PAYLOAD_PARAMS)
def test_payload_renders_only_allowlisted_markup(payload: str) -> None:
    rendered = render_markdown(payload)
    assert_only_allowlisted_markup(rendered)
    assert _RECLEANER.clean(rendered) == rendered


@pytest.mark.parametrize("payload", PAYLOAD_PARAMS)
def test_payload_text_is_not_silently_eaten(payload: str) -> None:
    parsed = parse(render_markdown(payload))
    found = " ".join([parsed.visible_text, *parsed.hrefs, *(unquote(href) for href in parsed.hrefs)])
    found_words = words(found)
    if _MARKUP_THAT_HIDES_TEXT_RE.search(payload):
        assert words(payload) & found_words, "all text was eaten"
        return
    # Every word must be visible, either as typed or after entity decoding (markdown-it
    # decodes `&#106;` but leaves malformed references like `&#106` alone).
    lost_as_typed = words(payload) - found_words
    lost_decoded = words(html.unescape(payload)) - found_words
    assert not lost_as_typed or not lost_decoded, f"lost {sorted(lost_as_typed)}"


@pytest.mark.parametrize("payload", PAYLOAD_PARAMS)
def test_payload_plain_text_is_one_line(payload: str) -> None:
    plain = render_plain(payload, limit=80)
    assert len(plain) <= 80
    assert "\n" not in plain
