"""Recurrence rules expanded in the series' own time zone (RFC 5545 RRULE, RDATE, EXDATE)."""

from datetime import UTC, date, datetime, time, timedelta
from itertools import islice, pairwise
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from sandbox.core import recurrence
from sandbox.core.errors import InvalidInput
from sandbox.core.recurrence import MAX_COUNTED_PERIODS, Series

NEW_YORK = ZoneInfo("America/New_York")
LONDON = ZoneInfo("Europe/London")
KOLKATA = ZoneInfo("Asia/Kolkata")
HOUR = timedelta(hours=1)
SECOND = timedelta(seconds=1)


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, second, tzinfo=UTC)


def series(start: datetime, lines: list[str] | None, tz: ZoneInfo = NEW_YORK, length: timedelta = HOUR) -> Series:
    return recurrence.build(start, start + length, tz, lines)


def starts(start: datetime, lines: list[str] | None, tz: ZoneInfo = NEW_YORK, limit: int = 100) -> list[datetime]:
    found = []
    for moment in series(start, lines, tz).starts():
        found.append(moment)
        if len(found) == limit:
            break
    return found


# Monday 2 March 2026, 09:00 in New York (EST, UTC-5).
MONDAY_NINE_NY = utc(2026, 3, 2, 14)


def refusal(lines: Any, start: datetime = MONDAY_NINE_NY, tz: ZoneInfo = NEW_YORK) -> InvalidInput:
    with pytest.raises(InvalidInput) as caught:
        recurrence.build(start, start + HOUR, tz, lines)
    assert [problem.field for problem in caught.value.problems] == ["recurrence"]
    return caught.value


# --- daylight-saving changes -------------------------------------------------------------


def test_weekly_series_keeps_local_time_across_new_york_spring_change() -> None:
    found = starts(MONDAY_NINE_NY, ["RRULE:FREQ=WEEKLY;COUNT=3"])

    # 8 March 2026 moves New York to EDT (UTC-4): 09:00 local becomes 13:00Z.
    assert found == [utc(2026, 3, 2, 14), utc(2026, 3, 9, 13), utc(2026, 3, 16, 13)]
    assert all(moment.astimezone(NEW_YORK).time() == time(9) for moment in found)


def test_weekly_series_keeps_local_time_across_new_york_autumn_change() -> None:
    first = utc(2026, 10, 26, 13)  # Monday 09:00 EDT

    found = starts(first, ["RRULE:FREQ=WEEKLY;COUNT=3"])

    # 1 November 2026 returns New York to EST (UTC-5): 09:00 local becomes 14:00Z.
    assert found == [utc(2026, 10, 26, 13), utc(2026, 11, 2, 14), utc(2026, 11, 9, 14)]


def test_weekly_series_keeps_local_time_across_london_changes() -> None:
    spring = starts(utc(2026, 3, 23, 9), ["RRULE:FREQ=WEEKLY;COUNT=2"], LONDON)
    autumn = starts(utc(2026, 10, 19, 8), ["RRULE:FREQ=WEEKLY;COUNT=2"], LONDON)

    # BST starts 29 March and ends 25 October 2026.
    assert spring == [utc(2026, 3, 23, 9), utc(2026, 3, 30, 8)]
    assert autumn == [utc(2026, 10, 19, 8), utc(2026, 10, 26, 9)]
    assert all(moment.astimezone(LONDON).time() == time(9) for moment in spring + autumn)


def test_series_in_kolkata_keeps_the_same_utc_time_all_year() -> None:
    first = utc(2026, 3, 2, 3, 30)  # Monday 09:00 IST

    found = starts(first, ["RRULE:FREQ=WEEKLY;COUNT=40"], KOLKATA)

    assert len(found) == 40
    assert found[-1] == utc(2026, 11, 30, 3, 30)
    assert {moment.time() for moment in found} == {time(3, 30)}
    assert all(later - earlier == timedelta(weeks=1) for earlier, later in pairwise(found))


def test_series_expands_in_its_own_zone_not_in_utc() -> None:
    in_new_york = starts(MONDAY_NINE_NY, ["RRULE:FREQ=WEEKLY;COUNT=2"], NEW_YORK)
    in_utc = starts(MONDAY_NINE_NY, ["RRULE:FREQ=WEEKLY;COUNT=2"], ZoneInfo("UTC"))

    assert in_new_york[1] == utc(2026, 3, 9, 13)
    assert in_utc[1] == utc(2026, 3, 9, 14)


def test_occurrences_keep_their_length_across_a_change() -> None:
    windows = recurrence.expand_bounds(
        MONDAY_NINE_NY, MONDAY_NINE_NY + timedelta(minutes=90), NEW_YORK, ["RRULE:FREQ=WEEKLY;COUNT=2"], 15
    )

    assert windows == [
        (utc(2026, 3, 2, 14), utc(2026, 3, 2, 15, 30)),
        (utc(2026, 3, 9, 13), utc(2026, 3, 9, 14, 30)),
    ]


