"""Robin's wire shapes: workplace rows and events as Robin clients read them.

Its length is Robin's resources', one shape each.
"""

import zlib
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sandbox.core.access import Credential
from sandbox.core.assignments import assignment_end, is_assignment
from sandbox.core.availability import Availability, SpaceState
from sandbox.core.desks import Setting
from sandbox.core.occurrences import Slot
from sandbox.core.reservations import ReservationView
from sandbox.core.times import zone as time_zone
from sandbox.robin import ids
from sandbox.store.models import (
    AccessToken,
    Amenity,
    Area,
    Building,
    CheckIn,
    Floor,
    Invitee,
    Organization,
    Presence,
    Reservation,
    ReservationKind,
    Resource,
    ResourceAmenity,
    User,
)

ADMIN_ACCESS_LEVEL = 9001
MEMBER_ACCESS_LEVEL = 1


def timestamp(moment: datetime | None, tz: ZoneInfo | None = None) -> str | None:
    """`2014-05-22T14:49:48+0000`: a numeric offset without a colon, no fractional seconds."""
    if moment is None:
        return None
    return moment.astimezone(tz or UTC).strftime("%Y-%m-%dT%H:%M:%S%z")


def organization(row: Organization) -> dict[str, Any]:
    return {
        "id": row.id,
        "slug": row.slug,
        "name": row.name,
        "avatar": row.avatar,
        "is_organization": True,
        "created_at": timestamp(row.created_at),
        "updated_at": timestamp(row.updated_at),
    }


def location(row: Building) -> dict[str, Any]:
    return {
        "id": row.id,
        "account_id": row.organization_id,
        "campus_id": None,
        "name": row.name,
        "description": row.description,
        "address": row.address,
        "image": row.image,
        "latitude": row.latitude,
        "longitude": row.longitude,
        "time_zone": row.time_zone,
        "created_at": timestamp(row.created_at),
        "updated_at": timestamp(row.updated_at),
    }


def level(row: Floor) -> dict[str, Any]:
    return {
        "id": row.id,
        "location_id": row.building_id,
        "name": row.name,
        "level_number": row.level_number,
        "created_at": timestamp(row.created_at),
        "updated_at": timestamp(row.updated_at),
    }


def user(row: User) -> dict[str, Any]:
    return {
        "id": row.id,
        "name": row.name,
        "given_name": row.given_name,
        "family_name": row.family_name,
        "slug": row.slug,
        "avatar": row.avatar,
        "time_zone": row.time_zone,
        "created_at": timestamp(row.created_at),
        "updated_at": timestamp(row.updated_at),
        "is_pending": row.is_pending,
        "primary_email": {"email": row.email, "is_verified": not row.is_pending},
        "working_hours": None,
        "access_level": ADMIN_ACCESS_LEVEL if row.role == "admin" else MEMBER_ACCESS_LEVEL,
    }


def amenity(row: Amenity) -> dict[str, Any]:
    return {
        "id": row.id,
        "account_id": row.organization_id,
        "name": row.name,
        "created_at": timestamp(row.created_at),
        "updated_at": timestamp(row.updated_at),
    }


def space_amenity(link: ResourceAmenity, kind: Amenity) -> dict[str, Any]:
    return {
        "id": link.id,
        "space_id": link.resource_id,
        "amenity_id": link.amenity_id,
        "name": kind.name,
        "quantity": link.quantity,
        "created_at": timestamp(link.created_at),
        "updated_at": timestamp(link.updated_at),
    }


def calendar(row: Resource) -> dict[str, Any] | None:
    """A space's calendar: the resource calendar its events are on, connected when the space was
    made; no push subscription is modelled."""
    if row.calendar_email is None:
        return None
    return {
        "space_id": row.id,
        "remote_type": "google",
        "calendar_id": row.calendar_email,
        "subscriber_id": None,
        "space_resource_id": f"sandbox-space-{row.id}",
        "space_resource_email": row.calendar_email,
        "subscriber_expires_at": None,
        "created_at": timestamp(row.created_at),
    }


