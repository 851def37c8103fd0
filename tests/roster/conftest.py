"""Fixtures for the roster sync: a small municipality's register and a real SS 12000 server
serving it over HTTP, with the settings pointing the sync at it."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest

from tests.support.roster_data import Municipality, Record
from tests.support.ss12000 import SS12000Server

CLIENT_ID = "elevdialog"
CLIENT_SECRET = "hemlig-klientnyckel"
PAGE_SIZE = 3  # small, so every list of the small municipality spans pages


@dataclass
class SmallMunicipality:
    """The ``municipality`` fixture: the builder and the records tests refer to."""

    muni: Municipality
    school: Record
    class_4a: Record
    class_4b: Record
    students: list[Record]  # Elsa, Hugo, Maja in 4A; Liam in 4B
    guardians: list[Record]  # two per student, in the students' order
    teacher: Record  # a duty: teaches MA in 4A, mentor of 4A
    principal: Record  # a duty

    def __getattr__(self, name: str) -> Any:
        # The builder's methods straight on the fixture: municipality.move_student(...).
        return getattr(self.muni, name)


def build_small_municipality() -> SmallMunicipality:
    muni = Municipality()
    school = muni.add_school("Björkbackaskolan", "12345678")
    class_4a = muni.add_class(school, "4A")
    class_4b = muni.add_class(school, "4B")
    students, guardians = [], []
    for given, family, klass in (
        ("Elsa", "Andersson", class_4a),
        ("Hugo", "Lindqvist", class_4a),
        ("Maja", "Eriksson", class_4a),
        ("Liam", "Berg", class_4b),
    ):
        pair = [
            muni.add_guardian("Anna", family, email=f"anna.{family.lower()}@example.se"),
            muni.add_guardian("Johan", family, email=f"johan.{family.lower()}@example.se"),
        ]
        students.append(muni.add_student(school, klass, given, family, guardians=pair))
        guardians.extend(pair)
    teacher = muni.add_teacher(school, "Sara", "Lind", subjects={class_4a["id"]: ["MA"]})
    muni.set_mentor(teacher, class_4a)
    principal = muni.add_principal(school, "Henrik", "Holm")
    return SmallMunicipality(muni, school, class_4a, class_4b, students, guardians, teacher, principal)


@pytest.fixture
def municipality() -> SmallMunicipality:
    return build_small_municipality()


@pytest.fixture
def ss12000(settings: Any, municipality: SmallMunicipality) -> Iterator[SS12000Server]:
    """A running SS 12000 server serving ``municipality`` (reload it after changing the
    builder: ``ss12000.load(municipality.muni)``), with the settings set for OAuth 2
    client credentials and pages of three."""
    with SS12000Server(client_id=CLIENT_ID, client_secret=CLIENT_SECRET) as server:
        server.load(municipality.muni)
        settings.ROSTER_API_URL = server.url
        settings.ROSTER_TOKEN_URL = server.token_url
        settings.ROSTER_CLIENT_ID = CLIENT_ID
        settings.ROSTER_CLIENT_SECRET = CLIENT_SECRET
        settings.ROSTER_BEARER_TOKEN = None
        settings.ROSTER_FILE = None
        settings.ROSTER_PAGE_SIZE = PAGE_SIZE
        yield server
