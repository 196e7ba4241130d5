"""Robin's wire shapes as pydantic models, for the OpenAPI document and for tests.

Responses are built as plain dicts by `wire` and `envelope`; these models only describe them,
field for field. They forbid extra fields, so a response that validates against its model
proves the document right.

Its length is Robin's resources', one model each.
"""

from typing import Annotated, Any, Generic, TypeVar

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field
from pydantic.json_schema import SkipJsonSchema

from sandbox.robin.envelope import STATUS_WORDS
from sandbox.schema_fields import omissible

Timestamp = Annotated[
    str,
    Field(
        pattern=r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}[+-]\d{4}$",
        examples=["2014-05-22T14:49:48+0000"],
        description="Numeric offset without a colon, no fractional seconds",
    ),
]
Item = TypeVar("Item")


def _refuse_null(value: Any) -> Any:
    if value is None:
        raise ValueError("the wire leaves this field out rather than sending null")
    return value


NotNull = BeforeValidator(_refuse_null)
"""On an omissible field that is never null: only the absence of the field reads as None."""


class WireShape(BaseModel):
    """Built when first used (`defer_build`): by the OpenAPI document or a test, never by a request,
    so the server does not build them as it starts."""

    model_config = ConfigDict(extra="forbid", defer_build=True)


class Organization(WireShape):
    id: int
    slug: str
    name: str
    avatar: str | None
    is_organization: bool
    created_at: Timestamp
    updated_at: Timestamp


class Location(WireShape):
    """A building."""

    id: int
    account_id: int = Field(description="The organization's id")
    campus_id: int | None = Field(description="Always null: the sandbox has no campuses")
    name: str
    description: str | None
    address: str | None
    image: str | None
    latitude: float | None
    longitude: float | None
    time_zone: str = Field(examples=["America/New_York"])
    created_at: Timestamp
    updated_at: Timestamp


class Level(WireShape):
    """A floor of a location."""

    id: int
    location_id: int
    name: str
    level_number: int
    created_at: Timestamp
    updated_at: Timestamp


class PrimaryEmail(WireShape):
    email: str
    is_verified: bool


class User(WireShape):
    id: int
    name: str
    given_name: str | None
    family_name: str | None
    slug: str
    avatar: str | None
    time_zone: str
    created_at: Timestamp
    updated_at: Timestamp
    is_pending: bool
    primary_email: PrimaryEmail
    working_hours: dict[str, Any] | None = Field(description="Always null in the sandbox")
    access_level: int = Field(description="9001 for administrators, 1 for members")


class Amenity(WireShape):
    id: int
    account_id: int = Field(description="The organization's id")
    name: str
    created_at: Timestamp
    updated_at: Timestamp


class AmenityWithQuantity(Amenity):
    """An amenity of a space as the deprecated `include=amenities` lists it."""

    quantity: int


class SpaceAmenity(WireShape):
    id: int
    space_id: int
    amenity_id: int
    name: str
    quantity: int
    created_at: Timestamp
    updated_at: Timestamp


class Calendar(WireShape):
    """The resource calendar a space's events are on."""

    space_id: int
    remote_type: str = Field(examples=["google"])
    calendar_id: str
    subscriber_id: str | None = Field(description="Always null: no push subscription is modelled")
    space_resource_id: str
    space_resource_email: str
    subscriber_expires_at: Timestamp | None = Field(description="Always null: no push subscription is modelled")
    created_at: Timestamp = Field(description="When the calendar was connected: when the space was made")


class SpaceState(WireShape):
    space_id: int
    availability: str = Field(examples=["available", "booked", "in_use", "disabled"])
    present: int = Field(description="How many people or devices are present in the space")
    next_busy_change: Timestamp | None


class Space(WireShape):
    id: int
    location_id: int
    level_id: int | None
    name: str
    description: str | None
    image: str | None
    discovery_radius: float | None
    capacity: int | None
    type: str | None = Field(examples=["conference", "meeting", "office", "kitchen"])
    last_presence_at: Timestamp | None
    is_disabled: bool
    is_dibsed: bool
    is_accessible: bool
    created_at: Timestamp
    updated_at: Timestamp
    behaviors: list[str] = Field(
        description='"scheduling" for a space that takes events, "seats" for one that holds desks',
        examples=[["scheduling"], ["seats"], []],
    )
    calendar: Calendar | None = omissible("With include=calendar (always on free/busy results); null without one")
    space_amenities: Annotated[list[SpaceAmenity] | SkipJsonSchema[None], NotNull] = omissible("With include=space_amenities")
    amenities: Annotated[list[AmenityWithQuantity] | SkipJsonSchema[None], NotNull] = omissible(
        "With include=amenities (deprecated: use space_amenities)"
    )
    location: Annotated[Location | SkipJsonSchema[None], NotNull] = omissible("With include=location: the space's location")
    state: Annotated[SpaceState | SkipJsonSchema[None], NotNull] = omissible(
        "With include=state: as GET /spaces/:id/state answers it, now"
    )


