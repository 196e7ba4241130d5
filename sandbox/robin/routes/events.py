"""Events: booking spaces, reading calendars, cancelling, and check-in (confirmation)."""

from typing import Annotated

from fastapi.responses import JSONResponse

from sandbox.core import confirmations, events
from sandbox.core.lifecycle import Refusal, TransitionRefused
from sandbox.core.paging import Page
from sandbox.core.reservations import ReservationView
from sandbox.robin import wire
from sandbox.robin.deps import ActorDep, PageDep, SessionDep, WindowDep
from sandbox.robin.envelope import respond, respond_page, wire_names
from sandbox.robin.ids import occurrence_key
from sandbox.robin.requests import (
    EventBody,
    EventConfirmationBody,
    EventPatch,
    NewEventBody,
    RowId,
)
from sandbox.robin.schemas import (
    Collection,
    Confirmation,
    EmptyObject,
    Envelope,
    Event,
    documented,
)
from sandbox.routing import declaring

router = declaring(tags=["Robin: events"])

EventId = Annotated[str, "A series or single event id, or an instance id such as 96347456_20190521T143000Z"]


def _events(found: Page[ReservationView]) -> JSONResponse:
    return respond_page(found, [wire.event(view) for view in found.items])


@router.post(
    "/spaces/{space_id}/events",
    status_code=201,
    summary="Book an event in a space",
    responses=documented(Envelope[Event], 201, conflicts=True),
)
def create_space_event(space_id: RowId, body: EventBody, actor: ActorDep, session: SessionDep) -> JSONResponse:
    with wire_names(EventBody.WIRE_NAMES):
        return respond(wire.event(events.create_event(session, actor, space_id, body.to_input())), 201)


@router.post(
    "/events",
    status_code=201,
    summary="Book an event in the space given by space_id",
    responses=documented(Envelope[Event], 201, conflicts=True),
)
def create_event(body: NewEventBody, actor: ActorDep, session: SessionDep) -> JSONResponse:
    with wire_names(EventBody.WIRE_NAMES):
        return respond(wire.event(events.create_event(session, actor, body.space_id, body.to_input())), 201)


@router.get("/events/{event_id}", summary="An event, a series master or one instance", responses=documented(Envelope[Event]))
def get_event(event_id: EventId, actor: ActorDep, session: SessionDep) -> JSONResponse:
    return respond(wire.event(events.get_event(session, actor, occurrence_key(event_id))))


@router.patch(
    "/events/{event_id}",
    summary="Change an event or a whole series; the event sent back whole changes only what differs",
    responses=documented(Envelope[Event], conflicts=True),
)
def update_event(event_id: EventId, patch: EventPatch, actor: ActorDep, session: SessionDep) -> JSONResponse:
    return respond(wire.event(events.update_event(session, actor, occurrence_key(event_id), patch.to_changes())))


@router.delete("/events/{event_id}", summary="Cancel an event, a series, or one instance", responses=documented(Envelope[Event]))
def cancel_event(event_id: EventId, actor: ActorDep, session: SessionDep) -> JSONResponse:
    key = occurrence_key(event_id)
    try:
        return respond(wire.event(events.cancel_event(session, actor, key)))
    except TransitionRefused as refused:
        if refused.refusal != Refusal.ALREADY_CANCELLED:
            raise
    # DELETE is idempotent: an event cancelled (or released) already is answered as it is.
    return respond(wire.event(events.get_event(session, actor, key)))


@router.get(
    "/spaces/{space_id}/events",
    summary="Events in a space, series expanded into instances",
    responses=documented(Collection[Event]),
)
def list_space_events(space_id: RowId, actor: ActorDep, session: SessionDep, page: PageDep, window: WindowDep) -> JSONResponse:
    return _events(events.events_in_space(session, actor, space_id, window, page))


@router.get(
    "/spaces/{space_id}/events/upcoming",
    summary="Events in a space from now on",
    responses=documented(Collection[Event]),
)
def list_upcoming_space_events(space_id: RowId, actor: ActorDep, session: SessionDep, page: PageDep) -> JSONResponse:
    return _events(events.upcoming_in_space(session, actor, space_id, page))


