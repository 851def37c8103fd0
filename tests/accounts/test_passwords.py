"""Password rules (NIST SP 800-63B): length, a blocklist, no composition rules; and Argon2id."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth.hashers import check_password, make_password
from django.contrib.auth.password_validation import get_default_password_validators, validate_password
from django.core.exceptions import ValidationError
from django.test import override_settings

from accounts.models import User

TOO_SHORT = "password_too_short"
TOO_LONG = "password_too_long"
TOO_COMMON = "password_too_common"
REPETITIVE = "password_repetitive"
TOO_SIMILAR = "password_too_similar"


def refusal_codes(password: str, user: User | None = None) -> set[str]:
    """The codes of every rule the password breaks (empty when it is accepted)."""
    try:
        validate_password(password, user)
    except ValidationError as error:
        return {str(item.code) for item in error.error_list}
    return set()


def test_the_project_validators_are_in_force() -> None:
    names = [type(validator).__name__ for validator in get_default_password_validators()]
    assert names == [
        "LengthValidator",
        "BlocklistValidator",
        "RepetitionValidator",
        "UserAttributeSimilarityValidator",
    ]


# --- Length ------------------------------------------------------------------------------------


def test_eight_characters_are_accepted() -> None:
    assert refusal_codes("tx7#kQ2m") == set()


def test_seven_characters_are_refused() -> None:
    assert refusal_codes("tx7#kQ2") == {TOO_SHORT}


@pytest.mark.parametrize(
    "passphrase",
    [
        "the otter in our lake sleeps under the old wooden pier in summer",  # 64
        (
            "när snön smälter i norrland vaknar björnarna och börjar leta efter mat i skogen, "
            "medan vi andra tar fram cyklarna ur förrådet och pumpar däcken inför den långa "
            "vägen till skolan varje tidig morgon, ja"
        ),  # 200
    ],
    ids=["64", "200"],
)
def test_long_passphrases_are_accepted(passphrase: str) -> None:
    assert len(passphrase) in (64, 200)
    assert refusal_codes(passphrase) == set()


def test_two_hundred_and_fifty_six_characters_are_accepted() -> None:
    assert refusal_codes(("fjällräv springer " * 20)[:256]) == set()


def test_more_than_two_hundred_and_fifty_six_characters_are_refused() -> None:
    assert refusal_codes(("fjällräv springer " * 20)[:257]) == {TOO_LONG}


@pytest.mark.parametrize(
    "password",
    ["det regnar på taket i natt", "ingen siffra eller stor bokstav här", "KLUMPIGA TROLL DANSAR"],
)
def test_no_composition_rules(password: str) -> None:
    assert refusal_codes(password) == set()


# --- Blocklist ---------------------------------------------------------------------------------


@pytest.mark.parametrize("password", ["password", "qwerty123", "Password1", "iloveyou"])
def test_common_passwords_are_refused(password: str) -> None:
    assert TOO_COMMON in refusal_codes(password)


@pytest.mark.parametrize(
    "password", ["Sommar2024!", "lösenord123", "Hejsan1234", "LÖSENORD", "!!sommar2024", "Lösenord123"]
)
def test_swedish_breached_style_passwords_are_refused(password: str) -> None:
    assert TOO_COMMON in refusal_codes(password)


def test_a_listed_word_inside_a_longer_phrase_is_accepted() -> None:
    assert refusal_codes("sommar vid havet med mormor") == set()


# --- Repetition and sequences ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "password", ["aaaaaaaaaa", "abababab", "12345678", "qwertyuiop", "87654321", "abcdefghij", "1qaz2wsx3edc"]
)
def test_repetitions_and_sequences_are_refused(password: str) -> None:
    assert REPETITIVE in refusal_codes(password)


# --- Similarity to the person -------------------------------------------------------------------------


def test_the_username_as_password_is_refused() -> None:
    person = User(username="vendela.strandqvist", first_name="Vendela", last_name="Strandqvist")

    assert TOO_SIMILAR in refusal_codes("vendela.strandqvist", person)
    assert refusal_codes("vendela.strandqvist") == set(), "refused because of the person, not in itself"


# --- Hashing ---------------------------------------------------------------------------------------


@override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.Argon2PasswordHasher"])
def test_production_hasher_makes_argon2id_hashes() -> None:
    encoded = make_password("correct horse battery staple")

    assert encoded.startswith("argon2$argon2id$")
    assert check_password("correct horse battery staple", encoded)
    assert not check_password("correct horse battery stable", encoded)


def test_the_test_hasher_stores_the_same_argon2id_format() -> None:
    assert make_password("correct horse battery staple").startswith("argon2$argon2id$")


def test_production_settings_put_argon2_first(tmp_path: Path) -> None:
    environment = {
        **{name: value for name, value in os.environ.items() if not name.startswith("DJANGO_")},
        "ELEVDIALOG_ENV": "production",
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "SECRET_KEY": "p" * 30 + "-not-a-real-secret-key-but-long-enough",
        "ALLOWED_HOSTS": "elevdialog.example",
        "SITE_URL": "https://elevdialog.example",
        "DATABASE_URL": "postgres://nobody@127.0.0.1:5432/unused",
        "REDIS_URL": "redis://127.0.0.1:6379/0",
        "ELEVDIALOG_VAR_DIR": str(tmp_path),
    }
    script = "from django.conf import settings; print(settings.PASSWORD_HASHERS[0])"

    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=settings.BASE_DIR,
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "django.contrib.auth.hashers.Argon2PasswordHasher"
