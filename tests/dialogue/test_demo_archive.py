"""The demo's archive: Linnea finished year 9 in June 2021; her page, written while she was
at school, is a read-only archive the registrar finds in the archive list."""

from __future__ import annotations

import datetime

import pytest

from accounts.models import User
from dialogue.demo import archive as demo_archive
from dialogue.models import Assessment, Goal, Message, StudentPage
from tests.dialogue.test_demo_elsa import run_the_demo_seeds
from tests.support.clients import verified_client

pytestmark = pytest.mark.django_db


@pytest.fixture
def linnea() -> User:
    run_the_demo_seeds()
    return User.objects.get(username=demo_archive.STUDENT)


def _history(linnea: User) -> tuple[list[datetime.date], list[datetime.date], list[datetime.date]]:
    page = StudentPage.objects.get(student=linnea)
    return (
        sorted(at.date() for at in Message.objects.filter(page=page).values_list("created_at", flat=True)),
        [at.date() for at in Goal.objects.filter(student=linnea).values_list("created_at", flat=True)],
        [a.published_at.date() for a in Assessment.objects.filter(student=linnea) if a.published_at],
    )


def test_linneas_page_was_written_in_2020_and_2021_while_she_was_at_school(linnea: User) -> None:
    messages, goals, assessments = _history(linnea)
    # The conversation, and the goal's and the assessment's cards in their threads.
    assert len(messages) == len(demo_archive.CONVERSATION) + 2
    assert messages[0] == datetime.date(2020, 9, 3)
    assert messages[-1] == datetime.date(2021, 5, 25)
    assert goals == [datetime.date(2020, 9, 20)]
    assert assessments == [datetime.date(2020, 12, 14)]


def test_running_the_seeds_again_writes_nothing_on_linneas_page(linnea: User) -> None:
    before = _history(linnea)
    run_the_demo_seeds()
    assert _history(linnea) == before


def test_the_registrar_finds_linnea_in_the_archive_and_reads_her_page(linnea: User) -> None:
    registrar = verified_client(User.objects.get(username="birgitta.sundstrom"))
    start = registrar.get("/").content.decode()
    assert 'href="/archive/"' in start
    archive = registrar.get("/archive/").content.decode()
    assert f'href="/students/{linnea.pk}/"' in archive
    assert "9A" in archive
    page = registrar.get(f"/students/{linnea.pk}/").content.decode()
    assert 'data-testid="archive-banner"' in page
    assert "data-composer" not in page
    teacher = verified_client(User.objects.get(username="ahmed.hassan"))
    assert teacher.get(f"/students/{linnea.pk}/").status_code == 404
