"""Kadence's resources as JSON-LD: identifiers are ULID strings, relations IRIs or small embedded
objects, dates UTC with a +00:00 offset."""

from collections.abc import Mapping
from collections.abc import Set as AbstractSet
from typing import Any

from sandbox.core.assignments import is_assignment
from sandbox.core.bookings import ROOM_TYPES, Booking
from sandbox.core.buildings import OnsitePass
from sandbox.core.directory import Places
from sandbox.core.space_types import booking_type
from sandbox.core.visits import Attendance, VisitorView, VisitView
from sandbox.kadence import ids
from sandbox.kadence.hydra import iri, timestamp
from sandbox.kadence.words import METHODS, STATUSES, UNAVAILABLE
from sandbox.store.models import (
    Area,
    Building,
    Floor,
    ReservationKind,
    Resource,
    User,
    Visitor,
)


def method(value: str | None) -> str | None:
    return None if value is None else METHODS.get(value, value)


def cancellation_reason(booking: Booking) -> str | None:
    """byUser, or autoSpaceRelease for a booking released because nobody checked in."""
    if booking.cancellation is None:
        return None
    return "autoSpaceRelease" if booking.cancellation.automatic else "byUser"


SOURCES = {"kadence": "publicApi", "fixture": "web"}
"""How Kadence names where a booking was made; bookings made through the Robin API are 'unknown'."""


def source(value: str | None) -> str | None:
    return None if value is None else SOURCES.get(value, "unknown")


def without_nulls(body: dict[str, Any], *fields: str) -> dict[str, Any]:
    """`body` without those of `fields` that are null: fields Kadence types as never null are left
    out when they have no value, as API Platform leaves out null values."""
    return {key: value for key, value in body.items() if value is not None or key not in fields}


BUILDING_NEVER_NULL = ("latitude", "longitude", "addressLine1", "city", "countryCode")
BOOKING_NEVER_NULL = (
    "checkedInDate",
    "checkedInSource",
    "checkedOutDate",
    "checkOutSource",
    "selfCertifiedDate",
    "selfCertifySource",
)


def building(row: Building) -> dict[str, Any]:
    return without_nulls(
        {
            "@id": iri("buildings", row.ulid),
            "@type": "Building",
            "id": row.ulid,
            "name": row.name,
            "timeZone": row.time_zone,
            "latitude": row.latitude,
            "longitude": row.longitude,
            "addressLine1": row.address_line1,
            "addressLine2": row.address_line2,
            "city": row.city,
            "county": row.county,
            "countryCode": row.country_code,
            "photo": None,
            "createdAt": timestamp(row.created_at),
            "modifiedAt": timestamp(row.updated_at),
        },
        *BUILDING_NEVER_NULL,
    )


def _reference(collection: str, kind: str, row: Area | Building | Floor) -> dict[str, Any]:
    """A related resource embedded by its IRI, type, id and name."""
    return {"@id": iri(collection, row.ulid), "@type": kind, "id": row.ulid, "name": row.name}


def building_reference(row: Building) -> dict[str, Any]:
    return _reference("buildings", "Building", row)


def floor_reference(row: Floor) -> dict[str, Any]:
    return _reference("floors", "Floor", row)


def neighborhood(row: Area) -> dict[str, Any]:
    return _reference("neighborhoods", "Neighborhood", row)


def floor(row: Floor, plan_url: str) -> dict[str, Any]:
    """`plan_url`: the absolute URL of the floor's plan."""
    return {**floor_reference(row), "floorPlanUrl": plan_url}


def space(row: Resource, places: Places) -> dict[str, Any]:
    """`places`: the floors and areas of the spaces being shown."""
    on_floor, area = places.floors.get(row.floor_id or 0), places.areas.get(row.area_id or 0)
    return {
        "@id": iri("spaces", row.ulid),
        "@type": "Space",
        "id": row.ulid,
        "name": row.name,
        "type": booking_type(row),
        "floor": floor_reference(on_floor) if on_floor else None,
        "neighborhood": neighborhood(area) if area else None,
        "photo": None,
    }


def bookable_space(row: Resource, areas: Mapping[int, Area]) -> dict[str, Any]:
    """`areas`: the areas of the spaces being shown, by id. Its IRI is the one the document
    gives a bookable space, which names no path that serves it."""
    area = areas.get(row.area_id or 0)
    return {
        "@id": iri("bookable-space", row.ulid),
        "@type": "BookableSpace",
        "id": row.ulid,
        "name": row.name,
        "type": booking_type(row),
        "neighborhood": neighborhood(area) if area else None,
    }


def user(row: User, floors: Mapping[int, Floor]) -> dict[str, Any]:
    """`floors`: the preferred floors of the users being shown, by id."""
    preferred = floors.get(row.preferred_floor_id or 0)
    first, last = row.given_name or "", row.family_name or ""
    return without_nulls(
        {
            "@id": iri("users", row.ulid),
            "@type": "User",
            "id": row.ulid,
            "email": row.email,
            "firstName": first,
            "lastName": last,
            "jobTitle": row.job_title,
            "invitationPending": row.is_pending,
            "preferredFloor": {"id": preferred.ulid, "name": preferred.name} if preferred else None,
            "createdAt": timestamp(row.created_at),
            "modifiedAt": timestamp(row.updated_at),
            "locale": row.locale,
            "timePreference": row.time_preference,
            "locationCityName": row.location_city,
            "locationCountryCode": row.location_country_code,
            "locationLatitude": row.location_latitude,
            "locationLongitude": row.location_longitude,
            "locationTimezone": row.time_zone,
            "biography": row.biography,
            "monogram": ((first[:1] + last[:1]) or row.email[:2]).upper(),
        },
        "preferredFloor",
    )


