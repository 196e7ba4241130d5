"""Transitions of a reservation: one at a time under its hold."""

import threading
from datetime import timedelta

import pytest
from sqlmodel import Session

from sandbox.core import confirmations, events, reservations
from sandbox.core.access import Actor
from sandbox.core.errors import NotFound, RuleViolation
from sandbox.core.events import EventInput
from sandbox.store.engine import Store
from sandbox.store.models import Reservation, ReservationKind, ReservationStatus
from tests.conftest import NOW, actor_for

ADA = "ada.okafor@meridian.example"
BEN = "ben.carter@meridian.example"
CHLOE = "chloe.martin@meridian.example"
FOCUS_ROOM = 57
SOON = NOW + timedelta(minutes=10)


def book(session: Session, actor: Actor) -> str:
    draft = EventInput(start=SOON, end=SOON + timedelta(hours=1), time_zone="America/New_York")
    return events.create_event(session, actor, FOCUS_ROOM, draft).id


def test_a_transition_waits_for_the_hold_and_sees_what_the_holder_did(shared_store: Store) -> None:
    with shared_store.session(write=True) as session:
        event = book(session, actor_for(session, ADA))
    outcome: list[object] = []

    def confirm_meanwhile() -> None:
        with shared_store.session(write=True) as session:
            try:
                outcome.append(confirmations.confirm_event(session, actor_for(session, ADA), event, None, None))
            except RuleViolation as refusal:
                outcome.append(refusal.reason)

    with shared_store.session(write=True) as holder:
        ada = actor_for(holder, ADA)
        held = reservations.load(holder, ada, int(event), ReservationKind.EVENT, for_change=True)
        reservations.cancel(holder, held, None, NOW)
        rival = threading.Thread(target=confirm_meanwhile)
        rival.start()
        rival.join(timeout=1)  # Long enough for the rival to reach the hold (and, unheld, to confirm).
        holder.commit()

    rival.join(timeout=30)
    # The confirmation came second, and found the event cancelled.
    assert outcome == ["event_cancelled"]


def test_hold_reads_the_reservation_afresh(session: Session) -> None:
    ada = actor_for(session, ADA)
    event = int(book(session, ada))
    reservation = reservations.load(session, ada, event, ReservationKind.EVENT)
    # Cancelled behind the session's back, as by a transaction that committed after this one read it.
    session.connection().exec_driver_sql(f"UPDATE reservation SET status = 'cancelled' WHERE id = {event}")
    assert reservation.status == ReservationStatus.CONFIRMED

    held = reservations.hold(session, reservation)

    assert held is reservation
    assert held.status == ReservationStatus.CANCELLED


def test_hold_of_a_reservation_gone_meanwhile_is_not_found(session: Session) -> None:
    ghost = Reservation(id=999_999, organization_id=1, resource_id=FOCUS_ROOM, building_id=10)

    with pytest.raises(NotFound):
        reservations.hold(session, ghost)
