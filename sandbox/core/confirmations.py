"""Confirmation of one occurrence of an event or a seat reservation: its check-in
(`transitions.check_in`), read and withdrawn. A series is confirmed one instance at a time. Who
may withdraw a confirmation is who may change the reservation (`reservations.require_may_change`).
"""

from sqlmodel import Session

from sandbox.core import events, lifecycle, occurrences, reservations, seats, transitions
from sandbox.core.access import Actor
from sandbox.core.errors import NotFound, Refused, Rule
from sandbox.core.keys import OccurrenceKey
from sandbox.core.reservations import ReservationView
from sandbox.core.workplace import member
from sandbox.store.models import CheckIn

SOURCE = "robin"
"""What a confirmation made through the spaces and seats API records as its source."""
EVENT_FORBIDDEN = "Only the organizer of the event or an administrator may confirm it or withdraw its confirmation"
SEAT_FORBIDDEN = "Only the reservee, the reserver or an administrator may confirm a seat reservation"


def confirm_event(session: Session, actor: Actor, key: OccurrenceKey, user_id: int | None, device_id: int | None) -> CheckIn:
    view = _occurrence(events.get_event(session, actor, key, for_change=True))
    return _confirm(session, actor, view, user_id, device_id, EVENT_FORBIDDEN)


def get_confirmation(session: Session, actor: Actor, key: OccurrenceKey) -> CheckIn:
    return _existing(_occurrence(events.get_event(session, actor, key)))


def delete_confirmation(session: Session, actor: Actor, key: OccurrenceKey) -> None:
    """Withdraw the confirmation of an event's occurrence: its organizer, creator or an
    administrator may."""
    view = _occurrence(events.get_event(session, actor, key, for_change=True))
    reservations.require_may_change(actor, view.reservation, EVENT_FORBIDDEN)
    confirmed = _existing(view)
    release = occurrences.release_time(view.reservation, view.start)
    if release is not None and release <= actor.now and lifecycle.held_release(confirmed, release):
        # Release happened at its time to what was unconfirmed then: this occurrence stays unreleased.
        confirmed.withdrawn_at, confirmed.release_kept = actor.now, True
        session.add(confirmed)
    else:
        session.delete(confirmed)
    session.commit()


def confirm_seat_reservation(
    session: Session, actor: Actor, key: OccurrenceKey, user_id: int | None, device_id: int | None
) -> CheckIn:
    view = _occurrence(seats.get_seat_reservation(session, actor, key, released_too=True, for_change=True))
    return _confirm(session, actor, view, user_id, device_id, SEAT_FORBIDDEN)


def get_seat_confirmation(session: Session, actor: Actor, key: OccurrenceKey) -> CheckIn:
    return _existing(_occurrence(seats.get_seat_reservation(session, actor, key)))


def _confirm(
    session: Session, actor: Actor, view: ReservationView, user_id: int | None, device_id: int | None, forbidden: str
) -> CheckIn:
    """Check in to the occurrence `view` (held for the change) as `user_id`, or as the actor."""
    reservations.require_may_change(actor, view.reservation, forbidden)
    confirmer = actor.user if user_id is None else member(session, actor, user_id, "user_id")
    held = transitions.occurrence(session, view.reservation, view.original_start, actor.now)
    return transitions.check_in(session, actor, held, confirmer, forbidden, source=SOURCE, device_id=device_id)


def _existing(view: ReservationView) -> CheckIn:
    if view.check_in is None:
        raise NotFound("the occurrence has no check-in")
    return view.check_in


def _occurrence(view: ReservationView) -> ReservationView:
    if view.reservation.recurrence is not None and view.original_start is None:
        raise Refused(
            Rule.OCCURRENCE_REQUIRED,
            f"Reservation {view.reservation.id} is a series: check in to one of its occurrences",
            field="reservation",
            series_id=view.reservation.id,
            first_start=view.reservation.start,
            kind=view.reservation.kind,
        )
    return view
