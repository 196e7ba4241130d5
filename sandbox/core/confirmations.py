"""Confirmation (check-in) of an occurrence: opens shortly before it starts, closes at its end."""

from datetime import timedelta

from sqlmodel import Session

from sandbox.core.access import Actor
from sandbox.core.errors import InvalidInput, NotFound, RuleViolation
from sandbox.core.events import EventView, event_id, get_event
from sandbox.store.models import CheckIn, ReservationStatus, User

CHECK_IN_OPENS = timedelta(minutes=15)


def confirm_event(
    session: Session, actor: Actor, reference: str, user_id: int | None, device_id: int | None
) -> CheckIn:
    view = _occurrence_view(session, actor, reference)
    if view.status == ReservationStatus.CANCELLED:
        raise RuleViolation("event_cancelled", "A cancelled event can't be confirmed")
    if view.check_in is not None:
        raise RuleViolation("event_already_confirmed", "The event has already been confirmed")
    if actor.now < view.start - CHECK_IN_OPENS:
        raise RuleViolation(
            "too_early_to_confirm_event",
            f"The event can be confirmed from {int(CHECK_IN_OPENS.total_seconds() // 60)} minutes before it starts",
        )
    if actor.now >= view.end:
        raise RuleViolation("too_late_to_confirm_event", "The event has already ended")
    confirmer = actor.user
    if user_id is not None:
        found = session.get(User, user_id)
        if found is None or found.organization_id != actor.organization_id:
            raise InvalidInput.of("user_id", f"no user {user_id} in this organization")
        confirmer = found
    check_in = CheckIn(
        reservation_id=view.reservation.id or 0, original_start=view.original_start or view.start,
        user_id=confirmer.id, device_id=device_id, checked_in_at=actor.now,
    )
    session.add(check_in)
    session.commit()
    return check_in


def get_confirmation(session: Session, actor: Actor, reference: str) -> CheckIn:
    view = _occurrence_view(session, actor, reference)
    if view.check_in is None:
        raise NotFound("Object does not exist")
    return view.check_in


def delete_confirmation(session: Session, actor: Actor, reference: str) -> None:
    check_in = get_confirmation(session, actor, reference)
    session.delete(check_in)
    session.commit()


def _occurrence_view(session: Session, actor: Actor, reference: str) -> EventView:
    view = get_event(session, actor, reference)
    if view.reservation.recurrence is not None and view.original_start is None:
        raise RuleViolation(
            "instance_required",
            f"Event {view.reservation.id} is a recurring series: confirm one of its instances, "
            f"such as {event_id(view.reservation.id, view.reservation.start)}",
        )
    return view