def test_occurrence_in_the_spring_gap_uses_the_offset_before_the_gap() -> None:
    # 02:30 does not exist in New York on 8 March 2026; RFC 5545 reads it with the EST
    # offset, which is 03:30 EDT.
    first = utc(2026, 3, 6, 7, 30)  # Friday 02:30 EST

    found = starts(first, ["RRULE:FREQ=DAILY;COUNT=4"])

    assert found == [utc(2026, 3, 6, 7, 30), utc(2026, 3, 7, 7, 30), utc(2026, 3, 8, 7, 30), utc(2026, 3, 9, 6, 30)]


def test_occurrence_in_the_autumn_fold_is_the_first_of_the_two_times() -> None:
    # 01:30 happens twice in New York on 1 November 2026; RFC 5545 takes the first (EDT).
    first = utc(2026, 10, 31, 5, 30)  # Saturday 01:30 EDT

    found = starts(first, ["RRULE:FREQ=DAILY;COUNT=3"])

    assert found == [utc(2026, 10, 31, 5, 30), utc(2026, 11, 1, 5, 30), utc(2026, 11, 2, 6, 30)]


def test_exdate_of_the_second_time_in_the_fold_keeps_the_occurrence_at_the_first() -> None:
    first = utc(2026, 10, 31, 5, 30)  # Saturday 01:30 EDT
    # 06:30Z is 01:30 EST, the repeated hour: no occurrence starts at that instant.
    lines = ["RRULE:FREQ=DAILY;COUNT=3", "EXDATE:20261101T063000Z"]

    found = starts(first, lines)

    assert found == [utc(2026, 10, 31, 5, 30), utc(2026, 11, 1, 5, 30), utc(2026, 11, 2, 6, 30)]


def test_exdate_of_the_first_time_in_the_fold_removes_that_occurrence() -> None:
    first = utc(2026, 10, 31, 5, 30)

    found = starts(first, ["RRULE:FREQ=DAILY;COUNT=3", "EXDATE:20261101T053000Z"])

    assert found == [utc(2026, 10, 31, 5, 30), utc(2026, 11, 2, 6, 30)]


def test_starts_between_leaves_out_a_start_before_the_lower_bound_in_the_fold() -> None:
    daily = series(utc(2026, 10, 31, 5, 30), ["RRULE:FREQ=DAILY;COUNT=3"], length=timedelta(minutes=30))

    # 06:00Z on 1 November is 01:00 EST, after the 01:30 EDT (05:30Z) occurrence.
    found = list(daily.starts_between(utc(2026, 11, 1, 6), utc(2026, 11, 3)))

    assert found == [utc(2026, 11, 2, 6, 30)]


# --- the start is the first occurrence --------------------------------------------------


def test_start_is_the_first_occurrence_even_when_the_rule_does_not_match_it() -> None:
    # A Monday start with a Friday rule: the Monday still happens, then the Fridays.
    found = starts(MONDAY_NINE_NY, ["RRULE:FREQ=WEEKLY;BYDAY=FR;COUNT=2"])

    assert found == [utc(2026, 3, 2, 14), utc(2026, 3, 6, 14), utc(2026, 3, 13, 13)]


def test_single_series_has_exactly_its_start() -> None:
    single = recurrence.single(MONDAY_NINE_NY, MONDAY_NINE_NY + HOUR, NEW_YORK)

    assert list(single.starts()) == [MONDAY_NINE_NY]
    assert single.duration == HOUR
    assert single.lines == ()


def test_exdate_of_the_start_removes_the_first_occurrence() -> None:
    found = starts(MONDAY_NINE_NY, ["RRULE:FREQ=WEEKLY;COUNT=3", "EXDATE:20260302T140000Z"])

    assert found == [utc(2026, 3, 9, 13), utc(2026, 3, 16, 13)]


# --- EXDATE ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "exdate",
    [
        "EXDATE:20260309T130000Z",  # UTC
        "EXDATE:20260309T090000",  # floating, read in the series' zone (EDT by then)
        "EXDATE;TZID=America/New_York:20260309T090000",
        "EXDATE;TZID=Europe/London:20260309T130000",  # 13:00 GMT is 09:00 EDT
        "EXDATE;VALUE=DATE:20260309",  # the occurrence on that local day
        "EXDATE:20260309",  # a bare date is a DATE too
    ],
)
def test_exdate_removes_the_occurrence_after_the_spring_change(exdate: str) -> None:
    found = starts(MONDAY_NINE_NY, ["RRULE:FREQ=WEEKLY;COUNT=3", exdate])

    assert found == [utc(2026, 3, 2, 14), utc(2026, 3, 16, 13)]


@pytest.mark.parametrize(
    "exdate",
    [
        "EXDATE:20260309T140000Z",  # 09:00 EST: an hour off once daylight time starts
        "EXDATE:20260309T090000Z",  # the local time read as UTC
        "EXDATE;TZID=Europe/London:20260309T090000",
    ],
)
def test_exdate_at_another_instant_removes_nothing(exdate: str) -> None:
    found = starts(MONDAY_NINE_NY, ["RRULE:FREQ=WEEKLY;COUNT=3", exdate])

    assert found == [utc(2026, 3, 2, 14), utc(2026, 3, 9, 13), utc(2026, 3, 16, 13)]


