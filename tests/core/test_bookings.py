"""Bookings: the status each one derives from stored facts and the clock, the ULIDs of a series'
occurrences, and counting who is onsite."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import Session, select
from ulid import ULID

from sandbox.core import booking_queries, bookings, buildings, events, seats
from sandbox.core.access import Actor
from sandbox.core.booking_queries import BookingQuery, TimeCondition
from sandbox.core.bookings import Booking, BookingInput
from sandbox.core.errors import InvalidInput, NotFound
from sandbox.core.events import EventInput
from sandbox.core.keys import OccurrenceKey
from sandbox.core.paging import Counted
from sandbox.core.seats import SeatReservationInput
from sandbox.kadence import ids as kadence_ids
from sandbox.store.models import Building, Reservation, Resource, User
from tests.conftest import NOW, actor_for
from tests.core.conftest import key_of

HOUR = timedelta(hours=1)
MINUTE = timedelta(minutes=1)
ADMIN_EMAIL = "ada.okafor@meridian.example"
BEN, CHLOE, DIEGO, EMMA = (
    "ben.carter@meridian.example",
    "chloe.martin@meridian.example",
    "diego.alvarez@meridian.example",
    "emma.schultz@meridian.example",
)
NEW_YORK, BENGALURU = "Meridian HQ New York", "Meridian Bengaluru"
UNCONFIRMED_DESK = "B-03"
"""A desk in New York hoteled on the days nobody is assigned (Monday and Tuesday among them), with no
window of its own: the building's 30 minutes for desks apply."""
QUIET_ROOM = "Focus Room"
"""A New York room that is never released (its own window is 0)."""
START = datetime(2026, 3, 2, 15, tzinfo=UTC)
"""10:00 in New York, an hour after the tests' now."""
END = START + 3 * HOUR
DESK_WINDOW = timedelta(minutes=30)


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


def at(session: Session, moment: datetime) -> Actor:
    """The demo administrator, with the clock at `moment`."""
    return actor_for(session, ADMIN_EMAIL, moment)


def person(session: Session, email: str) -> User:
    return session.exec(select(User).where(User.email == email)).one()


def named(session: Session, name: str) -> Resource:
    return session.exec(select(Resource).where(Resource.name == name)).one()


def building(session: Session, name: str) -> Building:
    return session.exec(select(Building).where(Building.name == name)).one()


def book_desk(
    session: Session,
    email: str = BEN,
    start: datetime = START,
    end: datetime = END,
    made_at: datetime = NOW,
    desk: str = UNCONFIRMED_DESK,
) -> Booking:
    draft = BookingInput(user_id=person(session, email).ulid, space_id=named(session, desk).ulid, start=start, end=end)
    return bookings.create_booking(session, at(session, made_at), draft)


def book_onsite(session: Session, email: str, start: datetime, end: datetime, place: str = NEW_YORK) -> Booking:
    draft = BookingInput(user_id=person(session, email).ulid, building_id=building(session, place).ulid, start=start, end=end)
    return bookings.create_booking(session, at(session, NOW), draft)


def status_at(session: Session, booking: Booking, moment: datetime) -> Booking:
    return bookings.get_booking(session, at(session, moment), booking.key)


def check_in(session: Session, booking: Booking, moment: datetime, email: str = BEN) -> Booking:
    return bookings.check_in_booking(session, at(session, moment), booking.key, person(session, email).ulid, "wifi")


def check_out(session: Session, booking: Booking, moment: datetime, email: str = BEN) -> Booking:
    return bookings.check_out_booking(session, at(session, moment), booking.key, person(session, email).ulid, "sensor")


def daily_series(session: Session, start: datetime = START, count: int | None = 5) -> Reservation:
    """A daily meeting in the quiet room, `count` times from `start` (None: with no end)."""
    made = events.create_event(
        session,
        at(session, NOW),
        named(session, QUIET_ROOM).id or 0,
        EventInput(
            start=start,
            end=start + HOUR,
            time_zone="America/New_York",
            title="Daily",
            recurrence=["RRULE:FREQ=DAILY" if count is None else f"RRULE:FREQ=DAILY;COUNT={count}"],
        ),
    )
    return made.reservation


# --- status ----------------------------------------------------------------------------------


def test_new_booking_is_booked(session: Session) -> None:
    made = book_desk(session)

    assert made.status == "booked"
    assert (made.start, made.end) == (START, END)
    assert made.cancelled_at is None
    assert made.auto_released_at is None
    assert made.cancellation is None


