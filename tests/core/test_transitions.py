"""Transitions of a reservation: one at a time under its hold, and who may make them."""

import threading
from datetime import timedelta

import pytest
from sqlmodel import Session

from sandbox.core import confirmations, events, reservations
from sandbox.core.access import Actor
from sandbox.core.errors import Forbidden, InvalidInput, NotFound, RuleViolation
from sandbox.core.events import EventInput
from sandbox.core.keys import OccurrenceKey
from sandbox.store.engine import Store
from sandbox.store.models import Reservation, ReservationKind, ReservationStatus
from tests.conftest import NOW, actor_for
from tests.core.conftest import row_key

ADA = "ada.okafor@meridian.example"
BEN = "ben.carter@meridian.example"
CHLOE = "chloe.martin@meridian.example"
FOCUS_ROOM = 57
SOON = NOW + timedelta(minutes=10)


def book(session: Session, actor: Actor) -> OccurrenceKey:
    draft = EventInput(start=SOON, end=SOON + timedelta(hours=1), time_zone="America/New_York")
    return row_key(events.create_event(session, actor, FOCUS_ROOM, draft).reservation.id)


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
        held = reservations.load(holder, ada, event, ReservationKind.EVENT, for_change=True)
        reservations.cancel(holder, held, None, NOW)
        rival = threading.Thread(target=confirm_meanwhile)
        rival.start()
        rival.join(timeout=1)  # Long enough for the rival to reach the hold (and, unheld, to confirm).
        holder.commit()

    rival.join(timeout=30)
    # The confirmation came second, and found the event cancelled.
    assert outcome == ["cancelled"]


def test_hold_reads_the_reservation_afresh(session: Session) -> None:
    ada = actor_for(session, ADA)
    event = book(session, ada)
    reservation = reservations.load(session, ada, event, ReservationKind.EVENT)
    # Cancelled behind the session's back, as by a transaction that committed after this one read it.
    session.connection().exec_driver_sql(f"UPDATE reservation SET status = 'cancelled' WHERE id = {event.reservation_id}")
    assert reservation.status == ReservationStatus.CONFIRMED

    held = reservations.hold(session, reservation)

    assert held is reservation
    assert held.status == ReservationStatus.CANCELLED


def test_hold_of_a_reservation_gone_meanwhile_is_not_found(session: Session) -> None:
    ghost = Reservation(id=999_999, organization_id=1, resource_id=FOCUS_ROOM, building_id=10)

    with pytest.raises(NotFound):
        reservations.hold(session, ghost)


def test_a_member_may_not_confirm_or_withdraw_the_confirmation_of_someone_elses_event(session: Session) -> None:
    event = book(session, actor_for(session, ADA))
    ben = actor_for(session, BEN)

    with pytest.raises(Forbidden):
        confirmations.confirm_event(session, ben, event, None, None)
    confirmations.confirm_event(session, actor_for(session, ADA), event, None, None)
    with pytest.raises(Forbidden):
        confirmations.delete_confirmation(session, ben, event)
    assert confirmations.get_confirmation(session, ben, event).user_id == actor_for(session, ADA).user.id


def test_a_member_confirms_their_own_event_as_themselves_only(session: Session) -> None:
    ben = actor_for(session, BEN)
    event = book(session, ben)
    chloe = actor_for(session, CHLOE).user

    with pytest.raises(Forbidden):
        confirmations.confirm_event(session, ben, event, chloe.id, None)
    confirmed = confirmations.confirm_event(session, ben, event, ben.user.id, None)

    assert confirmed.user_id == ben.user.id


def test_an_administrator_confirms_anyones_event_as_anyone_of_the_organization(session: Session) -> None:
    event = book(session, actor_for(session, BEN))
    ada = actor_for(session, ADA)
    chloe = actor_for(session, CHLOE).user

    with pytest.raises(InvalidInput):
        confirmations.confirm_event(session, ada, event, 999_999, None)
    confirmed = confirmations.confirm_event(session, ada, event, chloe.id, None)

    assert confirmed.user_id == chloe.id


def test_the_rule_for_changing_is_a_party_or_an_administrator(session: Session) -> None:
    ben = actor_for(session, BEN)
    reservation = Reservation(organizer_id=ben.user.id, creator_id=actor_for(session, ADA).user.id)

    reservations.require_may_change(ben, reservation, "no")
    reservations.require_may_change(actor_for(session, ADA), reservation, "no")
    with pytest.raises(Forbidden, match=r"^no$"):
        reservations.require_may_change(actor_for(session, CHLOE), reservation, "no")
