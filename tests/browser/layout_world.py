"""The shared cast and the access matrix's objects, built in the browser tests' database
beside the demo school, with a logged-in session for each role.

The access matrix (tests/test_access_matrix.py) says which pages each role may open (the
GET rows answering 200); the layout check visits exactly those, with the URLs resolved by
the matrix's own functions on the same cast and objects. Sessions are made the way
tests/support/clients.py makes them (staff marked as having passed the code step) and
handed to the browser as its session cookie, so no one logs in through the form.
"""

from __future__ import annotations

from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.conf import settings
from django.db import connection
from playwright.sync_api import Browser, BrowserContext

from accounts.models import CurriculumArea
from dialogue.actions.assessments import publish_assessment, save_draft, set_assessment_form
from dialogue.models import AssessmentForm
from tests.support.cast import ROLES, Cast, build_cast
from tests.support.clients import verified_client
from tests.test_access_matrix import OK, ROWS, matrix_extra

# The demo school has people whose usernames the cast also uses (karin.andersson).
USERNAME_PREFIX = "layout."


@dataclass(frozen=True)
class Visit:
    role: str
    name: str  # the URL's name in the matrix
    url: str


@dataclass
class LayoutWorld:
    cast: Cast
    extra: dict[str, Any]
    visits: list[Visit]
    sessions: dict[str, str] = field(default_factory=dict)  # role -> session key

    def visits_of(self, role: str) -> list[Visit]:
        return [visit for visit in self.visits if visit.role == role]

    def count_by_role(self) -> dict[str, int]:
        counts: dict[str, int] = defaultdict(int)
        for visit in self.visits:
            counts[visit.role] += 1
        return dict(counts)


def pages_to_visit(cast: Cast, extra: dict[str, Any]) -> list[Visit]:
    """Every GET row of the matrix, for every role that gets the page (200)."""
    visits = []
    for name, row in sorted(ROWS.items()):
        if row.method != "get":
            continue
        url = row.url(cast, extra)
        for role in ROLES:
            expected = row.expect[role]
            if callable(expected):
                expected = expected(cast, extra)
            if expected == OK:
                visits.append(Visit(role, name, url))
    return visits


@pytest.fixture(name="layout_world", scope="session")
def layout_world_fixture(live_url: str, django_db_blocker: Any) -> LayoutWorld:
    """Built once per test run, after the demo school (``live_url`` seeds it). Built on a
    thread of its own: Playwright's sync API runs an event loop on the test's thread, where
    Django refuses database work."""
    with django_db_blocker.unblock(), ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(_build_world).result()


def _build_world() -> LayoutWorld:
    try:
        cast = build_cast(username_prefix=USERNAME_PREFIX)
        extra = matrix_extra(cast)
        extra["levelled_assessment"] = _levelled_assessment(cast)
        world = LayoutWorld(cast, extra, pages_to_visit(cast, extra))
        for role in ROLES:
            user = cast.person(role)
            if user is not None:
                world.sessions[role] = verified_client(user).cookies[settings.SESSION_COOKIE_NAME].value
        return world
    finally:
        connection.close()


def _levelled_assessment(cast: Cast) -> Any:
    """A correction of the matrix's maths assessment with a knowledge level for every area,
    so that the assessment card's table of levels is on the student's page (the matrix's
    school uses no levels)."""
    set_assessment_form(cast.principal, cast.school.pk, use_levels=True, period=AssessmentForm.Period.TERM)
    levels = ["not_yet", "acceptable", "more"]
    areas = CurriculumArea.objects.filter(subject=cast.maths).order_by("pk")
    draft, _findings = save_draft(
        cast.teacher,
        cast.class_4a,
        cast.student,
        cast.maths,
        levels={str(area.pk): levels[index % 3] for index, area in enumerate(areas)},
        can_text="Anna räknar säkert med tal upp till 1000.",
        develop_text="Nästa steg är bråk.",
    )
    return publish_assessment(cast.teacher, draft.pk)


def logged_in_context(browser: Browser, live_url: str, world: LayoutWorld, role: str) -> BrowserContext:
    context = browser.new_context(base_url=live_url, locale="sv-SE", viewport={"width": 1280, "height": 800})
    if role in world.sessions:
        context.add_cookies(
            [{"name": settings.SESSION_COOKIE_NAME, "value": world.sessions[role], "url": live_url}]
        )
    return context
