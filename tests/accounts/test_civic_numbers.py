"""Civic numbers (personnummer, samordningsnummer): validated on the date, the control digit
and the coordination number's day + 60, and stored as twelve digits whatever form came in."""

from __future__ import annotations

import datetime

import pytest

from accounts import civic

TODAY = datetime.date(2026, 12, 3)


@pytest.mark.parametrize(
    ("given", "stored"),
    [
        ("19121212-1212", "191212121212"),
        ("191212121212", "191212121212"),
        ("121212-1212", "201212121212"),  # ten digits, under 100: this century
        ("121212+1212", "191212121212"),  # '+' is for someone aged 100 or more
        (" 20160615-2385 ", "201606152385"),
        ("19701063-2391", "197010632391"),  # a coordination number: day 3 + 60
    ],
)
def test_every_form_is_stored_as_twelve_digits(given: str, stored: str) -> None:
    assert civic.normalise(given, today=TODAY) == stored


@pytest.mark.parametrize(
    ("given", "reason"),
    [
        ("19121212-1213", "control digit"),
        ("19121312-1212", "does not exist"),  # month 13
        ("19120231-1211", "does not exist"),  # 31 February
        ("19701092-2391", "does not exist"),  # coordination day 92 - 60 = 32
        ("20301212-1216", "future"),
        ("1912121-21212", "not a civic number"),
        ("abc", "not a civic number"),
    ],
)
def test_a_wrong_number_is_refused_without_repeating_it(given: str, reason: str) -> None:
    with pytest.raises(ValueError, match=reason) as refused:
        civic.normalise(given, today=TODAY)
    assert given.strip()[-4:] not in str(refused.value)


def test_a_coordination_number_has_the_birth_date_less_sixty_days() -> None:
    number = civic.normalise("19701063-2391", today=TODAY)
    assert civic.is_coordination_number(number)
    assert civic.birth_date(number) == datetime.date(1970, 10, 3)
    assert civic.formatted(number) == "19701063-2391"


def test_the_control_digit_completes_a_valid_number() -> None:
    assert civic.control_digit("121212121") == "2"
    assert civic.luhn_ok("1212121212")
