"""The core's statuses and refusals in Kadence's words."""

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