SCHEDULING = "scheduling"
"""The behavior of a space that takes events: clients pick rooms to book by it."""
SEATS = "seats"
"""The behavior of a space that holds desks: clients pick desk areas by it."""


def behaviors(row: Resource, holds_desks: bool) -> list[str]:
    return [name for name, applies in ((SCHEDULING, row.is_reservable), (SEATS, holds_desks)) if applies]


def space(
    row: Resource,
    includes: frozenset[str] = frozenset(),
    amenities: list[tuple[ResourceAmenity, Amenity]] | None = None,
    *,
    holds_desks: bool,
    building: Building | None = None,
    current: SpaceState | None = None,
) -> dict[str, Any]:
    """A space; `includes` names the submodels added, which `amenities`, `building` (for
    `location`) and `current` (for `state`) give."""
    document: dict[str, Any] = {
        "id": row.id,
        "location_id": row.building_id,
        "level_id": row.floor_id,
        "name": row.name,
        "description": row.description,
        "image": row.image,
        "discovery_radius": row.discovery_radius,
        "capacity": row.capacity,
        "type": row.type,
        "last_presence_at": timestamp(row.last_presence_at),
        "is_disabled": row.is_disabled,
        "is_dibsed": False,
        "is_accessible": row.is_accessible,
        "created_at": timestamp(row.created_at),
        "updated_at": timestamp(row.updated_at),
        "behaviors": behaviors(row, holds_desks),
    }
    if "calendar" in includes:
        document["calendar"] = calendar(row)
    if "space_amenities" in includes:
        document["space_amenities"] = [space_amenity(link, kind) for link, kind in amenities or []]
    if "amenities" in includes:
        document["amenities"] = [{**amenity(kind), "quantity": link.quantity} for link, kind in amenities or []]
    if "location" in includes and building is not None:
        document["location"] = location(building)
    if "state" in includes and current is not None:
        document["state"] = state(current)
    return document


def _moment(moment: datetime, tz: ZoneInfo) -> dict[str, Any]:
    return {"date_time": timestamp(moment, tz), "time_zone": tz.key}


def event(view: ReservationView) -> dict[str, Any]:
    reservation = view.reservation
    tz = time_zone(reservation.time_zone, "time_zone")
    identifier = ids.occurrence_id(reservation.id, view.original_start)
    is_instance = view.original_start is not None
    return {
        "id": identifier,
        "organizer_id": reservation.organizer_id,
        "organizer_email": reservation.organizer_email,
        "creator_id": reservation.creator_id,
        "creator_email": reservation.creator_email,
        "space_id": reservation.resource_id,
        "title": reservation.title,
        "description": reservation.description,
        "location": view.resource.name,
        "remote_event_id": reservation.remote_event_id,
        "remote_type": reservation.remote_type,
        "creation_type": reservation.creation_type,
        "uid": reservation.uid,
        "start": _moment(view.start, tz),
        "end": _moment(view.end, tz),
        "started_at": timestamp(view.start, tz),
        "ended_at": timestamp(view.end, tz),
        "series_id": str(reservation.id) if is_instance else None,
        "recurrence_id": ids.recurrence_id(view.original_start) if view.original_start else None,
        "status": view.status,
        "recurrence": None if is_instance else reservation.recurrence,
        "is_all_day": reservation.is_all_day,
        "visibility": reservation.visibility,
        "show_as": reservation.show_as,
        "invitees": [invitee(row, identifier) for row in view.invitees],
        "confirmation": confirmation(view.check_in, identifier) if view.check_in else None,
        "created_at": timestamp(reservation.created_at),
        "updated_at": timestamp(reservation.updated_at),
    }