def test_exdate_date_means_the_local_day_not_the_utc_day() -> None:
    # 21:00 EST on Thursday 5 March is 02:00Z on Friday 6 March.
    first = utc(2026, 3, 3, 2)  # Monday 2 March, 21:00 EST

    found = starts(first, ["RRULE:FREQ=DAILY;COUNT=5", "EXDATE;VALUE=DATE:20260305"])

    assert utc(2026, 3, 6, 2) not in found
    assert found == [utc(2026, 3, 3, 2), utc(2026, 3, 4, 2), utc(2026, 3, 5, 2), utc(2026, 3, 7, 2)]


def test_exdate_takes_several_values_on_one_line() -> None:
    found = starts(MONDAY_NINE_NY, ["RRULE:FREQ=WEEKLY;COUNT=4", "EXDATE:20260309T130000Z,20260316T130000Z"])

    assert found == [utc(2026, 3, 2, 14), utc(2026, 3, 23, 13)]


def test_count_includes_occurrences_an_exdate_removes() -> None:
    # RFC 5545: COUNT bounds the rule's instances; EXDATE then removes from that set.
    found = starts(MONDAY_NINE_NY, ["RRULE:FREQ=WEEKLY;COUNT=3", "EXDATE:20260309T130000Z"])

    assert len(found) == 2


# --- RDATE ----------------------------------------------------------------------------


def test_rdate_adds_occurrences_in_order() -> None:
    found = starts(
        MONDAY_NINE_NY,
        ["RRULE:FREQ=WEEKLY;COUNT=2", "RDATE:20260304T150000Z", "RDATE;TZID=America/New_York:20260320T090000"],
    )

    assert found == [utc(2026, 3, 2, 14), utc(2026, 3, 4, 15), utc(2026, 3, 9, 13), utc(2026, 3, 20, 13)]


def test_rdate_without_a_rule_gives_the_start_and_those_dates() -> None:
    found = starts(MONDAY_NINE_NY, ["RDATE:20260305T090000,20260312T090000"])

    # Floating values are read in New York: EST on the 5th, EDT on the 12th.
    assert found == [utc(2026, 3, 2, 14), utc(2026, 3, 5, 14), utc(2026, 3, 12, 13)]


def test_rdate_date_happens_at_the_start_time_of_day() -> None:
    found = starts(MONDAY_NINE_NY, ["RDATE;VALUE=DATE:20260310"])

    assert found == [utc(2026, 3, 2, 14), utc(2026, 3, 10, 13)]


def test_rdate_on_a_rule_occurrence_is_not_counted_twice() -> None:
    found = starts(MONDAY_NINE_NY, ["RRULE:FREQ=WEEKLY;COUNT=2", "RDATE:20260309T130000Z"])

    assert found == [utc(2026, 3, 2, 14), utc(2026, 3, 9, 13)]


def test_exdate_also_removes_an_rdate() -> None:
    found = starts(MONDAY_NINE_NY, ["RDATE:20260305T140000Z", "EXDATE:20260305T140000Z"])

    assert found == [MONDAY_NINE_NY]


# --- UNTIL, COUNT, INTERVAL, BYDAY ------------------------------------------------------


def test_until_in_utc_is_inclusive() -> None:
    assert len(starts(MONDAY_NINE_NY, ["RRULE:FREQ=DAILY;UNTIL=20260305T140000Z"])) == 4
    assert len(starts(MONDAY_NINE_NY, ["RRULE:FREQ=DAILY;UNTIL=20260305T135959Z"])) == 3


def test_floating_until_is_read_in_the_series_zone() -> None:
    first = utc(2026, 3, 6, 14)  # Friday 09:00 EST

    found = starts(first, ["RRULE:FREQ=DAILY;UNTIL=20260310T090000"])

    # 09:00 on the 10th is EDT (13:00Z): read as UTC it would cut that day off.
    assert found[-1] == utc(2026, 3, 10, 13)
    assert len(found) == 5


def test_floating_until_before_the_local_time_excludes_that_day() -> None:
    found = starts(utc(2026, 3, 6, 14), ["RRULE:FREQ=DAILY;UNTIL=20260310T085959"])

    assert found[-1] == utc(2026, 3, 9, 13)


def test_until_date_includes_the_whole_local_day() -> None:
    first = utc(2026, 3, 3, 2)  # Monday 2 March, 21:00 EST

    found = starts(first, ["RRULE:FREQ=DAILY;UNTIL=20260305"])

    # Thursday 5 March 21:00 EST is 02:00Z on Friday: still 5 March where the series is.
    assert found == [utc(2026, 3, 3, 2), utc(2026, 3, 4, 2), utc(2026, 3, 5, 2), utc(2026, 3, 6, 2)]


def test_until_date_in_kolkata_stops_at_the_end_of_the_local_day() -> None:
    first = utc(2026, 3, 1, 20, 30)  # Monday 2 March, 02:00 IST (still Sunday in UTC)

    found = starts(first, ["RRULE:FREQ=DAILY;UNTIL=20260303"], KOLKATA)

    assert found == [utc(2026, 3, 1, 20, 30), utc(2026, 3, 2, 20, 30)]


