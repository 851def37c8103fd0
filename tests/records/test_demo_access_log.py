"""`make run`'s access log: a few weeks of staff openings of Elsa's page, written once the
real way, so that her family's list and the principal's review show something."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from accounts.models import StaffRole, User
from records.models import Opening
from tests.support.clients import verified_client

pytestmark = pytest.mark.django_db


def test_elsas_page_has_a_few_weeks_of_staff_openings_written_once() -> None:
    call_command("seed_demo", stdout=io.StringIO())
    out = io.StringIO()
    call_command("seed_demo_access_log", stdout=out)
    elsa = User.objects.get(username="elsa.lindqvist")
    rows = list(Opening.objects.filter(student_id=elsa.pk).select_related("viewer"))
    assert len(rows) >= 20
    assert {row.role for row in rows} == {
        Opening.Role.MENTOR,
        Opening.Role.TEACHER,
        Opening.Role.PRINCIPAL,
    }
    assert {row.viewer.username for row in rows if row.viewer and row.role == Opening.Role.MENTOR} == {
        "lars.berglund"
    }
    assert {row.channel for row in rows} == set(Opening.Channel.values)
    today = timezone.localdate()
    assert all(timezone.localdate(row.at) < today for row in rows)
    assert (today - min(timezone.localdate(row.at) for row in rows)).days >= 14
    call_command("seed_demo_access_log", stdout=(again := io.StringIO()))
    assert "0 opening" in again.getvalue()
    assert Opening.objects.filter(student_id=elsa.pk).count() == len(rows)

    sofia = User.objects.get(username="sofia.lindqvist")
    body = verified_client(sofia).get(reverse("student-openings", args=[elsa.pk])).content.decode()
    assert "Lars Berglund" in body
    assert "Eva Lindgren" in body
    principal = User.objects.get(username="eva.lindgren")
    school = StaffRole.objects.get(user=principal, role=StaffRole.Role.PRINCIPAL).school
    review = verified_client(principal).get(reverse("access-review", args=[school.pk]))
    assert any(opening.viewer_id == principal.pk for opening in review.context["openings"])
