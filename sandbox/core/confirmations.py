"""Confirmation (check-in) of one occurrence of a reservation: an event or a seat reservation.

It opens CHECK_IN_OPENS before the occurrence starts and closes when it ends; a series is
confirmed one instance at a time. Who may confirm, or withdraw a confirmation, is who may change
the reservation (`reservations.require_may_change`); only an administrator confirms as someone
else.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlmodel import Session

from sandbox.core import events, reservations, seats
from sandbox.core.access import Actor
from sandbox.core.errors import NotFound, RuleViolation
from sandbox.core.reservations import ReservationView, occurrence_id
from sandbox.store.models import CheckIn, Reservation, ReservationStatus, User

CHECK_IN_OPENS = timedelta(minutes=15)
OPENS_MINUTES = int(CHECK_IN_OPENS.total_seconds() // 60)


def opens_at(start: datetime) -> datetime:
    """When check-in opens for an occurrence starting at `start`."""
    return start - CHECK_IN_OPENS


def record(
    session: Session,
    reservation: Reservation,
    start: datetime,
    user: User,
    now: datetime,
    *,
    device_id: int | None = None,
    source: str = "robin",
    method: str | None = None,
) -> CheckIn:
    """Store the check-in of the occurrence of `reservation` starting at `start` (committed)."""
    check_in = CheckIn(
        reservation_id=reservation.id or 0,
        original_start=start,
        user_id=user.id,
        device_id=device_id,
        checked_in_at=now,
        check_in_source=source,
        check_in_method=method,
    )
    session.add(check_in)
    session.commit()
    return check_in


@dataclass(frozen=True)
class Wording:
    noun: str
    already_confirmed: str
    too_late: str
    forbidden: str


EVENT = Wording(
    "event",
    "The event has already been confirmed",
    "The event has already ended",
    "Only the organizer of the event or an administrator may confirm it or withdraw its confirmation",
)
# As the live API words its refusals to confirm a desk.
SEAT = Wording(
    "seat reservation",
    "Cannot confirm desk with ID `{id}`. Confirmation already exists.",
    "You cannot confirm a seat reservation in the past.",
    "Only the reservee, the reserver or an administrator may confirm a seat reservation",
)


def confirm_event(session: Session, actor: Actor, reference: str, user_id: int | None, device_id: int | None) -> CheckIn:
    view = _occurrence(events.get_event(session, actor, reference, for_change=True), EVENT)
    return _confirm(session, actor, view, user_id, device_id, EVENT)


def get_confirmation(session: Session, actor: Actor, reference: str) -> CheckIn:
    return _existing(_occurrence(events.get_event(session, actor, reference), EVENT))


def delete_confirmation(session: Session, actor: Actor, reference: str) -> None:
    """Withdraw the confirmation of an event's occurrence: its organizer, creator or an
    administrator may."""
    view = _occurrence(events.get_event(session, actor, reference, for_change=True), EVENT)
    reservations.require_may_change(actor, view.reservation, EVENT.forbidden)
    session.delete(_existing(view))
    session.commit()


def confirm_seat_reservation(
    session: Session, actor: Actor, reference: str, user_id: int | None, device_id: int | None
) -> CheckIn:
    view = _occurrence(seats.get_seat_reservation(session, actor, reference, released_too=True, for_change=True), SEAT)
    return _confirm(session, actor, view, user_id, device_id, SEAT)


def _confirm(
    session: Session, actor: Actor, view: ReservationView, user_id: int | None, device_id: int | None, wording: Wording
) -> CheckIn:
    """Confirm the occurrence `view` (held for the change) as `user_id`, or as the actor. Who may
    is who may change the reservation; only an administrator may confirm as someone else."""
    reservations.require_may_change(actor, view.reservation, wording.forbidden)
    confirmer = reservations.acting_for(session, actor, user_id, "user_id")
    if view.check_in is not None:
        raise RuleViolation("event_already_confirmed", wording.already_confirmed.format(id=view.id))
    released = reservations.released_at(view)
    if actor.now >= view.end or (released is not None and released <= actor.now):
        raise RuleViolation("too_late_to_confirm_event", wording.too_late)
    if view.status == ReservationStatus.CANCELLED:
        raise RuleViolation("event_cancelled", f"A cancelled {wording.noun} can't be confirmed")
    if actor.now < opens_at(view.start):
        raise RuleViolation(
            "too_early_to_confirm_event",
            f"The {wording.noun} can be confirmed from {OPENS_MINUTES} minutes before it starts",
        )
    return record(session, view.reservation, view.original_start or view.start, confirmer, actor.now, device_id=device_id)


def _existing(view: ReservationView) -> CheckIn:
    if view.check_in is None:
        raise NotFound("the occurrence has no check-in")
    return view.check_in


def _occurrence(view: ReservationView, wording: Wording) -> ReservationView:
    if view.reservation.recurrence is not None and view.original_start is None:
        raise RuleViolation(
            "instance_required",
            f"{wording.noun.capitalize()} {view.reservation.id} is a recurring series: confirm one of its "
            f"instances, such as {occurrence_id(view.reservation.id, view.reservation.start)}",
        )
    return view
