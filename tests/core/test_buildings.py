"""When a building can be booked: opening hours, closures, bookable days and the booking horizon."""

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from sandbox.core import buildings
from sandbox.core.errors import InvalidInput
from sandbox.store.models import Building
from tests.conftest import NOW

NEW_YORK = ZoneInfo("America/New_York")
WEEKDAYS = ("MO", "TU", "WE", "TH", "FR")
OFFICE_HOURS = {day: ["08:00", "18:00"] for day in WEEKDAYS}
"""08:00 to 18:00 on weekdays: 13:00 to 23:00 UTC in New York until 8 March, 12:00 to 22:00 after."""


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


def office(
    opening_hours: dict[str, list[str]] | None = None,
    closures: list[str] | None = None,
    time_zone: str = "America/New_York",
    horizon: int = 14,
) -> Building:
    """A building of its own, never stored; without opening hours it is open around the clock."""
    return Building(
        organization_id=1,
        name="Test Office",
        time_zone=time_zone,
        opening_hours=opening_hours or {},
        closures=closures or [],
        booking_horizon_days=horizon,
    )


# --- closed_reason ---------------------------------------------------------------------------


def test_booking_within_opening_hours_is_open() -> None:
    building = office(OFFICE_HOURS)

    assert buildings.closed_reason(building, utc(2026, 3, 2, 14), utc(2026, 3, 2, 16)) is None


def test_booking_of_exactly_the_opening_hours_is_open() -> None:
    building = office(OFFICE_HOURS)

    assert buildings.closed_reason(building, utc(2026, 3, 2, 13), utc(2026, 3, 2, 23)) is None


def test_booking_on_a_closure_is_refused() -> None:
    building = office(OFFICE_HOURS, closures=["2026-03-04"])

    assert buildings.closed_reason(building, utc(2026, 3, 4, 14), utc(2026, 3, 4, 16)) == "closure"
    assert buildings.closed_reason(building, utc(2026, 3, 5, 14), utc(2026, 3, 5, 16)) is None


def test_closure_of_a_building_open_around_the_clock_is_refused() -> None:
    building = office(closures=["2026-03-04"])

    assert buildings.closed_reason(building, utc(2026, 3, 4, 14), utc(2026, 3, 4, 16)) == "closure"


def test_closure_is_a_local_date() -> None:
    building = office(closures=["2026-03-04"])

    # 23:00 to 23:30 on 3 March in New York is already 4 March in UTC.
    assert buildings.closed_reason(building, utc(2026, 3, 4, 4), utc(2026, 3, 4, 4, 30)) is None
    assert buildings.closed_reason(building, utc(2026, 3, 4, 5), utc(2026, 3, 4, 6)) == "closure"


def test_booking_on_a_closed_weekday_is_refused() -> None:
    building = office(OFFICE_HOURS)

    # Saturday 7 March
    assert buildings.closed_reason(building, utc(2026, 3, 7, 14), utc(2026, 3, 7, 16)) == "closed_that_weekday"


def test_booking_starting_before_opening_is_refused() -> None:
    building = office(OFFICE_HOURS)

    assert buildings.closed_reason(building, utc(2026, 3, 2, 12, 30), utc(2026, 3, 2, 14)) == "outside_opening_hours"
    assert buildings.closed_reason(building, utc(2026, 3, 2, 11), utc(2026, 3, 2, 12)) == "outside_opening_hours"


def test_booking_ending_after_closing_is_refused() -> None:
    building = office(OFFICE_HOURS)

    assert buildings.closed_reason(building, utc(2026, 3, 2, 22), utc(2026, 3, 2, 23, 30)) == "outside_opening_hours"
    assert buildings.closed_reason(building, utc(2026, 3, 2, 23), utc(2026, 3, 3)) == "outside_opening_hours"


def test_opening_hours_are_local_time() -> None:
    building = office({"MO": ["08:00", "21:00"]}, time_zone="Asia/Kolkata")

    # 08:00 to 21:00 IST is 02:30 to 15:30 UTC.
    assert buildings.closed_reason(building, utc(2026, 3, 2, 2, 30), utc(2026, 3, 2, 15, 30)) is None
    assert buildings.closed_reason(building, utc(2026, 3, 2, 2, 29), utc(2026, 3, 2, 4)) == "outside_opening_hours"
    assert buildings.closed_reason(building, utc(2026, 3, 2, 14), utc(2026, 3, 2, 15, 31)) == "outside_opening_hours"


