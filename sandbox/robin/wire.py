"""Robin's wire shapes: workplace rows and events as Robin clients read them."""

from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sandbox.core.availability import Availability, SpaceState
from sandbox.core.events import EventView, event_id, instance_key, slot_event_id
from sandbox.core.occurrences import Slot
from sandbox.core.times import zone
from sandbox.store.models import (
    Amenity,
    Building,
    CheckIn,
    Floor,
    Invitee,
    Organization,
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
        "id": row.id, "slug": row.slug, "name": row.name, "avatar": row.avatar, "is_organization": True,
        "created_at": timestamp(row.created_at), "updated_at": timestamp(row.updated_at),
    }


def location(row: Building) -> dict[str, Any]:
    return {
        "id": row.id, "account_id": row.organization_id, "campus_id": None, "name": row.name,
        "description": row.description, "address": row.address, "image": row.image,
        "latitude": row.latitude, "longitude": row.longitude, "time_zone": row.time_zone,
        "created_at": timestamp(row.created_at), "updated_at": timestamp(row.updated_at),
    }


def level(row: Floor) -> dict[str, Any]:
    return {
        "id": row.id, "location_id": row.building_id, "name": row.name, "level_number": row.level_number,
        "created_at": timestamp(row.created_at), "updated_at": timestamp(row.updated_at),
    }


def user(row: User) -> dict[str, Any]:
    return {
        "id": row.id, "name": row.name, "given_name": row.given_name, "family_name": row.family_name,
        "slug": row.slug, "avatar": row.avatar, "time_zone": row.time_zone,
        "created_at": timestamp(row.created_at), "updated_at": timestamp(row.updated_at),
        "is_pending": row.is_pending, "primary_email": {"email": row.email, "is_verified": not row.is_pending},
        "working_hours": None,
        "access_level": ADMIN_ACCESS_LEVEL if row.role == "admin" else MEMBER_ACCESS_LEVEL,
    }


def amenity(row: Amenity) -> dict[str, Any]:
    return {
        "id": row.id, "account_id": row.organization_id, "name": row.name,
        "created_at": timestamp(row.created_at), "updated_at": timestamp(row.updated_at),
    }


def space_amenity(link: ResourceAmenity, kind: Amenity) -> dict[str, Any]:
    return {
        "id": link.id, "space_id": link.resource_id, "amenity_id": link.amenity_id, "name": kind.name,
        "quantity": link.quantity, "created_at": timestamp(link.created_at), "updated_at": timestamp(link.updated_at),
    }


def calendar(row: Resource) -> dict[str, Any] | None:
    if row.calendar_email is None:
        return None
    return {
        "space_id": row.id, "remote_type": "google", "calendar_id": row.calendar_email,
        "space_resource_id": f"sandbox-space-{row.id}", "space_resource_email": row.calendar_email,
    }


def space(
    row: Resource, includes: frozenset[str] = frozenset(),
    amenities: list[tuple[ResourceAmenity, Amenity]] | None = None,
) -> dict[str, Any]:
    document: dict[str, Any] = {
        "id": row.id, "location_id": row.building_id, "level_id": row.floor_id, "name": row.name,
        "description": row.description, "image": row.image, "discovery_radius": row.discovery_radius,
        "capacity": row.capacity, "type": row.type, "last_presence_at": timestamp(row.last_presence_at),
        "is_disabled": row.is_disabled, "is_dibsed": False, "is_accessible": row.is_accessible,
        "created_at": timestamp(row.created_at), "updated_at": timestamp(row.updated_at),
        "behaviors": ["bookable"] if row.is_reservable and not row.on_demand else [],
    }
    if "calendar" in includes:
        document["calendar"] = calendar(row)
    if "space_amenities" in includes:
        document["space_amenities"] = [space_amenity(link, kind) for link, kind in amenities or []]
    if "amenities" in includes:
        document["amenities"] = [
            {**amenity(kind), "quantity": link.quantity} for link, kind in amenities or []
        ]
    return document


