"""What Kadence clients send: query filters, paging, and request bodies, read into core terms."""

import re
from datetime import UTC, datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field
from starlette.datastructures import QueryParams

from sandbox.core.booking_queries import BookingQuery, TimeCondition
from sandbox.core.bookings import Attendee, BookingInput
from sandbox.core.errors import InvalidInput
from sandbox.core.lifecycle import Status
from sandbox.core.times import EARLIEST, LATEST, OutOfRange, parse_instant
from sandbox.kadence import filter_dates, ids
from sandbox.kadence.hydra import BadRequest, php_number
from sandbox.kadence.words import PROFILE, STATUS_OF

OPERATIONS = ("before", "strictly_before", "after", "strictly_after")
_DATE_TIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,6})?(Z|[+-]\d{2}:?\d{2})?$", re.ASCII)
UTC_DATE_TIME_PATTERN = (
    r"^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])T([01]\d|2[0-3]):[0-5]\d:[0-5]\d(\.\d{1,6})?(Z|[+-]\d{2}:?\d{2})?$"
)
"""The date-times `utc_value` reads, as the OpenAPI documents state them: _DATE_TIME's shape with
the calendar's months, days and hours (a date that does not exist is refused too)."""


def utc_value(value: str, name: str, *, what: str = "parameter") -> datetime:
    """A UTC date-time as YYYY-MM-DDThh:mm:ss; clients also send a trailing Z or .000Z. A 400
    for a malformed one calls it a `what` ("parameter", or "field" of a body). It lies between
    the years EARLIEST and LATEST name."""
    text = value.strip()
    if not _DATE_TIME.match(text):
        raise BadRequest(f'The {what} "{name}" must be a UTC date-time in the format YYYY-MM-DDThh:mm:ss, "{value}" given.')
    try:
        return parse_instant(text, name, allow_fraction=True)
    except OutOfRange:
        raise BadRequest(f'"{name}" must lie between the years {EARLIEST.year} and {LATEST.year}, "{value}" given.') from None
    except InvalidInput:
        raise BadRequest(f'The parameter "{name}" is not a valid date-time: "{value}".') from None


def filter_bound(value: str, now: datetime, *, local: bool = False) -> datetime | None:
    """A date filter's value as `filter_dates` reads it, or None when it can't be read (the filter
    is then left out, as API Platform's DateFilter leaves it). Beyond the years EARLIEST and
    LATEST name it is the nearer of them, so that 0001-01-01 still means "since ever". With
    `local`, a wall-clock time (its offset or zone ignored); otherwise an instant in UTC."""
    moment = filter_dates.read(value, now)
    if moment is None:
        return None
    if local:
        wall = moment.replace(tzinfo=None)
        return min(max(wall, EARLIEST.replace(tzinfo=None)), LATEST.replace(tzinfo=None))
    # Compared as given: moved to UTC first, an instant of year 1 or 9999 may leave the calendar.
    if not EARLIEST <= moment <= LATEST:
        return EARLIEST if moment < EARLIEST else LATEST
    return moment.astimezone(UTC)


def required(params: QueryParams, name: str) -> str:
    value = params.get(name)
    if not value:
        raise BadRequest(f'The parameter "{name}" is required.')
    return value


def required_instant(params: QueryParams, name: str) -> datetime:
    return utc_value(required(params, name), name)


def related(params: QueryParams, name: str) -> str | None:
    """A filter on a related resource: `<name>Id`, or API Platform's `<name>.id`."""
    return params.get(f"{name}Id") or params.get(f"{name}.id")


def paging(params: QueryParams, *, minimum: int = 1, maximum: int = 500, default: int = 50) -> tuple[int, int]:
    """page and itemsPerPage as API Platform's paginator reads them: each cast to an integer as
    PHP casts (`1.5` is 1, `abc` and an empty value 0), more than `maximum` items per page read
    as `maximum`; a page below 1, a negative page size, and a page past the first with no
    items per page refused with its messages. Fewer items per page than `minimum` (the
    document's) are refused too, and pages past a million, which nobody pages to."""
    page = _php_int(params.get("page"), 1)
    per_page = min(_php_int(params.get("itemsPerPage"), default), maximum)
    if page < 1:
        raise BadRequest("Page should not be less than 1")
    if per_page < 0:
        raise BadRequest("Limit should not be less than 0")
    if per_page < minimum:
        raise BadRequest(f"Items per page should not be less than {minimum}")
    if per_page == 0 and page > 1:
        raise BadRequest("Page should not be greater than 1 if limit is equal to 0")
    if page > 1_000_000:
        raise BadRequest("Page should not be greater than 1000000")
    return page, per_page


def _php_int(value: str | None, default: int) -> int:
    """A query value as PHP's (int) reads it; `default` when the parameter is not sent."""
    return default if value is None else int(php_number(value))


TIME_FIELDS = {
    "startDateTime": "start",
    "endDateTime": "end",
    "cancelledDateTime": "cancelled",
    "checkedInDateTime": "checked_in",
    "checkedOutDateTime": "checked_out",
    "selfCertifiedDateTime": "self_certified",
}