def test_check_in_makes_a_booking_checked_in_until_its_end(session: Session) -> None:
    made = book_desk(session)

    checked_in = check_in(session, made, START - 10 * MINUTE)

    assert checked_in.status == "checked_in"
    assert checked_in.check_in is not None
    assert checked_in.check_in.checked_in_at == START - 10 * MINUTE
    assert status_at(session, made, END - MINUTE).status == "checked_in"


def test_checked_in_booking_is_never_released(session: Session) -> None:
    made = book_desk(session)
    check_in(session, made, START)

    later = status_at(session, made, START + DESK_WINDOW + HOUR)

    assert later.status == "checked_in"
    assert later.auto_released_at is None


def test_check_out_makes_a_booking_checked_out_even_after_its_end(session: Session) -> None:
    made = book_desk(session)
    check_in(session, made, START)

    checked_out = check_out(session, made, START + HOUR, email=CHLOE)

    assert checked_out.status == "checked_out"
    assert checked_out.check_in is not None
    assert checked_out.check_in.checked_out_at == START + HOUR
    assert checked_out.check_in.checked_out_by_id == person(session, CHLOE).id
    assert status_at(session, made, END + HOUR).status == "checked_out"


def test_checked_in_booking_is_completed_once_it_ends(session: Session) -> None:
    made = book_desk(session)
    check_in(session, made, START)

    assert status_at(session, made, END - timedelta(microseconds=1)).status == "checked_in"
    assert status_at(session, made, END).status == "completed"


def test_booking_that_is_never_released_is_completed_once_it_ends(session: Session) -> None:
    draft = BookingInput(
        user_id=person(session, BEN).ulid,
        space_id=named(session, QUIET_ROOM).ulid,
        start=START,
        end=START + HOUR,
        title="Planning",
    )
    made = bookings.create_booking(session, at(session, NOW), draft)

    assert status_at(session, made, START + HOUR - MINUTE).status == "booked"
    assert status_at(session, made, START + HOUR).status == "completed"


def test_cancel_makes_a_booking_cancelled_by_the_user(session: Session) -> None:
    made = book_desk(session)

    cancelled = bookings.cancel_booking(session, at(session, NOW + MINUTE), made.key, person(session, BEN).ulid)

    assert cancelled.status == "cancelled"
    assert cancelled.cancellation is not None
    assert not cancelled.cancellation.automatic
    assert cancelled.cancelled_at == NOW + MINUTE
    assert cancelled.cancelled_by_id == person(session, BEN).id
    assert cancelled.auto_released_at is None
    assert status_at(session, made, END + HOUR).status == "cancelled"


def test_unconfirmed_booking_is_released_exactly_at_its_release_moment(session: Session) -> None:
    made = book_desk(session)
    release = START + DESK_WINDOW
    assert made.reservation.release_after_s == DESK_WINDOW.total_seconds()

    just_before = status_at(session, made, release - timedelta(microseconds=1))
    released = status_at(session, made, release)

    assert just_before.status == "booked"
    assert released.status == "released"
    assert released.cancellation is not None
    assert released.cancellation.automatic
    assert released.auto_released_at == release
    assert released.cancelled_at == release
    assert released.cancelled_by_id is None


def test_released_booking_stays_released_after_its_end(session: Session) -> None:
    made = book_desk(session)

    assert status_at(session, made, END + HOUR).status == "released"


def reserve_desk(session: Session, start: datetime, end: datetime) -> Booking:
    """Ben's reservation of the unconfirmed desk made now as the Robin API makes one, which may
    start in the past (the bookings API refuses that)."""
    actor = at(session, NOW)
    reserved = seats.create_seat_reservation(
        session,
        actor,
        named(session, UNCONFIRMED_DESK).id or 0,
        SeatReservationInput(
            type="hoteled", start=start, end=end, time_zone="America/New_York", reservee_user_id=person(session, BEN).id
        ),
    )
    return bookings.get_booking(session, actor, OccurrenceKey(ulid=reserved.reservation.ulid))


