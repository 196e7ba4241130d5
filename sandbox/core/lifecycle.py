"""The lifecycle of one occurrence of a reservation, the same whichever API reads or changes it:
its status, derived from what is stored and the clock, and which transitions that status allows.

    booked ──check in──► checked_in ──check out──► checked_out
      │  ╲                  │
      │   ╲ (end passes)    └──(end passes)──► completed
      │    ╲──────────────────────────────────► completed
      ├──cancel──► cancelled          (booked or checked in, before its end)
      └──(release window passes unchecked)──► released

A check-in or check-out is a fact from the moment it is dated: one dated after now (a guest
booking's arrivals and departures, which the fixture scripts ahead of the clock, or any check-in
once the clock is set back) has not happened yet (`as_of`).

Each dialect names these statuses in its own words (`robin/wire.py`, `kadence/wire.py`); the
transitions that change them are in `transitions.py`.
"""

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from sandbox.core import occurrences
from sandbox.core.errors import RuleViolation
from sandbox.store.models import CheckIn, OccurrenceException, Reservation, ReservationStatus


class Status(StrEnum):
    """The status of one occurrence."""

    BOOKED = "booked"
    """Holds its time; not checked in, not ended."""
    CHECKED_IN = "checked_in"
    CHECKED_OUT = "checked_out"
    COMPLETED = "completed"
    """Ended without being checked out (checked in or not)."""
    CANCELLED = "cancelled"
    """Cancelled by someone: the whole reservation or this occurrence."""
    RELEASED = "released"
    """Freed automatically: nobody checked in by its release time."""

    @property
    def holds_its_time(self) -> bool:
        return self not in (Status.CANCELLED, Status.RELEASED)


@dataclass(frozen=True)
class Cancellation:
    """Why an occurrence no longer holds its time: cancelled by someone (`by_id`, when known),
    or released automatically because nobody checked in in time."""

    at: datetime | None
    by_id: int | None
    automatic: bool


def cancellation(
    reservation: Reservation,
    start: datetime,
    check_in: CheckIn | None,
    exception: OccurrenceException | None,
    now: datetime,
) -> Cancellation | None:
    """The cancellation of the occurrence of `reservation` starting at `start`, as of `now`: the
    whole reservation's, else this occurrence's (`exception`), else its release if it was not
    checked in when its release time came (`check_in` as stored: `held_release`); None while it holds its time. An
    occurrence of a series cancelled, or released, before the whole series was keeps that story."""
    if reservation.status == ReservationStatus.CANCELLED:
        whole = Cancellation(reservation.cancelled_at, reservation.cancelled_by_id, automatic=False)
        # An occurrence of a series cancelled or released before the whole series keeps its own story.
        own = None if reservation.recurrence is None else _its_own(reservation, start, check_in, exception, now)
        return own if own is not None and _before(own, whole) else whole
    return _its_own(reservation, start, check_in, exception, now)


def _before(first: Cancellation, second: Cancellation) -> bool:
    return first.at is not None and (second.at is None or first.at <= second.at)


def _its_own(
    reservation: Reservation,
    start: datetime,
    check_in: CheckIn | None,
    exception: OccurrenceException | None,
    now: datetime,
) -> Cancellation | None:
    """The occurrence's own cancellation, or its release, whatever became of its reservation."""
    if exception is not None:
        return Cancellation(exception.created_at, exception.cancelled_by_id, automatic=False)
    release = occurrences.release_time(reservation, start)
    if release is not None and release <= now and not held_release(check_in, release):
        return Cancellation(release, None, automatic=True)
    return None


def checked_in_by(check_in: CheckIn | None, moment: datetime) -> bool:
    return check_in is not None and check_in.checked_in_at <= moment and not withdrawn_by(check_in, moment)


def withdrawn_by(check_in: CheckIn | None, moment: datetime) -> bool:
    """Whether the confirmation `check_in` was withdrawn by `moment` (see `CheckIn.withdrawn_at`)."""
    return check_in is not None and check_in.withdrawn_at is not None and check_in.withdrawn_at <= moment


def held_release(check_in: CheckIn | None, release: datetime) -> bool:
    """Whether the occurrence was checked in when its release time came: the stored check-in was
    standing then, or was then and has been withdrawn and made again since."""
    return check_in is not None and (check_in.release_kept or checked_in_by(check_in, release))


def standing(check_in: CheckIn | None) -> CheckIn | None:
    """The stored check-in, unless it was withdrawn: what a confirmation reads as, undated."""
    return None if check_in is None or check_in.withdrawn_at is not None else check_in


def checked_out_by(check_in: CheckIn | None, moment: datetime) -> bool:
    return (
        check_in is not None
        and check_in.checked_out_at is not None
        and check_in.checked_out_at <= moment
        and not withdrawn_by(check_in, moment)
    )