@router.get(
    "/spaces/{space_id}/events/recent",
    summary="Events in a space that have started, within the last 366 days, the latest first",
    responses=documented(Collection[Event]),
)
def list_recent_space_events(space_id: RowId, actor: ActorDep, session: SessionDep, page: PageDep) -> JSONResponse:
    return _events(events.recent_in_space(session, actor, space_id, page))


@router.get(
    "/locations/{location_id}/events",
    summary="Events in the spaces of a location",
    responses=documented(Collection[Event]),
)
def list_location_events(
    location_id: RowId, actor: ActorDep, session: SessionDep, page: PageDep, window: WindowDep
) -> JSONResponse:
    return _events(events.events_in_building(session, actor, location_id, window, page))


@router.get(
    "/users/{user_id}/events",
    summary="Events a user organizes or is invited to",
    responses=documented(Collection[Event]),
)
def list_user_events(user_id: RowId, actor: ActorDep, session: SessionDep, page: PageDep, window: WindowDep) -> JSONResponse:
    return _events(events.events_of_user(session, actor, user_id, window, page))


@router.get(
    "/me/events",
    summary="Events the current user organizes or is invited to",
    responses=documented(Collection[Event]),
)
def list_my_events(actor: ActorDep, session: SessionDep, page: PageDep, window: WindowDep) -> JSONResponse:
    return _events(events.events_of_user(session, actor, actor.user.id or 0, window, page))


@router.get(
    "/me/events/upcoming",
    summary="The current user's events from now on, over the next 366 days",
    responses=documented(Collection[Event]),
)
def list_my_upcoming_events(actor: ActorDep, session: SessionDep, page: PageDep) -> JSONResponse:
    return _events(events.upcoming_of_user(session, actor, actor.user.id or 0, page))


@router.get(
    "/me/events/recent",
    summary="The current user's events that have started, within the last 366 days, the latest first",
    responses=documented(Collection[Event]),
)
def list_my_recent_events(actor: ActorDep, session: SessionDep, page: PageDep) -> JSONResponse:
    return _events(events.recent_of_user(session, actor, actor.user.id or 0, page))


@router.get(
    "/events/{event_id}/confirmation",
    summary="The confirmation (check-in) of an event",
    responses=documented(Envelope[Confirmation]),
)
def get_confirmation(event_id: EventId, actor: ActorDep, session: SessionDep) -> JSONResponse:
    return respond(wire.confirmation(confirmations.get_confirmation(session, actor, occurrence_key(event_id)), event_id))


@router.put(
    "/events/{event_id}/confirmation",
    summary="Confirm (check in to) an event",
    responses=documented(Envelope[Confirmation]),
)
def confirm_event(
    event_id: EventId, actor: ActorDep, session: SessionDep, body: EventConfirmationBody | None = None
) -> JSONResponse:
    key = occurrence_key(event_id)
    body = body or EventConfirmationBody()
    body.require_names(key)
    check_in = confirmations.confirm_event(session, actor, key, body.user_id, body.device_id)
    return respond(wire.confirmation(check_in, event_id))


@router.post(
    "/events/{event_id}/confirmation",
    summary="Confirm (check in to) an event, as PUT does",
    responses=documented(Envelope[Confirmation]),
)
def confirm_event_by_post(
    event_id: EventId, actor: ActorDep, session: SessionDep, body: EventConfirmationBody | None = None
) -> JSONResponse:
    return confirm_event(event_id, actor, session, body)


@router.delete(
    "/events/{event_id}/confirmation",
    summary="Withdraw the confirmation of an event",
    responses=documented(Envelope[EmptyObject]),
)
def delete_confirmation(event_id: EventId, actor: ActorDep, session: SessionDep) -> JSONResponse:
    confirmations.delete_confirmation(session, actor, occurrence_key(event_id))
    return respond({})
