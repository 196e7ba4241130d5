"""Desks: reservation rules, desk-type policies, shared schedules, settings, listings, check-in."""

from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlmodel import Session, select

from sandbox.core import assignments, confirmations, desks, events, seats
from sandbox.core.access import Actor
from sandbox.core.errors import (
    Conflict,
    Forbidden,
    InvalidInput,
    NotFound,
    Overlap,
    Refused,
    Rule,
    RuleViolation,
)
from sandbox.core.occurrences import Slot
from sandbox.core.paging import PageRequest
from sandbox.core.reservations import ReservationView, Window
from sandbox.core.seats import SeatReservationInput, SeatReservationQuery
from sandbox.store.models import Reservation, ReservationKind, Resource, User
from tests.conftest import NOW, actor_for
from tests.core.conftest import row_key

NEW_YORK = ZoneInfo("America/New_York")
KOLKATA = ZoneInfo("Asia/Kolkata")
HOUR = timedelta(hours=1)
MINUTE = timedelta(minutes=1)
ADMIN = "ada.okafor@meridian.example"
BEN = "ben.carter@meridian.example"
CHLOE = "chloe.martin@meridian.example"
DIEGO = "diego.alvarez@meridian.example"
EMMA = "emma.schultz@meridian.example"
ISAAC = "isaac.brooks@meridian.example"
JULIA = "julia.rossi@meridian.example"
SNEHA = "sneha.iyer@meridian.example"

HOTELED = 1003  # ["hoteled"], P14D threshold, P1D max length, no seeded reservation
OTHER_HOTELED = 1004
ASSIGNED = 1007  # ["assigned"], Ada's
ASSIGNED_SHARED = 1008  # ["assigned", "shared"], Hannah's MO,TU and Kwame's WE,TH, P30D threshold
HOTELED_SHARED = 1009  # ["hoteled", "shared"], Oscar's WE,TH, P30D threshold
DISABLED = 1010
NOT_RESERVABLE = 1011
HOT = 1012  # ["hot"], PT10H max length
BENGALURU_SHARED = 2006  # ["assigned", "shared"], Yasmin's MO,TU,TH
BENGALURU_HOTELED_SHARED = 2008  # ["hoteled", "shared"], assigned to nobody
BENGALURU_PLAIN = 2009  # ["hoteled"], no policies
NEW_YORK_DESKS_SPACE = 58
NEW_YORK_DESKS_FLOOR = 102
BENGALURU_DESKS_SPACE = 77
BENGALURU_DESKS_FLOOR = 202
EVERYTHING = PageRequest(per_page=1000)
TYPES = desks.TYPES_SETTING
MAX_LENGTH = desks.MAX_LENGTH_SETTING
THRESHOLD = desks.THRESHOLD_SETTING


def new_york(day: int, hour: int, minute: int = 0, month: int = 3) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=NEW_YORK).astimezone(UTC)


def kolkata(day: int, hour: int, minute: int = 0, month: int = 3) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=KOLKATA).astimezone(UTC)


# Wednesday 4 March 2026: a day on which the demo store holds no seat reservation.
WEDNESDAY_9 = new_york(4, 9)
WEDNESDAY_12 = new_york(4, 12)
WEDNESDAY_17 = new_york(4, 17)
FIRST_WEEK = (new_york(2, 0), new_york(9, 0))
"""Monday 2 March to Monday 9 March, midnight to midnight in New York."""


def user(session: Session, email: str) -> User:
    return session.exec(select(User).where(User.email == email)).one()


def as_user(session: Session, email: str, now: datetime = NOW) -> Actor:
    return actor_for(session, email, now)


def reserve(
    session: Session,
    actor: Actor,
    seat_id: int,
    start: datetime,
    end: datetime,
    *,
    type: str = "hoteled",
    reservee: str | None = None,
    lines: list[str] | None = None,
    time_zone: str = "America/New_York",
) -> ReservationView:
    return seats.create_seat_reservation(
        session,
        actor,
        seat_id,
        SeatReservationInput(
            type=type,
            start=start,
            end=end,
            time_zone=time_zone,
            reservee_email=reservee,
            recurrence=lines,
        ),
    )


def refusal(caught: pytest.ExceptionInfo[RuleViolation], *names: str) -> tuple[Any, ...]:
    """The rule a refusal names, and the values it gives of `names`, after checking it is one."""
    assert type(caught.value) is Refused
    return (caught.value.rule, *(caught.value.params[name] for name in names))


def seat_reservations(
    session: Session,
    actor: Actor,
    query: SeatReservationQuery,
    after: datetime = FIRST_WEEK[0],
    before: datetime = FIRST_WEEK[1],
) -> list[ReservationView]:
    return seats.list_seat_reservations(session, actor, query, Window(after, before), EVERYTHING).items


def listed(found: list[ReservationView]) -> list[tuple[int, str | None, datetime]]:
    return [(view.resource.id or 0, view.reservation.organizer_email, view.start) for view in found]


def unassigned(found: list[ReservationView]) -> list[ReservationView]:
    """`found` without the assigned days of shared desks."""
    return [view for view in found if not assignments.is_assignment(view.reservation)]


# --- one seat, one person ----------------------------------------------------------------


def test_create_seat_reservation_refuses_an_overlap_on_one_seat(session: Session, admin_actor: Actor) -> None:
    existing = reserve(session, admin_actor, HOTELED, WEDNESDAY_9, WEDNESDAY_12, reservee=BEN)

    with pytest.raises(Conflict) as caught:
        reserve(session, admin_actor, HOTELED, WEDNESDAY_12 - HOUR, WEDNESDAY_17, reservee=CHLOE)

    assert caught.value.reason == Overlap.RESOURCE_TAKEN
    collision = caught.value.collision
    assert isinstance(collision, Slot)
    assert collision.reservation.id == existing.reservation.id
    assert (collision.start, collision.end) == (WEDNESDAY_9, WEDNESDAY_12)
    assert caught.value.params["resource_id"] == HOTELED