def test_booking_made_after_its_release_moment_is_never_released(session: Session) -> None:
    start = NOW - 40 * MINUTE
    made = reserve_desk(session, start=start, end=NOW + 2 * HOUR)
    assert start + DESK_WINDOW < made.reservation.created_at

    assert made.status == "booked"
    assert status_at(session, made, NOW + HOUR).status == "booked"
    assert status_at(session, made, NOW + 2 * HOUR).status == "completed"
    assert status_at(session, made, NOW + 2 * HOUR).auto_released_at is None


def test_booking_made_just_before_its_release_moment_is_released(session: Session) -> None:
    start = NOW - DESK_WINDOW + MINUTE
    made = reserve_desk(session, start=start, end=NOW + 2 * HOUR)

    assert made.status == "booked"
    assert status_at(session, made, NOW + MINUTE).status == "released"


def every_booking(session: Session, actor: Actor, query: BookingQuery) -> list[Booking]:
    """Every booking the query matches, in order: a page as long as any listing here."""
    return booking_queries.list_bookings(session, actor, query, 1, 100_000).items


def test_list_bookings_derives_the_same_status_as_get_booking(session: Session) -> None:
    released, checked_in = book_desk(session), book_desk(session, email=CHLOE, desk="A-03")
    check_in(session, checked_in, START, email=CHLOE)
    moment = START + DESK_WINDOW

    listed = {
        booking.key: booking.status
        for booking in every_booking(session, at(session, moment), BookingQuery(building_id=building(session, NEW_YORK).ulid))
    }

    assert listed[released.key] == status_at(session, released, moment).status == "released"
    assert listed[checked_in.key] == status_at(session, checked_in, moment).status == "checked_in"


# --- occurrences of a series -----------------------------------------------------------------


def test_occurrence_id_reads_back_exactly_that_occurrence(session: Session) -> None:
    series = daily_series(session)
    third = START + timedelta(days=2)

    identifier = kadence_ids.booking_id(series, third)
    found = bookings.get_booking(session, at(session, NOW), kadence_ids.keys(identifier))

    assert identifier != series.ulid
    assert ULID.from_str(identifier).datetime == third
    assert kadence_ids.of(found) == identifier
    assert found.reservation.id == series.id
    assert (found.original_start, found.start, found.end) == (third, third, third + HOUR)
    assert found.status == "booked"


def test_occurrence_ids_differ_per_occurrence_and_match_the_listing(session: Session) -> None:
    series = daily_series(session)
    starts = [START + timedelta(days=day) for day in range(5)]

    listed = {
        booking.start: kadence_ids.of(booking)
        for booking in every_booking(session, at(session, NOW), BookingQuery(space_id=named(session, QUIET_ROOM).ulid))
        if booking.reservation.id == series.id
    }

    assert sorted(listed) == starts
    assert listed == {start: kadence_ids.booking_id(series, start) for start in starts}
    assert len(set(listed.values())) == 5


def test_occurrence_id_with_a_start_the_series_does_not_have_is_not_found(session: Session) -> None:
    series = daily_series(session)

    for start in (START + timedelta(days=2, hours=1), START + timedelta(days=5), START - timedelta(days=1)):
        with pytest.raises(NotFound):
            bookings.get_booking(session, at(session, NOW), kadence_ids.keys(kadence_ids.booking_id(series, start)))


def test_random_ulid_is_not_found(session: Session) -> None:
    daily_series(session)
    unknown_series = ULID.from_bytes(
        int(START.timestamp() * 1000).to_bytes(6, "big") + ((0xB00C << 64) | 999_999).to_bytes(10, "big")
    )

    for identifier in ("01JGXDFAM0AAAAAAAAAAAAAAAA", str(unknown_series), "not-a-ulid"):
        with pytest.raises(NotFound):
            bookings.get_booking(session, at(session, NOW), kadence_ids.keys(identifier))


def test_series_own_ulid_is_not_a_booking(session: Session) -> None:
    series = daily_series(session)

    with pytest.raises(NotFound):
        bookings.get_booking(session, at(session, NOW), kadence_ids.keys(series.ulid))


def test_single_booking_id_is_its_reservation_ulid(session: Session) -> None:
    made = book_desk(session)

    assert kadence_ids.of(made) == made.reservation.ulid == kadence_ids.booking_id(made.reservation, None)
    found = bookings.get_booking(session, at(session, NOW), kadence_ids.keys(made.reservation.ulid.lower()))
    assert found.key == made.key