def time_conditions(params: QueryParams, fields: tuple[str, ...], now: datetime) -> tuple[TimeCondition, ...]:
    """Every `<field>[<operation>]` and `<field>[local_<operation>]` filter among `fields` whose
    value can be read (relative words from `now`), plus the deprecated startDate and endDate
    (YYYY-MM-DD, UTC days)."""
    conditions = []
    for key, value in params.multi_items():
        match = re.fullmatch(r"(\w+)\[(local_)?(\w+)\]", key)
        if match is None or match.group(1) not in fields or match.group(3) not in OPERATIONS:
            continue
        local = match.group(2) is not None
        moment = filter_bound(value, now, local=local)
        if moment is not None:
            conditions.append(TimeCondition(TIME_FIELDS[match.group(1)], match.group(3), moment, local))
    for key, field_name, operation, time_of_day in (
        ("startDate", "start", "after", "00:00:00"),
        ("endDate", "end", "before", "23:59:59"),
    ):
        given = params.get(key)
        if given:
            if not re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", given):
                raise BadRequest(f'The parameter "{key}" must be a date in the format YYYY-MM-DD, "{given}" given.')
            try:
                day = parse_instant(f"{given}T{time_of_day}", key, clamp=True)
            except InvalidInput:
                raise BadRequest(f'The parameter "{key}" is not a valid date: "{given}".') from None
            conditions.append(TimeCondition(field_name, operation, day))
    return tuple(conditions)


def statuses(word: str | None) -> frozenset[Status] | None:
    """The status a `status` filter names; one Kadence does not name matches no booking."""
    if word is None:
        return None
    status = STATUS_OF.get(word)
    return frozenset() if status is None else frozenset({status})


def booking_query(params: QueryParams, now: datetime, *, holder_id: int | None = None, extended: bool = False) -> BookingQuery:
    """The filters of GET /bookings, or with `extended` of GET /users/{id}/bookings; relative
    dates count from `now`."""
    fields = tuple(TIME_FIELDS) if extended else ("startDateTime", "endDateTime")
    order = []
    for key, value in params.multi_items():
        match = re.fullmatch(r"order\[(startDate|endDate|startDateTime|endDateTime)\]", key)
        if match and value.lower() in ("asc", "desc"):
            order.append(("startDate" if match.group(1).startswith("start") else "endDate", value.lower()))
    return BookingQuery(
        holder_id=holder_id,
        occurrence=tuple(ids.keys(params["id"])) if params.get("id") else None,
        type=params.get("type") or None,
        statuses=statuses(params.get("status") or None),
        building_id=related(params, "building") or None,
        floor_id=related(params, "floor") or None,
        area_id=params.get("neighbourhoodId") or related(params, "neighborhood") or None,
        space_id=related(params, "space") or None,
        conditions=time_conditions(params, fields, now),
        order=tuple(order),
    )


class Body(BaseModel):
    model_config = ConfigDict(extra="ignore")


class AttendeeBody(Body):
    userId: str | None = None
    emailAddress: str | None = None
    displayName: str | None = None


class BookingBody(Body):
    userId: str = Field(description="The user identifier of the user the booking is for")
    startDateTime: str = Field(
        description="UTC Booking start date time in format YYYY-MM-DDThh:mm:ss",
        json_schema_extra={"pattern": UTC_DATE_TIME_PATTERN},
    )
    endDateTime: str = Field(
        description="UTC Booking end date time in format YYYY-MM-DDThh:mm:ss",
        json_schema_extra={"pattern": UTC_DATE_TIME_PATTERN},
    )
    buildingId: str | None = Field(
        default=None, description="Required for onsite bookings only; given with a spaceId, the space's building"
    )
    spaceId: str | None = Field(default=None, description="Required for bookings of a space (desk, room, ...)")
    title: str | None = Field(default=None, max_length=255, description="Required for room bookings")
    description: str | None = Field(default=None, max_length=4000)
    onlineMeeting: bool | None = Field(default=None, description="Accepted and ignored: no online meeting is made")
    attendees: list[AttendeeBody] = Field(default_factory=list, max_length=500)

    def to_input(self) -> BookingInput:
        return BookingInput(
            user_id=self.userId,
            start=_body_instant(self.startDateTime, "startDateTime"),
            end=_body_instant(self.endDateTime, "endDateTime"),
            space_id=self.spaceId,
            building_id=self.buildingId,
            title=self.title,
            description=self.description,
            attendees=[Attendee(item.userId, item.emailAddress, item.displayName) for item in self.attendees],
        )


def _body_instant(value: str, name: str) -> datetime:
    if not value.strip():
        raise InvalidInput.of(name, "This value should not be blank.", "required")
    return utc_value(value, name, what="field")


class CancelBody(Body):
    userId: str | None = Field(default=None, description="The user the request is on behalf of")


class TransitionBody(Body):
    userId: str | None = Field(default=None, description="The user checking in or out")
    method: str | None = Field(default=None, description="doorAccess, wifi, geofence or sensor")


class UserPatch(Body):
    model_config = ConfigDict(extra="ignore", strict=True)

    firstName: str | None = None
    lastName: str | None = None
    jobTitle: str | None = None
    biography: str | None = None
    locationTimezone: str | None = None
    locationCountryCode: str | None = None
    locationCityName: str | None = None
    locationLatitude: float | None = None
    locationLongitude: float | None = None

    def changes(self) -> dict[str, Any]:
        """The fields given, by the core's names of a profile's parts."""
        return {PROFILE[name]: getattr(self, name) for name in self.model_fields_set}