def test_create_seat_reservation_refuses_an_overlap_with_a_seeded_reservation(session: Session, admin_actor: Actor) -> None:
    with pytest.raises(Conflict) as caught:
        reserve(session, admin_actor, 1001, new_york(2, 16), new_york(2, 18), reservee=BEN)

    assert caught.value.reason == Overlap.RESOURCE_TAKEN
    assert caught.value.collision.reservation.organizer_email == DIEGO
    assert (caught.value.collision.start, caught.value.collision.end) == (new_york(2, 9), new_york(2, 17))


def test_create_seat_reservation_refuses_a_second_desk_for_one_person(session: Session, admin_actor: Actor) -> None:
    first = reserve(session, admin_actor, HOTELED, WEDNESDAY_9, WEDNESDAY_12, reservee=BEN)

    with pytest.raises(Conflict) as caught:
        reserve(session, admin_actor, OTHER_HOTELED, WEDNESDAY_12 - HOUR, WEDNESDAY_17, reservee=BEN)

    assert caught.value.reason == Overlap.HOLDER_BUSY
    assert caught.value.collision.reservation.id == first.reservation.id
    assert caught.value.collision.reservation.resource_id == HOTELED
    assert seat_reservations(session, admin_actor, SeatReservationQuery(seat_ids=[OTHER_HOTELED])) == []


def test_create_seat_reservation_does_not_seat_the_person_who_made_a_reservation_for_another(
    session: Session, admin_actor: Actor
) -> None:
    for_ben = reserve(session, admin_actor, HOTELED, WEDNESDAY_9, WEDNESDAY_12, reservee=BEN)

    own = reserve(session, admin_actor, OTHER_HOTELED, WEDNESDAY_9, WEDNESDAY_12)

    assert for_ben.reservation.creator_email == ADMIN
    assert own.reservation.organizer_email == ADMIN


def test_create_seat_reservation_refuses_a_desk_during_a_later_occurrence_of_the_persons_series(
    session: Session, admin_actor: Actor
) -> None:
    # Wednesdays 4, 11 and 18 March at 09:00 New York: the 11th is after the change to daylight time.
    series = reserve(session, admin_actor, HOTELED, WEDNESDAY_9, WEDNESDAY_12, reservee=BEN, lines=["RRULE:FREQ=WEEKLY;COUNT=3"])

    with pytest.raises(Conflict) as caught:
        reserve(session, admin_actor, OTHER_HOTELED, new_york(11, 11), new_york(11, 13), reservee=BEN)

    assert caught.value.reason == Overlap.HOLDER_BUSY
    collision = caught.value.collision
    assert collision.reservation.id == series.reservation.id
    assert collision.in_series
    assert collision.original_start == new_york(11, 9)
    assert (collision.start, collision.end) == (new_york(11, 9), new_york(11, 12))


def test_create_seat_reservation_refuses_a_series_whose_later_occurrence_meets_the_persons_desk(
    session: Session, admin_actor: Actor
) -> None:
    single = reserve(session, admin_actor, OTHER_HOTELED, new_york(11, 11), new_york(11, 13), reservee=BEN)

    with pytest.raises(Conflict) as caught:
        reserve(session, admin_actor, HOTELED, WEDNESDAY_9, WEDNESDAY_12, reservee=BEN, lines=["RRULE:FREQ=WEEKLY;COUNT=3"])

    assert caught.value.reason == Overlap.HOLDER_BUSY
    assert caught.value.collision.reservation.id == single.reservation.id
    assert seat_reservations(session, admin_actor, SeatReservationQuery(seat_ids=[HOTELED])) == []


def test_create_seat_reservation_allows_back_to_back_on_one_seat_and_for_one_person(session: Session, admin_actor: Actor) -> None:
    reserve(session, admin_actor, HOTELED, WEDNESDAY_9, WEDNESDAY_12, reservee=BEN)

    after_on_seat = reserve(session, admin_actor, HOTELED, WEDNESDAY_12, WEDNESDAY_17, reservee=CHLOE)
    before_for_person = reserve(session, admin_actor, OTHER_HOTELED, new_york(4, 7), WEDNESDAY_9, reservee=BEN)
    after_for_person = reserve(session, admin_actor, OTHER_HOTELED, WEDNESDAY_12, WEDNESDAY_17, reservee=BEN)

    assert listed(seat_reservations(session, admin_actor, SeatReservationQuery(seat_ids=[HOTELED, OTHER_HOTELED]))) == [
        (OTHER_HOTELED, BEN, new_york(4, 7)),
        (HOTELED, BEN, WEDNESDAY_9),
        (HOTELED, CHLOE, WEDNESDAY_12),
        (OTHER_HOTELED, BEN, WEDNESDAY_12),
    ]
    assert {after_on_seat.reservation.organizer_email, before_for_person.reservation.organizer_email} == {CHLOE, BEN}
    assert after_for_person.end == WEDNESDAY_17


def test_create_seat_reservation_ignores_a_cancelled_reservation(session: Session, admin_actor: Actor) -> None:
    cancelled = reserve(session, admin_actor, HOTELED, WEDNESDAY_9, WEDNESDAY_12, reservee=BEN)
    seats.cancel_seat_reservation(session, admin_actor, row_key(cancelled.reservation.id))

    same_seat = reserve(session, admin_actor, HOTELED, WEDNESDAY_9, WEDNESDAY_12, reservee=CHLOE)
    same_person = reserve(session, admin_actor, OTHER_HOTELED, WEDNESDAY_9, WEDNESDAY_12, reservee=BEN)

    assert same_seat.reservation.id != cancelled.reservation.id
    assert same_person.reservation.resource_id == OTHER_HOTELED