def invitee(row: Invitee, identifier: str) -> dict[str, Any]:
    return {
        "id": row.id,
        "event_id": identifier,
        "user_id": row.user_id,
        "email": row.email,
        "display_name": row.display_name,
        "response_status": row.response_status,
        "participation_role": "required",
        "is_organizer": row.is_organizer,
        "is_resource": row.is_resource,
        "updated_at": timestamp(row.updated_at),
        "created_at": timestamp(row.created_at),
    }


def confirmation(row: CheckIn, identifier: str) -> dict[str, Any]:
    return {
        "event_id": identifier,
        "user_id": row.user_id,
        "device_id": row.device_id,
        "confirmed_at": timestamp(row.checked_in_at),
    }


def busy_event(slot: Slot) -> dict[str, Any]:
    tz = time_zone(slot.reservation.time_zone, "time_zone")
    return {
        "id": ids.slot_id(slot),
        "series_id": str(slot.reservation.id) if slot.in_series else None,
        "recurrence_id": ids.recurrence_id(slot.original_start),
        "uid": slot.reservation.uid,
        "space_id": slot.reservation.resource_id,
        "start": _moment(slot.start, tz),
        "end": _moment(slot.end, tz),
        "started_at": timestamp(slot.start, tz),
        "ended_at": timestamp(slot.end, tz),
    }


def collision(slot: Slot) -> dict[str, Any]:
    """What a refused booking collides with: an event, or a seat reservation."""
    tz = time_zone(slot.reservation.time_zone, "time_zone")
    seat = slot.reservation.kind == ReservationKind.SEAT
    return {
        "reservation_id" if seat else "event_id": ids.slot_id(slot),
        "series_id": str(slot.reservation.id) if slot.in_series else None,
        "seat_id" if seat else "space_id": slot.reservation.resource_id,
        "start": timestamp(slot.start, tz),
        "end": timestamp(slot.end, tz),
    }


def availability(result: Availability, space_document: dict[str, Any]) -> dict[str, Any]:
    """One space's free/busy; `space_document` is the space as the result shows it (`space`)."""
    return {
        "has_presence": result.has_presence,
        "space": space_document,
        "busy": [
            {
                "from": timestamp(block.start),
                "to": timestamp(block.end),
                "events": [busy_event(slot) for slot in block.slots],
            }
            for block in result.busy
        ],
    }


def state(row: SpaceState) -> dict[str, Any]:
    return {
        "space_id": row.space.id,
        "availability": row.availability,
        "present": row.present,
        "next_busy_change": timestamp(row.next_busy_change),
    }


def zone(row: Area) -> dict[str, Any]:
    return {
        "id": row.id,
        "space_id": row.space_id,
        "name": row.name,
        "type": row.type,
        "created_at": timestamp(row.created_at),
        "updated_at": timestamp(row.updated_at),
    }


def seat_amenity(link: ResourceAmenity, kind: Amenity) -> dict[str, Any]:
    return {
        "id": link.id,
        "seat_id": link.resource_id,
        "amenity_id": link.amenity_id,
        "name": kind.name,
        "quantity": link.quantity,
        "created_at": timestamp(link.created_at),
        "updated_at": timestamp(link.updated_at),
    }


def seat(
    row: Resource,
    amenities: list[tuple[ResourceAmenity, Amenity]] | None = None,
    includes: frozenset[str] = frozenset(),
    space_document: dict[str, Any] | None = None,
    area: Area | None = None,
) -> dict[str, Any]:
    """A desk; with `includes`, its space (`space_document`, as `space` shows it) and its zone."""
    document: dict[str, Any] = {
        "id": row.id,
        "name": row.name,
        "space_id": row.parent_id,
        "zone_id": row.area_id,
        "seat_amenities": [seat_amenity(link, kind) for link, kind in amenities or []],
        "is_reservable": row.is_reservable,
        "is_disabled": row.is_disabled,
        "disabled_at": timestamp(row.disabled_at),
        "created_at": timestamp(row.created_at),
        "updated_at": timestamp(row.updated_at),
    }
    if "space" in includes:
        document["space"] = space_document
    if "zone" in includes:
        document["zone"] = zone(area) if area is not None else None
    return document


