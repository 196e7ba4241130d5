"""RFC 5545 recurrence: RRULE, RDATE and EXDATE lines, expanded with python-dateutil.

A series is expanded in its own time zone: dateutil steps through wall-clock times, so a
09:00 weekly meeting in New York stays at 09:00 local across daylight-saving changes. The
series' own start is always its first occurrence (as calendar clients treat DTSTART), unless
an EXDATE removes it.

A series is entered at the moment a reader asks about, never walked to it from its start:
dateutil steps through every period of a rule from its DTSTART, so each rule is given a
DTSTART at the beginning of one of its own periods shortly before that moment, with what it
took from its first DTSTART (time of day, weekday, day of the month) written out. A rule with
COUNT is entered the same way once its last occurrence is known (see `_last_counted`): finding
it is a walk, bounded by refusing a rule that doesn't reach its count within
MAX_COUNTED_PERIODS of its periods.

Its length is one concept's: entering a series at any moment is the one hard thing here, and its
parts (rules, dates, counts, the probe) share private state that splitting would expose.
"""

import calendar
import math
from bisect import bisect_left
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import MAXYEAR, UTC, date, datetime, time, timedelta
from functools import lru_cache
from itertools import islice
from typing import Protocol, cast
from zoneinfo import ZoneInfo

from dateutil import parser as dateparser
from dateutil import rrule

from sandbox.core.errors import InvalidInput
from sandbox.core.times import zone as named_zone

FIELD = "recurrence"
MAX_LINES = 50
MAX_LINE_LENGTH = 1000
MAX_DATES_PER_LINE = 500
MAX_INTERVAL = 999
_FREQUENCIES = {"DAILY", "WEEKLY", "MONTHLY", "YEARLY"}
WEEKDAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
"""RFC 5545 weekday names, Monday first: WEEKDAYS[day.weekday()] names a date's weekday."""
_RULE_PARTS = {
    "FREQ",
    "UNTIL",
    "COUNT",
    "INTERVAL",
    "BYSECOND",
    "BYMINUTE",
    "BYHOUR",
    "BYDAY",
    "BYMONTHDAY",
    "BYYEARDAY",
    "BYWEEKNO",
    "BYMONTH",
    "BYSETPOS",
    "WKST",
}
# How far past its start a rule must produce a further occurrence: a rule that never
# matches would otherwise keep dateutil searching until the year 9999.
_PROBE_YEARS = 25
_PROBE_PERIODS = 25
_MAX_PROBE_YEARS = 7000
_YEARS_PER_STEP = {rrule.DAILY: 1 / 365.25, rrule.WEEKLY: 7 / 365.25, rrule.MONTHLY: 1 / 12, rrule.YEARLY: 1.0}
MAX_COUNTED_PERIODS = 100_000
"""How many of its periods (days, weeks, months or years) a rule with COUNT may take to reach its
count: finding its last occurrence steps through each, matched or not, a few microseconds each.
A daily rule of one occurrence a day reaches the largest COUNT, 100,000, within them; a rule that
matches once in years of its periods (a daily rule for 29 February) is refused at a large COUNT."""
_DAYS_PER_PERIOD = {"DAILY": 1, "WEEKLY": 7, "MONTHLY": 31, "YEARLY": 366}
ENTRY_MARGIN = timedelta(days=2)
"""How long before the moment a reader asks about a series is entered. Rules step through
wall-clock times, and an occurrence's wall-clock time may read up to a day from what the clock
shows at its instant (Samoa skipped a whole day in 2011; in a daylight-saving gap, an occurrence
at 02:30 is the instant the clock shows as 03:30): entered this early, no occurrence at or after
the moment is passed by."""


def _invalid(message: str) -> InvalidInput:
    return InvalidInput.of(FIELD, message)


class _RuleParts(Protocol):
    """What a dateutil rule keeps of its parts, as it was parsed: in attributes of its own that it
    does not publish (nor do its type stubs)."""

    _dtstart: datetime
    _until: datetime | None
    _freq: int
    _interval: int
    _wkst: int
    _count: int | None