def test_create_seat_reservation_ignores_a_cancelled_instance_only(session: Session, admin_actor: Actor) -> None:
    series = reserve(session, admin_actor, HOTELED, WEDNESDAY_9, WEDNESDAY_12, reservee=BEN, lines=["RRULE:FREQ=WEEKLY;COUNT=3"])
    seats.cancel_seat_reservation(session, admin_actor, row_key(series.reservation.id, datetime(2026, 3, 11, 13, tzinfo=UTC)))

    freed = reserve(session, admin_actor, OTHER_HOTELED, new_york(11, 9), new_york(11, 12), reservee=BEN)
    a_week_later = as_user(session, ADMIN, NOW + timedelta(days=7))
    with pytest.raises(Conflict) as caught:
        reserve(session, a_week_later, OTHER_HOTELED, new_york(18, 9), new_york(18, 12), reservee=BEN)

    assert freed.start == new_york(11, 9)
    assert caught.value.reason == Overlap.HOLDER_BUSY
    assert caught.value.collision.original_start == new_york(18, 9)


def test_create_seat_reservation_lets_a_member_reserve_only_for_themselves(session: Session, member_actor: Actor) -> None:
    own = reserve(session, member_actor, HOTELED, WEDNESDAY_9, WEDNESDAY_12)
    with pytest.raises(Forbidden):
        reserve(session, member_actor, OTHER_HOTELED, WEDNESDAY_9, WEDNESDAY_12, reservee=CHLOE)

    assert (own.reservation.organizer_email, own.reservation.creator_email) == (BEN, BEN)
    assert seat_reservations(session, member_actor, SeatReservationQuery(seat_ids=[OTHER_HOTELED])) == []


# --- seats that refuse -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("seat_id", "rule"), [(DISABLED, Rule.RESOURCE_DISABLED), (NOT_RESERVABLE, Rule.RESOURCE_NOT_RESERVABLE)]
)
def test_create_seat_reservation_refuses_a_seat_that_takes_none(
    session: Session, admin_actor: Actor, seat_id: int, rule: Rule
) -> None:
    with pytest.raises(RuleViolation) as caught:
        reserve(session, admin_actor, seat_id, WEDNESDAY_9, WEDNESDAY_12, reservee=BEN)

    assert refusal(caught, "resource_id", "kind") == (rule, seat_id, ReservationKind.SEAT)
    assert caught.value.details == {}


# --- desk types ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("seat_id", "reservee", "accepted", "refused"),
    [
        (HOTELED, BEN, ["hoteled"], ["hot", "assigned", "shared", "reverse_hoteled"]),
        (ASSIGNED, ADMIN, ["assigned"], ["hoteled", "hot", "shared", "reverse_hoteled"]),
        (ASSIGNED_SHARED, BEN, [], ["assigned", "hoteled", "hot", "shared"]),
        (HOTELED_SHARED, BEN, ["hoteled"], ["assigned", "hot", "shared"]),
        (HOT, BEN, ["hot"], ["hoteled", "assigned", "shared", "reverse_hoteled"]),
    ],
)
def test_create_seat_reservation_takes_the_types_of_the_desk(
    session: Session, admin_actor: Actor, seat_id: int, reservee: str, accepted: list[str], refused: list[str]
) -> None:
    # Monday 2 March, 10:00 to 12:00 New York: today (for hot desks). B-03 is assigned to nobody
    # on Tuesdays, so its reservations go there. Reverse-hoteled ones need an exclusion.
    day = 3 if seat_id == HOTELED_SHARED else 2
    desk_type = session.get(Resource, seat_id).desk_type  # type: ignore[union-attr]  # the seeded row is there
    for kind in refused:
        with pytest.raises(RuleViolation) as caught:
            reserve(session, admin_actor, seat_id, new_york(day, 10), new_york(day, 12), type=kind, reservee=reservee)
        assert refusal(caught, "reservation_type", "desk_type") == (Rule.TYPE_NOT_ALLOWED, kind, desk_type)
    for position, kind in enumerate(accepted):
        start = new_york(day, 10 + position)
        made = reserve(session, admin_actor, seat_id, start, start + HOUR, type=kind, reservee=reservee)
        assert made.reservation.reservation_type == kind


def test_create_seat_reservation_refuses_an_assigned_desk_to_anyone_but_its_assignee(
    session: Session, admin_actor: Actor
) -> None:
    with pytest.raises(RuleViolation) as caught:
        reserve(session, admin_actor, ASSIGNED, WEDNESDAY_9, WEDNESDAY_12, type="assigned", reservee=BEN)

    assert refusal(caught, "desk_id", "desk_type", "allowed", "assignee") == (
        Rule.TYPE_NOT_ALLOWED,
        ASSIGNED,
        ["assigned"],
        [],
        "Ada Okafor",
    )


def test_create_seat_reservation_refuses_a_missing_or_unknown_type(session: Session, admin_actor: Actor) -> None:
    with pytest.raises(InvalidInput) as blank:
        reserve(session, admin_actor, HOTELED, WEDNESDAY_9, WEDNESDAY_12, type="", reservee=BEN)
    with pytest.raises(InvalidInput) as unknown:
        reserve(session, admin_actor, HOTELED, WEDNESDAY_9, WEDNESDAY_12, type="standing", reservee=BEN)

    assert [(p.field, p.reason) for p in blank.value.problems] == [("type", "required")]
    assert [(p.field, p.reason) for p in unknown.value.problems] == [("type", "invalid")]


# --- hot desks -------------------------------------------------------------------------


def test_create_seat_reservation_takes_a_hot_desk_for_later_today(session: Session, member_actor: Actor) -> None:
    made = reserve(session, member_actor, HOT, new_york(2, 10), new_york(2, 18), type="hot")

    assert (made.start, made.end) == (new_york(2, 10), new_york(2, 18))
    assert made.reservation.reservation_type == "hot"


def test_create_seat_reservation_lets_a_hot_reservation_end_at_midnight(session: Session, member_actor: Actor) -> None:
    made = reserve(session, member_actor, HOT, new_york(2, 15), new_york(3, 0), type="hot")

    assert made.end == new_york(3, 0)


def test_create_seat_reservation_refuses_a_hot_reservation_made_on_another_day(session: Session, member_actor: Actor) -> None:
    with pytest.raises(RuleViolation) as caught:
        reserve(session, member_actor, HOT, new_york(3, 9), new_york(3, 12), type="hot")

    assert refusal(caught) == (Rule.NOT_SAME_DAY,)


