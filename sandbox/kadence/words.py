"""The core's statuses, refusals, inputs and validation messages in Kadence's words."""

from sandbox.core import buildings
from sandbox.core.errors import FieldProblem, InvalidInput
from sandbox.core.lifecycle import Refusal, Status, TransitionRefused
from sandbox.core.transitions import OPENS_MINUTES

STATUSES = {
    Status.BOOKED: "booked",
    Status.CHECKED_IN: "checkedIn",
    Status.CHECKED_OUT: "checkedOut",
    Status.COMPLETED: "completed",
    Status.CANCELLED: "cancelled",
    Status.RELEASED: "noCheckIn",
}
"""Each status of an occurrence as Kadence names a booking's."""
STATUS_OF = {word: status for status, word in STATUSES.items()}

_NOT_BOOKED = {
    Status.CHECKED_IN: "The booking has already been checked in.",
    Status.CHECKED_OUT: "The booking has already been checked out.",
    Status.COMPLETED: "The booking has already been completed.",
    Status.CANCELLED: "The booking has been cancelled.",
    Status.RELEASED: "The booking was released because nobody checked in.",
}


def refused(refusal: TransitionRefused) -> str:
    """Why a cancel, check-in or check-out was refused, as the booking's status explains it."""
    status = refusal.status
    if refusal.refusal == Refusal.ALREADY_CANCELLED:
        return "The booking has already been cancelled."
    if refusal.refusal == Refusal.ENDED:
        return "The booking has already been completed."
    if refusal.refusal == Refusal.TOO_EARLY:
        return f"Check in opens {OPENS_MINUTES} minutes before the booking starts."
    if refusal.refusal == Refusal.NOT_CHECKED_IN:
        if status == Status.CHECKED_OUT:
            return "The booking has already been checked out."
        return f"Only a checked-in booking can be checked out; this one is {STATUSES[status]}."
    return _NOT_BOOKED.get(status, f"The booking is {STATUSES[status]}.")


PROFILE = {
    "firstName": "given_name",
    "lastName": "family_name",
    "jobTitle": "job_title",
    "biography": "biography",
    "locationTimezone": "time_zone",
    "locationCountryCode": "location_country_code",
    "locationCityName": "location_city",
    "locationLatitude": "location_latitude",
    "locationLongitude": "location_longitude",
}
"""A user's profile fields, as Kadence names them, by the core's names."""

FIELDS = {
    "person": "userId",
    "reservee": "userId",
    "resource": "spaceId",
    "building": "buildingId",
    "start": "startDateTime",
    "end": "endDateTime",
    "invitees": "attendees",
    "email": "emailAddress",
    "photo": "file",
    **{domain: wire for wire, domain in PROFILE.items()},
}
"""Each input the core names, as Kadence's requests name it (a segment of a property path)."""

MESSAGES = {
    "required": "This value should not be blank.",
    "too_long": "This value is too long.",
    "country": "This value is not a valid country.",
    "time_zone": "This value is not a valid timezone.",
    "between": "This value should be between -{limit} and {limit}.",
    "choice": "The value you selected is not a valid choice: {choices}.",
    "not_later": "must be later than {than}",
    "one_place": "Give a spaceId, or a buildingId for an onsite booking.",
    "other_building": "The space is not in this building.",
    "file_too_large": "The file is too large. Allowed maximum size is {limit_mib} MiB.",
}
"""Symfony's validation messages, by the core's reason: what API Platform's violations say."""


def property_path(field: str) -> str:
    """`invitees[0].person` as Kadence names it: `attendees[0].userId`."""
    segments = []
    for segment in field.split("."):
        name, bracket, rest = segment.partition("[")
        segments.append(FIELDS.get(name, name) + bracket + rest)
    return ".".join(segments)


UNAVAILABLE = {
    buildings.BUILDING_CLOSURE: "buildingClosure",
    buildings.BUILDING_CLOSED: "buildingClosed",
    buildings.OPENING_HOURS: "openingHours",
    buildings.NO_CAPACITY: "noCapacity",
    buildings.UNKNOWN: "unknown",
    buildings.BEYOND_HORIZON: "bookingHorizon",
}
"""Why a building can't be booked, as Kadence's `unavailabilityReason` names it."""


def violation(problem: FieldProblem) -> tuple[str, str, str]:
    """A problem of an input as a violation: (propertyPath, message, reason)."""
    message = MESSAGES.get(problem.reason)
    params = dict(problem.params)
    if "than" in params:
        params["than"] = property_path(params["than"])
    if "choices" in params:
        params["choices"] = ", ".join(METHODS.get(choice, choice) for choice in params["choices"])
    said = problem.message if message is None else message.format(**params)
    return property_path(problem.field), said, UNAVAILABLE.get(problem.reason, problem.reason)


METHODS = {"door_access": "doorAccess", "wifi": "wifi", "geofence": "geofence", "sensor": "sensor"}
"""How someone checked in or out, as Kadence names it."""
METHOD_OF = {word: method for method, word in METHODS.items()}


def method_of(word: str | None) -> str | None:
    """The check-in method Kadence's `method` names; one it does not name is refused."""
    if word is None:
        return None
    method = METHOD_OF.get(word)
    if method is None:
        raise InvalidInput.of("method", "is not a check-in method", "choice", choices=tuple(METHODS))
    return method
