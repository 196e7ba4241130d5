"""Pages of bookings read from the store (the occurrence index, cancelled reservations and
occurrences, series expanded past their indexed range) hold what reading every booking in reach
holds: the same bookings, statuses, order and totals."""

from dataclasses import replace
from datetime import datetime, timedelta

import pytest
from sqlmodel import Session

from sandbox.core import booking_queries, bookings, events, occurrences
from sandbox.core.booking_queries import BookingQuery, TimeCondition
from sandbox.core.bookings import Booking
from sandbox.core.events import EventChanges, EventInput
from sandbox.core.lifecycle import Status
from sandbox.core.paging import Counted
from sandbox.store.models import Reservation
from tests.conftest import NOW
from tests.core.conftest import key_of, row_key
from tests.core.test_bookings import BEN, CHLOE, EMMA, HOUR, MINUTE, START, at, book_desk, named, person

DAY = timedelta(days=1)


def series(session: Session, room: str, start: datetime, rule: str) -> Reservation:
    made = events.create_event(
        session,
        at(session, NOW),
        named(session, room).id or 0,
        EventInput(start=start, end=start + HOUR, time_zone="America/New_York", title="Series", recurrence=[rule]),
    )
    return made.reservation


@pytest.fixture
def busy_month(session: Session) -> dict[str, int]:
    """Series of every kind the store holds differently beside single bookings in every status:
    a daily series with one occurrence cancelled and one checked in, a weekly series cancelled
    whole, a series without end (indexed for a year, expanded past it); desks booked, checked in
    and out, released and cancelled."""
    daily = series(session, "Focus Room", START, "RRULE:FREQ=DAILY;COUNT=6")
    bookings.cancel_booking(session, at(session, NOW), key_of(daily, START + DAY), None)
    bookings.check_in_booking(session, at(session, START), key_of(daily, START), person(session, BEN).ulid, "wifi")
    cancelled = series(session, "Phone Booth 1A", START + 2 * HOUR, "RRULE:FREQ=WEEKLY;COUNT=4")
    events.cancel_event(session, at(session, NOW), row_key(cancelled.id))
    endless = series(session, "Phone Booth 1A", START + 4 * HOUR, "RRULE:FREQ=WEEKLY")
    checked = book_desk(session, email=CHLOE, desk="A-03")
    bookings.check_in_booking(session, at(session, START), checked.key, person(session, CHLOE).ulid, "wifi")
    out = book_desk(session, email=EMMA, desk="A-04", start=START + DAY, end=START + DAY + HOUR)
    bookings.check_in_booking(session, at(session, START + DAY), out.key, person(session, EMMA).ulid, "wifi")
    bookings.check_out_booking(session, at(session, START + DAY + MINUTE), out.key, person(session, EMMA).ulid, "sensor")
    book_desk(session)  # released half an hour after START, nobody having checked in
    dropped = book_desk(session, email=BEN, desk="A-05", start=START + 2 * DAY, end=START + 2 * DAY + HOUR)
    bookings.cancel_booking(session, at(session, NOW), dropped.key, None)
    return {"daily": daily.id or 0, "cancelled": cancelled.id or 0, "endless": endless.id or 0}


def after(moment: datetime) -> TimeCondition:
    return TimeCondition("start", "after", moment)


QUERIES = [
    BookingQuery(),
    *(BookingQuery(statuses=frozenset({status})) for status in Status),
    BookingQuery(statuses=frozenset({Status.BOOKED, Status.CHECKED_IN})),
    BookingQuery(statuses=frozenset()),
    BookingQuery(conditions=(after(START),)),
    BookingQuery(
        conditions=(TimeCondition("end", "strictly_after", START + DAY), TimeCondition("end", "before", START + 5 * DAY))
    ),
    BookingQuery(order=(("endDate", "desc"), ("startDate", "asc"))),
    BookingQuery(statuses=frozenset({Status.CANCELLED}), order=(("endDate", "desc"),)),
    BookingQuery(type="room", statuses=frozenset({Status.CANCELLED, Status.COMPLETED})),
    BookingQuery(type="desk", conditions=(after(START - DAY), TimeCondition("start", "strictly_before", START + DAY))),
    # A start filter's bound is exclusive or inclusive to the microsecond: bookings start at each.
    BookingQuery(conditions=(TimeCondition("start", "strictly_after", START), TimeCondition("start", "before", START + 2 * DAY))),
    BookingQuery(conditions=(after(START), TimeCondition("start", "strictly_before", START + 2 * DAY))),
    # Past the endless series' indexed range.
    BookingQuery(conditions=(after(START + 300 * DAY), TimeCondition("start", "before", START + 500 * DAY))),
    BookingQuery(statuses=frozenset({Status.BOOKED}), conditions=(after(START + 360 * DAY),), order=(("startDate", "desc"),)),
]


