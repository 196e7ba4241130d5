"""Kadence's wire shapes as pydantic models, for the OpenAPI document and for tests.

Responses are built as plain dicts by `wire` and `hydra`; these models only describe them,
field for field, and forbid extra fields, so a response that validates against its model
proves the document right.
"""

from typing import Annotated, Any, Generic, TypeVar

from pydantic import BaseModel, ConfigDict, Field, create_model

from sandbox.kadence.requests import OPERATIONS, UTC_DATE_TIME_PATTERN
from sandbox.schema_fields import omissible, without_default

Timestamp = Annotated[
    str,
    Field(pattern=r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\+00:00$", examples=["2017-07-21T17:32:28+00:00"]),
]
Ulid = Annotated[str, Field(pattern=r"^[0-9A-HJKMNP-TV-Z]{26}$", examples=["01GTBV1CT3BM8A42SEJ2J5F4EG"])]
Iri = Annotated[str, Field(pattern=r"^/v1/public/", examples=["/v1/public/users/01GTBV1CT3BM8A42SEJ2J5F4EG"])]
Member = TypeVar("Member")


class WireShape(BaseModel):
    """Built when first used (`defer_build`): by the OpenAPI document or a test, never by a request,
    so the server does not build them as it starts."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True, defer_build=True)


class Node(WireShape):
    """A JSON-LD node: its IRI and its type."""

    node_id: str = Field(alias="@id")
    node_type: str = Field(alias="@type")


class Resource(Node):
    id: Ulid


class BuildingReference(Resource):
    name: str


class FloorReference(Resource):
    name: str


class Neighborhood(Resource):
    name: str


class Building(Resource):
    name: str
    timeZone: str = Field(description="IANA time zone")
    latitude: float | None = omissible("Left out when unknown")
    longitude: float | None = omissible("Left out when unknown")
    addressLine1: str | None = omissible("Left out when unknown")
    addressLine2: str | None
    city: str | None = omissible("Left out when unknown")
    county: str | None
    countryCode: str | None = omissible("ISO 3166-1 alpha-2; left out when unknown")
    photo: str | None = Field(description="Always null in the sandbox")
    createdAt: Timestamp
    modifiedAt: Timestamp


class Floor(Resource):
    name: str
    floorPlanUrl: str = Field(description="An SVG the sandbox draws from the floor's spaces and desks")


class Space(Resource):
    name: str
    type: str = Field(description="desk, room, pod, private_office (booking types)")
    floor: FloorReference | None
    neighborhood: Neighborhood | None
    photo: str | None = Field(description="Always null in the sandbox")


class BookableSpace(Resource):
    name: str
    type: str
    neighborhood: Neighborhood | None


class PreferredFloor(WireShape):
    id: Ulid
    name: str


class User(Resource):
    email: str
    firstName: str
    lastName: str
    jobTitle: str | None
    invitationPending: bool
    preferredFloor: PreferredFloor | None = omissible("Left out when the user has none")
    createdAt: Timestamp
    modifiedAt: Timestamp
    locale: str
    timePreference: str = Field(description="default, 24H or 12H")
    locationCityName: str | None
    locationCountryCode: str | None
    locationLatitude: float | None
    locationLongitude: float | None
    locationTimezone: str
    biography: str | None
    monogram: str


class Booking(Resource):
    createdUserId: Iri | None
    userId: Iri | None
    space: Space | None = Field(description="null for onsite bookings")
    startDate: Timestamp
    endDate: Timestamp
    createdAt: Timestamp
    updatedAt: Timestamp
    checkedInUserId: Iri | None
    checkedInDate: Timestamp | None = omissible("Left out until checked in")
    checkedInSource: str | None = omissible("Left out until checked in")
    checkInMethod: str | None
    checkOutMethod: str | None
    checkedOutUser: Iri | None
    checkedOutDate: Timestamp | None = omissible("Left out until checked out")
    checkOutSource: str | None = omissible("Left out until checked out")
    permanent: bool
    hasGuests: bool = Field(
        description="A guest booking with visitors besides its host, or a room booking inviting someone who is no user"
    )
    guestBooking: bool = Field(description="A visit: the same booking reads at /visits/{id}, with the same id")
    recurringBooking: bool
    selfCertifiedDate: Timestamp | None = omissible("Self-certification is not modelled: always left out")
    selfCertifySource: str | None = omissible("Self-certification is not modelled: always left out")
    source: str | None = Field(description="publicApi, web (the demo fixture) or unknown (the Robin API)")
    autoReleasedDate: Timestamp | None
    cancelledUserId: Iri | None
    bookingUserEmail: str | None
    bookingCreatedByUserEmail: str | None
    cancelledDate: Timestamp | None
    cancellationReason: str | None = Field(description="byUser or autoSpaceRelease")
    title: str | None
    status: str = Field(description="booked, checkedIn, checkedOut, completed, cancelled or noCheckIn")
    type: str
    onlineMeeting: bool | None
    onlineMeetingUrl: str | None
    icalUid: str | None
    building: Iri


class BookableDay(WireShape):
    node_type: str = Field(alias="@type")
    start: Timestamp
    end: Timestamp


class BookableOnsitePass(Node):
    context: str = Field(alias="@context")
    numPassesAvailable: int | None = Field(description="null: the building has no onsite capacity")
    available: bool
    startDateTime: Timestamp
    endDateTime: Timestamp
    unavailabilityReason: str | None = Field(description="buildingClosure, openingHours, buildingClosed or noCapacity")


class Attendee(Resource):
    """A visitor inside a visit: identity and attendance only."""

    displayName: str | None
    firstName: str | None
    lastName: str | None
    email: str
    type: str = Field(description="user or external")
    userId: Iri | None
    status: str = Field(description="none, organizer, tentatively_accepted, accepted, declined or not_responded")
    checkedInDate: Timestamp | None
    checkedOutDate: Timestamp | None
    visitCount: None = Field(description="Always null inside a visit")


class Visitor(Resource):
    """A visitor of the directory, with their visit count and latest visit."""

    displayName: str | None
    firstName: str | None
    lastName: str | None
    email: str
    type: str = Field(description="user or external")
    userId: Iri | None
    status: str = Field(description="Their response to their latest visit")
    checkedInDate: Timestamp | None
    checkedOutDate: Timestamp | None
    visitCount: int
    visitId: Ulid | None
    host: Iri | None
    building: BuildingReference | None
    startDate: Timestamp | None
    endDate: Timestamp | None
    visitStatus: str | None


class Visit(Resource):
    host: Iri | None
    building: BuildingReference
    startDate: Timestamp
    endDate: Timestamp
    status: str
    visitors: list[Attendee] = Field(description="Every attendee, the host (status organizer) included")


class PartialCollectionView(Node):
    first: str | None = Field(default=None, alias="hydra:first", json_schema_extra=without_default)
    last: str | None = Field(default=None, alias="hydra:last", json_schema_extra=without_default)
    previous: str | None = Field(default=None, alias="hydra:previous", json_schema_extra=without_default)
    next: str | None = Field(default=None, alias="hydra:next", json_schema_extra=without_default)


class Collection(WireShape, Generic[Member]):
    context: str = Field(alias="@context")
    node_id: str = Field(alias="@id")
    node_type: str = Field(alias="@type")
    member: list[Member] = Field(alias="hydra:member")
    total: int = Field(alias="hydra:totalItems")
    view: PartialCollectionView | None = Field(
        default=None,
        alias="hydra:view",
        json_schema_extra=without_default,
        description="Left out when there is one page and no query parameters",
    )


_ITEMS: dict[type[WireShape], type[WireShape]] = {}


def item(model: type[WireShape]) -> type[WireShape]:
    """`model` as a top-level item: the same node with its @context."""
    if model not in _ITEMS:
        _ITEMS[model] = create_model(
            f"{model.__name__}Item",
            __base__=model,
            context=(str, Field(alias="@context")),
        )
    return _ITEMS[model]


class Error(WireShape):
    context: str = Field(alias="@context")
    node_type: str = Field(alias="@type")
    title: str = Field(alias="hydra:title")
    description: str = Field(alias="hydra:description")


class Violation(WireShape):
    propertyPath: str
    message: str
    code: str


class ConstraintViolationList(Error):
    violations: list[Violation]


class Token(WireShape):
    token_type: str
    expires_in: int
    access_token: str


class OAuthError(WireShape):
    error: str
    error_description: str
    message: str


FAILURES = {
    400: (
        Error,
        "A malformed request (JSON, date, page, a NUL character in the query), or a booking transition its status refuses",
    ),
    401: (Error, "The bearer token is missing, unknown or expired"),
    403: (Error, "The API client may not do this"),
    404: (Error, "Not Found"),
    406: (Error, "The client accepts neither application/ld+json nor text/csv"),
    415: (Error, "The request body is in a format the operation does not read"),
    422: (ConstraintViolationList, "Validation failed: one violation per field"),
}


def documented(success: Any, status: int = 200, *, failures: tuple[int, ...] = (400, 401, 404, 406)) -> dict[int | str, Any]:
    """A route's `responses`: its success body, and the error body of each failure it can answer."""
    words = {200: "OK", 201: "Created"}
    responses: dict[int | str, Any] = {
        status: {"model": success, "description": words[status], "content": {"text/csv": {"schema": {"type": "string"}}}},
    }
    for failure in failures:
        model, description = FAILURES[failure]
        responses[failure] = {"model": model, "description": description}
    return responses


def query(*parameters: tuple[str, str] | tuple[str, str, bool]) -> dict[str, Any]:
    """`openapi_extra` documenting query parameters the route reads itself: (name, description[, required])."""
    listed = []
    for parameter in parameters:
        name, description, required = (*parameter, False) if len(parameter) == 2 else parameter
        schema = BOUNDS.get((name, description), {"type": "string"})
        if description.startswith(UTC_DATE_TIME):
            schema = {"type": "string", "pattern": UTC_DATE_TIME_PATTERN}
        listed.append({"name": name, "in": "query", "required": required, "description": description, "schema": schema})
    return {"parameters": listed}


UTC_DATE_TIME = "UTC YYYY-MM-DDThh:mm:ss"
"""How a query parameter's description says it takes a date-time, which `query` documents with
its pattern."""
PAGING = (("page", "1-based page number"), ("itemsPerPage", "Items per page, 1 to 500 (more reads as 500), default 50"))
BOOKING_PAGING = (PAGING[0], ("itemsPerPage", "Items per page, 0 to 500 (more reads as 500), default 50"))
BOUNDS = {
    PAGING[0]: {"type": "integer", "minimum": 1, "maximum": 1_000_000},
    PAGING[1]: {"type": "integer", "minimum": 1},
    BOOKING_PAGING[1]: {"type": "integer", "minimum": 0},
}
"""The schema of each paging parameter, as `requests.paging` reads it: more items per page than
its maximum are refused by no one (they read as the maximum), so none is stated."""


FILTER_DATE_TIME = (
    "A date-time as PHP's DateTime reads it, such as YYYY-MM-DDThh:mm:ss "
    "(UTC unless it gives an offset), YYYY-MM-DD, today or @1772460000; a value it can't read leaves the filter out"
)
"""How a date filter's description says what it takes: API Platform's DateFilter reads the
value with PHP's DateTime, and skips the filter when PHP can't."""


def date_filters(*fields: str) -> tuple[tuple[str, str], ...]:
    """Every `field[operation]` and `field[local_operation]` filter of `fields`."""
    return tuple(
        (f"{field}[{local}{operation}]", f"{FILTER_DATE_TIME}{'; read as wall-clock time in the building' if local else ''}")
        for field in fields
        for local in ("", "local_")
        for operation in OPERATIONS
    )
