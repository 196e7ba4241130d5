"""Seat (desk) reservations: reserve, list, read, list a series' instances, cancel, confirm, and exclude an
assigned day."""

from typing import Annotated

from fastapi import Query
from fastapi.responses import JSONResponse

from sandbox.core import confirmations, seats
from sandbox.core.seats import SeatReservationQuery
from sandbox.robin import wire
from sandbox.robin.deps import ActorDep, PageDep, SessionDep, WindowDep
from sandbox.robin.envelope import respond, respond_page
from sandbox.robin.ids import occurrence_key
from sandbox.robin.requests import ConfirmationBody, RowId, SeatReservationBody, comma_list, id_list
from sandbox.robin.schemas import (
    Collection,
    EmptyObject,
    Envelope,
    SeatConfirmation,
    SeatReservation,
    documented,
)
from sandbox.routing import declaring

router = declaring(tags=["Robin: seat reservations"])

ReservationId = Annotated[str, "A seat reservation id, or an instance id such as 96_20260302T140000Z"]
Ids = Annotated[list[str], Query(description="Ids, comma-separated or repeated")]


@router.post(
    "/seats/{seat_id}/reservations",
    summary="Reserve a seat (desk); answers 200 as the live API does",
    responses=documented(Envelope[SeatReservation], conflicts=True),
)
def reserve_seat(seat_id: RowId, body: SeatReservationBody, actor: ActorDep, session: SessionDep) -> JSONResponse:
    return respond(wire.seat_reservation(seats.create_seat_reservation(session, actor, seat_id, body.to_input())))


@router.get(
    "/reservations/seats",
    summary="Seat reservations in a window, series expanded",
    responses=documented(Collection[SeatReservation]),
)
def list_seat_reservations(
    actor: ActorDep,
    session: SessionDep,
    page: PageDep,
    window: WindowDep,
    seat_ids: Ids = [],  # noqa: B006 - FastAPI copies a default for each request
    space_ids: Ids = [],  # noqa: B006 - FastAPI copies a default for each request
    level_ids: Ids = [],  # noqa: B006 - FastAPI copies a default for each request
    user_ids: Ids = [],  # noqa: B006 - FastAPI copies a default for each request
    location_ids: Ids = [],  # noqa: B006 - FastAPI copies a default for each request
    zone_ids: Ids = [],  # noqa: B006 - FastAPI copies a default for each request
    types: Annotated[list[str], Query(description="Reservation types, comma-separated or repeated")] = [],  # noqa: B006 - FastAPI copies a default for each request
    include_disabled_seats: Annotated[bool, Query()] = False,
) -> JSONResponse:
    query = SeatReservationQuery(
        seat_ids=id_list("seat_ids", seat_ids) or None,
        space_ids=id_list("space_ids", space_ids) or None,
        level_ids=id_list("level_ids", level_ids) or None,
        user_ids=id_list("user_ids", user_ids) or None,
        location_ids=id_list("location_ids", location_ids) or None,
        zone_ids=id_list("zone_ids", zone_ids) or None,
        types=comma_list(types) or None,
        include_disabled_seats=include_disabled_seats,
    )
    found = seats.list_seat_reservations(session, actor, query, window, page)
    return respond_page(found, [wire.seat_reservation(view) for view in found.items])


@router.get("/reservations/seats/{reservation_id}", summary="A seat reservation", responses=documented(Envelope[SeatReservation]))
def get_seat_reservation(reservation_id: ReservationId, actor: ActorDep, session: SessionDep) -> JSONResponse:
    return respond(wire.seat_reservation(seats.get_seat_reservation(session, actor, occurrence_key(reservation_id))))


@router.get(
    "/reservations/seats/{reservation_id}/instances",
    summary="The instances of a recurring seat reservation in a window; 400 for one that does not recur",
    responses=documented(Collection[SeatReservation]),
)
def list_seat_reservation_instances(
    reservation_id: ReservationId, actor: ActorDep, session: SessionDep, page: PageDep, window: WindowDep
) -> JSONResponse:
    found = seats.seat_reservation_instances(session, actor, occurrence_key(reservation_id), window, page)
    return respond_page(found, [wire.seat_reservation(view) for view in found.items])


@router.delete(
    "/reservations/seats/{reservation_id}",
    summary="Cancel a seat reservation, a series or one instance",
    responses=documented(Envelope[EmptyObject]),
)
def cancel_seat_reservation(reservation_id: ReservationId, actor: ActorDep, session: SessionDep) -> JSONResponse:
    seats.cancel_seat_reservation(session, actor, occurrence_key(reservation_id))
    return respond({})


@router.post(
    "/reservations/seats/{reservation_id}/exclusions",
    summary="Exclude one assigned day (an instance of a shared reservation), freeing it for reverse_hoteled reservations",
    responses=documented(Envelope[SeatReservation]),
)
def exclude_assigned_day(reservation_id: ReservationId, actor: ActorDep, session: SessionDep) -> JSONResponse:
    return respond(wire.seat_reservation(seats.exclude_assigned_day(session, actor, occurrence_key(reservation_id))))


@router.get(
    "/reservations/seats/{reservation_id}/confirmation",
    summary="The confirmation (check-in) of a seat reservation; 404 when unconfirmed",
    responses=documented(Envelope[SeatConfirmation]),
)
def get_seat_confirmation(reservation_id: ReservationId, actor: ActorDep, session: SessionDep) -> JSONResponse:
    check_in = confirmations.get_seat_confirmation(session, actor, occurrence_key(reservation_id))
    return respond(wire.seat_confirmation(check_in, reservation_id))


@router.put(
    "/reservations/seats/{reservation_id}/confirmation",
    summary="Confirm (check in to) a seat reservation",
    responses=documented(Envelope[SeatConfirmation]),
)
def confirm_seat_reservation(
    reservation_id: ReservationId, actor: ActorDep, session: SessionDep, body: ConfirmationBody | None = None
) -> JSONResponse:
    body = body or ConfirmationBody()
    check_in = confirmations.confirm_seat_reservation(
        session, actor, occurrence_key(reservation_id), body.user_id, body.device_id
    )
    return respond(wire.seat_confirmation(check_in, reservation_id))