def setting(row: Setting) -> dict[str, Any]:
    return {"seat_id": row.seat.id, "slug": row.slug, "value": row.value}


def php_datetime(moment: datetime) -> dict[str, Any]:
    """A serialized PHP DateTime, as the live API sends seat confirmations."""
    return {"date": moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f"), "timezone_type": 3, "timezone": "UTC"}


SCOPES = ["basic_read", "basic_write"]
"""What an access token may do: the sandbox's tokens may do everything their user may."""


def token_info(token: str, credential: Credential, now: datetime, ip: str | None, agent: str | None) -> dict[str, Any]:
    """An access token as `GET /auth` describes it; its id is a number read from the token itself,
    the same on every call."""
    return {
        "id": zlib.crc32(token.encode()) % 10_000_000,
        "name": "",
        "type": "account",
        "type_id": credential.organization.id,
        "ip": ip,
        "agent": agent,
        "scopes": SCOPES,
        "last_accessed_at": php_datetime(now),
        "expire_at": None,
        "created_at": timestamp(credential.issued_at) if credential.issued_at else None,
    }


def signed_in(token: AccessToken) -> dict[str, Any]:
    """A new access token as signing in answers it: the sandbox's tokens never expire."""
    return {
        "access_token": token.token,
        "account_id": token.organization_id,
        "user_id": token.user_id,
        "expire_at": None,
        "created_at": timestamp(token.created_at),
    }


def seat_confirmation(row: CheckIn, identifier: str) -> dict[str, Any]:
    return {
        "seat_reservation_id": identifier,
        "device_id": row.device_id,
        "user_id": row.user_id,
        "confirmed_at": php_datetime(row.checked_in_at),
    }


def seat_reservation(view: ReservationView) -> dict[str, Any]:
    reservation = view.reservation
    tz = time_zone(reservation.time_zone, "time_zone")
    identifier = ids.occurrence_id(reservation.id, view.original_start)
    is_instance = view.original_start is not None
    return {
        "id": identifier,
        "group_seat_reservation_id": None,
        "seat_id": reservation.resource_id,
        "reserver_id": reservation.creator_id,
        "type": reservation.reservation_type,
        "title": reservation.title or None,
        "start": _moment(view.start, tz),
        "end": _assignment_end(reservation, tz) if is_assignment(reservation) and not is_instance else _moment(view.end, tz),
        "recurrence": None if is_instance else reservation.recurrence,
        "series_id": str(reservation.id) if is_instance else None,
        "recurrence_id": ids.recurrence_id(view.original_start) if view.original_start else None,
        "created_at": timestamp(reservation.created_at),
        "updated_at": timestamp(reservation.updated_at),
        "reservee": {
            "email": reservation.organizer_email,
            "user_id": reservation.organizer_id,
            "visitor_id": None,
            "participation_status": "accepted" if view.check_in else "not_responded",
        },
        "confirmation": seat_confirmation(view.check_in, identifier) if view.check_in else None,
    }


def _assignment_end(reservation: Reservation, tz: ZoneInfo) -> dict[str, Any] | None:
    end = assignment_end(reservation)
    return _moment(end, tz) if end is not None else None


def presence(row: Presence, person: User | None) -> dict[str, Any]:
    return {
        "location_id": row.building_id,
        "space_id": row.resource_id,
        "user_id": row.user_id,
        "device_id": row.device_id,
        "last_seen_at": timestamp(row.last_seen_at),
        "arrived_at": timestamp(row.arrived_at),
        "expired_at": timestamp(row.expires_at),
        "session_ttl": row.session_ttl,
        "session_active": True,
        "user": user(person) if person is not None else None,
        "device": None,
    }