def test_until_with_an_offset_is_honoured() -> None:
    found = starts(MONDAY_NINE_NY, ["RRULE:FREQ=DAILY;UNTIL=20260304T090000-05:00"])

    assert found[-1] == utc(2026, 3, 4, 14)


def test_count_limits_the_occurrences() -> None:
    assert len(starts(MONDAY_NINE_NY, ["RRULE:FREQ=DAILY;COUNT=7"])) == 7
    assert len(starts(MONDAY_NINE_NY, ["RRULE:FREQ=DAILY;COUNT=1"])) == 1


def test_interval_skips_periods() -> None:
    found = starts(MONDAY_NINE_NY, ["RRULE:FREQ=WEEKLY;INTERVAL=2;COUNT=3"])

    assert found == [utc(2026, 3, 2, 14), utc(2026, 3, 16, 13), utc(2026, 3, 30, 13)]


def test_byday_lists_several_weekdays() -> None:
    found = starts(MONDAY_NINE_NY, ["RRULE:FREQ=WEEKLY;BYDAY=MO,WE,FR;COUNT=5"])

    assert [moment.astimezone(NEW_YORK).date().isoformat() for moment in found] == [
        "2026-03-02",
        "2026-03-04",
        "2026-03-06",
        "2026-03-09",
        "2026-03-11",
    ]


def test_byday_first_friday_of_the_month() -> None:
    first = utc(2026, 3, 6, 14)  # Friday 6 March is the first Friday of March 2026

    found = starts(first, ["RRULE:FREQ=MONTHLY;BYDAY=1FR;COUNT=3"])

    assert [moment.astimezone(NEW_YORK).date().isoformat() for moment in found] == [
        "2026-03-06",
        "2026-04-03",
        "2026-05-01",
    ]
    assert all(moment.astimezone(NEW_YORK).time() == time(9) for moment in found)


def test_byday_last_monday_of_the_month() -> None:
    first = utc(2026, 3, 30, 13)  # Monday 30 March, 09:00 EDT

    found = starts(first, ["RRULE:FREQ=MONTHLY;BYDAY=-1MO;COUNT=4"])

    assert [moment.astimezone(NEW_YORK).date().isoformat() for moment in found] == [
        "2026-03-30",
        "2026-04-27",
        "2026-05-25",
        "2026-06-29",
    ]


def test_trailing_semicolon_in_a_rule_is_tolerated() -> None:
    with_semicolon = starts(MONDAY_NINE_NY, ["RRULE:FREQ=WEEKLY;COUNT=3;"])

    assert with_semicolon == starts(MONDAY_NINE_NY, ["RRULE:FREQ=WEEKLY;COUNT=3"])
    assert len(with_semicolon) == 3


def test_rule_without_the_rrule_name_is_read_as_an_rrule() -> None:
    assert starts(MONDAY_NINE_NY, ["FREQ=DAILY;COUNT=2"]) == [utc(2026, 3, 2, 14), utc(2026, 3, 3, 14)]


def test_lines_are_case_insensitive() -> None:
    assert starts(MONDAY_NINE_NY, ["rrule:freq=daily;count=2"]) == [utc(2026, 3, 2, 14), utc(2026, 3, 3, 14)]


def test_starts_after_a_moment_include_an_occurrence_starting_then() -> None:
    weekly = series(MONDAY_NINE_NY, ["RRULE:FREQ=WEEKLY"])

    found = weekly.starts(utc(2026, 3, 9, 13))

    assert next(found) == utc(2026, 3, 9, 13)
    assert next(found) == utc(2026, 3, 16, 13)


def test_starts_between_is_half_open() -> None:
    weekly = series(MONDAY_NINE_NY, ["RRULE:FREQ=WEEKLY"])

    assert list(weekly.starts_between(utc(2026, 3, 9, 13), utc(2026, 3, 23, 13))) == [
        utc(2026, 3, 9, 13),
        utc(2026, 3, 16, 13),
    ]
    assert list(weekly.starts_between(utc(2026, 3, 9, 13, 0, 1), utc(2026, 3, 16, 13))) == []


# --- entering a series at a moment, never walking to it ---------------------------------

