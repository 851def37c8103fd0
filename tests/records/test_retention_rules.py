"""The retention rules are data the operator changes (never code), and the worker purges
daily by them."""

from __future__ import annotations

import datetime

import pytest
from django.test import Client, override_settings

from accounts.errors import Forbidden, Refused
from notifications import kinds as notification_kinds
from records.actions.retention import change_retention_rule
from records.models import RetentionRule
from records.retention.daily import daily_purge
from records.retention.due import due_blogs, due_students
from tests.support.cast import Cast
from tests.support.purge import record_leaving

pytestmark = pytest.mark.django_db


def test_the_seeds_rules_are_the_defaults() -> None:
    assert dict(RetentionRule.objects.values_list("applies_to", "years")) == {
        "student_records": 5,
        "class_blogs": 5,
    }


def test_an_operator_changes_a_rule_and_the_due_dates_follow(cast: Cast) -> None:
    record_leaving(cast.student, datetime.date(2021, 6, 15))
    rule = RetentionRule.objects.get(applies_to="student_records")
    assert [due.due_on for due in due_students(datetime.date(2026, 6, 15))] == [datetime.date(2026, 6, 15)]

    change_retention_rule(cast.operator, rule.pk, years=10, basis="Dokumenthanteringsplan 2026, 4.2")
    rule.refresh_from_db()
    assert (rule.years, rule.basis, rule.updated_by) == (
        10,
        "Dokumenthanteringsplan 2026, 4.2",
        cast.operator,
    )
    assert due_students(datetime.date(2026, 6, 15)) == []
    assert [due.due_on for due in due_students(datetime.date(2031, 6, 15))] == [datetime.date(2031, 6, 15)]


def test_only_an_operator_changes_a_rule_and_never_to_keep_nothing(cast: Cast) -> None:
    rule = RetentionRule.objects.get(applies_to="student_records")
    for person in (cast.principal, cast.school_admin, cast.teacher):
        with pytest.raises(Forbidden):
            change_retention_rule(person, rule.pk, years=1, basis="")
    with pytest.raises(Refused):
        change_retention_rule(cast.operator, rule.pk, years=0, basis="")
    rule.refresh_from_db()
    assert rule.years == 5
    assert rule.updated_by is None


def test_the_admin_changes_a_rule_through_the_action(cast: Cast, client_for: object) -> None:
    rule = RetentionRule.objects.get(applies_to="class_blogs")
    operator: Client = client_for(cast.operator)  # type: ignore[operator]
    url = f"/admin/records/retentionrule/{rule.pk}/change/"
    answer = operator.post(url, {"years": "7", "basis": "Plan 3.1"})
    assert answer.status_code == 302, answer.content.decode()[:2000]
    rule.refresh_from_db()
    assert (rule.years, rule.updated_by) == (7, cast.operator)
    administrator: Client = client_for(cast.school_admin)  # type: ignore[operator]
    assert administrator.get(url).status_code == 403
    assert administrator.post(url, {"years": "1", "basis": ""}).status_code == 403
    rule.refresh_from_db()
    assert rule.years == 7


def test_a_class_blog_is_due_when_its_school_years_end_plus_the_rule_has_come(cast: Cast) -> None:
    from tests.support.blog import published_post

    published_post(cast)
    ended = cast.class_4a.school_year.ends_on
    later = ended.replace(year=ended.year + 5)
    assert due_blogs(later - datetime.timedelta(days=1)) == []
    assert [blog.class_name for blog in due_blogs(later)] == ["4A"]


def test_the_worker_purges_daily_and_not_in_the_demo(cast: Cast) -> None:
    (job,) = [job for job in notification_kinds.periodic_jobs() if job.name == "records.purge"]
    assert job.every_seconds == 24 * 3600
    assert job.run is daily_purge
    record_leaving(cast.student, datetime.date(2015, 6, 15))
    with override_settings(RETENTION_DAILY_PURGE=False):
        daily_purge()
    assert type(cast.student).objects.filter(pk=cast.student.pk).exists()
    with override_settings(RETENTION_DAILY_PURGE=True):
        daily_purge()
    assert not type(cast.student).objects.filter(pk=cast.student.pk).exists()
