"""Fixtures of the account tests. For SAML (``test_saml_*``): the identity provider's process
(once per module), and the cast with the civic numbers and school account its identities
carry."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from accounts.actions import SYSTEM, people
from accounts.actions import identity as ident
from accounts.saml import metadata
from tests.accounts import saml_flow as f
from tests.support.cast import Cast
from tests.support.saml_idp import SamlIdentityProvider


@pytest.fixture(scope="module")
def saml_idp(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SamlIdentityProvider]:
    with f.running_provider(tmp_path_factory.mktemp("devidp")) as provider:
        yield provider


@pytest.fixture
def saml(saml_idp: SamlIdentityProvider, settings: Any, cast: Cast) -> Iterator[SamlIdentityProvider]:
    """This service configured for ``saml_idp``; guardian_1, other_guardian, teacher and
    former_teacher known by the identities' civic numbers (former_teacher's account turned
    off), the teacher by the school account too."""
    for name, value in f.sp_settings(saml_idp).items():
        setattr(settings, name, value)
    metadata.forget()
    ident.set_civic_number(SYSTEM, cast.guardian_1, f.GUARDIAN_CIVIC)
    ident.set_civic_number(SYSTEM, cast.other_guardian, f.OTHER_GUARDIAN_CIVIC)
    ident.set_civic_number(SYSTEM, cast.teacher, f.TEACHER_CIVIC)
    ident.set_civic_number(SYSTEM, cast.former_teacher, f.FORMER_CIVIC)
    people.update_person(SYSTEM, cast.former_teacher, is_active=False)
    ident.set_school_account_names(SYSTEM, cast.teacher, [f.TEACHER_SCHOOL_ACCOUNT])
    yield saml_idp
    metadata.forget()
