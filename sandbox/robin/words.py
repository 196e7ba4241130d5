"""The core's refusals in Robin's words: a reason code, a message and details, worded for an event
or a seat reservation as the live API words each. A refused transition, a request a rule refuses
and a booking that overlaps another are each worded here."""

from datetime import timedelta
from typing import Any

from sandbox.core.errors import Overlap, Overlapping, Refused, Rule
from sandbox.core.lifecycle import Refusal, TransitionRefused
from sandbox.core.recurrence import WEEKDAYS
from sandbox.core.times import parse_duration
from sandbox.core.transitions import OPENS_MINUTES
from sandbox.robin.ids import occurrence_id, slot_id
from sandbox.store.models import ReservationKind

_EVENT = {
    Refusal.ALREADY_CHECKED_IN: ("event_already_confirmed", "The event has already been confirmed"),
    Refusal.TOO_LATE: ("too_late_to_confirm_event", "The event has already ended"),
    Refusal.CANCELLED: ("event_cancelled", "A cancelled event can't be confirmed"),
    Refusal.TOO_EARLY: (
        "too_early_to_confirm_event",
        f"The event can be confirmed from {OPENS_MINUTES} minutes before it starts",
    ),
    Refusal.ALREADY_CANCELLED: ("event_cancelled", "The event has already been cancelled"),
    Refusal.ENDED: ("event_ended", "The event has already ended and can't be cancelled"),
    Refusal.NOT_CHECKED_IN: ("event_not_confirmed", "The event has not been confirmed"),
}
_SEAT = {
    **_EVENT,
    Refusal.ALREADY_CHECKED_IN: ("event_already_confirmed", "Cannot confirm desk with ID `{id}`. Confirmation already exists."),
    Refusal.TOO_LATE: ("too_late_to_confirm_event", "You cannot confirm a seat reservation in the past."),
    Refusal.CANCELLED: ("event_cancelled", "A cancelled seat reservation can't be confirmed"),
    Refusal.TOO_EARLY: (
        "too_early_to_confirm_event",
        f"The seat reservation can be confirmed from {OPENS_MINUTES} minutes before it starts",
    ),
    Refusal.ALREADY_CANCELLED: ("seat_reservation_cancelled", "The seat reservation has already been cancelled"),
    Refusal.ENDED: ("seat_reservation_ended", "You cannot cancel a seat reservation in the past."),
}


def refused(refusal: TransitionRefused) -> tuple[str, str]:
    """The reason code and message of a refused transition."""
    reservation = refusal.reservation
    reason, message = (_SEAT if reservation.kind == ReservationKind.SEAT else _EVENT)[refusal.refusal]
    return reason, message.format(id=occurrence_id(reservation.id, refusal.original_start))


POLICY_VIOLATION = "seat_booking_policy_violation"
"""Robin's reason for any refusal by a desk's policies; `details.policy` names the policy."""


def refused_by_rule(refusal: Refused) -> tuple[str, str, dict[str, Any]]:
    """The reason code, message and details of a request a rule refuses."""
    said = refusal.params
    match refusal.rule:
        case Rule.RESOURCE_DISABLED if said["kind"] == ReservationKind.SEAT:
            return "seat_disabled", f"Seat `{said['resource_id']}` is disabled and can't be reserved", {}
        case Rule.RESOURCE_DISABLED:
            return "space_disabled", f"Space {said['resource_id']} is disabled and can't be booked", {}
        case Rule.RESOURCE_NOT_RESERVABLE if said["kind"] == ReservationKind.SEAT:
            return "seat_not_reservable", f"Seat `{said['resource_id']}` can't be reserved", {}
        case Rule.RESOURCE_NOT_RESERVABLE:
            return "space_not_reservable", f"Space {said['resource_id']} can't be reserved", {}
        case Rule.OCCURRENCE_CHANGED_ALONE:
            series = said["series_id"]
            message = f"An instance of a recurring event can't be changed on its own; change the series {series} instead"
            return "instance_not_editable", message, {}
        case Rule.CANCELLED_UNCHANGEABLE:
            return "event_cancelled", "A cancelled event can't be changed", {}
        case Rule.OCCURRENCE_REQUIRED:
            noun = "Seat reservation" if said["kind"] == ReservationKind.SEAT else "Event"
            first = occurrence_id(said["series_id"], said["first_start"])
            message = f"{noun} {said['series_id']} is a recurring series: confirm one of its instances, such as {first}"
            return "instance_required", message, {}
        case Rule.NOT_AN_ASSIGNED_DAY:
            what = "a whole shared reservation" if said["is_assignment"] else "not a shared reservation"
            named = occurrence_id(said["reservation_id"], said["original_start"])
            message = (
                f"Seat reservation {named} is {what}: an exclusion is made on one instance "
                "of a shared reservation, one assigned day"
            )
            return "exclusion_not_allowed", message, {}
        case Rule.NOT_A_SERIES:
            noun = "Seat reservation" if said["kind"] == ReservationKind.SEAT else "Event"
            if said["original_start"] is not None:
                named = occurrence_id(said["reservation_id"], said["original_start"])
                message = f"{noun} {named} is one instance: list the instances of its series {said['reservation_id']}"
            else:
                message = f"{noun} {said['reservation_id']} is not recurring: only a recurring reservation has instances"
            return "reservation_not_recurring", message, {}
    return POLICY_VIOLATION, *_policy_refusal(refusal)