class EventMoment(WireShape):
    date_time: Timestamp = Field(description="In the event's time zone")
    time_zone: str


class Invitee(WireShape):
    id: int
    event_id: str
    user_id: int | None
    email: str
    display_name: str | None
    response_status: str = Field(examples=["not_responded", "accepted", "declined"])
    participation_role: str
    is_organizer: bool
    is_resource: bool
    updated_at: Timestamp
    created_at: Timestamp


class Confirmation(WireShape):
    """The check-in of one event or instance."""

    event_id: str
    user_id: int | None
    device_id: int | None
    confirmed_at: Timestamp


class Event(WireShape):
    id: str = Field(examples=["96347456", "96347456_20190521T143000Z"])
    organizer_id: int | None
    organizer_email: str | None
    creator_id: int | None
    creator_email: str | None
    space_id: int
    title: str
    description: str | None
    location: str = Field(description="The space's name")
    remote_event_id: str | None
    remote_type: str | None
    creation_type: str = Field(examples=["manual", "automatic", "synced"])
    uid: str | None
    start: EventMoment
    end: EventMoment
    started_at: Timestamp = Field(description="Deprecated: mirrors start")
    ended_at: Timestamp = Field(description="Deprecated: mirrors end")
    series_id: str | None = Field(description="Set on instances of a recurring series")
    recurrence_id: str | None = Field(description="Set on instances of a recurring series")
    status: str = Field(examples=["confirmed", "cancelled"])
    recurrence: list[str] | None = Field(description="RFC 5545 lines of a series master; null on instances")
    is_all_day: bool
    visibility: str = Field(examples=["default", "public", "private", "personal", "confidential"])
    show_as: str
    invitees: list[Invitee]
    confirmation: Confirmation | None
    created_at: Timestamp
    updated_at: Timestamp


class BusyEvent(WireShape):
    """An occurrence inside a busy block of a free/busy result."""

    id: str
    series_id: str | None
    recurrence_id: str
    uid: str | None
    space_id: int
    start: EventMoment
    end: EventMoment
    started_at: Timestamp
    ended_at: Timestamp


class BusyBlock(WireShape):
    from_: Timestamp = Field(alias="from")
    to: Timestamp
    events: list[BusyEvent]


class Availability(WireShape):
    """One space in a free/busy result."""

    has_presence: bool
    space: Space
    busy: list[BusyBlock]


class ExportAccepted(WireShape):
    export_id: str = Field(examples=["6239b88d-9cf6-47a9-9dd3-95f3b0fbdba2"])
    report_id: str = Field(examples=["6239b88d-9cf6-47a9-9dd3-95f3b0fbdba2"])


class Zone(WireShape):
    """A group of desks inside a space."""

    id: int
    space_id: int | None
    name: str
    type: str = Field(examples=["pod"])
    created_at: Timestamp
    updated_at: Timestamp


class SeatAmenity(WireShape):
    id: int
    seat_id: int
    amenity_id: int
    name: str
    quantity: int
    created_at: Timestamp
    updated_at: Timestamp


class Seat(WireShape):
    """A desk. Its desk type is its seat-reservation-types-allowed setting."""

    id: int
    name: str
    space_id: int | None
    zone_id: int | None
    seat_amenities: list[SeatAmenity]
    is_reservable: bool
    is_disabled: bool
    disabled_at: Timestamp | None
    created_at: Timestamp
    updated_at: Timestamp
    space: Space | None = omissible("The desk's space, with include=space")
    zone: Zone | None = omissible("The desk's zone, with include=zone")


class SeatSetting(WireShape):
    seat_id: int
    slug: str = Field(examples=["seat-reservation-max-length", "seat-reservation-types-allowed"])
    value: str | list[str] | None = Field(examples=["P7D", ["hoteled"]])


