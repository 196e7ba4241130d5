"""Events: booking rules, changes, cancellation, check-in, and the live state of a space."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import Session, col, func, select

from sandbox.core import availability, confirmations, events, occurrences
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
from sandbox.core.events import EventChanges, EventInput
from sandbox.core.lifecycle import Refusal, TransitionRefused
from sandbox.core.occurrences import HORIZON, Scope
from sandbox.core.paging import PageRequest
from sandbox.core.reservations import ReservationView as EventView
from sandbox.store.models import CheckIn, Reservation, ReservationKind, ReservationStatus
from tests.conftest import NOW, actor_for
from tests.core.conftest import row_key

HOUR = timedelta(hours=1)
MINUTE = timedelta(minutes=1)
ORGANIZATION = 1
ADMIN_EMAIL = "ada.okafor@meridian.example"
MEMBER_EMAIL = "ben.carter@meridian.example"
# Monday 14 September 2026, 09:00 EDT: a week in which the demo store has no events.
QUIET_MONDAY = datetime(2026, 9, 14, 13, tzinfo=UTC)


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


def draft(
    start: datetime, end: datetime | None = None, lines: list[str] | None = None, time_zone: str = "America/New_York"
) -> EventInput:
    return EventInput(start=start, end=end if end is not None else start + HOUR, time_zone=time_zone, recurrence=lines)


def book(
    session: Session,
    actor: Actor,
    space_id: int,
    start: datetime,
    length: timedelta = HOUR,
    lines: list[str] | None = None,
) -> EventView:
    return events.create_event(session, actor, space_id, draft(start, start + length, lines))


def listed_starts(session: Session, space_id: int, lower: datetime, upper: datetime) -> list[datetime]:
    return [slot.start for slot in occurrences.slots(session, Scope(ORGANIZATION, resource_ids=[space_id]), lower, upper)]


def reservations_in(session: Session, space_id: int) -> int:
    return session.exec(select(func.count()).select_from(Reservation).where(Reservation.resource_id == space_id)).one()


def at(session: Session, moment: datetime, email: str = ADMIN_EMAIL) -> Actor:
    return actor_for(session, email, moment)


def seeded_event(session: Session, title: str) -> Reservation:
    return session.exec(select(Reservation).where(Reservation.title == title)).one()


# --- length ----------------------------------------------------------------------------


def test_create_event_refuses_exactly_five_minutes(session: Session, admin_actor: Actor) -> None:
    with pytest.raises(InvalidInput) as caught:
        events.create_event(session, admin_actor, 51, draft(QUIET_MONDAY, QUIET_MONDAY + 5 * MINUTE))

    assert [problem.field for problem in caught.value.problems] == ["end"]
    assert "five minutes" in caught.value.message
    assert reservations_in(session, 51) == 0


def test_create_event_accepts_five_minutes_and_a_second(session: Session, admin_actor: Actor) -> None:
    end = QUIET_MONDAY + 5 * MINUTE + timedelta(seconds=1)

    created = events.create_event(session, admin_actor, 51, draft(QUIET_MONDAY, end))

    assert (created.start, created.end) == (QUIET_MONDAY, end)
    assert created.status == ReservationStatus.CONFIRMED
    assert listed_starts(session, 51, QUIET_MONDAY, end) == [QUIET_MONDAY]


@pytest.mark.parametrize("end", [QUIET_MONDAY, QUIET_MONDAY - HOUR])
def test_create_event_refuses_an_end_not_after_the_start(session: Session, admin_actor: Actor, end: datetime) -> None:
    with pytest.raises(InvalidInput) as caught:
        events.create_event(session, admin_actor, 51, draft(QUIET_MONDAY, end))

    assert [problem.field for problem in caught.value.problems] == ["end"]
    assert "later than start" in caught.value.message


def test_create_event_refuses_an_unknown_time_zone(session: Session, admin_actor: Actor) -> None:
    with pytest.raises(InvalidInput) as caught:
        events.create_event(session, admin_actor, 51, draft(QUIET_MONDAY, time_zone="America/Gotham"))

    assert caught.value.problems[0].field == "start.time_zone"


def test_create_event_refuses_a_disabled_space(session: Session, admin_actor: Actor) -> None:
    with pytest.raises(RuleViolation) as caught:
        book(session, admin_actor, 62, QUIET_MONDAY)

    assert caught.value.reason == Rule.RESOURCE_DISABLED


def test_create_event_refuses_a_space_that_is_not_reservable(session: Session, admin_actor: Actor) -> None:
    with pytest.raises(RuleViolation) as caught:
        book(session, admin_actor, 53, QUIET_MONDAY)

    assert caught.value.reason == Rule.RESOURCE_NOT_RESERVABLE


def test_create_event_refuses_a_series_that_overlaps_itself(session: Session, admin_actor: Actor) -> None:
    with pytest.raises(InvalidInput) as caught:
        book(session, admin_actor, 51, QUIET_MONDAY, length=timedelta(hours=25), lines=["RRULE:FREQ=DAILY;COUNT=3"])

    assert caught.value.problems[0].field == "recurrence"


# --- conflicts -------------------------------------------------------------------------


def test_create_event_rejects_overlap_with_an_event(session: Session, admin_actor: Actor) -> None:
    existing = book(session, admin_actor, 51, QUIET_MONDAY)

    with pytest.raises(Conflict) as caught:
        book(session, admin_actor, 51, QUIET_MONDAY + 30 * MINUTE)

    conflict = caught.value
    assert conflict.reason == Overlap.RESOURCE_TAKEN
    assert conflict.collision.reservation.id == existing.reservation.id
    assert (conflict.collision.start, conflict.collision.end) == (QUIET_MONDAY, QUIET_MONDAY + HOUR)
    assert conflict.params == {"resource_id": 51, "kind": ReservationKind.EVENT}
    assert reservations_in(session, 51) == 1


@pytest.mark.parametrize(
    ("offset", "length"),
    [
        (10 * MINUTE, 10 * MINUTE),  # inside the existing event
        (-HOUR, 3 * HOUR),  # around it
        (-30 * MINUTE, HOUR),  # over its start
        (timedelta(0), HOUR),  # the same time
    ],
)
def test_create_event_rejects_every_kind_of_overlap(
    session: Session, admin_actor: Actor, offset: timedelta, length: timedelta
) -> None:
    existing = book(session, admin_actor, 51, QUIET_MONDAY)

    with pytest.raises(Conflict) as caught:
        book(session, admin_actor, 51, QUIET_MONDAY + offset, length=length)

    assert caught.value.collision.reservation.id == existing.reservation.id


def test_create_event_allows_the_same_time_in_another_space(session: Session, admin_actor: Actor) -> None:
    book(session, admin_actor, 51, QUIET_MONDAY)

    other = book(session, admin_actor, 52, QUIET_MONDAY)

    assert other.resource.id == 52


def test_create_event_allows_back_to_back_events(session: Session, admin_actor: Actor) -> None:
    book(session, admin_actor, 51, QUIET_MONDAY)

    before = book(session, admin_actor, 51, QUIET_MONDAY - HOUR)
    after = book(session, admin_actor, 51, QUIET_MONDAY + HOUR)

    assert before.end == QUIET_MONDAY
    assert after.start == QUIET_MONDAY + HOUR
    assert listed_starts(session, 51, QUIET_MONDAY - HOUR, QUIET_MONDAY + 2 * HOUR) == [
        QUIET_MONDAY - HOUR,
        QUIET_MONDAY,
        QUIET_MONDAY + HOUR,
    ]


def test_create_event_rejects_overlap_with_an_occurrence_of_a_series(session: Session, admin_actor: Actor) -> None:
    weekly = book(session, admin_actor, 57, QUIET_MONDAY, lines=["RRULE:FREQ=WEEKLY;COUNT=10"])
    fourth = utc(2026, 10, 5, 13)  # 09:00 EDT
    after_change = utc(2026, 11, 2, 14)  # 09:00 EST, after New York's return to standard time

    with pytest.raises(Conflict) as caught:
        book(session, admin_actor, 57, fourth + 59 * MINUTE)
    with pytest.raises(Conflict) as after_change_caught:
        book(session, admin_actor, 57, after_change + 30 * MINUTE)

    collision = caught.value.collision
    assert collision.reservation.id == weekly.reservation.id
    assert (collision.original_start, collision.start, collision.end) == (fourth, fourth, fourth + HOUR)
    assert f"(reservation {weekly.reservation.id}, from 2026-10-05T13:00:00Z)" in caught.value.message
    assert after_change_caught.value.collision.original_start == after_change


def test_create_event_rejects_overlap_with_a_seeded_series(session: Session, admin_actor: Actor) -> None:
    weekly = seeded_event(session, "Engineering weekly")
    # Its third Tuesday, 17 March, is 10:00 EDT.
    third = utc(2026, 3, 17, 14)

    with pytest.raises(Conflict) as caught:
        book(session, admin_actor, 48, third + 30 * MINUTE)

    assert caught.value.collision.reservation.id == weekly.id
    assert caught.value.collision.original_start == third


def test_create_series_rejects_a_collision_on_its_third_occurrence(session: Session, admin_actor: Actor) -> None:
    existing = book(session, admin_actor, 52, QUIET_MONDAY + timedelta(weeks=2, minutes=30))

    with pytest.raises(Conflict) as caught:
        book(session, admin_actor, 52, QUIET_MONDAY, lines=["RRULE:FREQ=WEEKLY;COUNT=5"])

    assert caught.value.collision.reservation.id == existing.reservation.id
    assert caught.value.collision.start == QUIET_MONDAY + timedelta(weeks=2, minutes=30)
    assert reservations_in(session, 52) == 1


def test_create_series_that_skips_the_booked_week_is_accepted(session: Session, admin_actor: Actor) -> None:
    book(session, admin_actor, 52, QUIET_MONDAY + timedelta(weeks=2))

    series = book(
        session,
        admin_actor,
        52,
        QUIET_MONDAY,
        lines=["RRULE:FREQ=WEEKLY;COUNT=5", "EXDATE;TZID=America/New_York:20260928T090000"],
    )

    assert series.reservation.recurrence == ["RRULE:FREQ=WEEKLY;COUNT=5", "EXDATE;TZID=America/New_York:20260928T090000"]
    assert series.reservation.series_end == utc(2026, 10, 12, 14)


def test_cancelled_event_no_longer_blocks(session: Session, admin_actor: Actor) -> None:
    existing = book(session, admin_actor, 51, QUIET_MONDAY)

    cancelled = events.cancel_event(session, admin_actor, row_key(existing.reservation.id))
    replacement = book(session, admin_actor, 51, QUIET_MONDAY)

    assert cancelled.status == ReservationStatus.CANCELLED
    assert replacement.start == QUIET_MONDAY


def test_cancelled_instance_no_longer_blocks_but_the_others_do(session: Session, admin_actor: Actor) -> None:
    weekly = book(session, admin_actor, 56, QUIET_MONDAY, lines=["RRULE:FREQ=WEEKLY;COUNT=3"])
    second = QUIET_MONDAY + timedelta(weeks=1)

    events.cancel_event(session, admin_actor, row_key(weekly.reservation.id, second))
    replacement = book(session, admin_actor, 56, second)

    assert replacement.start == second
    with pytest.raises(Conflict) as caught:
        book(session, admin_actor, 56, QUIET_MONDAY + timedelta(weeks=2))
    assert caught.value.collision.reservation.id == weekly.reservation.id


# --- the horizon -------------------------------------------------------------------------


def test_create_series_does_not_check_occurrences_beyond_the_horizon_by_design(session: Session, admin_actor: Actor) -> None:
    # Only the occurrences within HORIZON of the start are conflict-checked when a series
    # is written; an event booked further ahead is not compared with it.
    series_start = utc(2026, 3, 4, 15)  # Wednesday 10:00 EST
    far_wednesday = utc(2027, 6, 9, 14)  # a Wednesday at 10:00 EDT, beyond the horizon
    assert far_wednesday > series_start + HORIZON
    far_event = book(session, admin_actor, 51, far_wednesday)

    weekly = book(session, admin_actor, 51, series_start, lines=["RRULE:FREQ=WEEKLY"])

    assert weekly.reservation.indexed_until == series_start + HORIZON
    both = {
        slot.reservation.id
        for slot in occurrences.slots(session, Scope(ORGANIZATION, resource_ids=[51]), far_wednesday, far_wednesday + HOUR)
    }
    assert both == {far_event.reservation.id, weekly.reservation.id}


def test_create_series_checks_occurrences_up_to_the_horizon(session: Session, admin_actor: Actor) -> None:
    series_start = utc(2026, 3, 4, 15)
    last_checked = utc(2027, 3, 3, 15)  # the last Wednesday before start + HORIZON
    assert last_checked < series_start + HORIZON
    existing = book(session, admin_actor, 51, last_checked)

    with pytest.raises(Conflict) as caught:
        book(session, admin_actor, 51, series_start, lines=["RRULE:FREQ=WEEKLY"])

    assert caught.value.collision.reservation.id == existing.reservation.id


def test_new_event_beyond_the_horizon_is_checked_against_a_series(session: Session, admin_actor: Actor) -> None:
    weekly = book(session, admin_actor, 51, utc(2026, 3, 4, 15), lines=["RRULE:FREQ=WEEKLY"])

    with pytest.raises(Conflict) as caught:
        book(session, admin_actor, 51, utc(2027, 6, 9, 14))

    assert caught.value.collision.reservation.id == weekly.reservation.id


# --- update_event ------------------------------------------------------------------------


def test_update_event_does_not_conflict_with_itself(session: Session, admin_actor: Actor) -> None:
    existing = book(session, admin_actor, 51, QUIET_MONDAY)

    moved = events.update_event(
        session,
        admin_actor,
        row_key(existing.reservation.id),
        EventChanges({"start": QUIET_MONDAY + 30 * MINUTE, "end": QUIET_MONDAY + 90 * MINUTE}),
    )

    assert (moved.start, moved.end) == (QUIET_MONDAY + 30 * MINUTE, QUIET_MONDAY + 90 * MINUTE)
    assert listed_starts(session, 51, QUIET_MONDAY - HOUR, QUIET_MONDAY + 3 * HOUR) == [QUIET_MONDAY + 30 * MINUTE]


def test_update_series_does_not_conflict_with_its_own_occurrences(session: Session, admin_actor: Actor) -> None:
    weekly = book(session, admin_actor, 51, QUIET_MONDAY, lines=["RRULE:FREQ=WEEKLY;COUNT=3"])

    moved = events.update_event(
        session,
        admin_actor,
        row_key(weekly.reservation.id),
        EventChanges({"start": QUIET_MONDAY + 30 * MINUTE, "end": QUIET_MONDAY + 90 * MINUTE}),
    )

    assert moved.reservation.recurrence == ["RRULE:FREQ=WEEKLY;COUNT=3"]
    assert listed_starts(session, 51, QUIET_MONDAY, QUIET_MONDAY + timedelta(weeks=4)) == [
        QUIET_MONDAY + 30 * MINUTE + timedelta(weeks=week) for week in range(3)
    ]


def test_update_event_rejects_overlap_with_another_event(session: Session, admin_actor: Actor) -> None:
    existing = book(session, admin_actor, 51, QUIET_MONDAY)
    other = book(session, admin_actor, 51, QUIET_MONDAY + 2 * HOUR)

    with pytest.raises(Conflict) as caught:
        events.update_event(
            session,
            admin_actor,
            row_key(existing.reservation.id),
            EventChanges({"end": QUIET_MONDAY + 2 * HOUR + MINUTE}),
        )

    assert caught.value.collision.reservation.id == other.reservation.id


def test_update_event_may_end_where_the_next_one_starts(session: Session, admin_actor: Actor) -> None:
    existing = book(session, admin_actor, 51, QUIET_MONDAY)
    book(session, admin_actor, 51, QUIET_MONDAY + 2 * HOUR)

    longer = events.update_event(
        session, admin_actor, row_key(existing.reservation.id), EventChanges({"end": QUIET_MONDAY + 2 * HOUR})
    )

    assert longer.end == QUIET_MONDAY + 2 * HOUR


def test_update_event_adding_a_rule_checks_the_new_occurrences(session: Session, admin_actor: Actor) -> None:
    existing = book(session, admin_actor, 51, QUIET_MONDAY)
    later = book(session, admin_actor, 51, QUIET_MONDAY + timedelta(days=3))

    with pytest.raises(Conflict) as caught:
        events.update_event(
            session, admin_actor, row_key(existing.reservation.id), EventChanges({"recurrence": ["RRULE:FREQ=DAILY;COUNT=5"]})
        )

    assert caught.value.collision.reservation.id == later.reservation.id


def test_update_event_refuses_an_instance(session: Session, admin_actor: Actor) -> None:
    weekly = book(session, admin_actor, 51, QUIET_MONDAY, lines=["RRULE:FREQ=WEEKLY;COUNT=3"])
    instance = row_key(weekly.reservation.id, QUIET_MONDAY + timedelta(weeks=1))

    with pytest.raises(RuleViolation) as caught:
        events.update_event(session, admin_actor, instance, EventChanges({"title": "Moved"}))

    assert caught.value.reason == Rule.OCCURRENCE_CHANGED_ALONE
    assert isinstance(caught.value, Refused)
    assert caught.value.params == {"series_id": weekly.reservation.id}
    assert events.get_event(session, admin_actor, row_key(weekly.reservation.id)).reservation.title != "Moved"


def test_update_event_of_an_instance_that_does_not_exist_is_not_found(session: Session, admin_actor: Actor) -> None:
    weekly = book(session, admin_actor, 51, QUIET_MONDAY, lines=["RRULE:FREQ=WEEKLY;COUNT=3"])
    off_pattern = row_key(weekly.reservation.id, QUIET_MONDAY + timedelta(days=1))

    with pytest.raises(NotFound):
        events.update_event(session, admin_actor, off_pattern, EventChanges({"title": "Moved"}))


def test_update_event_refuses_a_member_who_is_not_the_organizer(
    session: Session, admin_actor: Actor, member_actor: Actor
) -> None:
    existing = book(session, admin_actor, 51, QUIET_MONDAY)

    with pytest.raises(Forbidden):
        events.update_event(session, member_actor, row_key(existing.reservation.id), EventChanges({"title": "Mine now"}))
    with pytest.raises(Forbidden):
        events.cancel_event(session, member_actor, row_key(existing.reservation.id))

    assert events.get_event(session, admin_actor, row_key(existing.reservation.id)).status == ReservationStatus.CONFIRMED


def test_update_event_by_its_organizer_who_is_a_member(session: Session, member_actor: Actor) -> None:
    own = book(session, member_actor, 51, QUIET_MONDAY)

    renamed = events.update_event(session, member_actor, row_key(own.reservation.id), EventChanges({"title": "Retro"}))

    assert renamed.reservation.title == "Retro"


def test_administrator_may_change_any_event(session: Session, admin_actor: Actor, member_actor: Actor) -> None:
    own = book(session, member_actor, 51, QUIET_MONDAY)

    renamed = events.update_event(session, admin_actor, row_key(own.reservation.id), EventChanges({"title": "Audit"}))

    assert renamed.reservation.title == "Audit"


def test_update_event_with_recurrence_none_removes_the_rule(session: Session, admin_actor: Actor) -> None:
    weekly = book(session, admin_actor, 51, QUIET_MONDAY, lines=["RRULE:FREQ=WEEKLY;COUNT=4"])

    single = events.update_event(session, admin_actor, row_key(weekly.reservation.id), EventChanges({"recurrence": None}))

    assert single.reservation.recurrence is None
    assert single.reservation.series_end == QUIET_MONDAY + HOUR
    assert listed_starts(session, 51, QUIET_MONDAY, QUIET_MONDAY + timedelta(weeks=5)) == [QUIET_MONDAY]
    assert book(session, admin_actor, 51, QUIET_MONDAY + timedelta(weeks=1)).start == QUIET_MONDAY + timedelta(weeks=1)


def test_removing_the_rule_after_cancelling_the_first_instance_keeps_the_event_booked(
    session: Session, admin_actor: Actor
) -> None:
    weekly = book(session, admin_actor, 51, QUIET_MONDAY, lines=["RRULE:FREQ=WEEKLY;COUNT=3"])
    events.cancel_event(session, admin_actor, row_key(weekly.reservation.id, QUIET_MONDAY))

    single = events.update_event(session, admin_actor, row_key(weekly.reservation.id), EventChanges({"recurrence": None}))

    # The single event that remains is confirmed at its start, so it must hold that time.
    assert single.status == ReservationStatus.CONFIRMED
    assert (single.start, single.end) == (QUIET_MONDAY, QUIET_MONDAY + HOUR)
    assert listed_starts(session, 51, QUIET_MONDAY, QUIET_MONDAY + HOUR) == [QUIET_MONDAY]
    with pytest.raises(Conflict):
        book(session, admin_actor, 51, QUIET_MONDAY)


def test_rescheduling_a_series_keeps_its_cancelled_occurrence_cancelled(session: Session, admin_actor: Actor) -> None:
    weekly = book(session, admin_actor, 51, QUIET_MONDAY, lines=["RRULE:FREQ=WEEKLY;COUNT=3"])
    series_id = weekly.reservation.id
    events.cancel_event(session, admin_actor, row_key(series_id, QUIET_MONDAY + timedelta(weeks=1)))
    later = QUIET_MONDAY + 30 * MINUTE

    events.update_event(session, admin_actor, row_key(series_id), EventChanges({"start": later, "end": later + HOUR}))

    assert listed_starts(session, 51, QUIET_MONDAY, QUIET_MONDAY + timedelta(weeks=3)) == [
        later,
        later + timedelta(weeks=2),
    ]
    moved = row_key(series_id, later + timedelta(weeks=1))
    assert events.get_event(session, admin_actor, moved).status == ReservationStatus.CANCELLED


def test_rescheduling_a_series_moves_cancellations_by_local_time_across_a_change(session: Session, admin_actor: Actor) -> None:
    first = utc(2026, 10, 26, 13)  # Monday 09:00 EDT; the next two Mondays are EST
    weekly = book(session, admin_actor, 51, first, lines=["RRULE:FREQ=WEEKLY;COUNT=3"])
    series_id = weekly.reservation.id
    events.cancel_event(session, admin_actor, row_key(series_id, utc(2026, 11, 2, 14)))
    week_earlier = utc(2026, 10, 19, 13)

    events.update_event(
        session, admin_actor, row_key(series_id), EventChanges({"start": week_earlier, "end": week_earlier + HOUR})
    )

    # The cancelled Monday 09:00 moves a week back to Monday 26 October 09:00 EDT.
    assert listed_starts(session, 51, utc(2026, 10, 1), utc(2026, 12, 1)) == [
        utc(2026, 10, 19, 13),
        utc(2026, 11, 2, 14),
    ]


def test_update_event_refuses_a_cancelled_event(session: Session, admin_actor: Actor) -> None:
    existing = book(session, admin_actor, 51, QUIET_MONDAY)
    events.cancel_event(session, admin_actor, row_key(existing.reservation.id))

    with pytest.raises(RuleViolation) as caught:
        events.update_event(session, admin_actor, row_key(existing.reservation.id), EventChanges({"title": "Back"}))

    assert caught.value.reason == Rule.CANCELLED_UNCHANGEABLE


def test_update_event_refuses_a_too_short_length(session: Session, admin_actor: Actor) -> None:
    existing = book(session, admin_actor, 51, QUIET_MONDAY)

    with pytest.raises(InvalidInput) as caught:
        events.update_event(
            session, admin_actor, row_key(existing.reservation.id), EventChanges({"end": QUIET_MONDAY + 5 * MINUTE})
        )

    assert caught.value.problems[0].field == "end"


# --- cancel_event ------------------------------------------------------------------------


def test_cancel_event_of_an_instance_cancels_only_that_occurrence(session: Session, admin_actor: Actor) -> None:
    weekly = book(session, admin_actor, 51, QUIET_MONDAY, lines=["RRULE:FREQ=WEEKLY;COUNT=3"])
    series_id = weekly.reservation.id
    second = QUIET_MONDAY + timedelta(weeks=1)

    cancelled = events.cancel_event(session, admin_actor, row_key(series_id, second))

    assert cancelled.status == ReservationStatus.CANCELLED
    assert cancelled.original_start == second
    assert events.get_event(session, admin_actor, row_key(series_id)).status == ReservationStatus.CONFIRMED
    assert events.get_event(session, admin_actor, row_key(series_id, QUIET_MONDAY)).status == "confirmed"
    assert listed_starts(session, 51, QUIET_MONDAY, QUIET_MONDAY + timedelta(weeks=3)) == [
        QUIET_MONDAY,
        QUIET_MONDAY + timedelta(weeks=2),
    ]


def test_cancel_event_of_an_instance_twice_is_refused_as_already_cancelled_and_changes_nothing(
    session: Session, admin_actor: Actor
) -> None:
    weekly = book(session, admin_actor, 51, QUIET_MONDAY, lines=["RRULE:FREQ=WEEKLY;COUNT=3"])
    instance = row_key(weekly.reservation.id, QUIET_MONDAY)
    events.cancel_event(session, admin_actor, instance)

    with pytest.raises(TransitionRefused) as caught:
        events.cancel_event(session, admin_actor, instance)

    assert caught.value.refusal == Refusal.ALREADY_CANCELLED
    assert events.get_event(session, admin_actor, instance).status == ReservationStatus.CANCELLED
    assert len(listed_starts(session, 51, QUIET_MONDAY, QUIET_MONDAY + timedelta(weeks=3))) == 2


def test_cancel_event_of_an_instance_off_the_pattern_is_not_found(session: Session, admin_actor: Actor) -> None:
    weekly = book(session, admin_actor, 51, QUIET_MONDAY, lines=["RRULE:FREQ=WEEKLY;COUNT=3"])
    single = book(session, admin_actor, 52, QUIET_MONDAY)

    with pytest.raises(NotFound):
        events.cancel_event(session, admin_actor, row_key(weekly.reservation.id, QUIET_MONDAY + MINUTE))
    with pytest.raises(NotFound):
        events.cancel_event(session, admin_actor, row_key(single.reservation.id, QUIET_MONDAY))


# --- confirm_event -----------------------------------------------------------------------


def test_confirm_event_opens_fifteen_minutes_before_the_start(session: Session, admin_actor: Actor) -> None:
    existing = book(session, admin_actor, 51, QUIET_MONDAY)

    check_in = confirmations.confirm_event(
        session, at(session, QUIET_MONDAY - 15 * MINUTE), row_key(existing.reservation.id), None, None
    )

    assert check_in.reservation_id == existing.reservation.id
    assert check_in.original_start == QUIET_MONDAY
    assert check_in.checked_in_at == QUIET_MONDAY - 15 * MINUTE
    assert events.get_event(session, admin_actor, row_key(existing.reservation.id)).check_in is not None


def test_confirm_event_refuses_more_than_fifteen_minutes_early(session: Session, admin_actor: Actor) -> None:
    existing = book(session, admin_actor, 51, QUIET_MONDAY)
    early = at(session, QUIET_MONDAY - 15 * MINUTE - timedelta(seconds=1))

    with pytest.raises(RuleViolation) as caught:
        confirmations.confirm_event(session, early, row_key(existing.reservation.id), None, None)

    assert caught.value.reason == "too_early"


def test_confirm_event_is_allowed_until_the_last_moment(session: Session, admin_actor: Actor) -> None:
    existing = book(session, admin_actor, 51, QUIET_MONDAY)

    check_in = confirmations.confirm_event(
        session, at(session, QUIET_MONDAY + HOUR - timedelta(seconds=1)), row_key(existing.reservation.id), None, None
    )

    assert check_in.original_start == QUIET_MONDAY


def test_confirm_event_refuses_once_the_event_has_ended(session: Session, admin_actor: Actor) -> None:
    existing = book(session, admin_actor, 51, QUIET_MONDAY)

    with pytest.raises(RuleViolation) as caught:
        confirmations.confirm_event(session, at(session, QUIET_MONDAY + HOUR), row_key(existing.reservation.id), None, None)

    assert caught.value.reason == "too_late"


def test_confirm_event_refuses_an_event_already_confirmed(session: Session, admin_actor: Actor) -> None:
    existing = book(session, admin_actor, 51, QUIET_MONDAY)
    confirmations.confirm_event(session, at(session, QUIET_MONDAY), row_key(existing.reservation.id), None, None)

    with pytest.raises(RuleViolation) as caught:
        confirmations.confirm_event(session, at(session, QUIET_MONDAY + MINUTE), row_key(existing.reservation.id), None, None)

    assert caught.value.reason == "already_checked_in"


def test_confirm_event_refuses_a_series_master(session: Session, admin_actor: Actor) -> None:
    weekly = book(session, admin_actor, 51, QUIET_MONDAY, lines=["RRULE:FREQ=WEEKLY;COUNT=3"])

    with pytest.raises(RuleViolation) as caught:
        confirmations.confirm_event(session, at(session, QUIET_MONDAY), row_key(weekly.reservation.id), None, None)

    assert caught.value.reason == Rule.OCCURRENCE_REQUIRED
    assert isinstance(caught.value, Refused)
    assert (caught.value.params["series_id"], caught.value.params["first_start"]) == (weekly.reservation.id, QUIET_MONDAY)


def test_confirm_event_of_an_instance_confirms_only_that_occurrence(session: Session, admin_actor: Actor) -> None:
    weekly = book(session, admin_actor, 51, QUIET_MONDAY, lines=["RRULE:FREQ=WEEKLY;COUNT=3"])
    series_id = weekly.reservation.id
    second = QUIET_MONDAY + timedelta(weeks=1)

    check_in = confirmations.confirm_event(session, at(session, second + MINUTE), row_key(series_id, second), None, None)

    assert (check_in.reservation_id, check_in.original_start) == (series_id, second)
    assert events.get_event(session, admin_actor, row_key(series_id, second)).check_in is not None
    assert events.get_event(session, admin_actor, row_key(series_id, QUIET_MONDAY)).check_in is None


def test_confirm_event_window_of_an_instance_is_its_own(session: Session, admin_actor: Actor) -> None:
    weekly = book(session, admin_actor, 51, QUIET_MONDAY, lines=["RRULE:FREQ=WEEKLY;COUNT=3"])
    second = row_key(weekly.reservation.id, QUIET_MONDAY + timedelta(weeks=1))

    with pytest.raises(RuleViolation) as caught:
        confirmations.confirm_event(session, at(session, QUIET_MONDAY + 10 * MINUTE), second, None, None)

    assert caught.value.reason == "too_early"


def test_confirm_event_refuses_a_cancelled_instance(session: Session, admin_actor: Actor) -> None:
    weekly = book(session, admin_actor, 51, QUIET_MONDAY, lines=["RRULE:FREQ=WEEKLY;COUNT=3"])
    instance = row_key(weekly.reservation.id, QUIET_MONDAY)
    events.cancel_event(session, admin_actor, instance)

    with pytest.raises(RuleViolation) as caught:
        confirmations.confirm_event(session, at(session, QUIET_MONDAY), instance, None, None)

    assert caught.value.reason == "cancelled"


def test_confirm_event_on_behalf_of_another_member(session: Session, admin_actor: Actor, member_actor: Actor) -> None:
    existing = book(session, admin_actor, 51, QUIET_MONDAY)

    check_in = confirmations.confirm_event(
        session, at(session, QUIET_MONDAY), row_key(existing.reservation.id), member_actor.user.id, 7
    )

    assert (check_in.user_id, check_in.device_id) == (member_actor.user.id, 7)


def test_confirm_event_refuses_an_unknown_user(session: Session, admin_actor: Actor) -> None:
    existing = book(session, admin_actor, 51, QUIET_MONDAY)

    with pytest.raises(InvalidInput) as caught:
        confirmations.confirm_event(session, at(session, QUIET_MONDAY), row_key(existing.reservation.id), 999_999, None)

    assert caught.value.problems[0].field == "user_id"
    assert session.exec(select(CheckIn).where(col(CheckIn.reservation_id) == existing.reservation.id)).all() == []


# --- space_state -------------------------------------------------------------------------


def test_space_state_of_a_free_space_without_bookings(session: Session, admin_actor: Actor) -> None:
    state = availability.space_state(session, admin_actor, 51)

    assert (state.availability, state.present, state.next_busy_change) == ("available", 0, None)


def test_space_state_is_available_until_the_next_event(session: Session, admin_actor: Actor) -> None:
    book(session, admin_actor, 51, NOW + 2 * HOUR)
    book(session, admin_actor, 51, NOW + 5 * HOUR)

    state = availability.space_state(session, admin_actor, 51)

    assert (state.availability, state.next_busy_change) == ("available", NOW + 2 * HOUR)


def test_space_state_after_an_event_ended_is_available(session: Session, admin_actor: Actor) -> None:
    book(session, admin_actor, 51, NOW - HOUR)

    state = availability.space_state(session, admin_actor, 51)

    assert (state.availability, state.next_busy_change) == ("available", None)


def test_space_state_is_booked_during_an_event(session: Session, admin_actor: Actor) -> None:
    book(session, admin_actor, 51, NOW - 30 * MINUTE)
    book(session, admin_actor, 51, NOW + 2 * HOUR)

    state = availability.space_state(session, admin_actor, 51)

    assert (state.availability, state.present, state.next_busy_change) == ("booked", 0, NOW + 30 * MINUTE)


def test_space_state_is_booked_from_the_first_moment(session: Session, admin_actor: Actor) -> None:
    book(session, admin_actor, 51, NOW)

    state = availability.space_state(session, admin_actor, 51)

    assert (state.availability, state.next_busy_change) == ("booked", NOW + HOUR)


def test_space_state_stays_busy_through_back_to_back_events(session: Session, admin_actor: Actor) -> None:
    book(session, admin_actor, 51, NOW - 30 * MINUTE)
    book(session, admin_actor, 51, NOW + 30 * MINUTE)
    book(session, admin_actor, 51, NOW + 90 * MINUTE)
    book(session, admin_actor, 51, NOW + 3 * HOUR)

    state = availability.space_state(session, admin_actor, 51)

    assert (state.availability, state.next_busy_change) == ("booked", NOW + 150 * MINUTE)


def test_space_state_is_in_use_once_the_current_event_is_confirmed(session: Session, admin_actor: Actor) -> None:
    current = book(session, admin_actor, 51, NOW - 10 * MINUTE)
    confirmations.confirm_event(session, admin_actor, row_key(current.reservation.id), None, None)

    state = availability.space_state(session, admin_actor, 51)

    assert (state.availability, state.present, state.next_busy_change) == ("in_use", 0, NOW + 50 * MINUTE)


def test_space_state_is_booked_when_only_a_later_event_is_confirmed(session: Session, admin_actor: Actor) -> None:
    book(session, admin_actor, 51, NOW - 50 * MINUTE)
    later = book(session, admin_actor, 51, NOW + 10 * MINUTE)
    confirmations.confirm_event(session, admin_actor, row_key(later.reservation.id), None, None)

    state = availability.space_state(session, admin_actor, 51)

    assert (state.availability, state.present) == ("booked", 0)
    assert state.next_busy_change == NOW + 70 * MINUTE


def test_space_state_of_an_instance_in_progress(session: Session, admin_actor: Actor) -> None:
    weekly = book(session, admin_actor, 51, NOW - timedelta(weeks=1, minutes=20), lines=["RRULE:FREQ=WEEKLY;COUNT=3"])
    now_instance = NOW - 20 * MINUTE
    confirmations.confirm_event(session, admin_actor, row_key(weekly.reservation.id, now_instance), None, None)

    state = availability.space_state(session, admin_actor, 51)

    assert (state.availability, state.next_busy_change) == ("in_use", now_instance + HOUR)


def test_space_state_ignores_a_cancelled_instance(session: Session, admin_actor: Actor) -> None:
    weekly = book(session, admin_actor, 51, NOW - timedelta(weeks=1, minutes=20), lines=["RRULE:FREQ=WEEKLY;COUNT=3"])
    events.cancel_event(session, admin_actor, row_key(weekly.reservation.id, NOW - 20 * MINUTE))

    state = availability.space_state(session, admin_actor, 51)

    # The next occurrence is a week later at 08:40 EDT, an hour earlier in UTC than 08:40 EST.
    assert (state.availability, state.next_busy_change) == ("available", NOW + timedelta(weeks=1) - 80 * MINUTE)


def test_space_state_of_a_disabled_space(session: Session, admin_actor: Actor) -> None:
    state = availability.space_state(session, admin_actor, 62)

    assert (state.availability, state.present, state.next_busy_change) == ("disabled", 0, None)


def test_space_state_of_a_seeded_space_during_its_event(session: Session) -> None:
    # The demo's design review in East River runs 14:00-15:00 EST on Tuesday 3 March.
    during = at(session, utc(2026, 3, 3, 19, 30))

    state = availability.space_state(session, during, 49)

    assert (state.availability, state.next_busy_change) == ("booked", utc(2026, 3, 3, 20))


# --- upcoming and recent ---------------------------------------------------------------

EAST_RIVER = 49  # never releases an unconfirmed meeting; nothing booked before the demo's now


def recent_starts(session: Session, actor: Actor, space_id: int, per_page: int = 1000, page: int = 1) -> list[datetime]:
    found = events.recent_in_space(session, actor, space_id, PageRequest(page, per_page))
    return [view.start for view in found.items]


def test_recent_in_space_lists_started_occurrences_within_the_look_back_latest_first(
    session: Session, admin_actor: Actor
) -> None:
    for start in (NOW - timedelta(days=367), NOW - timedelta(days=365), NOW - 2 * HOUR, NOW - 20 * MINUTE, NOW, NOW + HOUR):
        book(session, admin_actor, EAST_RIVER, start, length=10 * MINUTE)

    assert recent_starts(session, admin_actor, EAST_RIVER) == [NOW, NOW - 20 * MINUTE, NOW - 2 * HOUR, NOW - timedelta(days=365)]
    assert recent_starts(session, admin_actor, EAST_RIVER, per_page=2, page=2) == [NOW - 2 * HOUR, NOW - timedelta(days=365)]


def test_recent_in_space_merges_a_series_read_past_its_index_with_indexed_events(session: Session, admin_actor: Actor) -> None:
    weekly = book(session, admin_actor, EAST_RIVER, NOW - timedelta(weeks=4), lines=["RRULE:FREQ=WEEKLY"])
    single = book(session, admin_actor, EAST_RIVER, NOW + timedelta(days=380))
    later = at(session, NOW + timedelta(days=400))
    assert weekly.reservation.indexed_until < later.now

    starts = recent_starts(session, later, EAST_RIVER)

    expected = listed_starts(session, EAST_RIVER, later.now - occurrences.HORIZON, later.now)[::-1]
    assert starts == [start for start in expected if start >= later.now - occurrences.HORIZON]
    assert starts == sorted(starts, reverse=True)
    assert single.start in starts
    assert len(starts) == 54  # 53 Mondays and the single event


def test_upcoming_and_recent_of_a_user_are_their_events(session: Session, admin_actor: Actor, member_actor: Actor) -> None:
    ben = member_actor.user.id or 0
    invited = events.create_event(
        session,
        admin_actor,
        EAST_RIVER,
        EventInput(
            start=NOW - 3 * HOUR, end=NOW - 2 * HOUR, time_zone="America/New_York", invitees=[events.InviteeInput(MEMBER_EMAIL)]
        ),
    )
    book(session, admin_actor, EAST_RIVER, NOW - 5 * HOUR)
    own = book(session, member_actor, EAST_RIVER, NOW + HOUR)

    recent = events.recent_of_user(session, member_actor, ben, PageRequest(per_page=1000)).items
    upcoming = events.upcoming_of_user(session, member_actor, ben, PageRequest(per_page=1000)).items

    assert [view.reservation.id for view in recent] == [invited.reservation.id]
    assert own.reservation.id in [view.reservation.id for view in upcoming]
    assert all(view.end > NOW for view in upcoming)


# --- organizer, zone, all-day ----------------------------------------------------------


@pytest.mark.parametrize("named", ["ben-carter", MEMBER_EMAIL, "2"])
def test_create_event_for_an_organizer_named_by_an_administrator(session: Session, admin_actor: Actor, named: str) -> None:
    booked = events.create_event(
        session, admin_actor, 57, EventInput(start=QUIET_MONDAY, end=QUIET_MONDAY + HOUR, organizer=named)
    )

    assert (booked.reservation.organizer_email, booked.reservation.creator_email) == (MEMBER_EMAIL, ADMIN_EMAIL)


def test_create_event_refuses_a_member_booking_for_someone_else(session: Session, member_actor: Actor) -> None:
    with pytest.raises(Forbidden):
        events.create_event(session, member_actor, 57, EventInput(start=QUIET_MONDAY, end=QUIET_MONDAY + HOUR, organizer=1))

    assert reservations_in(session, 57) == 0


@pytest.mark.parametrize("named", ["nobody", 999_999, -1, "", "x" * 400])
def test_create_event_refuses_an_organizer_nobody_is(session: Session, admin_actor: Actor, named: int | str) -> None:
    with pytest.raises(InvalidInput) as caught:
        events.create_event(session, admin_actor, 57, EventInput(start=QUIET_MONDAY, end=QUIET_MONDAY + HOUR, organizer=named))

    assert [problem.field for problem in caught.value.problems] == ["organizer"]


def test_create_event_without_a_zone_takes_its_locations(session: Session, admin_actor: Actor) -> None:
    in_new_york = events.create_event(session, admin_actor, 57, EventInput(start=QUIET_MONDAY, end=QUIET_MONDAY + HOUR))
    in_bengaluru = events.create_event(session, admin_actor, 72, EventInput(start=QUIET_MONDAY, end=QUIET_MONDAY + HOUR))

    assert (in_new_york.reservation.time_zone, in_bengaluru.reservation.time_zone) == ("America/New_York", "Asia/Kolkata")


# --- a change naming the event's own values ---------------------------------------------


def test_update_event_naming_its_own_values_changes_nothing(session: Session, admin_actor: Actor) -> None:
    start = NOW + 10 * MINUTE
    created = events.create_event(
        session,
        admin_actor,
        57,
        EventInput(start=start, end=start + HOUR, time_zone="America/New_York", invitees=[events.InviteeInput(MEMBER_EMAIL)]),
    )
    confirmations.confirm_event(session, admin_actor, row_key(created.reservation.id), None, None)
    reservation = created.reservation
    own = {
        "start": reservation.start,
        "end": reservation.end,
        "time_zone": reservation.time_zone,
        "recurrence": None,
        "title": reservation.title,
        "description": None,
        "visibility": None,
        "invitees": [events.InviteeInput(MEMBER_EMAIL.upper())],
    }
    invitee_ids = [invitee.id for invitee in created.invitees]
    later = at(session, NOW + 5 * MINUTE)

    changed = events.update_event(session, later, row_key(reservation.id), EventChanges(own))

    assert changed.reservation.updated_at == NOW
    assert changed.check_in is not None
    assert [invitee.id for invitee in changed.invitees] == invitee_ids


def test_update_event_naming_another_title_changes_only_it(session: Session, admin_actor: Actor) -> None:
    created = book(session, admin_actor, 57, QUIET_MONDAY)
    start, indexed_until = created.reservation.start, created.reservation.indexed_until
    later = at(session, NOW + 5 * MINUTE)

    changed = events.update_event(
        session, later, row_key(created.reservation.id), EventChanges({"title": "Renamed", "start": start, "end": start + HOUR})
    )

    assert (changed.reservation.title, changed.reservation.updated_at) == ("Renamed", NOW + 5 * MINUTE)
    assert (changed.reservation.start, changed.reservation.indexed_until) == (start, indexed_until)


def test_update_event_reads_a_bound_named_twice_as_the_one_that_changes_it(session: Session, admin_actor: Actor) -> None:
    created = book(session, admin_actor, 57, QUIET_MONDAY)
    key = row_key(created.reservation.id)
    later, earlier = QUIET_MONDAY + 30 * MINUTE, QUIET_MONDAY - 30 * MINUTE

    second_changes = events.update_event(
        session, admin_actor, key, EventChanges({"start": QUIET_MONDAY}, mirrored={"start": later})
    )
    first_changes = events.update_event(session, admin_actor, key, EventChanges({"start": earlier}, mirrored={"start": later}))
    only_second = events.update_event(session, admin_actor, key, EventChanges({}, mirrored={"end": QUIET_MONDAY + 2 * HOUR}))

    assert second_changes.start == later
    assert first_changes.start == earlier
    assert (only_second.start, only_second.end) == (earlier, QUIET_MONDAY + 2 * HOUR)