def booking(value: Booking, people: Mapping[int, User], places: Places, with_guests: AbstractSet[int]) -> dict[str, Any]:
    """`people` and `places`: the users, floors and areas of the bookings being shown;
    `with_guests`: the ids of their reservations that have guests (`visits.with_guests`)."""
    reservation, check_in = value.reservation, value.check_in

    def person(user_id: int | None) -> str | None:
        found = people.get(user_id or 0)
        return iri("users", found.ulid) if found else None

    resource = value.resource
    return without_nulls(
        {
            "@id": iri("bookings", ids.of(value)),
            "@type": "Booking",
            "id": ids.of(value),
            "createdUserId": person(reservation.creator_id),
            "userId": person(reservation.organizer_id),
            "space": None if value.type == "onsite" else space(resource, places),
            "startDate": timestamp(value.start),
            "endDate": timestamp(value.end),
            "createdAt": timestamp(reservation.created_at),
            "updatedAt": timestamp(reservation.updated_at),
            "checkedInUserId": person(check_in.user_id) if check_in else None,
            "checkedInDate": timestamp(check_in.checked_in_at) if check_in else None,
            "checkedInSource": source(check_in.check_in_source) if check_in else None,
            "checkInMethod": method(check_in.check_in_method) if check_in else None,
            "checkOutMethod": method(check_in.check_out_method) if check_in else None,
            "checkedOutUser": person(check_in.checked_out_by_id) if check_in else None,
            "checkedOutDate": timestamp(check_in.checked_out_at) if check_in else None,
            "checkOutSource": source(check_in.check_out_source) if check_in else None,
            "permanent": is_assignment(reservation),
            "hasGuests": (reservation.id or 0) in with_guests,
            "guestBooking": reservation.kind == ReservationKind.GUEST,
            "recurringBooking": reservation.recurrence is not None,
            "selfCertifiedDate": None,
            "selfCertifySource": None,
            "source": source(reservation.source),
            "autoReleasedDate": timestamp(value.auto_released_at),
            "cancelledUserId": person(value.cancelled_by_id),
            "bookingUserEmail": reservation.organizer_email,
            "bookingCreatedByUserEmail": reservation.creator_email,
            "cancelledDate": timestamp(value.cancelled_at),
            "cancellationReason": cancellation_reason(value),
            "title": (reservation.title or None) if value.type in ROOM_TYPES else None,
            "status": STATUSES[value.status],
            "type": value.type,
            "onlineMeeting": None,
            "onlineMeetingUrl": None,
            "icalUid": None,
            "building": iri("buildings", value.building.ulid),
        },
        *BOOKING_NEVER_NULL,
    )


def bookable_day(start: Any, end: Any) -> dict[str, Any]:
    return {"@type": "BookableDay", "start": timestamp(start), "end": timestamp(end)}


def onsite_pass(value: OnsitePass, path: str) -> dict[str, Any]:
    return {
        "@id": path,
        "@type": "BookableOnsitePass",
        "numPassesAvailable": value.available_passes,
        "available": value.available,
        "startDateTime": timestamp(value.start),
        "endDateTime": timestamp(value.end),
        "unavailabilityReason": UNAVAILABLE.get(value.unavailability_reason or "", value.unavailability_reason),
    }


def _visitor_core(visitor: Visitor, account: User | None, attendance: Attendance | None) -> dict[str, Any]:
    """The fields a visitor shows both in the directory and inside a visit."""
    names = " ".join(part for part in (visitor.first_name, visitor.last_name) if part) or None
    return {
        "@id": iri("visitors", visitor.ulid),
        "@type": "Visitor",
        "id": visitor.ulid,
        "displayName": names,
        "firstName": visitor.first_name,
        "lastName": visitor.last_name,
        "email": visitor.email,
        "type": "user" if visitor.user_id else "external",
        "userId": iri("users", account.ulid) if account else None,
        "status": attendance.response if attendance else "none",
        "checkedInDate": timestamp(attendance.checked_in_at) if attendance else None,
        "checkedOutDate": timestamp(attendance.checked_out_at) if attendance else None,
    }


def visitor(value: VisitorView) -> dict[str, Any]:
    """A visitor of the directory: with their visit count and their latest visit."""
    latest = value.latest
    return {
        **_visitor_core(value.visitor, value.user, value.attendance),
        "visitCount": value.visit_count,
        "visitId": ids.of(latest.booking) if latest else None,
        "host": iri("users", latest.host.ulid) if latest and latest.host else None,
        "building": building_reference(latest.building) if latest else None,
        "startDate": timestamp(latest.booking.start) if latest else None,
        "endDate": timestamp(latest.booking.end) if latest else None,
        "visitStatus": STATUSES[latest.status] if latest else None,
    }


def visit(value: VisitView) -> dict[str, Any]:
    """A visit (a guest booking seen through the visits lens: its id, times and status are the
    booking's) with every attendee, host included, without the directory's fields."""
    return {
        "@id": iri("visits", ids.of(value.booking)),
        "@type": "Visit",
        "id": ids.of(value.booking),
        "host": iri("users", value.host.ulid) if value.host else None,
        "building": building_reference(value.building),
        "startDate": timestamp(value.booking.start),
        "endDate": timestamp(value.booking.end),
        "status": STATUSES[value.status],
        "visitors": [{**_visitor_core(item.visitor, item.user, item), "visitCount": None} for item in value.attendances],
    }