def test_cancelling_one_occurrence_leaves_the_others_booked(session: Session) -> None:
    series = daily_series(session)
    second, third = START + timedelta(days=1), START + timedelta(days=2)

    cancelled = bookings.cancel_booking(session, at(session, NOW), key_of(series, second), None)

    assert cancelled.status == "cancelled"
    assert cancelled.cancellation is not None
    assert not cancelled.cancellation.automatic
    assert cancelled.cancelled_at == NOW
    assert bookings.get_booking(session, at(session, NOW), key_of(series, second)).status == "cancelled"
    assert bookings.get_booking(session, at(session, NOW), key_of(series, third)).status == "booked"
    assert bookings.get_booking(session, at(session, NOW), key_of(series, START)).status == "booked"


def reaching(lower: datetime, upper: datetime) -> BookingQuery:
    return BookingQuery(conditions=(TimeCondition("start", "after", lower), TimeCondition("start", "before", upper)))


def test_listing_reads_as_many_occurrences_of_a_series_as_it_may(session: Session) -> None:
    series = daily_series(session, count=None)
    # START is 10:00 in New York: the first MAX_SERIES_READ days hold exactly that many occurrences.
    upper = START + timedelta(days=booking_queries.MAX_SERIES_READ - 1)

    listed = every_booking(session, at(session, NOW), reaching(START, upper))

    assert len([booking for booking in listed if booking.reservation.id == series.id]) == booking_queries.MAX_SERIES_READ


def test_listing_refuses_date_filters_reaching_more_occurrences_of_a_series(session: Session) -> None:
    daily_series(session, count=None)

    with pytest.raises(InvalidInput) as refused:
        every_booking(session, at(session, NOW), reaching(START, START + timedelta(days=booking_queries.MAX_SERIES_READ)))

    assert [problem.field for problem in refused.value.problems] == ["start"]


# --- onsite capacity -------------------------------------------------------------------------


def test_onsite_count_is_zero_without_bookings(session: Session) -> None:
    assert buildings.onsite_count(session, building(session, NEW_YORK), START, END, NOW) == 0


def test_onsite_count_counts_the_peak_not_the_total(session: Session) -> None:
    book_onsite(session, BEN, START, START + HOUR)
    book_onsite(session, CHLOE, START + 2 * HOUR, END)

    assert buildings.onsite_count(session, building(session, NEW_YORK), START, END, NOW) == 1


def test_onsite_count_counts_overlapping_bookings_together(session: Session) -> None:
    book_onsite(session, BEN, START, START + 2 * HOUR)
    book_onsite(session, CHLOE, START + HOUR, END)

    assert buildings.onsite_count(session, building(session, NEW_YORK), START, END, NOW) == 2


def test_onsite_count_does_not_overlap_a_booking_ending_when_another_starts(session: Session) -> None:
    book_onsite(session, BEN, START, START + 2 * HOUR)
    book_onsite(session, CHLOE, START + HOUR, END)
    book_onsite(session, DIEGO, START + 2 * HOUR, END)

    assert buildings.onsite_count(session, building(session, NEW_YORK), START, END, NOW) == 2


def test_onsite_count_only_looks_inside_the_window(session: Session) -> None:
    book_onsite(session, BEN, START, START + 2 * HOUR)
    book_onsite(session, CHLOE, START + HOUR, END)
    new_york = building(session, NEW_YORK)

    assert buildings.onsite_count(session, new_york, START, START + HOUR, NOW) == 1
    assert buildings.onsite_count(session, new_york, START + 2 * HOUR, END, NOW) == 1
    assert buildings.onsite_count(session, new_york, END, END + HOUR, NOW) == 0


def test_onsite_count_leaves_out_cancelled_bookings(session: Session) -> None:
    book_onsite(session, BEN, START, END)
    cancelled = book_onsite(session, CHLOE, START, END)
    bookings.cancel_booking(session, at(session, NOW), cancelled.key, None)

    assert buildings.onsite_count(session, building(session, NEW_YORK), START, END, NOW) == 1


# Bengaluru: three onsite passes, open 08:00 to 21:00 IST (02:30 to 15:30 UTC) on weekdays.
BENGALURU_MORNING = utc(2026, 3, 3, 4)
"""09:30 IST on Tuesday 3 March."""


