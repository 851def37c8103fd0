"""Elsa, the demo student `make run` prints first, logs in to a page that shows what the product
is for: conversations in several threads, goals, assessments, a self-assessment and a booked
development talk, all written once by the seeds `make run` runs."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from dialogue import queries
from dialogue.demo import elsa as demo_elsa
from dialogue.models import Assessment, DevelopmentTalk, Goal, Message, SelfAssessment, StudentPage

pytestmark = pytest.mark.django_db


def run_the_demo_seeds() -> None:
    """What `make run` runs after migrating."""
    for command in (
        "seed_demo",
        "seed_demo_dialogue",
        "seed_demo_blog",
        "seed_demo_access_log",
        "seed_demo_releases",
    ):
        call_command(command, stdout=io.StringIO())


@pytest.fixture
def elsa() -> User:
    run_the_demo_seeds()
    return User.objects.get(username="elsa.lindqvist")


def test_elsas_first_look_shows_what_the_product_is_for(elsa: User) -> None:
    """One test for the whole page: the seeds take most of a minute to run."""
    page = StudentPage.objects.get(student=elsa)
    sofia = User.objects.get(username="sofia.lindqvist")

    # Conversations in several threads with her guardians and teachers.
    written = Message.objects.filter(page=page, card__isnull=True, retracted_at__isnull=True)
    assert len(set(written.values_list("thread", flat=True))) >= 4
    authors = set(written.values_list("author__username", flat=True))
    assert {
        "elsa.lindqvist",
        "sofia.lindqvist",
        "henrik.lindqvist",
        "lars.berglund",
        "ahmed.hassan",
    } <= authors

    # Goals (one reached, one active) and a self-assessment.
    goals = Goal.objects.filter(student=elsa)
    assert goals.filter(status=Goal.Status.REACHED).exists()
    assert goals.filter(status=Goal.Status.ACTIVE).exists()
    assert SelfAssessment.objects.filter(student=elsa).exists()

    # Published assessments, the maths one corrected.
    published = Assessment.objects.filter(student=elsa, status="published")
    assert set(published.values_list("subject__code", flat=True)) >= {"MA", "SV"}
    assert published.filter(subject__code="MA", version=2, corrects__isnull=False).exists()

    # A coming development talk booked by her guardian, who has unread messages.
    coming = DevelopmentTalk.objects.filter(
        student=elsa, cancelled_at__isnull=True, slot__starts_at__gt=timezone.now()
    )
    assert coming.filter(booked_by=sofia).exists()
    assert sum(queries.unread_counts(sofia, page).values()) > 0

    # What she sees when she logs in: her page with the mentor's latest message.
    client = Client()
    client.force_login(elsa)
    response = client.get(reverse("student", args=[elsa.pk]))
    assert response.status_code == 200
    assert "friluftsdag" in response.content.decode()


def test_running_the_seeds_again_writes_nothing_on_elsas_page(elsa: User) -> None:
    page = StudentPage.objects.get(student=elsa)
    before = (
        Message.objects.filter(page=page).count(),
        Goal.objects.filter(student=elsa).count(),
        Assessment.objects.filter(student=elsa).count(),
        DevelopmentTalk.objects.filter(student=elsa).count(),
    )

    run_the_demo_seeds()

    after = (
        Message.objects.filter(page=page).count(),
        Goal.objects.filter(student=elsa).count(),
        Assessment.objects.filter(student=elsa).count(),
        DevelopmentTalk.objects.filter(student=elsa).count(),
    )
    assert after == before
    assert len(demo_elsa.CONVERSATION) <= before[0]