def as_of(check_in: CheckIn | None, now: datetime) -> CheckIn | None:
    """`check_in` as it stands at `now`: None before it is dated, without its check-out before
    that is dated (a copy, never to be stored)."""
    if check_in is None or not checked_in_by(check_in, now):
        return None
    if check_in.checked_out_at is None or checked_out_by(check_in, now):
        return check_in
    return CheckIn(
        reservation_id=check_in.reservation_id,
        original_start=check_in.original_start,
        user_id=check_in.user_id,
        device_id=check_in.device_id,
        checked_in_at=check_in.checked_in_at,
        check_in_source=check_in.check_in_source,
        check_in_method=check_in.check_in_method,
    )


def status_of(end: datetime, cancelled: Cancellation | None, check_in: CheckIn | None, now: datetime) -> Status:
    """The one derivation of an occurrence's status: cancelled or released; else checked out;
    else completed once its end has passed; else checked in or booked. Check-ins and check-outs
    count from the moment they are dated."""
    if cancelled is not None:
        return Status.RELEASED if cancelled.automatic else Status.CANCELLED
    if checked_out_by(check_in, now):
        return Status.CHECKED_OUT
    if now >= end:
        return Status.COMPLETED
    return Status.CHECKED_IN if checked_in_by(check_in, now) else Status.BOOKED


def occurrence_status(
    reservation: Reservation, start: datetime, check_in: CheckIn | None, exception: OccurrenceException | None, now: datetime
) -> tuple[Cancellation | None, CheckIn | None, Status]:
    """The occurrence's cancellation, its check-in as of `now` and its status, from what is stored
    of it (`check_in` as stored, `exception`): what every reader of one occurrence derives."""
    cancelled = cancellation(reservation, start, check_in, exception, now)
    standing = as_of(check_in, now)
    end = start + (reservation.end - reservation.start)
    return cancelled, standing, status_of(end, cancelled, standing, now)


class Refusal(StrEnum):
    """Why a transition is refused."""

    ALREADY_CHECKED_IN = "already_checked_in"
    """Check-in: it has a check-in already (checked out, or ended since, too)."""
    TOO_LATE = "too_late"
    """Check-in: it has ended, or was released."""
    CANCELLED = "cancelled"
    """Check-in: it was cancelled."""
    TOO_EARLY = "too_early"
    """Check-in: it opens CHECK_IN_OPENS before the start."""
    NOT_CHECKED_IN = "not_checked_in"
    """Check-out: only a checked-in occurrence can be checked out."""
    ALREADY_CANCELLED = "already_cancelled"
    """Cancel: it was cancelled or released already."""
    ENDED = "ended"
    """Cancel: it has ended or been checked out."""


class TransitionRefused(RuleViolation):
    """A cancel, check-in or check-out the occurrence's status does not allow. `refusal` says
    why, `status` is the status it was refused in; each dialect words it."""

    code = "transition_refused"

    def __init__(self, refusal: Refusal, status: Status, reservation: Reservation, original_start: datetime | None) -> None:
        super().__init__(refusal.value, _SAID[refusal])
        self.refusal = refusal
        self.status = status
        self.reservation = reservation
        self.original_start = original_start
        """Set for an occurrence of a series."""


_SAID = {
    Refusal.ALREADY_CHECKED_IN: "The occurrence has already been checked in.",
    Refusal.TOO_LATE: "The occurrence has ended or was released.",
    Refusal.CANCELLED: "The occurrence was cancelled.",
    Refusal.TOO_EARLY: "Check-in has not opened yet.",
    Refusal.NOT_CHECKED_IN: "Only a checked-in occurrence can be checked out.",
    Refusal.ALREADY_CANCELLED: "The occurrence has already been cancelled or released.",
    Refusal.ENDED: "The occurrence has ended.",
}


def check_in_refusal(status: Status, check_in: CheckIn | None) -> Refusal | None:
    """Why an occurrence can't be checked in, if it can't (the check-in window aside); `check_in`
    as of now (`as_of`)."""
    if check_in is not None:
        return Refusal.ALREADY_CHECKED_IN
    if status in (Status.COMPLETED, Status.RELEASED):
        return Refusal.TOO_LATE
    if status == Status.CANCELLED:
        return Refusal.CANCELLED
    return None


def check_out_refusal(status: Status) -> Refusal | None:
    return None if status == Status.CHECKED_IN else Refusal.NOT_CHECKED_IN


def cancel_refusal(status: Status, *, after_its_end: bool = False) -> Refusal | None:
    if not status.holds_its_time:
        return Refusal.ALREADY_CANCELLED
    if status in (Status.COMPLETED, Status.CHECKED_OUT) and not after_its_end:
        return Refusal.ENDED
    return None