def test_create_seat_reservation_takes_a_hot_desk_on_the_morning_of_the_day(session: Session) -> None:
    tuesday_morning = as_user(session, BEN, new_york(3, 7))

    made = reserve(session, tuesday_morning, HOT, new_york(3, 9), new_york(3, 12), type="hot")

    assert made.start == new_york(3, 9)


def test_create_seat_reservation_refuses_a_hot_reservation_ending_the_next_day(session: Session, member_actor: Actor) -> None:
    with pytest.raises(RuleViolation) as caught:
        reserve(session, member_actor, HOT, new_york(2, 20), new_york(3, 0, 1), type="hot")

    assert refusal(caught) == (Rule.NOT_SAME_DAY,)


def test_create_seat_reservation_refuses_a_hot_series_past_its_first_day(session: Session, member_actor: Actor) -> None:
    with pytest.raises(RuleViolation) as caught:
        reserve(session, member_actor, HOT, new_york(2, 10), new_york(2, 12), type="hot", lines=["RRULE:FREQ=DAILY;COUNT=2"])

    assert refusal(caught) == (Rule.NOT_SAME_DAY,)


def test_create_seat_reservation_reads_the_hot_day_in_the_buildings_zone(session: Session, admin_actor: Actor) -> None:
    desks.update_setting(session, admin_actor, BENGALURU_PLAIN, TYPES, ["hot"])
    # Now is Monday 19:30 in Bengaluru (09:00 in New York, where the reservations are written).
    tonight = reserve(session, admin_actor, BENGALURU_PLAIN, kolkata(2, 20), kolkata(2, 23), type="hot", reservee=BEN)
    with pytest.raises(RuleViolation) as tomorrow:
        # Tuesday 09:00 to 10:00 in Bengaluru: Monday 22:30 to 23:30 in New York.
        reserve(session, admin_actor, BENGALURU_PLAIN, kolkata(3, 9), kolkata(3, 10), type="hot", reservee=CHLOE)
    with pytest.raises(RuleViolation) as past_midnight:
        # Monday 23:00 to Tuesday 00:30 in Bengaluru: Monday 12:30 to 14:00 in New York.
        reserve(session, admin_actor, BENGALURU_PLAIN, kolkata(2, 23), kolkata(3, 0, 30), type="hot", reservee=CHLOE)

    assert tonight.start == kolkata(2, 20)
    assert refusal(tomorrow) == (Rule.NOT_SAME_DAY,)
    assert refusal(past_midnight) == (Rule.NOT_SAME_DAY,)


def test_create_seat_reservation_counts_today_in_the_buildings_zone_for_a_hot_desk(session: Session) -> None:
    # Tuesday 00:30 in Bengaluru is still Monday 14:00 in New York.
    just_after_midnight = as_user(session, ADMIN, kolkata(3, 0, 30))
    desks.update_setting(session, just_after_midnight, BENGALURU_PLAIN, TYPES, ["hot"])

    made = reserve(session, just_after_midnight, BENGALURU_PLAIN, kolkata(3, 9), kolkata(3, 12), type="hot", reservee=BEN)

    assert made.start == kolkata(3, 9)


# --- length and how far ahead ----------------------------------------------------------


def test_create_seat_reservation_accepts_exactly_the_max_length(session: Session, admin_actor: Actor) -> None:
    made = reserve(session, admin_actor, HOTELED, WEDNESDAY_9, new_york(5, 9), reservee=BEN)

    assert made.end - made.start == timedelta(days=1)


def test_create_seat_reservation_refuses_more_than_the_max_length(session: Session, admin_actor: Actor) -> None:
    with pytest.raises(RuleViolation) as caught:
        reserve(session, admin_actor, HOTELED, WEDNESDAY_9, new_york(5, 9, 1), reservee=BEN)

    assert refusal(caught, "desk_id", "max_length") == (Rule.LONGER_THAN_ALLOWED, HOTELED, "P1D")


def test_create_seat_reservation_refuses_a_hot_desk_past_its_max_length_in_hours(session: Session, member_actor: Actor) -> None:
    with pytest.raises(RuleViolation) as caught:
        reserve(session, member_actor, HOT, new_york(2, 10), new_york(2, 20, 1), type="hot")

    assert refusal(caught, "desk_id", "max_length") == (Rule.LONGER_THAN_ALLOWED, HOT, "PT10H")


def test_create_seat_reservation_measures_max_length_per_occurrence(session: Session, admin_actor: Actor) -> None:
    made = reserve(session, admin_actor, HOTELED, WEDNESDAY_9, WEDNESDAY_17, reservee=BEN, lines=["RRULE:FREQ=DAILY;COUNT=3"])

    assert [view.start for view in seat_reservations(session, admin_actor, SeatReservationQuery(seat_ids=[HOTELED]))] == [
        WEDNESDAY_9,
        new_york(5, 9),
        new_york(6, 9),
    ]
    assert made.reservation.recurrence == ["RRULE:FREQ=DAILY;COUNT=3"]


def test_create_seat_reservation_accepts_a_start_exactly_at_the_booking_threshold(session: Session, admin_actor: Actor) -> None:
    made = reserve(session, admin_actor, HOTELED, NOW + timedelta(days=14), NOW + timedelta(days=14, hours=8), reservee=BEN)

    assert made.start == NOW + timedelta(days=14)


def test_create_seat_reservation_refuses_a_start_past_the_booking_threshold(session: Session, admin_actor: Actor) -> None:
    start = NOW + timedelta(days=14) + MINUTE

    with pytest.raises(RuleViolation) as caught:
        reserve(session, admin_actor, HOTELED, start, start + HOUR, reservee=BEN)

    assert refusal(caught, "desk_id", "threshold") == (Rule.TOO_FAR_AHEAD, HOTELED, "P14D")


def test_create_seat_reservation_measures_the_threshold_from_the_actors_now(session: Session) -> None:
    a_week_later = as_user(session, ADMIN, NOW + timedelta(days=7))
    start = NOW + timedelta(days=20)

    made = reserve(session, a_week_later, HOTELED, start, start + HOUR, reservee=BEN)

    assert made.start == start