def pages(session: Session, moment: datetime, query: BookingQuery, size: int) -> list[Counted[Booking]]:
    """Every page of `size`, through the first empty one."""
    read = [booking_queries.list_bookings(session, at(session, moment), query, 1, size)]
    while read[-1].items:
        read.append(booking_queries.list_bookings(session, at(session, moment), query, len(read) + 1, size))
    return read


def shown(bookings_read: list[Booking]) -> list[tuple[str, str, datetime, datetime]]:
    return [(booking.key, booking.status, booking.start, booking.end) for booking in bookings_read]


@pytest.mark.usefixtures("busy_month")
@pytest.mark.parametrize("later", [90 * MINUTE, 3 * DAY + 5 * HOUR], ids=["that-morning", "days-later"])
@pytest.mark.parametrize("query", QUERIES, ids=range(len(QUERIES)))
def test_pages_of_series_read_from_the_store_hold_what_pages_read_whole_do(
    session: Session, query: BookingQuery, later: timedelta, monkeypatch: pytest.MonkeyPatch
) -> None:
    moment = START + later
    read = {size: pages(session, moment, query, size) for size in (23, 0)}
    monkeypatch.setattr(booking_queries, "_filters_stored_facts", lambda _query: False)
    whole = booking_queries.list_bookings(session, at(session, moment), query, 1, 100_000)

    for size, read_pages in read.items():
        assert {page.total for page in read_pages} == {whole.total}
        assert shown([booking for page in read_pages for booking in page.items]) == (shown(whole.items) if size else [])


@pytest.mark.usefixtures("busy_month")
def test_pages_show_bookings_in_every_status_and_past_the_indexed_range(session: Session) -> None:
    """What the comparison above is made over: bookings of each status, and occurrences of a
    series the occurrence index does not hold."""
    listed = [
        booking
        for later in (90 * MINUTE, 3 * DAY + 5 * HOUR)
        for booking in booking_queries.list_bookings(session, at(session, START + later), BookingQuery(), 1, 100_000).items
    ]

    far = booking_queries.list_bookings(session, at(session, START), QUERIES[-2], 1, 100_000).items

    assert {booking.status for booking in listed} == set(Status)
    assert any(booking.start >= booking.reservation.indexed_until for booking in far)


def test_pages_expand_no_series_the_index_holds(
    session: Session, busy_month: dict[str, int], monkeypatch: pytest.MonkeyPatch
) -> None:
    expanded: list[int] = []
    series_of = occurrences.series_of

    def counting(reservation):  # type: ignore[no-untyped-def]  # stands in for series_of
        expanded.append(reservation.id)
        return series_of(reservation)

    monkeypatch.setattr(occurrences, "series_of", counting)
    query = BookingQuery(conditions=(after(START),))
    page = booking_queries.list_bookings(session, at(session, START), query, 1, 3)

    assert page.total > 3
    assert set(expanded) <= {busy_month["cancelled"], busy_month["endless"]}


