"""A request for public records is handled the same or the next working day: its age in
working days, and when it is late (``records.release.promptness``)."""

from __future__ import annotations

import datetime

from django.utils import timezone

from records.release.promptness import age_in_working_days, handling_day, is_late, working_days_after

# A week in December 2026: Monday the 7th to Sunday the 13th.
MONDAY = datetime.date(2026, 12, 7)
FRIDAY = datetime.date(2026, 12, 11)
SATURDAY = datetime.date(2026, 12, 12)
SUNDAY = datetime.date(2026, 12, 13)


def _at(day: datetime.date, hour: int = 9, minute: int = 0) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, minute)))


def _day(day: datetime.date, days: int) -> datetime.date:
    return day + datetime.timedelta(days=days)


def test_a_request_received_on_friday_is_on_time_all_monday_and_late_on_tuesday_morning() -> None:
    received = _at(FRIDAY, 16, 55)
    assert age_in_working_days(received, FRIDAY) == 0
    assert age_in_working_days(received, SATURDAY) == 0
    assert age_in_working_days(received, SUNDAY) == 0
    assert age_in_working_days(received, _day(FRIDAY, 3)) == 1  # Monday
    assert not is_late(received, _day(FRIDAY, 3))
    assert age_in_working_days(received, _day(FRIDAY, 4)) == 2  # Tuesday
    assert is_late(received, _day(FRIDAY, 4))


def test_a_request_received_on_monday_is_late_on_wednesday() -> None:
    received = _at(MONDAY, 7, 0)
    assert [is_late(received, _day(MONDAY, n)) for n in range(4)] == [False, False, True, True]
    assert [age_in_working_days(received, _day(MONDAY, n)) for n in range(4)] == [0, 1, 2, 3]


def test_a_request_received_on_a_weekend_is_first_read_on_monday_and_late_on_wednesday() -> None:
    for day in (SATURDAY, SUNDAY):
        received = _at(day, 11)
        assert handling_day(day) == _day(SATURDAY, 2)
        assert age_in_working_days(received, _day(SATURDAY, 2)) == 0  # Monday
        assert not is_late(received, _day(SATURDAY, 3))  # Tuesday
        assert is_late(received, _day(SATURDAY, 4))  # Wednesday


def test_the_day_is_the_school_zones_day_not_utc() -> None:
    # 00:30 on Saturday in Stockholm is still Friday in UTC: the request arrived on Saturday.
    received = timezone.make_aware(datetime.datetime(2026, 12, 12, 0, 30))
    assert received.astimezone(datetime.UTC).date() == FRIDAY
    assert not is_late(received, _day(FRIDAY, 4))  # Tuesday: on time for a Saturday request


def test_whole_weeks_count_five_and_the_count_agrees_with_walking_day_by_day() -> None:
    assert working_days_after(MONDAY, _day(MONDAY, 7)) == 5
    assert working_days_after(MONDAY, _day(MONDAY, 70)) == 50
    assert working_days_after(MONDAY, MONDAY) == 0
    assert working_days_after(MONDAY, _day(MONDAY, -3)) == 0
    for start_offset in range(7):
        start = _day(MONDAY, start_offset)
        for length in range(30):
            end = _day(start, length)
            walked = sum(1 for n in range(1, length + 1) if _day(start, n).weekday() < 5)
            assert working_days_after(start, end) == walked, (start, end)


def test_today_is_the_default() -> None:
    assert age_in_working_days(timezone.now()) == 0
    assert not is_late(timezone.now())
