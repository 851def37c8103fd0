"""The demo shows special support: Alva has extra adaptations, a report being investigated,
and a decision not to write an action programme with her mother's view and the appeal; Elsa
has a report waiting for the principal."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from accounts.models import User
from dialogue.models import Adaptation, SupportCase, SupportView

pytestmark = pytest.mark.django_db


def test_the_demo_has_adaptations_a_case_being_investigated_and_one_without_a_programme() -> None:
    for command in ("seed_demo", "seed_demo_dialogue"):
        call_command(command, stdout=io.StringIO())
    alva = User.objects.get(username="alva.eriksson")
    assert Adaptation.objects.filter(student=alva, ended_on__isnull=True).count() == 2
    stages = sorted(SupportCase.objects.filter(student=alva).values_list("stage", flat=True))
    assert stages == ["investigating", "no_programme"]
    decided = SupportCase.objects.get(student=alva, stage="no_programme")
    assert decided.appeal_deadline is not None
    assert SupportView.objects.filter(case=decided, author__username="sara.lind").exists()
    # Elsa's maths assessment ("not yet acceptable" in problem solving) was taken up as a
    # report, linked to it and waiting for the principal, with the adaptation tried.
    elsa = User.objects.get(username="elsa.lindqvist")
    waiting = SupportCase.objects.get(student=elsa)
    assert waiting.stage == "reported"
    assert waiting.assessment is not None
    assert "not_yet" in waiting.assessment.levels.values()
    assert list(waiting.adaptations.values_list("student__username", flat=True)) == ["elsa.lindqvist"]
    # A second run writes nothing twice.
    call_command("seed_demo_dialogue", stdout=io.StringIO())
    assert SupportCase.objects.filter(student=alva).count() == 2
    assert SupportCase.objects.filter(student=elsa).count() == 1