def test_a_rescheduled_series_keeps_no_cancellation_of_a_start_it_no_longer_has(
    session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    daily = series(session, "Focus Room", START, "RRULE:FREQ=DAILY;COUNT=6")
    bookings.cancel_booking(session, at(session, NOW), key_of(daily, START + DAY), None)
    events.update_event(session, at(session, NOW), row_key(daily.id), EventChanges({"recurrence": ["RRULE:FREQ=WEEKLY;COUNT=2"]}))
    query = BookingQuery(space_id=named(session, "Focus Room").ulid)

    read = booking_queries.list_bookings(session, at(session, NOW), query, 1, 10)
    monkeypatch.setattr(booking_queries, "_filters_stored_facts", lambda _query: False)
    whole = booking_queries.list_bookings(session, at(session, NOW), query, 1, 10)

    in_series = [(booking.start, booking.status) for booking in read.items if booking.reservation.id == daily.id]
    # A week later New York is on daylight time: 10:00 there is an hour earlier in UTC.
    assert in_series == [(START, Status.BOOKED), (START + 7 * DAY - HOUR, Status.BOOKED)]
    assert (read.total, shown(read.items)) == (whole.total, shown(whole.items))


def test_pages_hold_no_occurrence_the_index_holds_past_their_reach(session: Session, monkeypatch: pytest.MonkeyPatch) -> None:
    """A series starting after it is made is indexed a year past its start, beyond a list's
    default reach of a year past now: what starts past the reach is listed by neither way."""
    later = series(session, "Phone Booth 1A", START + 4 * HOUR + 30 * DAY, "RRULE:FREQ=WEEKLY")
    query = BookingQuery(space_id=named(session, "Phone Booth 1A").ulid)

    read = pages(session, NOW, query, 20)
    monkeypatch.setattr(booking_queries, "_filters_stored_facts", lambda _query: False)
    whole = booking_queries.list_bookings(session, at(session, NOW), query, 1, 100_000)

    assert later.indexed_until > NOW + booking_queries.DEFAULT_REACH
    assert {page.total for page in read} == {whole.total}
    assert shown([booking for page in read for booking in page.items]) == shown(whole.items)
    assert max(booking.start for booking in whole.items) < NOW + booking_queries.DEFAULT_REACH


def test_a_booking_longer_than_the_rest_is_listed_while_it_reaches_the_window(
    session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The index is read from the organization's longest booking before the window on: a booking
    that began that long before it is still in it, cancelled or not."""
    room = named(session, "Focus Room").id or 0
    draft = EventInput(start=START - 3 * DAY, end=START + HOUR, time_zone="America/New_York", title="Offsite")
    long = events.create_event(session, at(session, NOW), room, draft).reservation
    dropped = events.create_event(session, at(session, NOW), room, replace(draft, start=START + DAY, end=START + 4 * DAY))
    events.cancel_event(session, at(session, NOW), row_key(dropped.reservation.id))
    query = BookingQuery(conditions=(TimeCondition("end", "strictly_after", START + 2 * DAY),))

    queries = [query, BookingQuery(conditions=(TimeCondition("end", "strictly_after", START),))]

    read = [booking_queries.list_bookings(session, at(session, NOW), query, 1, 100_000) for query in queries]
    monkeypatch.setattr(booking_queries, "_filters_stored_facts", lambda _query: False)
    whole = [booking_queries.list_bookings(session, at(session, NOW), query, 1, 100_000) for query in queries]

    assert occurrences.Scope(long.organization_id).longest(session) > 3 * DAY
    assert dropped.reservation.id in {booking.reservation.id for booking in read[0].items}
    assert long.id in {booking.reservation.id for booking in read[1].items}
    assert [(page.total, shown(page.items)) for page in read] == [(page.total, shown(page.items)) for page in whole]


def test_the_starts_kept_of_a_series_without_end_are_the_rules_in_every_window(session: Session) -> None:
    """Windows read one after another, overlapping, nested and far apart, each give what the
    rule gives for it (the starts of occurrences overlapping or touching it)."""
    endless = series(session, "Phone Booth 1A", START + 4 * HOUR, "RRULE:FREQ=DAILY;INTERVAL=2")
    rule = occurrences.series_of(endless)
    windows = [
        (START, START + 30 * DAY),
        (START + 10 * DAY, START + 50 * DAY),
        (START + 12 * DAY, START + 20 * DAY),
        (START + 4000 * DAY, START + 4100 * DAY),
        (START - 10 * DAY, START + 4 * HOUR),
        (START + 4 * HOUR + 2 * DAY + HOUR, START + 4 * HOUR + 6 * DAY),
    ]

    for lower, upper in windows:
        expected = list(rule.starts_between(lower - HOUR, upper))
        assert booking_queries._starts_in_reach(endless, lower, upper) == expected, (lower, upper)
