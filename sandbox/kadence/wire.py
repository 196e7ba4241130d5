"""Kadence's resources as JSON-LD: identifiers are ULID strings, relations IRIs or small embedded
objects, dates UTC with a +00:00 offset."""

from typing import Any

from sqlmodel import Session

from sandbox.core.bookings import Booking
from sandbox.core.buildings import OnsitePass
from sandbox.core.visits import Attendance, VisitorView, VisitView
from sandbox.kadence.hydra import iri, timestamp
from sandbox.store.models import (
    Area,
    Building,
    Floor,
    Resource,
    User,
    Visitor,
)

SOURCES = {"publicApi": "publicApi", "fixture": "web"}
"""How Kadence names where a booking was made; bookings made through the Robin API are 'unknown'."""


def source(value: str | None) -> str | None:
    return None if value is None else SOURCES.get(value, "unknown")


def without_nulls(body: dict[str, Any], *fields: str) -> dict[str, Any]:
    """`body` without those of `fields` that are null: fields Kadence types as never null are left
    out when they have no value, as API Platform leaves out null values."""
    return {key: value for key, value in body.items() if value is not None or key not in fields}


BUILDING_NEVER_NULL = ("latitude", "longitude", "addressLine1", "city", "countryCode")
BOOKING_NEVER_NULL = (
    "checkedInDate", "checkedInSource", "checkedOutDate", "checkOutSource", "selfCertifiedDate", "selfCertifySource",
)


def building(row: Building) -> dict[str, Any]:
    return without_nulls({
        "@id": iri("buildings", row.ulid), "@type": "Building", "id": row.ulid, "name": row.name,
        "timeZone": row.time_zone, "latitude": row.latitude, "longitude": row.longitude,
        "addressLine1": row.address_line1, "addressLine2": row.address_line2, "city": row.city,
        "county": row.county, "countryCode": row.country_code, "photo": None,
        "createdAt": timestamp(row.created_at), "modifiedAt": timestamp(row.updated_at),
    }, *BUILDING_NEVER_NULL)


def building_reference(row: Building | None) -> dict[str, Any] | None:
    if row is None:
        return None
    return {"@id": iri("buildings", row.ulid), "@type": "Building", "id": row.ulid, "name": row.name}


def floor(row: Floor, base_url: str) -> dict[str, Any]:
    """`base_url`: where the sandbox is reached, for the absolute floor plan URL."""
    return {
        "@id": iri("floors", row.ulid), "@type": "Floor", "id": row.ulid, "name": row.name,
        "floorPlanUrl": f"{base_url.rstrip('/')}/_sandbox/floor-plans/{row.ulid}.svg",
    }


def floor_reference(row: Floor | None) -> dict[str, Any] | None:
    if row is None:
        return None
    return {"@id": iri("floors", row.ulid), "@type": "Floor", "id": row.ulid, "name": row.name}


def neighborhood(row: Area | None) -> dict[str, Any] | None:
    if row is None:
        return None
    return {"@id": iri("neighborhoods", row.ulid), "@type": "Neighborhood", "id": row.ulid, "name": row.name}


def space(session: Session, row: Resource, kind: str) -> dict[str, Any]:
    return {
        "@id": iri("spaces", row.ulid), "@type": "Space", "id": row.ulid, "name": row.name, "type": kind,
        "floor": floor_reference(session.get(Floor, row.floor_id) if row.floor_id else None),
        "neighborhood": neighborhood(session.get(Area, row.area_id) if row.area_id else None),
        "photo": None,
    }


def bookable_space(session: Session, row: Resource, kind: str) -> dict[str, Any]:
    return {
        "@id": iri("spaces", row.ulid), "@type": "BookableSpace", "id": row.ulid, "name": row.name, "type": kind,
        "neighborhood": neighborhood(session.get(Area, row.area_id) if row.area_id else None),
    }


def user(session: Session, row: User) -> dict[str, Any]:
    preferred = session.get(Floor, row.preferred_floor_id) if row.preferred_floor_id else None
    first, last = row.given_name or "", row.family_name or ""
    return without_nulls({
        "@id": iri("users", row.ulid), "@type": "User", "id": row.ulid, "email": row.email,
        "firstName": first, "lastName": last, "jobTitle": row.job_title, "invitationPending": row.is_pending,
        "preferredFloor": {"id": preferred.ulid, "name": preferred.name} if preferred else None,
        "createdAt": timestamp(row.created_at), "modifiedAt": timestamp(row.updated_at),
        "locale": row.locale, "timePreference": row.time_preference,
        "locationCityName": row.location_city, "locationCountryCode": row.location_country_code,
        "locationLatitude": row.location_latitude, "locationLongitude": row.location_longitude,
        "locationTimezone": row.time_zone, "biography": row.biography,
        "monogram": ((first[:1] + last[:1]) or row.email[:2]).upper(),
    }, "preferredFloor")