def test_create_seat_reservation_checks_the_threshold_on_the_first_occurrence_only(session: Session, admin_actor: Actor) -> None:
    reserve(session, admin_actor, HOTELED, WEDNESDAY_9, WEDNESDAY_17, reservee=BEN, lines=["RRULE:FREQ=WEEKLY;COUNT=8"])

    listed_starts = [
        view.start
        for view in seat_reservations(
            session, admin_actor, SeatReservationQuery(seat_ids=[HOTELED]), new_york(4, 0), new_york(30, 0, month=4)
        )
    ]

    assert listed_starts[-1] == new_york(22, 9, month=4)
    assert listed_starts[-1] - NOW > timedelta(days=14)
    assert len(listed_starts) == 8


def test_create_seat_reservation_refuses_a_series_starting_past_the_threshold(session: Session, admin_actor: Actor) -> None:
    start = new_york(18, 9)

    with pytest.raises(RuleViolation) as caught:
        reserve(session, admin_actor, HOTELED, start, start + HOUR, reservee=BEN, lines=["RRULE:FREQ=WEEKLY;COUNT=2"])

    assert refusal(caught) == (Rule.TOO_FAR_AHEAD,)


# --- assignments and exclusions ------------------------------------------------------------


WEEKLY_WE_TH = ["RRULE:FREQ=WEEKLY;BYDAY=WE,TH;BYHOUR=0;BYMINUTE=0;BYSECOND=0"]


def test_publish_shared_schedule_assigns_each_day_midnight_to_midnight_in_the_buildings_zone(
    session: Session, admin_actor: Actor
) -> None:
    made = assignments.publish_shared_schedule(
        session, admin_actor, BENGALURU_HOTELED_SHARED, desks.PersonRef(email=CHLOE), WEEKLY_WE_TH
    )

    assert made is not None
    assert assignments.is_assignment(made.reservation)
    assert (made.start, made.end) == (kolkata(4, 0), kolkata(5, 0))
    assert made.reservation.recurrence == WEEKLY_WE_TH
    assert made.reservation.release_after_s is None
    assert assignments.assignment_end(made.reservation) is None


def test_publish_shared_schedule_refuses_a_desk_that_is_not_shared(session: Session, admin_actor: Actor) -> None:
    with pytest.raises(RuleViolation) as caught:
        assignments.publish_shared_schedule(session, admin_actor, HOTELED, desks.PersonRef(email=CHLOE), WEEKLY_WE_TH)

    assert refusal(caught, "desk_id") == (Rule.NOT_SHARED, HOTELED)


def test_publish_shared_schedule_refuses_a_member(session: Session, member_actor: Actor) -> None:
    with pytest.raises(Forbidden):
        assignments.publish_shared_schedule(
            session, member_actor, BENGALURU_HOTELED_SHARED, desks.PersonRef(email=BEN), WEEKLY_WE_TH
        )


def test_excluded_days_are_the_assigned_days_freed(session: Session, admin_actor: Actor) -> None:
    made = assignments.publish_shared_schedule(
        session, admin_actor, BENGALURU_HOTELED_SHARED, desks.PersonRef(email=CHLOE), WEEKLY_WE_TH
    )
    assert made is not None
    seat = session.get(Resource, BENGALURU_HOTELED_SHARED)
    assert seat is not None

    seats.exclude_assigned_day(session, admin_actor, row_key(made.reservation.id, datetime(2026, 3, 11, 18, 30, tzinfo=UTC)))

    assert assignments.excluded_days(session, seat, kolkata(1, 0), kolkata(31, 0), KOLKATA) == {date(2026, 3, 12)}


def test_a_reverse_hoteled_reservation_is_refused_on_a_day_not_excluded(session: Session, member_actor: Actor) -> None:
    with pytest.raises(RuleViolation) as caught:
        reserve(session, member_actor, BENGALURU_SHARED, kolkata(5, 9), kolkata(5, 17), type="reverse_hoteled")

    assert refusal(caught, "desk_id", "day") == (Rule.NOT_AN_EXCLUDED_DAY, BENGALURU_SHARED, date(2026, 3, 5))


# --- settings --------------------------------------------------------------------------


def test_get_setting_reads_each_policy_of_a_desk(session: Session, member_actor: Actor) -> None:
    values = {slug: desks.get_setting(session, member_actor, HOT, slug).value for slug in desks.SETTINGS}

    assert values == {MAX_LENGTH: "PT10H", TYPES: ["hot"], THRESHOLD: None}


@pytest.mark.parametrize(
    ("slug", "value"),
    [
        (TYPES, ["assigned", "shared"]),
        (TYPES, ["hoteled", "shared"]),
        (MAX_LENGTH, "PT4H"),
        (THRESHOLD, "P3D"),
        (MAX_LENGTH, None),
        (THRESHOLD, None),
    ],
)
def test_update_setting_stores_a_valid_value(session: Session, admin_actor: Actor, slug: str, value: Any) -> None:
    changed = desks.update_setting(session, admin_actor, HOTELED, slug, value)

    assert (changed.slug, changed.value) == (slug, value)
    assert desks.get_setting(session, admin_actor, HOTELED, slug).value == value


@pytest.mark.parametrize(
    ("slug", "value"),
    [
        (TYPES, ["shared"]),
        (TYPES, ["shared", "assigned"]),
        (TYPES, "hoteled"),
        (TYPES, []),
        (TYPES, None),
        (TYPES, ["hoteled", "hot"]),
        (MAX_LENGTH, "eight hours"),
        (MAX_LENGTH, "PT0S"),
        (MAX_LENGTH, "-PT1H"),
        (THRESHOLD, "P"),
        (THRESHOLD, 14),
        (MAX_LENGTH, "00:10:00"),
        (THRESHOLD, "1 day"),
    ],
)
def test_update_setting_refuses_an_invalid_value(session: Session, admin_actor: Actor, slug: str, value: Any) -> None:
    before = desks.get_setting(session, admin_actor, HOTELED, slug).value

    with pytest.raises(InvalidInput) as caught:
        desks.update_setting(session, admin_actor, HOTELED, slug, value)

    assert [problem.field for problem in caught.value.problems] == ["value"]
    assert desks.get_setting(session, admin_actor, HOTELED, slug).value == before


