"""The value of a date filter, read as API Platform's DateFilter reads it: with PHP's
`new \\DateTime($value)`, a value that PHP can't read leaving its filter out instead of refusing the
request.

The sandbox reads this part of what PHP reads:

- ISO 8601 dates and date-times (dateutil's isoparser): a date (`2026-03-02`, `20260302`,
  `2026-W10`, or a month, `2026-03`, for its first day), then optionally a time after `T`, `t`
  or a space (`14`, `14:00`, `14:00:00`, with a fraction), then optionally `Z`, an offset
  (`+01`, `+0100`, `+01:00`) or, after a space, the name of a time zone (`UTC`,
  `Europe/London`). A bare date is its midnight. A day past the end of its month, up to 31,
  runs on into the next month (`2026-02-30` is 2 March), as in PHP.
- `@` and a Unix time in seconds: `@1772460000`, `@-86400`, `@1772460000.5`.
- The words `now`, `today`, `midnight`, `noon`, `tomorrow` and `yesterday`, each alone or
  followed by amounts such as `+1 day` or `-2 hours` (units sec, min, hour, day, week,
  fortnight, month and year, singular or plural, and `ago` turning them all back); amounts alone
  count from now. A month or a year later keeps to the last day of a shorter month, where PHP
  runs on into the next.

A bare year (`2026`, which PHP reads as 20:26 today) and every other PHP format (`6 March 2026`,
`03/06/2026`, `next monday`) are not read, so their filter is left out.
"""

import re
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from dateutil.parser import isoparser
from dateutil.relativedelta import relativedelta

from sandbox.core.errors import InvalidInput
from sandbox.core.times import EARLIEST, LATEST, zone

_ISO = isoparser(sep="T")
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_UNITS = {
    "sec": relativedelta(seconds=1),
    "second": relativedelta(seconds=1),
    "min": relativedelta(minutes=1),
    "minute": relativedelta(minutes=1),
    "hour": relativedelta(hours=1),
    "day": relativedelta(days=1),
    "week": relativedelta(weeks=1),
    "fortnight": relativedelta(weeks=2),
    "month": relativedelta(months=1),
    "year": relativedelta(years=1),
}
_DAYS = {"today": 0, "midnight": 0, "tomorrow": 1, "yesterday": -1}
_AMOUNT = re.compile(r"\s*([+-]?)\s*([0-9]{1,9})\s*([a-z]+)", re.ASCII)
_UNIX_TIME = re.compile(r"-?[0-9]{1,20}(\.[0-9]{1,6})?", re.ASCII)


def read(value: str, now: datetime) -> datetime | None:
    """The instant `value` names, in the zone or offset it gives (UTC when it gives none), or
    None when PHP would not read it. Relative words count from `now`, the organization's clock."""
    text = value.strip()
    if not text:
        return None
    try:
        if text.startswith("@"):
            return _unix_time(text[1:])
        return _relative(text.lower(), now.astimezone(UTC)) or _calendar(text)
    except (ValueError, OverflowError):
        return None


def _unix_time(text: str) -> datetime:
    """Seconds since 1970 UTC; those before EARLIEST or after LATEST (which PHP still reads) as
    those bounds, so that the filter's bound stands for the nearer of them as any other does."""
    if not _UNIX_TIME.fullmatch(text):
        raise ValueError(f"not a Unix time: {text!r}")
    seconds = min(max(float(text), (EARLIEST - _EPOCH).total_seconds()), (LATEST - _EPOCH).total_seconds())
    return _EPOCH + timedelta(seconds=seconds)


def _relative(text: str, now: datetime) -> datetime | None:
    """A relative word, with amounts after it, or amounts alone (from now); None for anything else."""
    word, _, amounts = text.partition(" ")
    if word == "now":
        base = now
    elif word == "noon":
        base = datetime.combine(now.date(), time(12), now.tzinfo)
    elif word in _DAYS:
        base = datetime.combine(now.date() + timedelta(days=_DAYS[word]), time(), now.tzinfo)
    else:
        try:
            return now + _offset(text)
        except ValueError:
            return None
    return base + _offset(amounts)


def _offset(text: str) -> relativedelta:
    """The sum of amounts such as `+1 day -2 hours`, turned back by a final `ago`."""
    body = text.strip()
    ago = body.endswith(" ago")
    body = body.removesuffix(" ago").rstrip()
    total, position = relativedelta(), 0
    while position < len(body):
        amount = _AMOUNT.match(body, position)
        unit = _UNITS.get(amount.group(3).removesuffix("s")) if amount else None
        if amount is None or unit is None:
            raise ValueError(f"not a relative amount: {body[position:]!r}")
        total += unit * int(amount.group(1) + amount.group(2))
        position = amount.end()
    if position == 0 and text.strip():
        raise ValueError("no amount")
    return -total if ago else total


def _calendar(text: str) -> datetime:
    """An ISO 8601 date or date-time, with an offset or a zone's name, or without either (UTC)."""
    head, _, last = text.rpartition(" ")
    named: ZoneInfo | None = None
    if head and last[:1].isalpha():
        try:
            named = zone(last, "zone")
        except InvalidInput:
            raise ValueError(f"not a time zone: {last!r}") from None
        text = head.rstrip()
    date_text, *rest = re.split(r"[Tt ]", text, maxsplit=1)
    time_text = rest[0] if rest else ""
    if date_text.isdigit() and len(date_text) == 4:
        raise ValueError("a bare year is a time of day to PHP")
    try:
        moment = _ISO.isoparse(f"{date_text}T{time_text}" if time_text else date_text)
    except ValueError:
        moment = _ISO.isoparse(_carried_over(date_text) + (f"T{time_text}" if time_text else ""))
    if moment.tzinfo is None:
        return moment.replace(tzinfo=named or UTC)
    if named is not None:
        raise ValueError("both an offset and a time zone")
    return moment


def _carried_over(date_text: str) -> str:
    """`YYYY-MM-DD` with a day past the end of its month (up to 31) as the day it runs on to."""
    parts = date_text.split("-")
    if [len(part) for part in parts] != [4, 2, 2] or not all(part.isdigit() for part in parts):
        raise ValueError(f"not a date: {date_text!r}")
    year, month, day = (int(part) for part in parts)
    if not 1 <= month <= 12 or day > 31:
        raise ValueError(f"not a date: {date_text!r}")
    return (date(year, month, 1) + timedelta(days=day - 1)).isoformat()
