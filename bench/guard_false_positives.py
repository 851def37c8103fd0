"""How the sensitive-text guard behaves on the test corpora: false positives, recall, speed.

Run: ``.venv/bin/python bench/guard_false_positives.py`` (development settings are enough;
no database or Redis is touched). Prints figures and ratios only, never pass or fail:

* per language, the false-positive rate on ``tests/writing/data/guard_ordinary_<lang>.txt``
  (messages with any finding / messages) and the words that fired;
* the recall on ``guard_sensitive_<lang>.txt`` (lines flagged with their expected category /
  lines) and the lines missed;
* the checking throughput (messages per second, median time per message) on the ordinary
  messages and on 2,000-character texts built from them;
* the number of list entries per category and language.
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "tests" / "writing" / "data"
LANGUAGES = ("sv", "en")
LONG_TEXT_CHARS = 2000
TIMING_ROUNDS = 20


def read_lines(path: Path) -> list[str]:
    lines = path.read_text(encoding="utf-8").splitlines()
    return [line for line in lines if line.strip() and not line.startswith("#")]


def per_message_seconds(check: object, texts: list[str], rounds: int) -> list[float]:
    """Wall time of each ``check(text)``, every text ``rounds`` times (after one warm-up pass)."""
    assert callable(check)
    for text in texts:
        check(text)
    timings = []
    for _ in range(rounds):
        for text in texts:
            started = time.perf_counter()
            check(text)
            timings.append(time.perf_counter() - started)
    return timings


def long_texts(messages: list[str], count: int) -> list[str]:
    """``count`` texts of about LONG_TEXT_CHARS characters, made of consecutive messages."""
    texts = []
    for first in range(count):
        parts: list[str] = []
        index = first
        while sum(len(part) + 1 for part in parts) < LONG_TEXT_CHARS:
            parts.append(messages[index % len(messages)])
            index += 1
        texts.append(" ".join(parts)[:LONG_TEXT_CHARS])
    return texts


def report_language(language: str) -> None:
    from writing.guard import check_text, load_word_lists

    ordinary = read_lines(DATA / f"guard_ordinary_{language}.txt")
    flagged = {text: check_text(text) for text in ordinary}
    flagged = {text: findings for text, findings in flagged.items() if findings}
    words = Counter(f"{f.matched} ({f.category}, {f.term})" for fs in flagged.values() for f in fs)
    print(f"\n== {language} ==")
    print(f"ordinary messages checked: {len(ordinary)}")
    print(f"false-positive rate: {len(flagged)}/{len(ordinary)} = {len(flagged) / len(ordinary):.1%}")
    for word, count in words.most_common():
        print(f"    {count} x {word}")

    sensitive = [line.split("\t", 1) for line in read_lines(DATA / f"guard_sensitive_{language}.txt")]
    missed = [
        (category, text)
        for category, text in sensitive
        if category not in {finding.category for finding in check_text(text)}
    ]
    hits = len(sensitive) - len(missed)
    print(f"sensitive lines checked: {len(sensitive)}")
    print(f"recall: {hits}/{len(sensitive)} = {hits / len(sensitive):.1%}")
    for category, text in missed:
        found = ", ".join(f"{f.category}:{f.matched}" for f in check_text(text)) or "nothing"
        print(f"    missed {category}: {text}  (found {found})")

    fresh = load_word_lists()  # its word cache is empty: every distinct word is classified once
    texts = long_texts(ordinary, 50)
    started = time.perf_counter()
    for text in texts:
        fresh.check(text)
    elapsed = time.perf_counter() - started
    print(
        f"first pass over {len(texts)} {LONG_TEXT_CHARS}-character texts, word cache empty at start: "
        f"{elapsed / len(texts) * 1e6:.0f} µs per text on average"
    )
    for label, texts in (
        ("ordinary messages", ordinary),
        (f"{LONG_TEXT_CHARS}-character texts", long_texts(ordinary, 50)),
    ):
        timings = per_message_seconds(check_text, texts, TIMING_ROUNDS)
        print(
            f"throughput on {label} (avg {statistics.mean(map(len, texts)):.0f} chars): "
            f"{len(timings) / sum(timings):,.0f} messages/s, "
            f"median {statistics.median(timings) * 1e6:.0f} µs, "
            f"p99 {statistics.quantiles(timings, n=100)[98] * 1e6:.0f} µs per message"
        )


def main() -> None:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from writing.guard import CATEGORIES, load_word_lists, reset_cache
    from writing.guard.loading import default_matcher

    reset_cache()
    started = time.perf_counter()
    default_matcher()
    print(f"building the default matcher (reading the lists): {(time.perf_counter() - started) * 1e3:.1f} ms")

    counts = load_word_lists().term_counts()
    print("list entries (lines, exceptions excluded) per category:")
    for category in CATEGORIES:
        sizes = ", ".join(f"{language} {counts[(language, category)]}" for language in LANGUAGES)
        print(f"    {category:<26} {sizes}")

    for language in LANGUAGES:
        report_language(language)


if __name__ == "__main__":
    main()
