"""Bookings: the collection and its filters, a user's bookings, create, cancel, check in and out."""

from collections.abc import Callable, Sequence
from typing import Any

from fastapi import Request
from fastapi.responses import Response
from sqlmodel import Session

from sandbox.core import booking_queries, bookings, directory, visits
from sandbox.core.access import Actor
from sandbox.core.booking_queries import BookingQuery
from sandbox.core.bookings import Booking
from sandbox.kadence import hydra, ids, schemas, wire, words
from sandbox.kadence.deps import ActorDep
from sandbox.kadence.requests import (
    BookingBody,
    CancelBody,
    TransitionBody,
    booking_query,
    paging,
)
from sandbox.kadence.schemas import (
    BOOKING_PAGING,
    Collection,
    date_filters,
    documented,
    item,
    query,
)
from sandbox.routing import declaring
from sandbox.sessions import SessionDep
from sandbox.store.models import User

router = declaring(tags=["Kadence: bookings"], default_response_class=hydra.LdJsonResponse)

FILTERS = (
    ("id", "ULID of a booking"),
    ("type", "desk, room, pod, private_office, onsite, locker, parking"),
    ("status", "booked, checkedIn, checkedOut, completed, cancelled, noCheckIn"),
    ("buildingId", "ULID of a building"),
    ("floorId", "ULID of a floor"),
    ("neighbourhoodId", "ULID of a neighborhood"),
    ("spaceId", "ULID of a space"),
    ("order[startDate]", "asc or desc"),
    ("order[endDate]", "asc or desc"),
    ("startDate", "Deprecated: YYYY-MM-DD, bookings starting that UTC day or later"),
    ("endDate", "Deprecated: YYYY-MM-DD, bookings ending that UTC day or earlier"),
)
TRANSITION_FAILURES = (400, 401, 403, 404, 406, 415, 422)
READ_FAILURES = (400, 401, 404, 406, 422)
"""A collection of bookings answers 422 too: date filters reaching too many occurrences of a series."""


def _renderer(session: Session, actor: Actor, shown: Sequence[Booking]) -> Callable[[Booking], dict[str, Any]]:
    """How to render each of `shown`, with the people and places they name loaded at once."""
    people = directory.users_by_id(
        session,
        actor,
        (
            value
            for booking in shown
            for value in (
                booking.reservation.creator_id,
                booking.reservation.organizer_id,
                booking.cancelled_by_id,
                booking.check_in.user_id if booking.check_in else None,
                booking.check_in.checked_out_by_id if booking.check_in else None,
            )
        ),
    )
    places = directory.places(session, (booking.resource for booking in shown))
    with_guests = visits.with_guests(session, actor.organization_id, (booking.reservation for booking in shown))
    return lambda booking: wire.booking(booking, people, places, with_guests)


def _one(request: Request, session: Session, actor: Actor, booking: Booking, status: int = 200) -> Response:
    body = _renderer(session, actor, [booking])(booking)
    return hydra.respond(request, hydra.item("Booking", body), status)


def _collection(request: Request, session: Session, actor: Actor, query: BookingQuery) -> Response:
    page, per_page = paging(request.query_params, minimum=0)
    found = booking_queries.list_bookings(session, actor, query, page, per_page)
    return hydra.page(request, "Booking", found, _renderer(session, actor, found.items))


@router.get(
    "/bookings",
    summary="Bookings",
    responses=documented(Collection[schemas.Booking], failures=READ_FAILURES),
    openapi_extra=query(*date_filters("startDateTime", "endDateTime"), *FILTERS, *BOOKING_PAGING),
)
def list_bookings(request: Request, actor: ActorDep, session: SessionDep) -> Response:
    return _collection(request, session, actor, booking_query(request.query_params, actor.now))


@router.get(
    "/users/{user_id}/bookings",
    summary="A user's bookings",
    responses=documented(Collection[schemas.Booking], failures=READ_FAILURES),
    openapi_extra=query(
        *date_filters(
            "startDateTime",
            "endDateTime",
            "cancelledDateTime",
            "checkedInDateTime",
            "checkedOutDateTime",
            "selfCertifiedDateTime",
        ),
        *FILTERS,
        *BOOKING_PAGING,
    ),
)
def list_user_bookings(request: Request, user_id: str, actor: ActorDep, session: SessionDep) -> Response:
    person = directory.by_ulid(session, actor, User, user_id)
    query = booking_query(request.query_params, actor.now, holder_id=person.id, extended=True)
    return _collection(request, session, actor, query)


@router.post(
    "/bookings",
    status_code=201,
    summary="Book a desk or other space (spaceId) or an onsite pass (buildingId)",
    responses=documented(item(schemas.Booking), 201, failures=TRANSITION_FAILURES),
)
def create_booking(request: Request, body: BookingBody, actor: ActorDep, session: SessionDep) -> Response:
    booking = bookings.create_booking(session, actor, body.to_input())
    return _one(request, session, actor, booking, 201)


@router.get("/bookings/{booking_id}", summary="A booking", responses=documented(item(schemas.Booking)))
def get_booking(request: Request, booking_id: str, actor: ActorDep, session: SessionDep) -> Response:
    return _one(request, session, actor, bookings.get_booking(session, actor, ids.keys(booking_id)))


@router.post(
    "/bookings/{booking_id}/cancel",
    status_code=201,
    summary="Cancel a booking, optionally on behalf of a user",
    responses=documented(item(schemas.Booking), 201, failures=TRANSITION_FAILURES),
)
def cancel_booking(
    request: Request, booking_id: str, actor: ActorDep, session: SessionDep, body: CancelBody | None = None
) -> Response:
    booking = bookings.cancel_booking(session, actor, ids.keys(booking_id), (body or CancelBody()).userId)
    return _one(request, session, actor, booking, 201)


@router.post(
    "/bookings/{booking_id}/check-in",
    status_code=201,
    summary="Check in to a booking",
    responses=documented(item(schemas.Booking), 201, failures=TRANSITION_FAILURES),
)
def check_in(
    request: Request, booking_id: str, actor: ActorDep, session: SessionDep, body: TransitionBody | None = None
) -> Response:
    body = body or TransitionBody()
    return _one(
        request,
        session,
        actor,
        bookings.check_in_booking(session, actor, ids.keys(booking_id), body.userId, words.method_of(body.method)),
        201,
    )


@router.post(
    "/bookings/{booking_id}/check-out",
    status_code=201,
    summary="Check out of a booking",
    responses=documented(item(schemas.Booking), 201, failures=TRANSITION_FAILURES),
)
def check_out(
    request: Request, booking_id: str, actor: ActorDep, session: SessionDep, body: TransitionBody | None = None
) -> Response:
    body = body or TransitionBody()
    return _one(
        request,
        session,
        actor,
        bookings.check_out_booking(session, actor, ids.keys(booking_id), body.userId, words.method_of(body.method)),
        201,
    )