def test_update_setting_refuses_a_member(session: Session, member_actor: Actor) -> None:
    with pytest.raises(Forbidden):
        desks.update_setting(session, member_actor, HOTELED, MAX_LENGTH, "P7D")

    assert desks.get_setting(session, member_actor, HOTELED, MAX_LENGTH).value == "P1D"


@pytest.mark.parametrize(("seat_id", "slug"), [(HOTELED, "seat-reservation-colour"), (48, MAX_LENGTH)])
def test_update_setting_of_an_unknown_slug_or_a_space_is_not_found(
    session: Session, admin_actor: Actor, seat_id: int, slug: str
) -> None:
    with pytest.raises(NotFound):
        desks.update_setting(session, admin_actor, seat_id, slug, "P7D")


def test_update_setting_changes_the_rules_new_reservations_meet(session: Session, admin_actor: Actor) -> None:
    desks.update_setting(session, admin_actor, HOTELED, MAX_LENGTH, None)
    desks.update_setting(session, admin_actor, HOTELED, THRESHOLD, None)
    desks.update_setting(session, admin_actor, OTHER_HOTELED, MAX_LENGTH, "PT2H")

    far_and_long = reserve(session, admin_actor, HOTELED, new_york(1, 9, month=6), new_york(5, 9, month=6), reservee=BEN)
    with pytest.raises(RuleViolation) as caught:
        reserve(session, admin_actor, OTHER_HOTELED, WEDNESDAY_9, WEDNESDAY_12, reservee=CHLOE)

    assert far_and_long.end - far_and_long.start == timedelta(days=4)
    assert refusal(caught, "desk_id", "max_length") == (Rule.LONGER_THAN_ALLOWED, OTHER_HOTELED, "PT2H")


# --- listing ---------------------------------------------------------------------------


def test_list_seat_reservations_by_seat(session: Session, admin_actor: Actor) -> None:
    found = seat_reservations(session, admin_actor, SeatReservationQuery(seat_ids=[1001]))

    assert listed(found) == [(1001, DIEGO, new_york(2, 9))]


def test_list_seat_reservations_by_space_and_by_level(session: Session, admin_actor: Actor) -> None:
    reserve(session, admin_actor, HOTELED, WEDNESDAY_9, WEDNESDAY_12, reservee=BEN)
    new_york_desks = [(1001, DIEGO, new_york(2, 9)), (1002, JULIA, new_york(3, 9)), (HOTELED, BEN, WEDNESDAY_9)]
    bengaluru_desks = [
        (2002, "vikram.nair@meridian.example", kolkata(2, 10)),
        (2001, "rahul.mehta@meridian.example", kolkata(3, 9)),
    ]

    by_space = seat_reservations(session, admin_actor, SeatReservationQuery(space_ids=[NEW_YORK_DESKS_SPACE]))
    by_level = seat_reservations(session, admin_actor, SeatReservationQuery(level_ids=[BENGALURU_DESKS_FLOOR]))
    by_other_space = seat_reservations(session, admin_actor, SeatReservationQuery(space_ids=[BENGALURU_DESKS_SPACE]))
    by_other_level = seat_reservations(session, admin_actor, SeatReservationQuery(level_ids=[NEW_YORK_DESKS_FLOOR]))

    assert listed(unassigned(by_space)) == listed(unassigned(by_other_level)) == new_york_desks
    assert listed(unassigned(by_level)) == listed(unassigned(by_other_space)) == bengaluru_desks
    assert {view.resource.id for view in by_space if assignments.is_assignment(view.reservation)} == {1008, 1009}
    assert {view.resource.id for view in by_level if assignments.is_assignment(view.reservation)} == {2006}


def test_list_seat_reservations_by_reservee_not_by_reserver(session: Session, admin_actor: Actor) -> None:
    made = reserve(session, admin_actor, HOTELED, WEDNESDAY_9, WEDNESDAY_12, reservee=BEN)
    ada = user(session, ADMIN).id or 0
    ben = user(session, BEN).id or 0

    for_ben = seat_reservations(session, admin_actor, SeatReservationQuery(user_ids=[ben]))
    for_ada = seat_reservations(session, admin_actor, SeatReservationQuery(user_ids=[ada]))

    assert made.reservation.creator_email == ADMIN
    assert [view.reservation.id for view in for_ben] == [made.reservation.id]
    assert for_ada == []


def test_list_seat_reservations_expands_a_series(session: Session, admin_actor: Actor) -> None:
    found = seat_reservations(session, admin_actor, SeatReservationQuery(seat_ids=[2001]), kolkata(2, 0), kolkata(31, 0))

    assert [view.start for view in found] == [kolkata(3, 9), kolkata(10, 9), kolkata(17, 9), kolkata(24, 9)]
    assert (found[1].reservation.id, found[1].original_start) == (
        found[0].reservation.id,
        datetime(2026, 3, 10, 3, 30, tzinfo=UTC),
    )


def test_list_seat_reservations_leaves_out_disabled_seats_unless_asked(session: Session, admin_actor: Actor) -> None:
    made = reserve(session, admin_actor, HOTELED, WEDNESDAY_9, WEDNESDAY_12, reservee=BEN)
    seat = session.get(Resource, HOTELED)
    assert seat is not None
    seat.is_disabled = True
    session.add(seat)
    session.commit()

    default = seat_reservations(session, admin_actor, SeatReservationQuery(seat_ids=[HOTELED]))
    included = seat_reservations(session, admin_actor, SeatReservationQuery(seat_ids=[HOTELED], include_disabled_seats=True))
    everything = seat_reservations(session, admin_actor, SeatReservationQuery(include_disabled_seats=True))
    enabled_only = seat_reservations(session, admin_actor, SeatReservationQuery())

    assert default == []
    assert [view.reservation.id for view in included] == [made.reservation.id]
    assert made.reservation.id in [view.reservation.id for view in everything]
    assert made.reservation.id not in [view.reservation.id for view in enabled_only]
    assert len(everything) == len(enabled_only) + 1


