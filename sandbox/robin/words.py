"""The core's refusals of a transition in Robin's words: a reason code and a message, worded for
an event or a seat reservation as the live API words each."""

from sandbox.core.lifecycle import Refusal, TransitionRefused
from sandbox.core.reservations import occurrence_id
from sandbox.core.transitions import OPENS_MINUTES
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