ENTERED_CASES = [
    # (first start, zone, lines)
    (utc(2031, 1, 1, 3), UTC, ["RRULE:FREQ=DAILY;BYHOUR=3,13"]),
    (utc(2026, 3, 6, 7, 30), NEW_YORK, ["RRULE:FREQ=DAILY;INTERVAL=3"]),
    (utc(2026, 3, 1, 7, 30), NEW_YORK, ["RRULE:FREQ=WEEKLY"]),  # Sunday 02:30, in the spring gaps
    (utc(2026, 10, 31, 5, 30), NEW_YORK, ["RRULE:FREQ=WEEKLY;BYDAY=SA,SU"]),  # 01:30, in the autumn folds
    (utc(2026, 3, 4, 15), NEW_YORK, ["RRULE:FREQ=WEEKLY;INTERVAL=3;WKST=SU;BYDAY=SU,WE"]),
    (utc(2026, 3, 2, 14), LONDON, ["RRULE:FREQ=WEEKLY;INTERVAL=2;BYDAY=MO,FR;BYHOUR=1,9;BYMINUTE=30"]),
    (utc(2026, 1, 31, 14), NEW_YORK, ["RRULE:FREQ=MONTHLY"]),  # the 31st: months without one are skipped
    (utc(2026, 3, 2, 14), NEW_YORK, ["RRULE:FREQ=MONTHLY;INTERVAL=5;BYMONTHDAY=-1,15"]),
    (utc(2026, 3, 27, 14), KOLKATA, ["RRULE:FREQ=MONTHLY;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-1"]),
    (utc(2026, 3, 2, 14), NEW_YORK, ["RRULE:FREQ=YEARLY;INTERVAL=4"]),
    (utc(2026, 3, 2, 14), NEW_YORK, ["RRULE:FREQ=YEARLY;BYWEEKNO=1,53;BYDAY=MO"]),
    (utc(2028, 2, 29, 14), NEW_YORK, ["RRULE:FREQ=DAILY;BYMONTH=2;BYMONTHDAY=29"]),
    (utc(2026, 3, 2, 14), NEW_YORK, ["RRULE:FREQ=DAILY;COUNT=300", "RRULE:FREQ=WEEKLY;INTERVAL=2;BYDAY=SA;COUNT=40"]),
    (utc(2026, 3, 2, 14), NEW_YORK, ["RRULE:FREQ=WEEKLY;UNTIL=20300101", "RDATE:20270704T150000Z,20290101T170000Z"]),
    (utc(2026, 3, 2, 14), NEW_YORK, ["RRULE:FREQ=DAILY", "EXDATE:20260310T130000Z,20270101T140000Z"]),
]


