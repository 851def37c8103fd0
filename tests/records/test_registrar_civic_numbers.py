"""The registrar identifies a student who left by the civic number, on the archive list; the
principal, who reads the same list, does not see it."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.actions import SYSTEM, identity
from tests.support.cast import Cast
from tests.support.clients import verified_client

pytestmark = pytest.mark.django_db

LISAS_NUMBER = "201502282385"


def _archive(user: object) -> tuple[str, int]:
    client = verified_client(user)  # type: ignore[arg-type]
    client.get(reverse("archive"))
    with CaptureQueriesContext(connection) as captured:
        response = client.get(reverse("archive"))
    assert response.status_code == 200
    return response.content.decode(), len(captured)


def test_the_registrar_sees_the_civic_number_of_a_student_who_left(cast: Cast) -> None:
    identity.set_civic_number(SYSTEM, cast.left_student, LISAS_NUMBER)
    page, _count = _archive(cast.registrar)
    assert "20150228-2385" in page
    assert "Lisa Flytt" in page


def test_the_principal_reads_the_archive_without_civic_numbers(cast: Cast) -> None:
    identity.set_civic_number(SYSTEM, cast.left_student, LISAS_NUMBER)
    page, _count = _archive(cast.principal)
    assert "Lisa Flytt" in page
    assert "2385" not in page
    assert 'data-testid="civic-number"' not in page


@pytest.mark.parametrize("role", ["registrar", "principal"])
def test_the_archive_list_costs_a_fixed_number_of_queries(cast: Cast, role: str) -> None:
    identity.set_civic_number(SYSTEM, cast.left_student, LISAS_NUMBER)
    _page, count = _archive(getattr(cast, role))
    # session, user, device; the kept schools; per school the leavings and their classes (2);
    # the civic numbers the viewer may see (1).
    assert count == 3 + 1 + 2 + 1


def test_the_registrar_picks_the_student_of_a_request_by_post_by_the_civic_number(cast: Cast) -> None:
    annas = "201506152386"
    identity.set_civic_number(SYSTEM, cast.student, annas)
    page = verified_client(cast.registrar).get(reverse("registrar-exports")).content.decode()
    assert "20150615-2386" in page