def test_opening_hours_follow_daylight_saving_time() -> None:
    building = office(OFFICE_HOURS)

    # Monday 9 March, the first weekday of daylight time: 08:00 EDT is 12:00 UTC.
    assert buildings.closed_reason(building, utc(2026, 3, 9, 12), utc(2026, 3, 9, 22)) is None
    assert buildings.closed_reason(building, utc(2026, 3, 9, 22), utc(2026, 3, 9, 23)) == "outside_opening_hours"


def test_booking_across_midnight_in_a_building_open_around_the_clock_is_open() -> None:
    building = office()

    # 22:00 Monday to 02:00 Tuesday in New York
    assert buildings.closed_reason(building, utc(2026, 3, 3, 3), utc(2026, 3, 3, 7)) is None
    # Friday 18:00 to Monday 09:00, across the change to daylight time
    assert buildings.closed_reason(building, utc(2026, 3, 6, 23), utc(2026, 3, 9, 13)) is None


def test_booking_across_midnight_with_daily_hours_is_refused() -> None:
    building = office({day: ["08:00", "18:00"] for day in (*WEEKDAYS, "SA", "SU")})

    # 17:00 Monday to 09:00 Tuesday in New York
    assert buildings.closed_reason(building, utc(2026, 3, 2, 22), utc(2026, 3, 3, 14)) == "outside_opening_hours"


def test_booking_across_midnight_into_a_closure_is_refused() -> None:
    building = office(closures=["2026-03-03"])

    assert buildings.closed_reason(building, utc(2026, 3, 3, 3), utc(2026, 3, 3, 7)) == "closure"


def test_booking_across_midnight_into_a_closed_weekday_is_refused() -> None:
    building = office({"MO": ["08:00", "24:00"]})

    assert buildings.closed_reason(building, utc(2026, 3, 3, 3), utc(2026, 3, 3, 7)) == "closed_that_weekday"


def test_closing_at_24_00_is_midnight_at_the_days_end() -> None:
    building = office({"MO": ["08:00", "24:00"]})

    # 20:00 to 24:00 Monday in New York
    assert buildings.closed_reason(building, utc(2026, 3, 3, 1), utc(2026, 3, 3, 5)) is None
    assert buildings.opening(building, date(2026, 3, 2)) == (utc(2026, 3, 2, 13), utc(2026, 3, 3, 5))


def test_closing_at_24_00_runs_on_into_a_day_opening_at_midnight() -> None:
    building = office({"MO": ["08:00", "24:00"], "TU": ["00:00", "12:00"]})

    # 20:00 Monday to 02:00 Tuesday, then to 13:00 Tuesday, in New York
    assert buildings.closed_reason(building, utc(2026, 3, 3, 1), utc(2026, 3, 3, 7)) is None
    assert buildings.closed_reason(building, utc(2026, 3, 3, 1), utc(2026, 3, 3, 18)) == "outside_opening_hours"


def test_closing_at_24_00_does_not_run_on_into_a_day_opening_later() -> None:
    building = office({"MO": ["08:00", "24:00"], "TU": ["08:00", "18:00"]})

    assert buildings.closed_reason(building, utc(2026, 3, 3, 1), utc(2026, 3, 3, 7)) == "outside_opening_hours"


# --- bookable_days ---------------------------------------------------------------------------


def test_today_starts_at_now() -> None:
    building = office(OFFICE_HOURS)

    days = buildings.bookable_days(building, NOW)

    assert days[0] == (NOW, utc(2026, 3, 2, 23))
    assert days[1] == (utc(2026, 3, 3, 13), utc(2026, 3, 3, 23))


def test_today_starts_at_the_beginning_of_the_current_minute() -> None:
    building = office(OFFICE_HOURS)
    now = NOW + timedelta(seconds=37, microseconds=500_000)

    days = buildings.bookable_days(building, now)

    assert days[0] == (NOW, utc(2026, 3, 2, 23))


def test_today_starts_at_opening_when_now_is_earlier() -> None:
    building = office(OFFICE_HOURS)

    days = buildings.bookable_days(building, utc(2026, 3, 2, 11))

    assert days[0] == (utc(2026, 3, 2, 13), utc(2026, 3, 2, 23))


def test_today_is_dropped_after_closing() -> None:
    building = office(OFFICE_HOURS)

    for now in (utc(2026, 3, 2, 23), utc(2026, 3, 2, 23, 30)):
        days = buildings.bookable_days(building, now)

        assert days[0] == (utc(2026, 3, 3, 13), utc(2026, 3, 3, 23))


def test_closed_days_are_skipped() -> None:
    building = office(OFFICE_HOURS, closures=["2026-03-04"])

    days = buildings.bookable_days(building, NOW)

    assert [start.astimezone(NEW_YORK).day for start, _ in days] == [2, 3, 5, 6, 9, 10, 11, 12, 13]
    assert days[4] == (utc(2026, 3, 9, 12), utc(2026, 3, 9, 22))


