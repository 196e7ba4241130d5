"""What kind of booking a resource takes, and the release window that applies to it."""

from sqlmodel import Session

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


def release_window(session: Session, resource: Resource) -> int | None:
    """Seconds after its start an unconfirmed booking of `resource` is released: the resource's
    own window (0: never), else its building's window for the booking type, else never."""
    if resource.release_after_s is not None:
        return resource.release_after_s or None
    building = session.get(Building, resource.building_id)
    window = building.release_windows.get(booking_type(resource)) if building else None
    return window or None