def booking(session: Session, value: Booking, users: dict[int, User]) -> dict[str, Any]:
    reservation, check_in = value.reservation, value.check_in

    def person(user_id: int | None) -> str | None:
        found = users.get(user_id or 0) or (session.get(User, user_id) if user_id else None)
        return iri("users", found.ulid) if found else None

    resource = value.resource
    return without_nulls({
        "@id": iri("bookings", value.id), "@type": "Booking", "id": value.id,
        "createdUserId": person(reservation.creator_id), "userId": person(reservation.organizer_id),
        "space": None if value.type == "onsite" else space(session, resource, value.type),
        "startDate": timestamp(value.start), "endDate": timestamp(value.end),
        "createdAt": timestamp(reservation.created_at), "updatedAt": timestamp(reservation.updated_at),
        "checkedInUserId": person(check_in.user_id) if check_in else None,
        "checkedInDate": timestamp(check_in.checked_in_at) if check_in else None,
        "checkedInSource": source(check_in.check_in_source) if check_in else None,
        "checkInMethod": check_in.check_in_method if check_in else None,
        "checkOutMethod": check_in.check_out_method if check_in else None,
        "checkedOutUser": person(check_in.checked_out_by_id) if check_in and check_in.checked_out_by_id else None,
        "checkedOutDate": timestamp(check_in.checked_out_at) if check_in else None,
        "checkOutSource": source(check_in.check_out_source) if check_in else None,
        "permanent": False, "hasGuests": False, "guestBooking": False,
        "recurringBooking": reservation.recurrence is not None,
        "selfCertifiedDate": None, "selfCertifySource": None,
        "source": source(reservation.source), "autoReleasedDate": timestamp(value.auto_released_at),
        "cancelledUserId": person(value.cancelled_by_id),
        "bookingUserEmail": reservation.organizer_email, "bookingCreatedByUserEmail": reservation.creator_email,
        "cancelledDate": timestamp(value.cancelled_at), "cancellationReason": value.cancellation_reason,
        "title": (reservation.title or None) if value.type in ("room", "pod", "private_office") else None,
        "status": value.status, "type": value.type,
        "onlineMeeting": None, "onlineMeetingUrl": None, "icalUid": None,
        "building": iri("buildings", value.building.ulid),
    }, *BOOKING_NEVER_NULL)


def bookable_day(start: Any, end: Any) -> dict[str, Any]:
    return {"@type": "BookableDay", "start": timestamp(start), "end": timestamp(end)}


def onsite_pass(value: OnsitePass, path: str) -> dict[str, Any]:
    return {
        "@context": "/v1/contexts/BookableOnsitePass", "@id": path, "@type": "BookableOnsitePass",
        "numPassesAvailable": value.available_passes, "available": value.available,
        "startDateTime": timestamp(value.start), "endDateTime": timestamp(value.end),
        "unavailabilityReason": value.unavailability_reason,
    }


def _visitor_core(visitor: Visitor, attendance: Attendance | None, people: dict[int, User]) -> dict[str, Any]:
    """The fields a visitor shows both in the directory and inside a visit."""
    names = " ".join(part for part in (visitor.first_name, visitor.last_name) if part) or None
    return {
        "@id": iri("visitors", visitor.ulid), "@type": "Visitor", "id": visitor.ulid,
        "displayName": names, "firstName": visitor.first_name, "lastName": visitor.last_name, "email": visitor.email,
        "type": "user" if visitor.user_id else "external",
        "userId": iri("users", people[visitor.user_id].ulid) if visitor.user_id in people else None,
        "status": attendance.response if attendance else "none",
        "checkedInDate": timestamp(attendance.checked_in_at) if attendance else None,
        "checkedOutDate": timestamp(attendance.checked_out_at) if attendance else None,
    }


def visitor(value: VisitorView, people: dict[int, User]) -> dict[str, Any]:
    """A visitor of the directory: with their visit count and their latest visit."""
    latest = value.latest
    return {
        **_visitor_core(value.visitor, value.attendance, people), "visitCount": value.visit_count,
        "visitId": latest.visit.ulid if latest else None,
        "host": iri("users", latest.host.ulid) if latest and latest.host else None,
        "building": building_reference(latest.building) if latest else None,
        "startDate": timestamp(latest.visit.start) if latest else None,
        "endDate": timestamp(latest.visit.end) if latest else None,
        "visitStatus": latest.status if latest else None,
    }


def visit(value: VisitView, people: dict[int, User]) -> dict[str, Any]:
    """A visit with every attendee, host included, without the directory's fields."""
    return {
        "@id": iri("visits", value.visit.ulid), "@type": "Visit", "id": value.visit.ulid,
        "host": iri("users", value.host.ulid) if value.host else None,
        "building": building_reference(value.building),
        "startDate": timestamp(value.visit.start), "endDate": timestamp(value.visit.end), "status": value.status,
        "visitors": [
            {**_visitor_core(item.visitor, item, people), "visitCount": None} for item in value.attendances
        ],
    }