def _parts_of(rule: rrule.rrule) -> _RuleParts:
    return cast(_RuleParts, rule)


@dataclass(frozen=True)
class _Rule:
    """One RRULE of a series, as given (`rule`, from the series' start) and as it can be
    entered at any of its periods (`pinned`: its parts without COUNT or UNTIL, with what it
    took from the start written out)."""

    rule: rrule.rrule
    pinned: str
    frequency: str
    interval: int
    week_start: int
    count: int | None
    until: datetime | None
    """UNTIL in UTC."""

    def entered(self, entry: datetime) -> rrule.rrule | None:
        """The rule from the beginning of its last period that begins on or before the day of
        `entry` (local, in the series' zone), or as given if that is its first; None if it has
        no occurrence from `entry` on."""
        start = _parts_of(self.rule)._dtstart
        anchor = _period_start(self.frequency, self.interval, self.week_start, start.date(), entry.date())
        if anchor <= start.date():
            return self.rule
        until = self.last_start()
        if (until is None and self.count is not None) or (until is not None and until < entry):
            return None
        bound = "" if until is None else f";UNTIL={until:%Y%m%dT%H%M%SZ}"
        entered = rrule.rrulestr(self.pinned + bound, dtstart=datetime.combine(anchor, time(), start.tzinfo))
        assert isinstance(entered, rrule.rrule)
        return entered

    def last_start(self) -> datetime | None:
        """No earlier than the rule's last occurrence (UTC): its last one, for a rule with COUNT;
        UNTIL for a rule with UNTIL; None for a rule without end."""
        if self.count is None:
            return self.until
        return self.counted().last

    def counted(self) -> "_Counted":
        """Where a rule with COUNT ends (`_last_counted`)."""
        assert self.count is not None
        start = _parts_of(self.rule)._dtstart
        return _last_counted(
            self.pinned, self.count, self.frequency, self.interval, start.replace(tzinfo=None), str(start.tzinfo)
        )


