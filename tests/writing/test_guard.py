"""The sensitive-text guard: word lists, entry syntax, matching and its behaviour on corpora."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
from django.utils.functional import Promise
from pytest_django.fixtures import Settings

from writing.guard import (
    CATEGORIES,
    CATEGORY_LABELS,
    EntrySyntaxError,
    Finding,
    Matcher,
    WordListError,
    check_text,
    load_word_lists,
    reset_cache,
)
from writing.guard.loading import default_matcher

DATA = Path(__file__).parent / "data"


@pytest.fixture(scope="module")
def matcher() -> Matcher:
    return load_word_lists()


def categories_in(matcher: Matcher, text: str) -> set[str]:
    return {finding.category for finding in matcher.check(text)}


def matched_words(matcher: Matcher, text: str) -> list[str]:
    return [finding.matched for finding in matcher.check(text)]


def read_lines(name: str) -> list[str]:
    lines = (DATA / name).read_text(encoding="utf-8").splitlines()
    return [line for line in lines if line.strip() and not line.startswith("#")]


def read_labelled(name: str) -> list[tuple[str, str]]:
    return [(category, text) for category, text in (line.split("\t", 1) for line in read_lines(name))]


# --- every category, both languages ---------------------------------------------------

TYPICAL = [
    ("health", "Han har fått en diagnos."),
    ("health", "Hon har ångest inför proven."),
    ("health", "Han tar medicin varje morgon."),
    ("health", "Hon har en funktionsnedsättning."),
    ("health", "He was diagnosed with autism."),
    ("health", "She takes medication at lunch."),
    ("health", "He has a disability."),
    ("sex_life", "Han har berättat om sin sexuella läggning."),
    ("sex_life", "Hon är homosexuell."),
    ("sex_life", "He is gay."),
    ("sex_life", "She told us about her sexual orientation."),
    ("ethnic_origin", "Han har ett annat etniskt ursprung."),
    ("ethnic_origin", "Hon har utländsk bakgrund."),
    ("ethnic_origin", "Her ethnicity was mentioned."),
    ("ethnic_origin", "They commented on his skin colour."),
    ("religion", "Hon är muslim."),
    ("religion", "Han är troende."),
    ("religion", "She is a Muslim."),
    ("religion", "His family are Jewish."),
    ("politics", "Hon har starka politiska åsikter."),
    ("politics", "Han är sverigedemokrat."),
    ("politics", "She has strong political views."),
    ("politics", "His father is a communist."),
    ("personal_characteristics", "Han är lat."),
    ("personal_characteristics", "Hon är slarvig."),
    ("personal_characteristics", "He is lazy."),
    ("personal_characteristics", "She is really annoying."),
    ("personal_characteristics", "He is stupid."),
    ("offensive", "Han sa jävla idiot."),
    ("offensive", "Hon kallade honom hora."),
    ("offensive", "He said fuck."),
    ("offensive", "They called him a retard."),
]


@pytest.mark.parametrize(("category", "text"), TYPICAL)
def test_each_category_fires_on_its_typical_words(matcher: Matcher, category: str, text: str) -> None:
    assert category in categories_in(matcher, text)


def test_every_category_has_a_list_in_both_languages(matcher: Matcher) -> None:
    counts = matcher.term_counts()
    for language in ("sv", "en"):
        for category in CATEGORIES:
            assert counts[(language, category)] > 0, (language, category)


# --- Swedish inflection and compounds ------------------------------------------------------

INFLECTED = {
    "health": [
        "diagnos",
        "diagnosen",
        "diagnoser",
        "diagnoserna",
        "adhd-diagnos",
        "npf-diagnosen",
        "depression",
        "deprimerad",
        "deprimerade",
        "ångestattacker",
        "prestationsångesten",
    ],
    "religion": ["muslim", "muslimen", "muslimer", "muslimska"],
    "personal_characteristics": [
        "lat",
        "lata",
        "latare",
        "bråkig",
        "bråkiga",
        "dum",
        "dumma",
        "dumt",
        "slarvig",
        "slarviga",
        "stökig",
        "omogen",
        "omogna",
    ],
}


@pytest.mark.parametrize(
    ("category", "word"), [(category, word) for category, words in INFLECTED.items() for word in words]
)
def test_inflected_and_compound_swedish_forms_match(matcher: Matcher, category: str, word: str) -> None:
    text = f"Det står {word} här."
    findings = [f for f in matcher.check(text) if f.category == category]
    assert findings, word
    # The compound is reported as a whole (or as its words, when joined by a hyphen).
    assert word.split("-")[-1] in [f.matched for f in findings]


def test_multi_word_phrase_matches_across_spaces_and_line_breaks(matcher: Matcher) -> None:
    assert matched_words(matcher, "om hans sexuella   läggning") == ["sexuella   läggning"]
    assert matched_words(matcher, "Det gäller sexuell\nläggning.") == ["sexuell\nläggning"]


# --- near misses ---------------------------------------------------------------------------

NEAR_MISSES = [
    "Latinet i 9:an är ett tillval.",
    "Vi läser latin och latinska lånord.",
    "Vi har använt en lathund.",
    "Vi ska dumpa papperen i återvinningen.",
    "Jag tror att det blir regn.",
    "Tron på framtiden är årets tema.",
    "Eleverna gjorde en partiell lösning.",
    "Vi spelade ett parti schack.",
    "Läraren skrev på svarta tavlan.",
    "Vi åker till Gamla Uppsala och pratar om asatron.",
    "Det har gått ett ras vid vägen.",
    "Rasten förlängs i dag.",
    "Hundar finns i många raser.",
    "Skolsköterskan har hälsosamtal i fyran.",
    "Sjuksköterskan kom på besök.",
    "Det var sjukt kul på utflykten!",
    "Vi skriver en diagnos i matte på fredag.",
    "Mattediagnosen visade att hon behöver träna på tabellerna.",
    "Det diagnostiska provet skrivs vecka 12.",
    "Ställ faten i diskmaskinen.",
    "Vi läste om Mongoliet.",
    "Vi läste Ronja Rövardotter.",
    "I biologin har vi pratat om sexualitet, samtycke och relationer.",
    "Han har sex rätt på provet.",
    "God jul och gott nytt år!",
    "Vi har läst om islam, kristendom och judendom.",
    "Vi har läst om kristna högtider och judiska traditioner.",
    "Den katolska kyrkan var mäktig under medeltiden.",
    "Till slut blev det ett lyckligt slut på sagan.",
    "Vi tränade med medicinbollar.",
    "Han har resfeber inför lägerskolan.",
    "Det är en idiotsäker metod.",
    "Hon har stor tro på sig själv.",
    "Hennes tro på sin egen förmåga har vuxit.",
    "Vi har arbetat med negativa tal.",
    "Han har en dryg timme kvar.",
    "Det var en jobbig vecka med många prov.",
    "Han gör slarvfel i uppställningen.",
    "Hon gör stora framsteg.",
    "Han sporrar sina kompisar.",
    "Vi såg en blåmes och en talgoxe.",
    "Homo sapiens uppstod i Afrika.",
    "He is a big fan of dinosaurs.",
    "The class performed a skit.",
    "Our class won the relay race.",
    "We read about the Great Depression.",
    "The maths diagnostic test is on Friday.",
    "We are having a class party.",
    "He dumped his bag in the hall.",
    "He was sick of waiting.",
    "Christianity, Islam and Judaism are world religions.",
]


@pytest.mark.parametrize("text", NEAR_MISSES)
def test_near_misses_are_not_flagged(matcher: Matcher, text: str) -> None:
    assert matcher.check(text) == []


# --- offsets, case, punctuation, overlaps ---------------------------------------------------


def test_offsets_point_at_the_matched_text(matcher: Matcher) -> None:
    text = "Hej! Elsa är LAT, och (enligt Kalle) dumma saker händer. Hon har ADHD-diagnosen."
    findings = matcher.check(text)
    assert [(f.category, f.matched) for f in findings] == [
        ("personal_characteristics", "LAT"),
        ("personal_characteristics", "dumma"),
        ("health", "ADHD"),
        ("health", "diagnosen"),
    ]
    for finding in findings:
        assert text[finding.start : finding.end] == finding.matched
    assert findings == sorted(findings, key=lambda f: f.start)


def test_the_term_is_the_list_entry_as_written(matcher: Matcher) -> None:
    (finding,) = matcher.check("Hon har ångestattacker.")
    assert finding == Finding("health", "*ångest*", "ångestattacker", 8, 22)


def test_matching_is_unicode_aware(matcher: Matcher) -> None:
    decomposed = "Han har a\u030angest."  # "ångest" with a combining ring above
    (finding,) = matcher.check(decomposed)
    assert finding.matched == "a\u030angest"
    assert decomposed[finding.start : finding.end] == finding.matched
    assert [f.matched for f in matcher.check("Han har ång\u00adest.")] == ["ång\u00adest"]  # soft hyphen
    assert categories_in(matcher, "ÅNGEST") == {"health"}
    assert categories_in(matcher, "BRÅKIGA") == {"personal_characteristics"}


def test_an_overlapping_match_is_reported_once_preferring_the_longer(matcher: Matcher) -> None:
    # "håll käft*" (a phrase) and "käften" (a word) overlap: only the phrase is reported.
    assert [(f.term, f.matched) for f in matcher.check("Håll käften nu!")] == [("håll käft*", "Håll käften")]
    # "bög*" in offensive and sexual-orientation words: the same word is reported once.
    assert len(matcher.check("bögjävel")) == 1


def test_findings_are_frozen() -> None:
    finding = Finding("health", "sjuk", "sjuk", 0, 4)
    with pytest.raises(dataclasses.FrozenInstanceError):
        finding.start = 1  # type: ignore[misc]


def test_empty_and_clean_texts_have_no_findings(matcher: Matcher) -> None:
    assert matcher.check("") == []
    assert matcher.check("... !!! 123") == []


# --- entry syntax ----------------------------------------------------------------------------


def write_list(root: Path, language: str, category: str, content: str) -> None:
    (root / language).mkdir(parents=True, exist_ok=True)
    (root / language / f"{category}.txt").write_text(content, encoding="utf-8")


def test_entry_syntax_whole_word_prefix_suffix_infix_alternatives(tmp_path: Path) -> None:
    write_list(
        tmp_path,
        "xx",
        "health",
        "# a comment\n\nplupp   # whole word\nblorf*\n*snarg\n*quux*\nfnys{,a,ig}\n",
    )
    custom = load_word_lists(tmp_path)
    assert matched_words(custom, "plupp pluppen") == ["plupp"]
    assert matched_words(custom, "blorf blorfarna xblorf") == ["blorf", "blorfarna"]
    assert matched_words(custom, "snarg storsnarg snargen") == ["snarg", "storsnarg"]
    assert matched_words(custom, "quux aquuxb") == ["quux", "aquuxb"]
    assert matched_words(custom, "fnys fnysa fnysig fnysen") == ["fnys", "fnysa", "fnysig"]


def test_exception_entries_silence_their_category_only(tmp_path: Path) -> None:
    write_list(tmp_path, "xx", "health", "*zork*\n!zorkish\n!the zork\n")
    write_list(tmp_path, "xx", "offensive", "zorkish\n")
    custom = load_word_lists(tmp_path)
    assert [(f.category, f.matched) for f in custom.check("zork zorkish the zork")] == [
        ("health", "zork"),
        ("offensive", "zorkish"),
    ]


@pytest.mark.parametrize("line", ["*", "plu pp*x", "a{b", "blorf}", "{a,{b}}", "!", "tw_o", "dots..."])
def test_malformed_entries_are_refused_with_file_and_line(tmp_path: Path, line: str) -> None:
    write_list(tmp_path, "xx", "health", f"fine\n{line}\n")
    with pytest.raises(EntrySyntaxError, match=r"health\.txt:2"):
        load_word_lists(tmp_path)


def test_unknown_category_file_is_refused(tmp_path: Path) -> None:
    write_list(tmp_path, "sv", "gossip", "skvaller\n")
    with pytest.raises(WordListError, match="gossip"):
        load_word_lists(tmp_path)


def test_missing_extra_directory_is_refused(tmp_path: Path) -> None:
    with pytest.raises(WordListError):
        load_word_lists(tmp_path / "nowhere")


# --- municipality lists ------------------------------------------------------------------------


def test_an_extra_directory_extends_the_lists(tmp_path: Path, matcher: Matcher) -> None:
    text = "Han är en riktig grinolle och har hösnuva."
    assert matcher.check(text) == []
    write_list(tmp_path, "sv", "personal_characteristics", "\ufeffgrinoll*\n")  # with a BOM
    write_list(tmp_path, "sv", "health", "hösnuva\n")
    write_list(tmp_path, "fi", "offensive", "perkele\n")  # a new language
    extended = load_word_lists(tmp_path)
    assert [(f.category, f.matched) for f in extended.check(text)] == [
        ("personal_characteristics", "grinolle"),
        ("health", "hösnuva"),
    ]
    assert categories_in(extended, "Perkele!") == {"offensive"}
    # The shipped entries are still there.
    assert categories_in(extended, "Han är lat.") == {"personal_characteristics"}


def test_check_text_uses_a_lazily_built_default_matcher() -> None:
    reset_cache()
    assert default_matcher.cache_info().currsize == 0
    assert check_text("Hon är lat.")[0].category == "personal_characteristics"
    assert default_matcher.cache_info().currsize == 1
    assert check_text("Han är dum.")[0].matched == "dum"
    assert default_matcher.cache_info().hits >= 1


def test_default_matcher_reads_the_configured_extra_directory(tmp_path: Path, settings: Settings) -> None:
    write_list(tmp_path, "sv", "health", "hösnuva\n")
    settings.GUARD_EXTRA_WORDS_DIR = str(tmp_path)
    reset_cache()
    try:
        assert [f.matched for f in check_text("Hon har hösnuva.")] == ["hösnuva"]
    finally:
        reset_cache()


def test_category_labels_are_lazily_translated() -> None:
    from django.utils import translation

    assert set(CATEGORY_LABELS) == set(CATEGORIES)
    assert all(isinstance(label, Promise) for label in CATEGORY_LABELS.values())
    with translation.override("en"):
        assert str(CATEGORY_LABELS["health"]) == "health"
        assert str(CATEGORY_LABELS["personal_characteristics"]) == "valuation of personal characteristics"
    with translation.override("sv"):
        assert str(CATEGORY_LABELS["health"]) == "hälsa"


# --- behaviour on the corpora (thresholds on behaviour, never on timing) ---------------------


@pytest.mark.parametrize("name", ["guard_ordinary_sv.txt", "guard_ordinary_en.txt"])
def test_ordinary_school_text_is_rarely_flagged(matcher: Matcher, name: str) -> None:
    messages = read_lines(name)
    flagged = {text: matched_words(matcher, text) for text in messages if matcher.check(text)}
    assert len(messages) >= (300 if name.endswith("_sv.txt") else 100)
    assert len(flagged) / len(messages) <= 0.02, flagged


@pytest.mark.parametrize("name", ["guard_sensitive_sv.txt", "guard_sensitive_en.txt"])
def test_sensitive_text_is_flagged_with_the_expected_category(matcher: Matcher, name: str) -> None:
    lines = read_labelled(name)
    assert {category for category, _ in lines} == set(CATEGORIES)
    missed = [(category, text) for category, text in lines if category not in categories_in(matcher, text)]
    assert len(lines) >= (100 if name.endswith("_sv.txt") else 40)
    assert 1 - len(missed) / len(lines) >= 0.90, missed
