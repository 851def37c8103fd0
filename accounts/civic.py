"""Swedish civic numbers: personnummer and samordningsnummer (coordination numbers).

A civic number is stored as twelve digits, ``YYYYMMDDNNNN``, whatever form it came in
(``YYMMDD-NNNN``, ``YYMMDD+NNNN`` for people aged 100 or more, ``YYYYMMDDNNNN``,
``YYYYMMDD-NNNN``). The last digit is a Luhn control digit over the ten digits from the
year's last two. A coordination number is the same with 60 added to the day.

A civic number is personal data to protect: it is never put into URLs, logs, notifications,
pushes or e-mails. ``ValueError`` messages here never repeat the number they refuse.
"""

from __future__ import annotations

import datetime
import re

_FORMS = re.compile(r"^(?P<century>\d{2})?(?P<date>\d{6})(?P<sep>[-+]?)(?P<serial>\d{4})$")

# Ten or twelve digits, with or without a separator: what a log filter masks.
LOOKS_LIKE_CIVIC_NUMBER = re.compile(r"(?<!\d)(?:\d{2})?\d{6}[-+]?\d{4}(?!\d)")


def _luhn_sum(digits: str) -> int:
    total = 0
    for position, char in enumerate(digits):
        value = int(char) * (2 if position % 2 == 0 else 1)
        total += value - 9 if value > 9 else value
    return total


def luhn_ok(digits: str) -> bool:
    return _luhn_sum(digits) % 10 == 0


def control_digit(nine_digits: str) -> str:
    """The digit that makes ``nine_digits`` followed by it pass the Luhn check (for making
    fictitious civic numbers: the demo's register and the tests')."""
    return str((10 - _luhn_sum(nine_digits) % 10) % 10)


def birth_date(number: str) -> datetime.date:
    """The date of birth of a normalised civic number (the day less 60 for coordination
    numbers)."""
    day = int(number[6:8])
    return datetime.date(int(number[:4]), int(number[4:6]), day - 60 if day > 60 else day)


def is_coordination_number(number: str) -> bool:
    return int(number[6:8]) > 60


def normalise(raw: str, *, today: datetime.date | None = None) -> str:
    """The twelve-digit form of a valid civic number, or ``ValueError`` (without the number).

    Ten-digit forms get their century from the separator: ``-`` (or none) for someone under
    100 on ``today``, ``+`` for someone 100 or older.
    """
    text = "".join(raw.split())
    match = _FORMS.match(text)
    if match is None:
        raise ValueError("not a civic number (expected YYYYMMDD-NNNN)")
    date_part, serial = match["date"], match["serial"]
    if match["century"]:
        century = match["century"]
    else:
        today = today or datetime.date.today()
        yy = int(date_part[:2])
        year = today.year - (today.year - yy) % 100
        if match["sep"] == "+":
            year -= 100
        century = f"{year // 100:02d}"
    number = f"{century}{date_part}{serial}"
    try:
        born = birth_date(number)
    except ValueError:
        raise ValueError("the date in the civic number does not exist") from None
    if today is not None and born > today:
        raise ValueError("the date in the civic number is in the future")
    if not luhn_ok(number[2:]):
        raise ValueError("the control digit of the civic number is wrong")
    return number


def formatted(number: str) -> str:
    """``YYYYMMDD-NNNN`` for the few screens allowed to show it."""
    return f"{number[:8]}-{number[8:]}"