@pytest.mark.parametrize("include_disabled_seats", [False, True])
def test_list_seat_reservations_never_lists_events(session: Session, admin_actor: Actor, include_disabled_seats: bool) -> None:
    ben = user(session, BEN).id or 0
    # Ben organizes the seeded "Engineering weekly" on Tuesday 3 March in Hudson.
    found = seat_reservations(session, admin_actor, SeatReservationQuery(include_disabled_seats=include_disabled_seats))
    bens = seat_reservations(
        session, admin_actor, SeatReservationQuery(user_ids=[ben], include_disabled_seats=include_disabled_seats)
    )

    assert {view.reservation.kind for view in found} == {ReservationKind.SEAT}
    assert sorted(view.resource.id or 0 for view in unassigned(found)) == [1001, 1002, 2001, 2002]
    assert bens == []


def test_events_of_user_never_lists_seat_reservations(session: Session, admin_actor: Actor) -> None:
    made = reserve(session, admin_actor, HOTELED, new_york(3, 9), new_york(3, 17), reservee=BEN)
    ben = user(session, BEN).id or 0

    found = events.events_of_user(session, admin_actor, ben, Window(new_york(2, 0), new_york(9, 0)), EVERYTHING).items

    assert [view.reservation.title for view in found] == ["Engineering weekly"]
    assert made.reservation.id not in [view.reservation.id for view in found]


def test_list_seats_narrows_by_each_place_given(session: Session, member_actor: Actor) -> None:
    def listed_seats(**places: list[int]) -> list[int]:
        return [seat.id or 0 for seat in desks.list_seats(session, member_actor, desks.SeatQuery(**places), EVERYTHING).items]

    everything = listed_seats()
    new_york_desks = listed_seats(floor_ids=[NEW_YORK_DESKS_FLOOR])

    assert everything == sorted(everything)
    assert {DISABLED, NOT_RESERVABLE} < set(everything)
    assert new_york_desks == listed_seats(space_ids=[NEW_YORK_DESKS_SPACE]) == listed_seats(building_ids=[10])
    assert sorted(new_york_desks + listed_seats(space_ids=[BENGALURU_DESKS_SPACE])) == everything
    assert listed_seats(area_ids=[1], space_ids=[NEW_YORK_DESKS_SPACE]) == [1001, 1002, 1003, 1004, 1005, 1006]
    assert listed_seats(floor_ids=[NEW_YORK_DESKS_FLOOR], building_ids=[11]) == []
    assert listed_seats(space_ids=[48, 999_999]) == []


def test_list_seats_refuses_more_ids_than_a_field_may_list(session: Session, member_actor: Actor) -> None:
    with pytest.raises(InvalidInput) as caught:
        desks.list_seats(session, member_actor, desks.SeatQuery(area_ids=list(range(1, 1002))), EVERYTHING)

    assert [problem.field for problem in caught.value.problems] == ["area_ids"]


def test_seat_reservation_instances_are_one_series_occurrences_in_the_window(session: Session, admin_actor: Actor) -> None:
    series = reserve(session, admin_actor, HOTELED, WEDNESDAY_9, WEDNESDAY_12, reservee=BEN, lines=["RRULE:FREQ=DAILY;COUNT=4"])
    reserve(session, admin_actor, OTHER_HOTELED, WEDNESDAY_9, WEDNESDAY_12, reservee=CHLOE, lines=["RRULE:FREQ=DAILY;COUNT=4"])
    seats.cancel_seat_reservation(session, admin_actor, row_key(series.reservation.id, new_york(5, 9)))

    found = seats.seat_reservation_instances(
        session, admin_actor, row_key(series.reservation.id), Window(new_york(4, 0), new_york(7, 0)), EVERYTHING
    ).items

    assert [(view.reservation.id, view.original_start) for view in found] == [
        (series.reservation.id, new_york(4, 9)),
        (series.reservation.id, new_york(6, 9)),
    ]


def test_seat_reservation_instances_refuse_what_does_not_recur(session: Session, admin_actor: Actor) -> None:
    single = reserve(session, admin_actor, HOTELED, WEDNESDAY_9, WEDNESDAY_12, reservee=BEN)
    series = reserve(session, admin_actor, OTHER_HOTELED, WEDNESDAY_9, WEDNESDAY_12, lines=["RRULE:FREQ=DAILY;COUNT=2"])
    window = Window(*FIRST_WEEK)

    for key, original_start in (
        (row_key(single.reservation.id), None),
        (row_key(series.reservation.id, WEDNESDAY_9), WEDNESDAY_9),
    ):
        with pytest.raises(RuleViolation) as caught:
            seats.seat_reservation_instances(session, admin_actor, key, window, EVERYTHING)
        assert refusal(caught, "original_start", "kind") == (Rule.NOT_A_SERIES, original_start, ReservationKind.SEAT)


# --- reading and cancelling ------------------------------------------------------------


def test_get_seat_reservation_of_a_cancelled_one_is_not_found(session: Session, admin_actor: Actor) -> None:
    made = reserve(session, admin_actor, HOTELED, WEDNESDAY_9, WEDNESDAY_12, reservee=BEN)
    assert seats.get_seat_reservation(session, admin_actor, row_key(made.reservation.id)).reservation.id == made.reservation.id

    seats.cancel_seat_reservation(session, admin_actor, row_key(made.reservation.id))

    with pytest.raises(NotFound):
        seats.get_seat_reservation(session, admin_actor, row_key(made.reservation.id))
    with pytest.raises(NotFound):
        seats.cancel_seat_reservation(session, admin_actor, row_key(made.reservation.id))


