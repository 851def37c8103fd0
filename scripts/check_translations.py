"""Fail when a user-visible string has no Swedish translation.

Extracts every translatable string from the code and templates (Django's makemessages, which
needs GNU gettext), compares with the committed catalogue, and lists strings that are
missing, empty or fuzzy. The committed catalogue is left exactly as it was.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import polib

ROOT = Path(__file__).resolve().parent.parent
LANGUAGES = ("sv",)  # English is the source language of every string


def extract() -> dict[str, polib.POFile]:
    """Run makemessages and return the fresh catalogues, restoring the committed files."""
    catalogues = {lang: ROOT / "locale" / lang / "LC_MESSAGES" / "django.po" for lang in LANGUAGES}
    with tempfile.TemporaryDirectory() as backup:
        saved = {}
        for lang, path in catalogues.items():
            if path.exists():
                saved[lang] = Path(backup) / f"{lang}.po"
                shutil.copy2(path, saved[lang])
        try:
            subprocess.run(
                [
                    sys.executable,
                    "manage.py",
                    "makemessages",
                    *(f"--locale={lang}" for lang in LANGUAGES),
                    "--no-location",
                    "--no-obsolete",
                    "--ignore=.venv/*",
                    "--ignore=tests/*",
                    "--ignore=var/*",
                    "--ignore=node_modules/*",
                    "--verbosity=0",
                ],
                cwd=ROOT,
                check=True,
                env={**os.environ, "ELEVDIALOG_ENV": "development", "DATABASE_URL": "", "REDIS_URL": ""},
            )
            return {lang: polib.pofile(str(path)) for lang, path in catalogues.items()}
        finally:
            for lang, path in catalogues.items():
                if lang in saved:
                    shutil.copy2(saved[lang], path)
                else:
                    path.unlink(missing_ok=True)


def main() -> int:
    extracted = extract()
    committed = polib.pofile(str(ROOT / "locale" / "sv" / "LC_MESSAGES" / "django.po"))
    translated = {(entry.msgctxt, entry.msgid): entry for entry in committed if not entry.obsolete}
    problems = []
    for entry in extracted["sv"]:
        known = translated.get((entry.msgctxt, entry.msgid))
        if known is None:
            problems.append(f"missing: {entry.msgid!r}")
        elif "fuzzy" in known.flags:
            problems.append(f"fuzzy: {entry.msgid!r}")
        elif not (
            all(known.msgstr_plural.values()) and known.msgstr_plural if known.msgid_plural else known.msgstr
        ):
            problems.append(f"untranslated: {entry.msgid!r}")
    if problems:
        print("Swedish translations are incomplete (run `make messages` and translate):", file=sys.stderr)
        for problem in problems:
            print(f"  {problem}", file=sys.stderr)
        return 1
    print(f"translations: all {len(extracted['sv'])} strings have Swedish translations")
    return 0


if __name__ == "__main__":
    sys.exit(main())