def _policy_refusal(refusal: Refused) -> tuple[str, dict[str, Any]]:
    """The message and details of a refusal by one of a desk's policies."""
    said = refusal.params
    seat = said.get("desk_id")
    match refusal.rule:
        case Rule.TYPE_NOT_ALLOWED:
            allowed, assignee = said["allowed"], said["assignee"]
            if not allowed and assignee is not None:
                message = f"Seat `{seat}` is assigned to {assignee} and can't be reserved by anyone else."
            elif not allowed:
                message = f"Seat `{seat}` is an assigned desk without an assignee and can't be reserved."
            else:
                kind = said["reservation_type"]
                message = f"Seat `{seat}` takes reservations of type {', '.join(allowed) or 'none'}, not {kind}."
                if kind == "shared":
                    message += " Shared reservations assign the desk: use /seats/:id/publish-shared-schedule."
            return message, {"policy": "seat_reservation_types_allowed", "allowed_types": said["desk_type"]}
        case Rule.LONGER_THAN_ALLOWED:
            longest = said["max_length"]
            message = f"The reservation is too long. Reservations for seat `{seat}` cannot be longer than {_spoken(longest)}."
            return message, {"policy": "seat_reservation_max_length", "max_length": longest}
        case Rule.TOO_FAR_AHEAD:
            threshold = said["threshold"]
            message = (
                f"The reservation is too far in the future. Reservations for seat `{seat}` cannot be more "
                f"than {_spoken(threshold)} in advance."
            )
            return message, {"policy": "advanced_booking_threshold", "booking_threshold": threshold}
        case Rule.NOT_SAME_DAY:
            message = "A hot reservation is made on the day it starts, and ends that same calendar day."
            return message, {"policy": "hot_reservation_same_day"}
        case Rule.NOT_AN_EXCLUDED_DAY:
            day = said["day"]
            message = (
                f"Seat `{seat}` takes reverse_hoteled reservations only on days excluded from its shared "
                f"reservations: {day.isoformat()} ({WEEKDAYS[day.weekday()]}) is not one of them."
            )
            return message, {"policy": "reverse_hoteled_on_exclusions", "day": day.isoformat()}
        case Rule.NOT_SHARED:
            message = (
                f"Seat `{seat}` is not a shared desk: only a desk of type "
                '["assigned", "shared"] or ["hoteled", "shared"] has a shared schedule'
            )
            return message, {"policy": "shared_desk_schedule"}
    return refusal.message, {}


def overlapping(conflict: Overlapping) -> tuple[str, str]:
    """The reason code and message of a booking refused for what it overlaps."""
    said, existing = conflict.params, conflict.collision
    if conflict.overlap == Overlap.HOLDER_BUSY:
        message = (
            f"{said['holder']} already holds seat `{existing.reservation.resource_id}` at that time "
            f"(reservation {slot_id(existing)})"
        )
        return "reservee_already_seated", message
    if said["kind"] == ReservationKind.SEAT:
        message = f"Seat `{said['resource_id']}` is already reserved at that time (reservation {slot_id(existing)})"
        return "seat_reservation_conflict", message
    return "event_conflict", f"The requested time conflicts with event {slot_id(existing)} in space {said['resource_id']}"


def _spoken(duration: str) -> str:
    """P14D → "14 days"; other durations as written."""
    length = parse_duration(duration, "duration")
    if length % timedelta(days=1) == timedelta(0):
        days = length // timedelta(days=1)
        return f"{days} day{'s' if days != 1 else ''}"
    if length % timedelta(hours=1) == timedelta(0):
        hours = length // timedelta(hours=1)
        return f"{hours} hour{'s' if hours != 1 else ''}"
    return duration


def field_reason(reason: str) -> str:
    """A field problem's reason as Robin's validation errors give it: an interval whose end does
    not come after its start is `invalid`, as any other value that breaks a rule."""
    return "invalid" if reason == "not_later" else reason
