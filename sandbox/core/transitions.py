"""The transitions of one occurrence, whichever API asks for them: cancel, check in, check out.

Each is one function. It takes the occurrence read afresh with its reservation held
(`occurrence(..., held=True)`, see `reservations.hold`), so that of concurrent transitions of one
occurrence exactly one takes effect and the others are refused by the status it left. Who may:
an administrator, or a party to the reservation (`reservations.require_may_change`); only an
administrator acts for someone else. What the status allows: `lifecycle`.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlmodel import Session

from sandbox.core import reservations
from sandbox.core.access import Actor
from sandbox.core.errors import Forbidden
from sandbox.core.lifecycle import (
    Cancellation,
    Refusal,
    Status,
    TransitionRefused,
    cancel_refusal,
    check_in_refusal,
    check_out_refusal,
    occurrence_status,
)
from sandbox.store.models import CheckIn, Reservation, User

CHECK_IN_OPENS = timedelta(minutes=15)
OPENS_MINUTES = int(CHECK_IN_OPENS.total_seconds() // 60)


def opens_at(start: datetime) -> datetime:
    """When check-in opens for an occurrence starting at `start`."""
    return start - CHECK_IN_OPENS


@dataclass(frozen=True)
class Occurrence:
    """One occurrence of a reservation with the facts its status is derived from, as of `now`."""

    reservation: Reservation
    original_start: datetime | None
    """Set for an occurrence of a series; None for a single reservation."""
    start: datetime
    end: datetime
    check_in: CheckIn | None
    """Its check-in as of now (`lifecycle.as_of`)."""
    cancellation: Cancellation | None
    status: Status
    recorded: CheckIn | None = None
    """Its stored check-in, which may be dated after now (a guest booking's arrivals to come)."""


def occurrence(
    session: Session, reservation: Reservation, original_start: datetime | None, now: datetime, *, held: bool = False
) -> Occurrence:
    """The occurrence of `reservation` at `original_start` (its only one when None); `held`: the
    reservation held for a transition first. An instance id that names no occurrence is not found."""
    if held:
        reservation = reservations.hold(session, reservation)
    if original_start is not None:
        reservations.require_instance(reservation, original_start)
    start = original_start or reservation.start
    end = start + (reservation.end - reservation.start)
    recorded = reservations.check_ins_of(session, [reservation.id or 0]).get((reservation.id or 0, start))
    exception = None if original_start is None else reservations.occurrence_exception(session, reservation, start)
    cancelled, check_in, status = occurrence_status(reservation, start, recorded, exception, now)
    return Occurrence(reservation, original_start, start, end, check_in, cancelled, status, recorded)


def _refuse(refusal: Refusal | None, held: Occurrence) -> None:
    if refusal is not None:
        raise TransitionRefused(refusal, held.status, held.reservation, held.original_start)


def require_acting_for(actor: Actor, person: User) -> None:
    """Only an administrator (or an integration) acts for someone else."""
    if not actor.is_admin and person.id != actor.user.id:
        raise Forbidden("A member may act only for themselves")


def cancel(
    session: Session, actor: Actor, held: Occurrence, canceller: User, forbidden: str, *, after_its_end: bool = False
) -> None:
    """Cancel the held occurrence as `canceller` (the actor, or someone an administrator names),
    who must be allowed to change it (Forbidden, saying `forbidden`). One cancelled or released
    already is refused; so is one that has ended, unless `after_its_end` (a calendar's event may
    be deleted once it is over). Committed."""
    as_canceller = actor if canceller.id == actor.user.id else Actor(canceller, actor.organization, actor.now)
    reservations.require_may_change(as_canceller, held.reservation, forbidden)
    _refuse(cancel_refusal(held.status, after_its_end=after_its_end), held)
    reservations.cancel(session, held.reservation, held.original_start, actor.now, by_id=canceller.id)
    session.commit()


def cancel_series(session: Session, actor: Actor, reservation: Reservation, forbidden: str) -> None:
    """Cancel a whole reservation, every occurrence of a series at once, as the actor; a series
    already cancelled stays as it is. Committed."""
    reservations.require_may_change(actor, reservation, forbidden)
    reservations.cancel(session, reservation, None, actor.now, by_id=actor.user.id)
    session.commit()


def check_in(
    session: Session,
    actor: Actor,
    held: Occurrence,
    person: User,
    forbidden: str,
    *,
    source: str,
    method: str | None = None,
    device_id: int | None = None,
) -> CheckIn:
    """Check `person` in to the held occurrence: from CHECK_IN_OPENS before its start, while it is
    booked. Who may is who may change the reservation (Forbidden, saying `forbidden`). A check-in
    stored for later (a guest's arrival to come) is brought forward to now, keeping the check-out
    it is to have; one withdrawn is made again, keeping only that it held the release time.
    Committed."""
    reservations.require_may_change(actor, held.reservation, forbidden)
    require_acting_for(actor, person)
    _refuse(check_in_refusal(held.status, held.check_in), held)
    if actor.now < opens_at(held.start):
        _refuse(Refusal.TOO_EARLY, held)
    check_in = held.recorded or CheckIn(reservation_id=held.reservation.id or 0, original_start=held.start)
    if check_in.withdrawn_at is not None:
        check_in.withdrawn_at = check_in.checked_out_at = check_in.checked_out_by_id = None
        check_in.check_out_source = check_in.check_out_method = None
    check_in.user_id = person.id
    check_in.device_id = device_id
    check_in.checked_in_at = actor.now
    check_in.check_in_source = source
    check_in.check_in_method = method
    session.add(check_in)
    session.commit()
    return check_in


def check_out(
    session: Session, actor: Actor, held: Occurrence, person: User, *, source: str, method: str | None = None
) -> CheckIn:
    """Check `person` out of the held occurrence, which must be checked in: now, whatever
    check-out was stored for later. Committed."""
    require_acting_for(actor, person)
    _refuse(check_out_refusal(held.status), held)
    check_in = held.recorded
    assert check_in is not None
    check_in.checked_out_at = actor.now
    check_in.checked_out_by_id = person.id
    check_in.check_out_source = source
    check_in.check_out_method = method
    session.add(check_in)
    session.commit()
    return check_in