def test_get_seat_reservation_of_a_cancelled_instance_is_not_found(session: Session, admin_actor: Actor) -> None:
    series = reserve(session, admin_actor, HOTELED, WEDNESDAY_9, WEDNESDAY_12, reservee=BEN, lines=["RRULE:FREQ=WEEKLY;COUNT=3"])
    second = row_key(series.reservation.id, datetime(2026, 3, 11, 13, tzinfo=UTC))
    third = row_key(series.reservation.id, datetime(2026, 3, 18, 13, tzinfo=UTC))

    seats.cancel_seat_reservation(session, admin_actor, second)

    with pytest.raises(NotFound):
        seats.get_seat_reservation(session, admin_actor, second)
    assert seats.get_seat_reservation(session, admin_actor, third).start == new_york(18, 9)
    assert seats.get_seat_reservation(session, admin_actor, row_key(series.reservation.id)).start == WEDNESDAY_9


def test_get_seat_reservation_of_an_event_is_not_found(session: Session, admin_actor: Actor) -> None:
    event = session.exec(select(Reservation).where(Reservation.title == "Design review")).one()

    with pytest.raises(NotFound):
        seats.get_seat_reservation(session, admin_actor, row_key(event.id))


def test_cancel_seat_reservation_refuses_a_member_who_neither_holds_nor_made_it(session: Session, admin_actor: Actor) -> None:
    made = reserve(session, admin_actor, HOTELED, WEDNESDAY_9, WEDNESDAY_12, reservee=BEN)

    with pytest.raises(Forbidden):
        seats.cancel_seat_reservation(session, as_user(session, CHLOE), row_key(made.reservation.id))
    seats.cancel_seat_reservation(session, as_user(session, BEN), row_key(made.reservation.id))

    with pytest.raises(NotFound):
        seats.get_seat_reservation(session, admin_actor, row_key(made.reservation.id))


# --- confirmation ----------------------------------------------------------------------


def test_confirm_seat_reservation_twice_is_refused_as_already_checked_in(session: Session, member_actor: Actor) -> None:
    made = reserve(session, member_actor, HOTELED, new_york(2, 9), new_york(2, 17))
    check_in = confirmations.confirm_seat_reservation(session, member_actor, row_key(made.reservation.id), None, None)

    with pytest.raises(RuleViolation) as caught:
        confirmations.confirm_seat_reservation(session, member_actor, row_key(made.reservation.id), None, None)

    assert (check_in.checked_in_at, check_in.original_start) == (NOW, new_york(2, 9))
    assert caught.value.reason == "already_checked_in"


def test_a_refused_confirmation_names_the_instance(session: Session, admin_actor: Actor) -> None:
    series = reserve(
        session, admin_actor, HOTELED, new_york(2, 9), new_york(2, 17), reservee=BEN, lines=["RRULE:FREQ=DAILY;COUNT=3"]
    )
    tuesday = row_key(series.reservation.id, datetime(2026, 3, 3, 14, tzinfo=UTC))
    tuesday_morning = as_user(session, BEN, new_york(3, 9, 30))
    confirmations.confirm_seat_reservation(session, tuesday_morning, tuesday, None, None)

    with pytest.raises(RuleViolation) as caught:
        confirmations.confirm_seat_reservation(session, tuesday_morning, tuesday, None, None)

    assert caught.value.reason == "already_checked_in"
    assert (caught.value.reservation.id, caught.value.original_start) == (series.reservation.id, new_york(3, 9))


def test_confirm_seat_reservation_after_it_ended_is_too_late(session: Session, member_actor: Actor) -> None:
    made = reserve(session, member_actor, HOTELED, new_york(2, 9), new_york(2, 10))

    with pytest.raises(RuleViolation) as caught:
        confirmations.confirm_seat_reservation(
            session, as_user(session, BEN, new_york(2, 10)), row_key(made.reservation.id), None, None
        )

    assert caught.value.reason == "too_late"


def test_confirm_seat_reservation_opens_fifteen_minutes_before_the_start(session: Session, member_actor: Actor) -> None:
    made = reserve(session, member_actor, HOTELED, WEDNESDAY_9, WEDNESDAY_12)

    with pytest.raises(RuleViolation) as caught:
        confirmations.confirm_seat_reservation(
            session,
            as_user(session, BEN, WEDNESDAY_9 - 15 * MINUTE - timedelta(seconds=1)),
            row_key(made.reservation.id),
            None,
            None,
        )
    check_in = confirmations.confirm_seat_reservation(
        session, as_user(session, BEN, WEDNESDAY_9 - 15 * MINUTE), row_key(made.reservation.id), None, None
    )

    assert caught.value.reason == "too_early"
    assert check_in.checked_in_at == WEDNESDAY_9 - 15 * MINUTE


def test_confirm_seat_reservation_of_a_series_needs_an_instance(session: Session, member_actor: Actor) -> None:
    series = reserve(session, member_actor, HOTELED, new_york(2, 9), new_york(2, 17), lines=["RRULE:FREQ=DAILY;COUNT=3"])

    with pytest.raises(RuleViolation) as caught:
        confirmations.confirm_seat_reservation(session, member_actor, row_key(series.reservation.id), None, None)

    assert refusal(caught, "series_id", "first_start", "kind") == (
        Rule.OCCURRENCE_REQUIRED,
        series.reservation.id,
        new_york(2, 9),
        ReservationKind.SEAT,
    )


def test_get_seat_confirmation_is_the_check_in_of_the_occurrence(session: Session, member_actor: Actor) -> None:
    made = reserve(session, member_actor, HOTELED, new_york(2, 9), new_york(2, 17))
    with pytest.raises(NotFound):
        confirmations.get_seat_confirmation(session, member_actor, row_key(made.reservation.id))
    check_in = confirmations.confirm_seat_reservation(session, member_actor, row_key(made.reservation.id), None, None)

    found = confirmations.get_seat_confirmation(session, as_user(session, CHLOE), row_key(made.reservation.id))

    assert found.id == check_in.id


def test_confirm_seat_reservation_of_a_cancelled_one_is_not_found(session: Session, member_actor: Actor) -> None:
    made = reserve(session, member_actor, HOTELED, new_york(2, 9), new_york(2, 17))
    seats.cancel_seat_reservation(session, member_actor, row_key(made.reservation.id))

    with pytest.raises(NotFound):
        confirmations.confirm_seat_reservation(session, member_actor, row_key(made.reservation.id), None, None)
