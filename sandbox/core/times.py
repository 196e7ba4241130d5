"""Reading instants, time zones and durations from what clients send, and local days."""

import re
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import TypeAdapter, ValidationError

from sandbox.core.errors import InvalidInput

_durations = TypeAdapter(timedelta)


@lru_cache(maxsize=1024)
def _zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


def zone(name: str | None, field: str) -> ZoneInfo:
    """The IANA zone called `name`, or InvalidInput naming `field`."""
    if not name or not isinstance(name, str) or len(name) > 64:
        raise InvalidInput.of(field, "must be a valid IANA time zone identifier", "required" if not name else "invalid")
    try:
        return _zone(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        raise InvalidInput.of(field, f"'{name}' is not a valid IANA time zone identifier") from None


LAST_YEAR = 9000
"""Bookings end, and organization clocks stay, before this year, so that every date worked out
from them (an index horizon, a series' occurrences, a year of bookings after) stays inside the
calendar."""
EARLIEST, LATEST = datetime(1900, 1, 1, tzinfo=UTC), datetime(LAST_YEAR, 12, 31, 23, 59, 59, tzinfo=UTC)
"""The instants a request may name: wide enough for any booking, narrow enough that every window
worked out from one (a week after it, a year around it, a day in any time zone, the longest
booking before it) stays inside the calendar, whose years 1 and 9999 leave no room for any."""


class OutOfRange(InvalidInput):
    """An instant outside EARLIEST to LATEST."""


def parse_instant(
    value: object,
    field: str,
    *,
    local_zone: ZoneInfo | None = None,
    allow_fraction: bool = False,
    require_offset: bool = False,
    clamp: bool = False,
) -> datetime:
    """An ISO-8601 date-time, as an aware UTC datetime between EARLIEST and LATEST.

    A value without an offset is read in `local_zone` (UTC when none is given), or refused when
    `require_offset`; a bare date is midnight there. An instant outside EARLIEST to LATEST is
    refused (OutOfRange), or with `clamp` brought to the nearer of them (a filter's bound, where
    0001-01-01 still means "since ever").
    """
    if not isinstance(value, str) or not value.strip():
        raise InvalidInput.of(field, "can't be blank", "required")
    text = value.strip()
    if not allow_fraction and "." in text:
        raise InvalidInput.of(field, f"'{text}' must not carry fractional seconds")
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        raise InvalidInput.of(field, f"'{text}' is not an ISO-8601 date-time") from None
    if parsed.tzinfo is None:
        if require_offset:
            raise InvalidInput.of(field, f"'{text}' must carry a UTC offset, such as 2022-12-05T00:00:00-04:00")
        parsed = parsed.replace(tzinfo=local_zone or UTC)
    # Compared as given: moved to UTC first, an instant of year 1 or 9999 may leave the calendar.
    if EARLIEST <= parsed <= LATEST:
        return parsed.astimezone(UTC)
    if clamp:
        return EARLIEST if parsed < EARLIEST else LATEST
    raise OutOfRange.of(field, f"'{text}' must lie between the years {EARLIEST.year} and {LATEST.year}")


_ISO_DURATION = re.compile(r"^P(?!$)(\d+W)?(\d+D)?(T(?=\d)(\d+H)?(\d+M)?(\d+(\.\d+)?S)?)?$")


def parse_duration(value: object, field: str) -> timedelta:
    """A positive ISO-8601 duration of fixed length, such as PT30M or P14D (no months or years)."""
    if not isinstance(value, str) or not _ISO_DURATION.match(value.strip().upper()):
        raise InvalidInput.of(
            field, f"'{value}' is not an ISO-8601 duration of weeks, days, hours, minutes or seconds (e.g. P14D, PT30M)"
        )
    try:
        duration = _durations.validate_python(value.strip().upper())
    except ValidationError:
        raise InvalidInput.of(field, f"'{value}' is not an ISO-8601 duration") from None
    if duration <= timedelta(0):
        raise InvalidInput.of(field, "must be a positive duration")
    return duration


def format_duration(duration: timedelta) -> str:
    """`duration` as ISO-8601, such as PT30M or P14D: what parse_duration reads back."""
    return str(_durations.dump_python(duration, mode="json"))


def local_days(start: datetime, end: datetime, tz: ZoneInfo) -> list[date]:
    """The dates in `tz` that the interval [start, end) touches, in order: from the date of
    `start` to the date of its last microsecond, `end` - 1 µs (none if that comes first)."""
    first = start.astimezone(tz).date()
    last = (end - timedelta(microseconds=1)).astimezone(tz).date()
    return [first + timedelta(days=offset) for offset in range((last - first).days + 1)]


def require_later(earlier: datetime, later: datetime, field: str, than: str) -> None:
    """The one rule of an interval's ends: refuse `later` (the input `field`) unless it comes
    after `earlier` (the input `than`)."""
    if later <= earlier:
        raise InvalidInput.of(field, f"must be later than {than}", "not_later", than=than)