def test_sequential_onsite_bookings_leave_passes_available(session: Session) -> None:
    for hour, email in enumerate((BEN, CHLOE, DIEGO, EMMA)):
        book_onsite(session, email, BENGALURU_MORNING + hour * HOUR, BENGALURU_MORNING + (hour + 1) * HOUR, BENGALURU)

    passes = buildings.onsite_pass(session, building(session, BENGALURU), BENGALURU_MORNING, BENGALURU_MORNING + 4 * HOUR, NOW)

    assert (passes.available_passes, passes.available, passes.unavailability_reason) == (2, True, None)


def test_onsite_booking_is_refused_once_the_peak_reaches_capacity(session: Session) -> None:
    end = BENGALURU_MORNING + 2 * HOUR
    for email in (BEN, CHLOE, DIEGO):
        book_onsite(session, email, BENGALURU_MORNING, end, BENGALURU)

    passes = buildings.onsite_pass(session, building(session, BENGALURU), BENGALURU_MORNING + HOUR, end + HOUR, NOW)
    with pytest.raises(InvalidInput) as caught:
        book_onsite(session, EMMA, BENGALURU_MORNING + HOUR, end + HOUR, BENGALURU)

    assert (passes.available_passes, passes.available, passes.unavailability_reason) == (0, False, "no_capacity")
    assert [(problem.field, problem.reason) for problem in caught.value.problems] == [("building", "no_capacity")]
    assert buildings.onsite_count(session, building(session, BENGALURU), BENGALURU_MORNING, end + HOUR, NOW) == 3


# --- pages read from the store -------------------------------------------------------------


@pytest.fixture
def busy_morning(session: Session) -> None:
    """Single bookings of several types at equal and overlapping times, some cancelled, beside a
    daily series and the demo's own: what a page must order and count the same way however it
    is read."""
    for email, desk in ((BEN, "A-03"), (CHLOE, "A-04")):
        book_desk(session, email=email, desk=desk)
    cancelled = book_desk(session, email=EMMA, desk="A-05", start=START + HOUR, end=END)
    bookings.cancel_booking(session, at(session, NOW), cancelled.key, None)
    book_desk(session, email=EMMA, desk="A-03", start=END, end=END + HOUR)
    book_onsite(session, CHLOE, START + 2 * HOUR, END + 2 * HOUR)
    daily_series(session, start=START + 30 * MINUTE, count=4)
    events.create_event(
        session,
        at(session, NOW),
        named(session, "Phone Booth 1A").id or 0,
        EventInput(
            start=START,
            end=START + HOUR,
            time_zone="America/New_York",
            title="Call",
        ),
    )


PAGED_QUERIES = [
    BookingQuery(),
    reaching(START, END),
    BookingQuery(conditions=(TimeCondition("start", "strictly_after", START), TimeCondition("end", "before", END + HOUR))),
    BookingQuery(conditions=(TimeCondition("end", "strictly_before", END),)),
    BookingQuery(type="desk"),
    BookingQuery(type="room", order=(("startDate", "desc"),)),
    BookingQuery(type="onsite"),
    BookingQuery(type="pod"),
    BookingQuery(order=(("endDate", "desc"), ("startDate", "asc"))),
    BookingQuery(building_id="01JWZ0000000000000000000AA", type="desk"),
]


@pytest.mark.usefixtures("busy_morning")
@pytest.mark.parametrize("query", PAGED_QUERIES, ids=range(len(PAGED_QUERIES)))
def test_pages_read_from_the_store_hold_what_pages_read_whole_do(session: Session, query: BookingQuery, monkeypatch) -> None:
    if query.building_id is not None:
        query = BookingQuery(building_id=building(session, NEW_YORK).ulid, type=query.type)
    actor = at(session, START + 90 * MINUTE)

    def pages(size: int) -> list[Counted[Booking]]:
        """Every page of `size`, through the first empty one."""
        read = [booking_queries.list_bookings(session, actor, query, 1, size)]
        while read[-1].items:
            read.append(booking_queries.list_bookings(session, actor, query, len(read) + 1, size))
        return read

    read = {size: pages(size) for size in (1, 3, 7, 0)}
    monkeypatch.setattr(booking_queries, "_filters_stored_facts", lambda _query: False)
    whole = booking_queries.list_bookings(session, actor, query, 1, 100_000)

    assert whole.total > 0
    for size, pages in read.items():
        assert {page.total for page in pages} == {whole.total}
        assert [(booking.key, booking.status) for page in pages for booking in page.items] == (
            [(booking.key, booking.status) for booking in whole.items] if size else []
        )
