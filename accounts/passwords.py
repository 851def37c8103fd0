"""Password rules after NIST SP 800-63B and OWASP ASVS: a minimum length, long passphrases
welcome, no composition rules, and a blocklist of common and breached-style passwords.

The blocklist is Django's list of 20,000 passwords seen in breaches plus a shipped list of
Swedish ones (``accounts/data/common_passwords_sv.txt``) that a municipality can extend.
A password is also refused when it is a listed word with a few digits or symbols added
("sommar2024!", "Lösenord123"), the most common breached pattern.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from pathlib import Path
from typing import Any

from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

SWEDISH_LIST = Path(__file__).resolve().parent / "data" / "common_passwords_sv.txt"
_AFFIX = re.compile(r"^[\W\d_]{0,4}(?P<core>.*?)[\W\d_]{0,6}$")


def _normalise(password: str) -> str:
    return unicodedata.normalize("NFKC", password).casefold().strip()


@lru_cache(maxsize=1)
def blocklist() -> frozenset[str]:
    words = {_normalise(word) for word in password_validation.CommonPasswordValidator().passwords}
    for line in SWEDISH_LIST.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            words.add(_normalise(line))
    words.discard("")
    return frozenset(words)


class LengthValidator:
    def __init__(self, min_length: int = 8, max_length: int = 256) -> None:
        self.min_length = min_length
        self.max_length = max_length

    def validate(self, password: str, user: Any = None) -> None:
        if len(password) < self.min_length:
            raise ValidationError(
                ngettext(
                    "The password must be at least %(min)d character long.",
                    "The password must be at least %(min)d characters long.",
                    self.min_length,
                )
                % {"min": self.min_length},
                code="password_too_short",
            )
        if len(password) > self.max_length:
            raise ValidationError(
                _("The password can be at most %(max)d characters long.") % {"max": self.max_length},
                code="password_too_long",
            )

    def get_help_text(self) -> str:
        return _(
            "At least %(min)d characters. A long phrase of several words is easy to remember "
            "and hard to guess."
        ) % {"min": self.min_length}


class BlocklistValidator:
    def validate(self, password: str, user: Any = None) -> None:
        normalised = _normalise(password)
        match = _AFFIX.match(normalised)
        core = match.group("core") if match else normalised
        listed = blocklist()
        if normalised in listed or (len(core) >= 3 and core in listed):
            raise ValidationError(
                _("This password is too common: it appears in lists that attackers try first."),
                code="password_too_common",
            )

    def get_help_text(self) -> str:
        return _("Common passwords, and common words with a few digits added, are not accepted.")


_SEQUENCES = (
    "0123456789",
    "abcdefghijklmnopqrstuvwxyzåäö",
    "qwertyuiopåasdfghjklöäzxcvbnm",
    "1qaz2wsx3edc4rfv5tgb6yhn7ujm8ik9ol0p",
)


class RepetitionValidator:
    """Refuses passwords made of very few distinct characters or one run of a sequence
    (aaaaaaaa, abababab, 12345678, qwertyui)."""

    def validate(self, password: str, user: Any = None) -> None:
        normalised = _normalise(password)
        in_sequence = any(normalised in sequence or normalised in sequence[::-1] for sequence in _SEQUENCES)
        if len(set(normalised)) < 4 or in_sequence:
            raise ValidationError(
                _("The password is a repetition or a sequence of characters, which is easy to guess."),
                code="password_repetitive",
            )

    def get_help_text(self) -> str:
        return _("Repeated characters and sequences such as 12345678 are not accepted.")