class PhpDateTime(WireShape):
    """A serialized PHP DateTime, as the live API sends it."""

    date: str = Field(examples=["2022-08-26 15:19:16.111562"])
    timezone_type: int
    timezone: str


class TokenInfo(WireShape):
    id: int = Field(description="The access token's id")
    name: str
    type: str = Field(description="What the token belongs to: account")
    type_id: int = Field(description="The organization's id")
    ip: str | None = Field(description="Where this request came from")
    agent: str | None = Field(description="The User-Agent of this request")
    scopes: list[str]
    last_accessed_at: PhpDateTime = Field(description="This request's time on the organization's clock")
    expire_at: Timestamp | None = Field(description="Null: the sandbox's access tokens do not expire")
    created_at: Timestamp | None


class SignedIn(WireShape):
    access_token: str = Field(description="Send it as 'Authorization: Access-Token <token>'")
    account_id: int = Field(description="The organization's id")
    user_id: int
    expire_at: Timestamp | None = Field(description="Null: the sandbox's access tokens do not expire")
    created_at: Timestamp


class SeatConfirmation(WireShape):
    seat_reservation_id: str
    device_id: int | None
    user_id: int | None
    confirmed_at: PhpDateTime


class Reservee(WireShape):
    email: str | None
    user_id: int | None
    visitor_id: int | None
    participation_status: str = Field(examples=["not_responded", "accepted"])


class SeatReservation(WireShape):
    id: str = Field(examples=["2254519933545219475", "96_20260302T140000Z"])
    group_seat_reservation_id: str | None
    seat_id: int
    reserver_id: int | None
    type: str | None = Field(examples=["hoteled", "hot", "assigned", "shared", "reverse_hoteled"])
    title: str | None
    start: EventMoment
    end: EventMoment | None = Field(description="null for a shared reservation (an assignment) with no end")
    recurrence: list[str] | None
    series_id: str | None
    recurrence_id: str | None
    created_at: Timestamp
    updated_at: Timestamp
    reservee: Reservee
    confirmation: SeatConfirmation | None


class Presence(WireShape):
    location_id: int
    space_id: int | None
    user_id: int | None
    device_id: int | None
    last_seen_at: Timestamp
    arrived_at: Timestamp
    expired_at: Timestamp
    session_ttl: int
    session_active: bool
    user: User | None
    device: None


class ErrorEntry(WireShape):
    domain: str = Field(examples=["validation", "scheduling"])
    reason: str = Field(examples=["invalid", "required", "event_conflict", "too_late_to_confirm_event"])
    message: str
    field: Annotated[str | SkipJsonSchema[None], NotNull] = omissible("The offending field, on validation problems")
    details: dict[str, Any]


class Meta(WireShape):
    status_code: int
    status: str = Field(examples=["OK", "CREATED", "BAD_REQUEST", "NOT_FOUND"])
    message: str
    more_info: dict[str, list[str]] = Field(
        description="Each field that did not pass validation, with its messages; empty otherwise",
        examples=[{}, {"start.date_time": ["can't be blank"]}],
    )
    errors: list[ErrorEntry]


class Paging(WireShape):
    page: int
    per_page: int
    has_next_page: bool


class EmptyObject(WireShape):
    """`{}`: the data of an error, or of a withdrawn confirmation."""


class Envelope(WireShape, Generic[Item]):
    meta: Meta
    data: Item


class Collection(WireShape, Generic[Item]):
    meta: Meta
    data: list[Item]
    paging: Paging


class ErrorEnvelope(WireShape):
    meta: Meta
    data: EmptyObject


FAILURES = {
    400: "Invalid input, or a business rule refused the request: meta.errors says which",
    401: "The access token is missing or unknown",
    403: "The access token may not see or change this resource",
    404: "Object does not exist",
    429: "Too many requests: wait the seconds Retry-After gives",
    409: "The requested time conflicts with another reservation of the space or seat, or of the person",
}


def documented(
    success: type[WireShape], status: int = 200, *, conflicts: bool = False, limited: bool = False
) -> dict[int | str, Any]:
    """A route's `responses`: its success envelope, and the error envelope of each failure it can answer."""
    failures = [400, 401, 403, 404] + ([409] if conflicts else []) + ([429] if limited else [])
    responses: dict[int | str, Any] = {status: {"model": success, "description": STATUS_WORDS[status]}}
    for failure in failures:
        responses[failure] = {"model": ErrorEnvelope, "description": FAILURES[failure]}
    return responses