@pytest.mark.parametrize(("first", "tz", "lines"), ENTERED_CASES, ids=[" ".join(case[2]) for case in ENTERED_CASES])
def test_starts_from_any_moment_are_the_starts_walked_from_the_first(first: datetime, tz: ZoneInfo, lines: list[str]) -> None:
    entered = series(first, lines, tz)
    walked = list(islice(series(first, lines, tz).starts(), 400))
    count = len(walked)
    indexes = (3, count // 4, count // 2, count * 3 // 4, count - 2)
    moments = [walked[index] + nudge for index in indexes for nudge in (-SECOND, timedelta(0), SECOND)]
    moments += [walked[count // 3] + (walked[count // 3 + 1] - walked[count // 3]) / 2, walked[-1] + timedelta(days=40)]

    for moment in moments:
        expected = [start for start in walked if start >= moment][:5]
        assert list(islice(entered.starts(moment), len(expected))) == expected, moment


def test_starts_thousands_of_years_on_come_as_quickly_as_the_first(stepped_days: list[int]) -> None:
    # Walked from 2031, an endless series twice a day steps through 2.5 million days before 8999.
    # Entered at the moment, it steps through a few.
    endless = series(utc(2031, 1, 1, 3), ["RRULE:FREQ=DAILY;BYHOUR=3,13"], UTC)
    stepped_days[0] = 0

    found = list(endless.starts_between(utc(8999, 1, 1), utc(8999, 1, 2)))

    assert found == [utc(8999, 1, 1, 3), utc(8999, 1, 1, 13)]
    assert stepped_days[0] <= 100


def test_a_counted_rule_is_entered_after_its_last_occurrence_is_found() -> None:
    counted = series(utc(2026, 3, 2, 14), ["RRULE:FREQ=DAILY;COUNT=100000"], NEW_YORK)

    assert list(counted.starts(utc(2299, 12, 14))) == [utc(2299, 12, 14, 14), utc(2299, 12, 15, 14)]
    assert list(counted.starts(utc(2299, 12, 16))) == []


SPARSE_DAILY = "RRULE:FREQ=DAILY;BYMONTH=2;BYMONTHDAY=29"
"""A daily rule that matches once in 1,461 of its periods: its thousandth occurrence is 4,000
years away, millions of days for dateutil to step through one by one."""


def test_a_counted_rule_that_would_take_too_many_of_its_periods_to_reach_its_count_is_refused_quickly(
    stepped_days: list[int],
) -> None:
    with pytest.raises(InvalidInput) as refused:
        series(utc(2028, 2, 29, 15), [f"{SPARSE_DAILY};COUNT=1000"])

    assert "COUNT=1000" in str(refused.value)
    # Walking to the thousandth occurrence would step through about 1.46 million days.
    assert stepped_days[0] <= MAX_COUNTED_PERIODS * 1.05


def test_a_counted_rule_reached_within_its_periods_is_read_as_before() -> None:
    leap_days = series(utc(2028, 2, 29, 15), [f"{SPARSE_DAILY};COUNT=20"])  # 2100 is no leap year.

    assert list(leap_days.starts(utc(2100, 1, 1))) == [utc(2104, 2, 29, 15), utc(2108, 2, 29, 15)]
    assert leap_days.last_end() == utc(2108, 2, 29, 16)


def test_the_end_of_a_series_with_a_far_until_is_known_without_walking_it(stepped_days: list[int]) -> None:
    # Its last occurrence comes at most at UNTIL: an instant no earlier than the end of the last
    # occurrence is all a reader of the series' end needs (finished series are skipped by it).
    rare = series(utc(2028, 2, 29, 15), [f"{SPARSE_DAILY};UNTIL=89991231T000000Z"])

    stepped_days[0] = 0
    end = rare.last_end()

    assert end is not None
    assert end >= utc(8996, 2, 29, 16)
    # Walking it would step through about 2.5 million days; its probe steps through a few years.
    assert stepped_days[0] <= 10_000


def test_an_occurrence_in_the_spring_gap_occurs_at_the_instant_it_is_listed_at() -> None:
    # Sundays at 02:30 in New York: on 14 March 2027 the clock skips from 02:00 to 03:00.
    sundays = series(utc(2027, 3, 7, 7, 30), ["RRULE:FREQ=WEEKLY"], NEW_YORK)
    listed = list(sundays.starts_between(utc(2027, 3, 14), utc(2027, 3, 15)))

    assert listed == [utc(2027, 3, 14, 7, 30)]
    assert next(sundays.starts(utc(2027, 3, 14, 7, 30))) == utc(2027, 3, 14, 7, 30)
    assert sundays.occurs_at(utc(2027, 3, 14, 7, 30))
    assert not sundays.occurs_at(utc(2027, 3, 14, 6, 30))


def test_an_occurrence_in_the_autumn_fold_occurs_at_the_first_of_the_two_instants() -> None:
    # Sundays at 01:30 in New York: on 7 November 2027 the clock shows 01:30 twice.
    sundays = series(utc(2027, 10, 31, 5, 30), ["RRULE:FREQ=WEEKLY"], NEW_YORK)

    assert list(sundays.starts_between(utc(2027, 11, 7), utc(2027, 11, 8))) == [utc(2027, 11, 7, 5, 30)]
    assert next(sundays.starts(utc(2027, 11, 7, 5, 30))) == utc(2027, 11, 7, 5, 30)
    assert next(sundays.starts(utc(2027, 11, 7, 6, 30))) == utc(2027, 11, 14, 6, 30)
    assert sundays.occurs_at(utc(2027, 11, 7, 5, 30))
    assert not sundays.occurs_at(utc(2027, 11, 7, 6, 30))


# --- refusals --------------------------------------------------------------------------


def test_count_with_until_is_refused() -> None:
    error = refusal(["RRULE:FREQ=DAILY;COUNT=3;UNTIL=20260310T000000Z"])

    assert "COUNT" in error.message
    assert "UNTIL" in error.message


@pytest.mark.parametrize("rule", ["RRULE:FREQ=DAILY;INTERVAL=0", "RRULE:FREQ=DAILY;INTERVAL=1000"])
def test_interval_out_of_range_is_refused(rule: str) -> None:
    assert "INTERVAL" in refusal([rule]).message


@pytest.mark.parametrize("rule", ["RRULE:FREQ=DAILY;COUNT=0", "RRULE:FREQ=DAILY;COUNT=-1", "RRULE:FREQ=DAILY;COUNT=x"])
def test_count_that_is_not_a_positive_number_is_refused(rule: str) -> None:
    assert "COUNT" in refusal([rule]).message


@pytest.mark.parametrize("frequency", ["HOURLY", "MINUTELY", "SECONDLY", "FORTNIGHTLY"])
def test_unsupported_frequency_is_refused(frequency: str) -> None:
    assert f"FREQ={frequency}" in refusal([f"RRULE:FREQ={frequency};COUNT=3"]).message


def test_rule_without_freq_is_refused() -> None:
    assert "FREQ" in refusal(["RRULE:COUNT=3"]).message


@pytest.mark.parametrize("part", ["FOO=1", "X-PRIORITY=2", "DTSTART=20260302T140000Z"])
def test_unknown_rule_part_is_refused(part: str) -> None:
    assert "unknown rule part" in refusal([f"RRULE:FREQ=DAILY;{part}"]).message


@pytest.mark.parametrize("rule", ["RRULE:FREQ=DAILY;FREQ=WEEKLY", "RRULE:FREQ=DAILY;COUNT=2;COUNT=3"])
def test_duplicate_rule_part_is_refused(rule: str) -> None:
    assert "twice" in refusal([rule]).message


@pytest.mark.parametrize(
    "line",
    [
        "RRULE FREQ=DAILY",  # no ':' and not a bare rule
        "every monday",
        "RRULE;TZID:FREQ=DAILY",  # a parameter without '='
        "RRULE:FREQ",  # a part without '='
        "RRULE:FREQ=",  # a part without a value
        "RRULE:FREQ=DAILY;BYDAY=XX",  # dateutil can't read it
        "RRULE:FREQ=DAILY;BYMONTH=13",
        "",
        "   ",
    ],
)
def test_malformed_line_is_refused(line: str) -> None:
    refusal([line])


@pytest.mark.parametrize("lines", ["RRULE:FREQ=DAILY", {"rule": "FREQ=DAILY"}, [42], [None]])
def test_recurrence_of_the_wrong_shape_is_refused(lines: Any) -> None:
    refusal(lines)


@pytest.mark.parametrize("line", ["EXRULE:FREQ=WEEKLY;COUNT=2", "DTSTART:20260302T140000Z", "X-CUSTOM:1"])
def test_lines_other_than_rrule_rdate_exdate_are_refused(line: str) -> None:
    assert "not supported" in refusal(["RRULE:FREQ=DAILY;COUNT=3", line]).message


@pytest.mark.parametrize("line", ["RDATE;VALUE=PERIOD:20260310T140000Z/PT1H", "EXDATE;VALUE=PERIOD:20260310T140000Z/PT1H"])
def test_period_values_are_refused(line: str) -> None:
    assert "PERIOD" in refusal(["RRULE:FREQ=DAILY;COUNT=10", line]).message


@pytest.mark.parametrize(
    "line",
    [
        "EXDATE:yesterday",
        "EXDATE:20261340T090000Z",
        "RDATE:",
        "EXDATE: , ",
        "EXDATE;TZID=Mars/Olympus_Mons:20260310T090000",
    ],
)
def test_malformed_date_lists_are_refused(line: str) -> None:
    refusal(["RRULE:FREQ=DAILY;COUNT=10", line])


@pytest.mark.parametrize("line", ["RDATE;VALUE=DATE:2026031", "EXDATE;VALUE=DATE:202603101"])
def test_date_value_that_is_not_eight_digits_is_refused(line: str) -> None:
    refusal(["RRULE:FREQ=DAILY;COUNT=10", line])


@pytest.mark.parametrize("until", ["UNTIL=tomorrow", "UNTIL=20261340", "UNTIL=20260230T090000Z"])
def test_malformed_until_is_refused(until: str) -> None:
    assert "UNTIL" in refusal([f"RRULE:FREQ=DAILY;{until}"]).message


def test_more_lines_than_allowed_are_refused() -> None:
    lines = [f"RDATE:202604{day:02d}T140000Z" for day in range(1, 31)] * 2

    refusal(lines)


def test_as_many_lines_as_allowed_are_accepted() -> None:
    lines = [f"RDATE:2026{month:02d}{day:02d}T140000Z" for month in (4, 5) for day in range(1, 26)]
    assert len(lines) == recurrence.MAX_LINES

    assert len(starts(MONDAY_NINE_NY, lines)) == 51


@pytest.mark.parametrize(
    "rule",
    [
        "RRULE:FREQ=DAILY;BYMONTH=2;BYMONTHDAY=30",
        "RRULE:FREQ=YEARLY;BYMONTH=4;BYMONTHDAY=31",
        "RRULE:FREQ=MONTHLY;BYMONTH=6;BYMONTHDAY=31",
        "RRULE:FREQ=WEEKLY;BYMONTH=2;BYMONTHDAY=31;BYDAY=MO",
    ],
)
def test_rule_that_never_repeats_is_refused(rule: str) -> None:
    assert "no occurrence" in refusal([rule]).message


def test_rule_that_never_repeats_is_refused_even_with_a_count() -> None:
    refusal(["RRULE:FREQ=DAILY;BYMONTH=2;BYMONTHDAY=30;COUNT=5"])


def test_rare_rule_that_does_repeat_is_accepted() -> None:
    # 29 February comes round in 2028.
    found = starts(MONDAY_NINE_NY, ["RRULE:FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=29;COUNT=2"])

    assert found == [utc(2026, 3, 2, 14), utc(2028, 2, 29, 14), utc(2032, 2, 29, 14)]


def test_refusal_names_the_recurrence_field_and_says_why() -> None:
    error = refusal(["RRULE:FREQ=HOURLY"])

    assert error.code == "invalid_input"
    assert error.problems[0].reason == "invalid"
    assert error.message.startswith("recurrence: ")


# --- expand_bounds and last_end ----------------------------------------------------------


def test_expand_bounds_without_lines_is_the_window_itself() -> None:
    lower, upper = utc(2026, 3, 2, 14), utc(2026, 3, 2, 17)

    assert recurrence.expand_bounds(lower, upper, NEW_YORK, None, 15) == [(lower, upper)]
    assert recurrence.expand_bounds(lower, upper, NEW_YORK, [], 15) == [(lower, upper)]


def test_expand_bounds_stops_at_the_limit_for_an_endless_rule() -> None:
    lower, upper = utc(2026, 3, 2, 14), utc(2026, 3, 2, 17)

    windows = recurrence.expand_bounds(lower, upper, NEW_YORK, ["RRULE:FREQ=DAILY"], 15)

    assert len(windows) == 15
    assert windows[0] == (lower, upper)
    assert windows[-1] == (utc(2026, 3, 16, 13), utc(2026, 3, 16, 16))
    assert all(end - start == timedelta(hours=3) for start, end in windows)


def test_expand_bounds_gives_fewer_windows_when_the_rule_ends_first() -> None:
    windows = recurrence.expand_bounds(utc(2026, 3, 2, 14), utc(2026, 3, 2, 15), NEW_YORK, ["RRULE:FREQ=WEEKLY;COUNT=3"], 15)

    assert [start for start, _ in windows] == [utc(2026, 3, 2, 14), utc(2026, 3, 9, 13), utc(2026, 3, 16, 13)]


def test_expand_bounds_refuses_a_bad_rule() -> None:
    with pytest.raises(InvalidInput) as caught:
        recurrence.expand_bounds(utc(2026, 3, 2, 14), utc(2026, 3, 2, 15), NEW_YORK, ["RRULE:FREQ=HOURLY"], 15)

    assert caught.value.problems[0].field == "recurrence"


def test_last_end_of_a_single_occurrence_is_its_end() -> None:
    assert series(MONDAY_NINE_NY, None).last_end() == MONDAY_NINE_NY + HOUR


def test_last_end_of_a_counted_series_is_the_end_of_its_last_occurrence() -> None:
    assert series(MONDAY_NINE_NY, ["RRULE:FREQ=WEEKLY;COUNT=3"]).last_end() == utc(2026, 3, 16, 14)


def test_last_end_of_a_series_with_until_is_the_end_of_an_occurrence_starting_at_until() -> None:
    # UNTIL=20260310 is the last moment of that day in New York: no occurrence starts later.
    daily = series(MONDAY_NINE_NY, ["RRULE:FREQ=DAILY;UNTIL=20260310"])

    assert max(daily.starts()) + HOUR == utc(2026, 3, 10, 14)
    assert daily.last_end() == utc(2026, 3, 11, 3, 59, 59) + HOUR


def test_last_end_counts_rdates_and_counted_rules_exactly() -> None:
    later = series(MONDAY_NINE_NY, ["RRULE:FREQ=WEEKLY;COUNT=2", "RDATE:20260401T130000Z"])
    counted = series(MONDAY_NINE_NY, ["RRULE:FREQ=WEEKLY;COUNT=3"])

    assert later.last_end() == utc(2026, 4, 1, 14)
    assert counted.last_end() == utc(2026, 3, 16, 14)


def test_last_end_of_a_series_whose_last_occurrence_is_excluded_is_no_earlier_than_the_last_left() -> None:
    trimmed = series(MONDAY_NINE_NY, ["RRULE:FREQ=WEEKLY;COUNT=3", "EXDATE:20260316T130000Z"])

    assert max(trimmed.starts()) + HOUR == utc(2026, 3, 9, 14)
    assert trimmed.last_end() == utc(2026, 3, 16, 14)


def test_last_end_of_an_endless_series_is_none() -> None:
    assert series(MONDAY_NINE_NY, ["RRULE:FREQ=WEEKLY"]).last_end() is None


def test_last_end_is_none_when_any_rule_is_endless() -> None:
    mixed = series(MONDAY_NINE_NY, ["RRULE:FREQ=WEEKLY;COUNT=2", "RRULE:FREQ=MONTHLY"])

    assert mixed.last_end() is None


def test_last_end_of_a_long_counted_series_is_its_last_occurrences_end() -> None:
    long_series = series(MONDAY_NINE_NY, ["RRULE:FREQ=DAILY;COUNT=3000"])

    last_day = date(2026, 3, 2) + timedelta(days=2999)
    last_start = datetime.combine(last_day, time(9), NEW_YORK).astimezone(UTC)

    assert long_series.last_end() == last_start + HOUR


def test_recurrence_that_excludes_every_occurrence_is_refused() -> None:
    problem = refusal(["EXDATE:20260302T140000Z"], start=MONDAY_NINE_NY)
    assert "no occurrence" in problem.problems[0].message


def test_rdate_earlier_than_the_start_is_refused() -> None:
    problem = refusal(["RDATE:20260301T140000Z"], start=MONDAY_NINE_NY)
    assert "earlier than the start" in problem.problems[0].message


def test_rule_with_a_long_interval_is_searched_over_as_many_periods() -> None:
    every_thirty_years = series(MONDAY_NINE_NY, ["RRULE:FREQ=YEARLY;INTERVAL=30;COUNT=2"])
    assert list(every_thirty_years.starts()) == [MONDAY_NINE_NY, utc(2056, 3, 2, 14)]


def test_a_series_ended_again_keeps_one_until_and_its_other_lines() -> None:
    lines = ["RRULE:FREQ=WEEKLY;BYDAY=MO,TU;BYHOUR=0;BYMINUTE=0;BYSECOND=0;UNTIL=20260309T045959Z", "EXDATE:20260303T050000Z"]

    again = recurrence.ended(lines, datetime(2026, 3, 4, 4, 59, 59, tzinfo=UTC))

    assert again == [
        "RRULE:FREQ=WEEKLY;BYDAY=MO,TU;BYHOUR=0;BYMINUTE=0;BYSECOND=0;UNTIL=20260304T045959Z",
        "EXDATE:20260303T050000Z",
    ]
    assert recurrence.ended(["RRULE:FREQ=DAILY;COUNT=5"], datetime(2026, 3, 4, tzinfo=UTC)) == [
        "RRULE:FREQ=DAILY;UNTIL=20260304T000000Z"
    ]
