"""What kind of booking a resource takes, and the release window that applies to it."""

from typing import Any

from sqlalchemy import false, or_
from sqlmodel import Session, col

from sandbox.store.models import Building, Resource, ResourceKind

BOOKING_TYPES = ("desk", "private_office", "room", "onsite", "locker", "pod", "parking")
_SPACE_BOOKING_TYPES = {"office": "private_office", "call": "pod"}


def booking_type(resource: Resource) -> str:
    """desk, onsite, or for a space by its type: private_office (office), pod (call), else room."""
    if resource.kind == ResourceKind.DESK:
        return "desk"
    if resource.kind == ResourceKind.ONSITE:
        return "onsite"
    return _SPACE_BOOKING_TYPES.get(resource.type or "", "room")


def of_booking_type(kind: str) -> Any:
    """The condition on a resource that `booking_type` gives `kind`, for the store to test."""
    if kind == "desk":
        return col(Resource.kind) == ResourceKind.DESK
    if kind == "onsite":
        return col(Resource.kind) == ResourceKind.ONSITE
    space = col(Resource.kind) == ResourceKind.SPACE
    named = [space_type for space_type, typed in _SPACE_BOOKING_TYPES.items() if typed == kind]
    if kind == "room":
        return space & or_(col(Resource.type).is_(None), col(Resource.type).not_in(_SPACE_BOOKING_TYPES))
    return space & col(Resource.type).in_(named) if named else false()


def release_window(session: Session, resource: Resource) -> int | None:
    """Seconds after its start an unconfirmed booking of `resource` is released: the resource's
    own window (0: never), else its building's window for the booking type, else never."""
    if resource.release_after_s is not None:
        return resource.release_after_s or None
    building = session.get(Building, resource.building_id)
    window = building.release_windows.get(booking_type(resource)) if building else None
    return window or None