def _period_start(frequency: str, interval: int, week_start: int, first: date, entry: date) -> date:
    """The first day of the rule's last period that begins on or before `entry`, for a rule
    whose first period holds `first`: periods are days, weeks from `week_start`, months or
    years, `interval` of them apart, counted from the first."""
    if frequency == "DAILY":
        return first + timedelta(days=(entry - first).days // interval * interval)
    if frequency == "WEEKLY":
        week = first - timedelta(days=(first.weekday() - week_start) % 7)
        return week + timedelta(days=(entry - week).days // (7 * interval) * 7 * interval)
    if frequency == "MONTHLY":
        months = first.year * 12 + first.month - 1
        month = months + (entry.year * 12 + entry.month - 1 - months) // interval * interval
        return date(month // 12, month % 12 + 1, 1)
    return date(first.year + (entry.year - first.year) // interval * interval, 1, 1)


@dataclass(frozen=True)
class _Counted:
    """Where a rule with COUNT ends, as found by walking it."""

    last: datetime | None
    """Its last occurrence (UTC), when `reached`."""
    reached: bool
    """Whether it ends (reaches its count, or the last year dateutil knows) within
    MAX_COUNTED_PERIODS of its periods."""


@lru_cache(maxsize=1024)
def _last_counted(pinned: str, count: int, frequency: str, interval: int, start: datetime, zone_name: str) -> _Counted:
    """Where the rule `pinned` with COUNT `count` from `start` (wall clock in `zone_name`) ends,
    found by walking it once a process for at most MAX_COUNTED_PERIODS of its periods: its last
    occurrence turns it into a rule with UNTIL, which can be entered at any of its periods."""
    zoned_start = start.replace(tzinfo=named_zone(zone_name, FIELD))
    try:
        cap: datetime | None = zoned_start + timedelta(days=MAX_COUNTED_PERIODS * interval * _DAYS_PER_PERIOD[frequency])
    except OverflowError:
        cap = None
    if cap is not None and cap.year >= MAXYEAR:
        cap = None  # dateutil stops at the end of the year 9999 by itself.
    rule = rrule.rrulestr(pinned, dtstart=zoned_start)
    assert isinstance(rule, rrule.rrule)
    walk = rule if cap is None else rule.replace(until=cap.astimezone(UTC))
    # The walk's length and its last occurrence, without keeping the occurrences before it.
    tail = deque(enumerate(islice(walk, count), start=1), maxlen=1)
    found, last = tail[0] if tail else (0, None)
    if cap is not None and found < count:
        return _Counted(None, reached=False)
    return _Counted(None if last is None else last.astimezone(UTC), reached=True)


@dataclass(frozen=True)
class Series:
    """A recurring (or single) interval: the rule set, its zone and each occurrence's length."""

    start: datetime
    duration: timedelta
    zone: ZoneInfo
    lines: tuple[str, ...]
    _ruleset: rrule.rruleset
    _rules: tuple[_Rule, ...]
    _dates: tuple[datetime, ...]
    """The start and the RDATE values (local), by instant."""
    _bounded: bool
    _excluded: frozenset[datetime]
    """EXDATE instants in UTC: compared as instants, so that an EXDATE in the hour a
    daylight-saving change repeats removes only the occurrence at that instant."""

    def starts(self, after: datetime | None = None) -> Iterator[datetime]:
        """Original starts (aware UTC), in order, from `after` (inclusive) on: the series is
        entered at `after`, whatever the number of occurrences before it."""
        for local in self._from(after):
            start = local.astimezone(UTC)
            if start in self._excluded or (after is not None and start < after):
                continue
            yield start

    def _from(self, after: datetime | None) -> Iterator[datetime]:
        """Local starts in the order dateutil gives them, from ENTRY_MARGIN before `after` or
        earlier (from the start, without `after`)."""
        if after is None or after - ENTRY_MARGIN <= self.start:
            return iter(self._ruleset)
        entry = (after - ENTRY_MARGIN).astimezone(self.zone)
        ruleset = rrule.rruleset()
        for moment in self._dates[bisect_left(self._dates, after) :]:
            ruleset.rdate(moment)
        for rule in self._rules:
            entered = rule.entered(entry)
            if entered is not None:
                ruleset.rrule(entered)
        return iter(ruleset)

    def starts_between(self, lower: datetime, upper: datetime) -> Iterator[datetime]:
        """Original starts in [lower, upper)."""
        for start in self.starts(lower):
            if start >= upper:
                return
            yield start

    def occurs_at(self, moment: datetime) -> bool:
        """Whether an occurrence starts at `moment`: exactly those `starts` lists."""
        return next(self.starts(moment), None) == moment

    def last_end(self) -> datetime | None:
        """No earlier than the end of the last occurrence, without walking the series: the end of
        the latest of its start, its RDATEs and each rule's last occurrence (UNTIL for a rule
        with UNTIL); None for a series without end. What a reader skipping finished series needs."""
        if not self._bounded:
            return None
        lasts = [self._dates[-1].astimezone(UTC)]
        lasts.extend(last for last in (rule.last_start() for rule in self._rules) if last is not None)
        return max(lasts) + self.duration


def single(start: datetime, end: datetime, zone: ZoneInfo) -> Series:
    return build(start, end, zone, [])


def build(start: datetime, end: datetime, zone: ZoneInfo, lines: list[str] | None) -> Series:
    """Parse `lines` for a series whose first occurrence is [start, end) in `zone`."""
    if lines is not None and not isinstance(lines, list):
        raise _invalid("must be an array of RFC 5545 content lines")
    lines = lines or []
    if len(lines) > MAX_LINES:
        raise _invalid(f"must have at most {MAX_LINES} lines")
    local_start = start.astimezone(zone)
    ruleset = rrule.rruleset()
    ruleset.rdate(local_start)
    rules: list[_Rule] = []
    dates = [local_start]
    excluded: set[datetime] = set()
    for raw in lines:
        if not isinstance(raw, str) or not raw.strip():
            raise _invalid("each line must be a non-empty string")
        if not raw.isascii():
            # RFC 5545's values are ASCII: no other script's digits reach int() or isdigit().
            raise _invalid("lines must be ASCII text (RFC 5545)")
        if len(raw) > MAX_LINE_LENGTH:
            raise _invalid(f"lines must be at most {MAX_LINE_LENGTH} characters")
        name, params, value = _split_line(raw.strip())
        if name == "RRULE":
            rule = _rule(value, local_start, zone)
            rules.append(rule)
            ruleset.rrule(rule.rule)
        elif name == "RDATE":
            for moment in _dates(value, params, local_start, zone):
                if moment < local_start:
                    raise _invalid("RDATE values must not be earlier than the start")
                ruleset.rdate(moment)
                dates.append(moment)
        elif name == "EXDATE":
            excluded.update(moment.astimezone(UTC) for moment in _dates(value, params, local_start, zone))
        else:
            raise _invalid(f"'{name}' lines are not supported: use RRULE, RDATE or EXDATE")
    bounded = all(rule.count is not None or rule.until is not None for rule in rules)
    series = Series(
        start=start,
        duration=end - start,
        zone=zone,
        lines=tuple(lines),
        _ruleset=ruleset,
        _rules=tuple(rules),
        _dates=tuple(sorted(dates, key=lambda moment: moment.astimezone(UTC))),
        _bounded=bounded,
        _excluded=frozenset(excluded),
    )
    if next(series.starts(), None) is None:
        raise _invalid("the recurrence leaves no occurrence at all")
    return series


def expand_bounds(
    lower: datetime, upper: datetime, zone: ZoneInfo, lines: list[str] | None, limit: int
) -> list[tuple[datetime, datetime]]:
    """The first `limit` repetitions of the window [lower, upper) under `lines`."""
    series = build(lower, upper, zone, lines)
    return [(start, start + series.duration) for start in islice(series.starts(), limit)]


def _split_line(line: str) -> tuple[str, dict[str, str], str]:
    if ":" not in line:
        if line.upper().startswith("FREQ="):
            return "RRULE", {}, line
        raise _invalid(f"'{line}' is not an RFC 5545 content line")
    head, value = line.split(":", 1)
    name, *raw_params = head.split(";")
    params: dict[str, str] = {}
    for raw in raw_params:
        key, sep, param_value = raw.partition("=")
        if not sep:
            raise _invalid(f"'{line}' has a malformed parameter '{raw}'")
        params[key.strip().upper()] = param_value.strip()
    return name.strip().upper(), params, value.strip()


def ended(lines: list[str], until: datetime) -> list[str]:
    """The series' lines with each RRULE ending at `until` (its UNTIL, in UTC, in place of the end
    it had, UNTIL or COUNT); other lines as they are."""
    stamp = until.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")
    written = []
    for line in lines:
        name, _, value = _split_line(line)
        if name != "RRULE":
            written.append(line)
            continue
        parts = {key: part for key, part in _rule_parts(value).items() if key not in ("UNTIL", "COUNT")}
        written.append("RRULE:" + ";".join(f"{key}={part}" for key, part in [*parts.items(), ("UNTIL", stamp)]))
    return written


def weekly_days(lines: list[str] | None, field: str) -> frozenset[str]:
    """The weekdays (MO ... SU) of a whole-day weekly schedule: one line shaped like
    RRULE:FREQ=WEEKLY;BYDAY=MO,FR;BYHOUR=0;BYMINUTE=0;BYSECOND=0. No line: no days."""
    if not lines:
        return frozenset()
    shape = "RRULE:FREQ=WEEKLY;BYDAY=<days>;BYHOUR=0;BYMINUTE=0;BYSECOND=0"
    if not isinstance(lines, list) or len(lines) != 1 or not isinstance(lines[0], str):
        raise InvalidInput.of(field, f"must be one line shaped like {shape}")
    name, _, value = _split_line(lines[0].strip())
    parts = _rule_parts(value)
    days = frozenset(day.strip() for day in parts.get("BYDAY", "").split(",") if day.strip())
    if (
        name != "RRULE"
        or parts.get("FREQ") != "WEEKLY"
        or not days
        or not days <= set(WEEKDAYS)
        or {parts.get(key) for key in ("BYHOUR", "BYMINUTE", "BYSECOND")} != {"0"}
        or set(parts) - {"FREQ", "BYDAY", "BYHOUR", "BYMINUTE", "BYSECOND", "WKST"}
    ):
        raise InvalidInput.of(field, f"must be one line shaped like {shape}, with plain weekdays")
    return days


def _rule_parts(value: str) -> dict[str, str]:
    parts: dict[str, str] = {}
    for raw in value.split(";"):
        if not raw.strip():
            continue  # Tolerate the stray ';' in Robin's own examples.
        key, sep, part_value = raw.partition("=")
        key = key.strip().upper()
        if not sep or not part_value.strip():
            raise _invalid(f"'{raw}' is not a NAME=VALUE rule part")
        if key not in _RULE_PARTS:
            raise _invalid(f"unknown rule part '{key}'")
        if key in parts:
            raise _invalid(f"rule part '{key}' is given twice")
        parts[key] = part_value.strip().upper()
    return parts


def _rule(value: str, local_start: datetime, zone: ZoneInfo) -> _Rule:
    parts = _rule_parts(value)
    frequency = parts.get("FREQ")
    if frequency is None:
        raise _invalid("an RRULE needs FREQ")
    if frequency not in _FREQUENCIES:
        raise _invalid(f"FREQ={frequency} is not supported: use DAILY, WEEKLY, MONTHLY or YEARLY")
    if "COUNT" in parts and "UNTIL" in parts:
        raise _invalid("an RRULE must not have both COUNT and UNTIL (RFC 5545)")
    for key, low, high in (("COUNT", 1, 100_000), ("INTERVAL", 1, MAX_INTERVAL)):
        if key in parts and not (parts[key].isdigit() and low <= int(parts[key]) <= high):
            raise _invalid(f"{key} must be a whole number from {low} to {high}")
    if "UNTIL" in parts:
        parts["UNTIL"] = _until_in_utc(parts["UNTIL"], zone)
    text = ";".join(f"{key}={part_value}" for key, part_value in parts.items())
    try:
        rule = rrule.rrulestr(text, dtstart=local_start)
    except (ValueError, TypeError, OverflowError) as error:
        raise _invalid(f"'{value}' is not a valid RRULE: {error}") from None
    assert isinstance(rule, rrule.rrule)
    _require_repeats(rule, local_start.replace(tzinfo=None))
    given = _parts_of(rule)
    until = given._until.astimezone(UTC) if given._until is not None else None
    parsed = _Rule(rule, _pinned(parts, local_start), frequency, given._interval, given._wkst, given._count, until)
    if parsed.count is not None and not parsed.counted().reached:
        raise _invalid(
            f"COUNT={parsed.count} is not reached within {MAX_COUNTED_PERIODS:,} of the rule's periods: "
            "use a coarser FREQ or a smaller COUNT"
        )
    return parsed


def _pinned(parts: dict[str, str], start: datetime) -> str:
    """The rule's parts, without COUNT and UNTIL, with what RFC 5545 takes from DTSTART when a
    rule does not say written out: the time of day and, without any day part, the weekday
    (WEEKLY), the day of the month (MONTHLY) or the month and day (YEARLY). The same rule, then,
    from any DTSTART at the beginning of one of its periods."""
    pinned = {key: value for key, value in parts.items() if key not in ("COUNT", "UNTIL")}
    for key, value in (("BYHOUR", start.hour), ("BYMINUTE", start.minute), ("BYSECOND", start.second)):
        pinned.setdefault(key, str(value))
    if not {"BYWEEKNO", "BYYEARDAY", "BYMONTHDAY", "BYDAY"} & parts.keys():
        if parts["FREQ"] == "YEARLY":
            pinned.setdefault("BYMONTH", str(start.month))
            pinned["BYMONTHDAY"] = str(start.day)
        elif parts["FREQ"] == "MONTHLY":
            pinned["BYMONTHDAY"] = str(start.day)
        elif parts["FREQ"] == "WEEKLY":
            pinned["BYDAY"] = WEEKDAYS[start.weekday()]
    return ";".join(f"{key}={value}" for key, value in pinned.items())


def _until_in_utc(value: str, zone: ZoneInfo) -> str:
    """UNTIL as UTC, which dateutil requires beside a zoned start; floating values are local."""
    try:
        if len(value) == 8 and value.isdigit():
            # A DATE bound includes that whole day (RFC 5545).
            moment = datetime.combine(_basic_date(value), time.max, zone)
        else:
            moment = dateparser.isoparse(value)
            if moment.tzinfo is None:
                moment = moment.replace(tzinfo=zone)
        return moment.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")
    except (ValueError, OverflowError):
        raise _invalid(f"UNTIL={value} is not a valid date or date-time") from None


def _basic_date(value: str) -> date:
    """An RFC 5545 DATE value, YYYYMMDD (eight digits, checked by the caller)."""
    return date(int(value[:4]), int(value[4:6]), int(value[6:8]))


def _require_repeats(rule: rrule.rrule, naive_start: datetime) -> None:
    """Refuse a rule that produces nothing after its start for many of its own periods.

    The probe runs the rule's pattern from a late year that shares the start year's calendar,
    so that even a rule that never matches is searched only until the year 9999: about
    _PROBE_PERIODS steps of the rule, however large its INTERVAL.
    """
    given = _parts_of(rule)
    step_years = given._interval * _YEARS_PER_STEP[given._freq]
    window = min(_MAX_PROBE_YEARS, max(_PROBE_YEARS, math.ceil(_PROBE_PERIODS * step_years)))
    twin = _calendar_twin(naive_start.year, MAXYEAR - window)
    if twin is None:
        return
    try:
        probe_start = naive_start.replace(year=twin)
    except ValueError:
        return
    for moment in rule.replace(dtstart=probe_start, count=None, until=None):
        if moment > probe_start:
            return
    raise _invalid(f"the RRULE produces no occurrence in the {window} years after the start")


def _calendar_twin(year: int, latest: int) -> int | None:
    """A year up to `latest` whose own and next year's calendars match `year`'s."""
    first_weekday = date(year, 1, 1).weekday()
    for candidate in range(latest - 1, latest - 60, -1):
        if (
            calendar.isleap(candidate) == calendar.isleap(year)
            and calendar.isleap(candidate + 1) == calendar.isleap(year + 1)
            and date(candidate, 1, 1).weekday() == first_weekday
        ):
            return candidate
    return None


def _dates(value: str, params: dict[str, str], local_start: datetime, zone: ZoneInfo) -> list[datetime]:
    kind = params.get("VALUE", "DATE-TIME").upper()
    if kind not in ("DATE", "DATE-TIME"):
        raise _invalid(f"VALUE={kind} is not supported in RDATE or EXDATE")
    line_zone = zone
    if "TZID" in params:
        line_zone = named_zone(params["TZID"], FIELD)
    raw_values = [item.strip() for item in value.split(",") if item.strip()]
    if not raw_values:
        raise _invalid("RDATE and EXDATE lines need at least one value")
    if len(raw_values) > MAX_DATES_PER_LINE:
        raise _invalid(f"RDATE and EXDATE lines take at most {MAX_DATES_PER_LINE} values")
    moments = []
    for raw in raw_values:
        try:
            if kind == "DATE" or (len(raw) == 8 and raw.isdigit()):
                if not (len(raw) == 8 and raw.isdigit()):
                    raise ValueError(raw)
                day = _basic_date(raw)
                moment = datetime.combine(day, local_start.timetz().replace(tzinfo=None), zone)
            else:
                moment = dateparser.isoparse(raw)
                if moment.tzinfo is None:
                    moment = moment.replace(tzinfo=line_zone)
        except (ValueError, OverflowError):
            raise _invalid(f"'{raw}' is not a valid date or date-time") from None
        moments.append(moment.astimezone(zone))
    return moments