def test_horizon_counts_calendar_days_from_today() -> None:
    for horizon, last_day in ((1, 2), (3, 4), (7, 6)):
        days = buildings.bookable_days(office(OFFICE_HOURS, horizon=horizon), NOW)

        assert days[-1][0].astimezone(NEW_YORK).day == last_day


def test_building_open_around_the_clock_has_every_day_from_midnight() -> None:
    building = office(horizon=3)

    days = buildings.bookable_days(building, NOW)

    assert days == [
        (NOW, utc(2026, 3, 3, 5)),
        (utc(2026, 3, 3, 5), utc(2026, 3, 4, 5)),
        (utc(2026, 3, 4, 5), utc(2026, 3, 5, 5)),
    ]


def test_today_is_the_buildings_local_date() -> None:
    building = office({day: ["08:00", "21:00"] for day in WEEKDAYS}, time_zone="Asia/Kolkata", horizon=2)

    # 20:00 UTC on Monday is 01:30 on Tuesday in Bengaluru.
    days = buildings.bookable_days(building, utc(2026, 3, 2, 20))

    assert days == [(utc(2026, 3, 3, 2, 30), utc(2026, 3, 3, 15, 30)), (utc(2026, 3, 4, 2, 30), utc(2026, 3, 4, 15, 30))]


# --- require_bookable ------------------------------------------------------------------------


def test_booking_on_the_last_day_of_the_horizon_is_accepted() -> None:
    building = office(horizon=14)

    # Sunday 15 March, 23:00 to 23:59 in New York: the fourteenth day, today included.
    buildings.require_bookable(building, utc(2026, 3, 16, 3), utc(2026, 3, 16, 3, 59), NOW)


def test_booking_past_the_horizon_is_refused() -> None:
    building = office(horizon=14)

    # Monday 16 March, 00:00 to 01:00 in New York
    with pytest.raises(InvalidInput) as caught:
        buildings.require_bookable(building, utc(2026, 3, 16, 4), utc(2026, 3, 16, 5), NOW)

    assert [(problem.field, problem.reason) for problem in caught.value.problems] == [("start", "beyond_horizon")]
    assert "14 days" in caught.value.message


def test_horizon_starts_from_the_buildings_local_today() -> None:
    building = office({day: ["08:00", "21:00"] for day in WEEKDAYS}, time_zone="Asia/Kolkata", horizon=2)
    now = utc(2026, 3, 2, 20)  # 01:30 on Tuesday in Bengaluru

    buildings.require_bookable(building, utc(2026, 3, 4, 4), utc(2026, 3, 4, 5), now)
    with pytest.raises(InvalidInput) as caught:
        buildings.require_bookable(building, utc(2026, 3, 5, 4), utc(2026, 3, 5, 5), now)

    assert caught.value.problems[0].reason == "beyond_horizon"


@pytest.mark.parametrize("start", [NOW, NOW - timedelta(seconds=59), NOW - timedelta(minutes=1)])
def test_booking_may_start_up_to_a_minute_before_the_current_minute(start: datetime) -> None:
    now = NOW + timedelta(seconds=37)

    buildings.require_bookable(office(), start, start + timedelta(hours=1), now)


@pytest.mark.parametrize("start", [NOW - timedelta(minutes=1, microseconds=1), utc(2026, 2, 25, 14)])
def test_booking_starting_earlier_is_refused_as_in_the_past(start: datetime) -> None:
    now = NOW + timedelta(seconds=37)

    with pytest.raises(InvalidInput) as caught:
        buildings.require_bookable(office(), start, start + timedelta(hours=1), now)

    assert [(problem.field, problem.reason) for problem in caught.value.problems] == [("start", "in_the_past")]


@pytest.mark.parametrize(
    ("start", "end", "reason"),
    [
        (utc(2026, 3, 4, 14), utc(2026, 3, 4, 15), "closure"),
        (utc(2026, 3, 7, 14), utc(2026, 3, 7, 15), "closed_that_weekday"),
        (utc(2026, 3, 2, 22), utc(2026, 3, 3, 0), "outside_opening_hours"),
    ],
)
def test_require_bookable_refuses_a_closed_building(start: datetime, end: datetime, reason: str) -> None:
    building = office(OFFICE_HOURS, closures=["2026-03-04"])

    with pytest.raises(InvalidInput) as caught:
        buildings.require_bookable(building, start, end, NOW)

    assert [(problem.field, problem.reason) for problem in caught.value.problems] == [("start", reason)]