def _moment(moment: datetime, tz: ZoneInfo) -> dict[str, Any]:
    return {"date_time": timestamp(moment, tz), "time_zone": tz.key}


def event(view: EventView) -> dict[str, Any]:
    reservation = view.reservation
    tz = zone(reservation.time_zone, "time_zone")
    identifier = event_id(view.reservation.id, view.original_start)
    is_instance = view.original_start is not None
    return {
        "id": identifier,
        "organizer_id": reservation.organizer_id, "organizer_email": reservation.organizer_email,
        "creator_id": reservation.creator_id, "creator_email": reservation.creator_email,
        "space_id": reservation.resource_id, "title": reservation.title,
        "description": reservation.description, "location": view.space.name,
        "remote_event_id": reservation.remote_event_id, "remote_type": reservation.remote_type,
        "creation_type": reservation.creation_type, "uid": reservation.uid,
        "start": _moment(view.start, tz), "end": _moment(view.end, tz),
        "started_at": timestamp(view.start, tz), "ended_at": timestamp(view.end, tz),
        "series_id": str(reservation.id) if is_instance else None,
        "recurrence_id": instance_key(view.original_start) if view.original_start else None,
        "status": view.status,
        "recurrence": None if is_instance else reservation.recurrence,
        "is_all_day": reservation.is_all_day, "visibility": reservation.visibility,
        "show_as": reservation.show_as,
        "invitees": [invitee(row, identifier) for row in view.invitees],
        "confirmation": confirmation(view.check_in, identifier) if view.check_in else None,
        "created_at": timestamp(reservation.created_at), "updated_at": timestamp(reservation.updated_at),
    }


def invitee(row: Invitee, identifier: str) -> dict[str, Any]:
    return {
        "id": row.id, "event_id": identifier, "user_id": row.user_id, "email": row.email,
        "display_name": row.display_name, "response_status": row.response_status,
        "participation_role": "required", "is_organizer": row.is_organizer, "is_resource": row.is_resource,
        "updated_at": timestamp(row.updated_at), "created_at": timestamp(row.created_at),
    }


def confirmation(row: CheckIn, identifier: str) -> dict[str, Any]:
    return {
        "event_id": identifier, "user_id": row.user_id, "device_id": row.device_id,
        "confirmed_at": timestamp(row.checked_in_at),
    }


def busy_event(slot: Slot) -> dict[str, Any]:
    tz = zone(slot.reservation.time_zone, "time_zone")
    return {
        "id": slot_event_id(slot),
        "series_id": str(slot.reservation.id) if slot.in_series else None,
        "recurrence_id": instance_key(slot.original_start),
        "uid": slot.reservation.uid, "space_id": slot.reservation.resource_id,
        "start": _moment(slot.start, tz), "end": _moment(slot.end, tz),
        "started_at": timestamp(slot.start, tz), "ended_at": timestamp(slot.end, tz),
    }


def collision(slot: Slot) -> dict[str, Any]:
    tz = zone(slot.reservation.time_zone, "time_zone")
    return {
        "event_id": slot_event_id(slot),
        "series_id": str(slot.reservation.id) if slot.in_series else None,
        "space_id": slot.reservation.resource_id,
        "start": timestamp(slot.start, tz), "end": timestamp(slot.end, tz),
    }


def availability(
    result: Availability, includes: frozenset[str], amenities: list[tuple[ResourceAmenity, Amenity]]
) -> dict[str, Any]:
    return {
        "has_presence": result.has_presence,
        "space": space(result.space, includes | {"calendar"}, amenities),
        "busy": [
            {
                "from": timestamp(block.start), "to": timestamp(block.end),
                "events": [busy_event(slot) for slot in block.slots],
            }
            for block in result.busy
        ],
    }


def state(row: SpaceState) -> dict[str, Any]:
    return {
        "space_id": row.space.id, "availability": row.availability, "present": row.present,
        "next_busy_change": timestamp(row.next_busy_change),
    }
