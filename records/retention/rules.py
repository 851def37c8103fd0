"""The retention rules as the operator has set them (``records.models.RetentionRule``,
changed in the admin through ``records.actions.retention``), and the date arithmetic."""

from __future__ import annotations

import datetime

from records.models import RetentionRule

AppliesTo = RetentionRule.AppliesTo

# The seed's rules (DOMAIN.md): used only if a rule's row was removed from the database,
# so a missing row can never mean "keep nothing".
DEFAULT_YEARS = {AppliesTo.STUDENT_RECORDS: 5, AppliesTo.CLASS_BLOGS: 5}


def years_for(applies_to: str) -> int:
    years = RetentionRule.objects.filter(applies_to=applies_to).values_list("years", flat=True).first()
    return DEFAULT_YEARS[AppliesTo(applies_to)] if years is None else int(years)


def add_years(day: datetime.date, years: int) -> datetime.date:
    """The same day ``years`` later; 29 February becomes 28 February in a common year (the
    rule never keeps a record for less than its years, and at most a day more)."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)
