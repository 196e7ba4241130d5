"""Presence: sessions that start, extend and expire by the organization's clock, and what they show."""

from datetime import datetime, timedelta

import pytest
from sqlmodel import Session, select

from sandbox.core import availability, events, presence
from sandbox.core.access import Actor
from sandbox.core.availability import FreeBusyQuery
from sandbox.core.errors import Forbidden, InvalidInput, NotFound
from sandbox.core.events import EventInput
from sandbox.core.paging import PageRequest
from sandbox.core.presence import Place, PresenceInput
from sandbox.store.models import Presence, Resource, User
from tests.conftest import NOW, actor_for

SECOND = timedelta(seconds=1)
ADMIN = "ada.okafor@meridian.example"
BEN = "ben.carter@meridian.example"
CHLOE = "chloe.martin@meridian.example"
DIEGO = "diego.alvarez@meridian.example"
BOOTH = 51  # Phone Booth 1A, Meridian HQ New York; nothing booked on Monday 2 March
OTHER_BOOTH = 52
NEW_YORK = 10
BENGALURU = 11
CUBBON = 70  # a space in Bengaluru
EVERYTHING = PageRequest(per_page=1000)


def user_id(session: Session, email: str) -> int:
    return session.exec(select(User.id).where(User.email == email)).one() or 0


def at(session: Session, moment: datetime, email: str = ADMIN) -> Actor:
    return actor_for(session, email, moment)


def in_space(session: Session, actor: Actor, space_id: int = BOOTH) -> Place:
    return presence.space_place(session, actor, space_id)


def in_location(session: Session, actor: Actor, location_id: int = NEW_YORK) -> Place:
    return presence.location_place(session, actor, location_id)


def live(session: Session, actor: Actor, place: Place) -> list[Presence]:
    return presence.live_sessions(session, actor, place, EVERYTHING).items


def sessions_in_store(session: Session) -> int:
    return len(session.exec(select(Presence)).all())


# --- starting and extending ------------------------------------------------------------


def test_record_starts_a_session_that_lives_the_default_ttl(session: Session, admin_actor: Actor) -> None:
    ben = user_id(session, BEN)

    row, created = presence.record(session, admin_actor, in_space(session, admin_actor), PresenceInput(user_id=ben))

    assert created is True
    assert (row.user_id, row.device_id, row.resource_id, row.building_id) == (ben, None, BOOTH, NEW_YORK)
    assert (row.arrived_at, row.last_seen_at, row.session_ttl) == (NOW, NOW, 30)
    assert row.expires_at == NOW + 30 * SECOND
    assert session.get(Resource, BOOTH).last_presence_at == NOW  # type: ignore[union-attr]  # the seeded row is there


def test_record_again_while_live_extends_the_same_session(session: Session, admin_actor: Actor) -> None:
    ben = user_id(session, BEN)
    first, _ = presence.record(session, admin_actor, in_space(session, admin_actor), PresenceInput(user_id=ben))
    later = at(session, NOW + 20 * SECOND)

    again, created = presence.record(session, later, in_space(session, later), PresenceInput(user_id=ben))

    assert created is False
    assert again.id == first.id
    assert (again.arrived_at, again.last_seen_at, again.expires_at) == (NOW, NOW + 20 * SECOND, NOW + 50 * SECOND)
    # Without the extension the session would have ended at NOW + 30 s.
    assert [row.id for row in live(session, at(session, NOW + 45 * SECOND), in_space(session, admin_actor))] == [first.id]
    assert sessions_in_store(session) == 1


def test_record_at_the_moment_a_session_expires_starts_a_new_one(session: Session, admin_actor: Actor) -> None:
    ben = user_id(session, BEN)
    first, _ = presence.record(session, admin_actor, in_space(session, admin_actor), PresenceInput(user_id=ben))
    expired = at(session, NOW + 30 * SECOND)

    second, created = presence.record(session, expired, in_space(session, expired), PresenceInput(user_id=ben))

    assert created is True
    assert second.id != first.id
    assert second.arrived_at == NOW + 30 * SECOND
    assert [row.id for row in live(session, expired, in_space(session, expired))] == [second.id]


def test_record_takes_the_latest_ttl_when_extending(session: Session, admin_actor: Actor) -> None:
    ben = user_id(session, BEN)
    presence.record(session, admin_actor, in_space(session, admin_actor), PresenceInput(user_id=ben, session_ttl=600))
    later = at(session, NOW + 10 * SECOND)

    row, created = presence.record(session, later, in_space(session, later), PresenceInput(user_id=ben, session_ttl=5))

    assert created is False
    assert (row.session_ttl, row.expires_at) == (5, NOW + 15 * SECOND)
    assert live(session, at(session, NOW + 15 * SECOND), in_space(session, later)) == []


@pytest.mark.parametrize("ttl", [1, 1200])
def test_record_accepts_a_ttl_at_either_bound(session: Session, admin_actor: Actor, ttl: int) -> None:
    ben = user_id(session, BEN)

    row, _ = presence.record(session, admin_actor, in_space(session, admin_actor), PresenceInput(user_id=ben, session_ttl=ttl))

    assert (row.session_ttl, row.expires_at) == (ttl, NOW + ttl * SECOND)
    place = in_space(session, admin_actor)
    assert len(live(session, at(session, NOW + (ttl - 1) * SECOND), place)) == 1
    assert live(session, at(session, NOW + ttl * SECOND), place) == []


@pytest.mark.parametrize("ttl", [0, -30, 1201])
def test_record_refuses_a_ttl_out_of_bounds(session: Session, admin_actor: Actor, ttl: int) -> None:
    with pytest.raises(InvalidInput) as caught:
        presence.record(
            session,
            admin_actor,
            in_space(session, admin_actor),
            PresenceInput(user_id=user_id(session, BEN), session_ttl=ttl),
        )

    assert [problem.field for problem in caught.value.problems] == ["session_ttl"]
    assert sessions_in_store(session) == 0


def test_live_sessions_expire_strictly_at_the_actors_now(session: Session, admin_actor: Actor) -> None:
    presence.record(session, admin_actor, in_space(session, admin_actor), PresenceInput(user_id=user_id(session, BEN)))
    place = in_space(session, admin_actor)

    just_before = live(session, at(session, NOW + 30 * SECOND - timedelta(microseconds=1)), place)
    at_expiry = live(session, at(session, NOW + 30 * SECOND), place)

    assert [row.user_id for row in just_before] == [user_id(session, BEN)]
    assert at_expiry == []


# --- devices ---------------------------------------------------------------------------


def test_record_keeps_a_session_per_device(session: Session, admin_actor: Actor) -> None:
    place = in_space(session, admin_actor)

    first, first_created = presence.record(session, admin_actor, place, PresenceInput(device_id=7))
    other, other_created = presence.record(session, admin_actor, place, PresenceInput(device_id=8))
    later = at(session, NOW + 10 * SECOND)
    again, again_created = presence.record(session, later, place, PresenceInput(device_id=7))

    assert (first_created, other_created, again_created) == (True, True, False)
    assert (first.user_id, first.device_id) == (None, 7)
    assert again.id == first.id
    assert other.id != first.id
    assert sorted(row.device_id or 0 for row in live(session, later, place)) == [7, 8]


def test_record_does_not_mistake_a_device_for_the_user_with_the_same_id(session: Session, admin_actor: Actor) -> None:
    ben = user_id(session, BEN)
    place = in_space(session, admin_actor)

    person, person_created = presence.record(session, admin_actor, place, PresenceInput(user_id=ben))
    device, device_created = presence.record(session, admin_actor, place, PresenceInput(device_id=ben))

    assert (person_created, device_created) == (True, True)
    assert person.id != device.id
    assert (device.user_id, device.device_id) == (None, ben)


@pytest.mark.parametrize("sighting", [PresenceInput(), PresenceInput(user_id=2, device_id=7)])
def test_record_needs_exactly_one_of_user_and_device(session: Session, admin_actor: Actor, sighting: PresenceInput) -> None:
    with pytest.raises(InvalidInput) as caught:
        presence.record(session, admin_actor, in_space(session, admin_actor), sighting)

    assert [(problem.field, problem.reason) for problem in caught.value.problems] == [("user_id", "required")]
    assert sessions_in_store(session) == 0


@pytest.mark.parametrize("unknown", [999_999, -1])
def test_record_refuses_an_unknown_user(session: Session, admin_actor: Actor, unknown: int) -> None:
    with pytest.raises(InvalidInput) as caught:
        presence.record(session, admin_actor, in_space(session, admin_actor), PresenceInput(user_id=unknown))

    assert [problem.field for problem in caught.value.problems] == ["user_id"]


# --- members ---------------------------------------------------------------------------


def test_record_lets_a_member_report_their_own_presence(session: Session, member_actor: Actor) -> None:
    row, created = presence.record(
        session, member_actor, in_space(session, member_actor), PresenceInput(user_id=user_id(session, BEN))
    )

    assert created is True
    assert row.user_id == member_actor.user.id


def test_record_refuses_a_member_reporting_someone_else(session: Session, member_actor: Actor) -> None:
    with pytest.raises(Forbidden):
        presence.record(session, member_actor, in_space(session, member_actor), PresenceInput(user_id=user_id(session, CHLOE)))

    assert sessions_in_store(session) == 0


def test_record_lets_an_administrator_report_anyone(session: Session, admin_actor: Actor) -> None:
    chloe = user_id(session, CHLOE)

    row, _ = presence.record(session, admin_actor, in_space(session, admin_actor), PresenceInput(user_id=chloe))

    assert row.user_id == chloe


def test_end_refuses_a_member_ending_someone_elses_session(session: Session, admin_actor: Actor, member_actor: Actor) -> None:
    chloe = user_id(session, CHLOE)
    presence.record(session, admin_actor, in_space(session, admin_actor), PresenceInput(user_id=chloe))

    with pytest.raises(Forbidden):
        presence.end(session, member_actor, in_space(session, member_actor), PresenceInput(user_id=chloe))

    assert [row.user_id for row in live(session, admin_actor, in_space(session, admin_actor))] == [chloe]


# --- spaces and locations --------------------------------------------------------------


def test_record_in_a_location_and_in_one_of_its_spaces_are_separate_sessions(session: Session, admin_actor: Actor) -> None:
    ben = user_id(session, BEN)

    in_booth, booth_created = presence.record(session, admin_actor, in_space(session, admin_actor), PresenceInput(user_id=ben))
    at_location, location_created = presence.record(
        session, admin_actor, in_location(session, admin_actor), PresenceInput(user_id=ben)
    )
    again_in_booth, booth_again_created = presence.record(
        session, admin_actor, in_space(session, admin_actor), PresenceInput(user_id=ben)
    )

    assert (booth_created, location_created, booth_again_created) == (True, True, False)
    assert again_in_booth.id == in_booth.id
    assert (at_location.resource_id, at_location.building_id) == (None, NEW_YORK)
    assert (in_booth.resource_id, in_booth.building_id) == (BOOTH, NEW_YORK)


def test_live_sessions_of_a_location_include_its_spaces_but_not_the_reverse(session: Session, admin_actor: Actor) -> None:
    ben, chloe, diego = (user_id(session, email) for email in (BEN, CHLOE, DIEGO))
    presence.record(session, admin_actor, in_location(session, admin_actor), PresenceInput(user_id=ben))
    presence.record(session, admin_actor, in_space(session, admin_actor), PresenceInput(user_id=chloe))
    presence.record(session, admin_actor, in_space(session, admin_actor, CUBBON), PresenceInput(user_id=diego))

    new_york = {row.user_id for row in live(session, admin_actor, in_location(session, admin_actor))}
    bengaluru = {row.user_id for row in live(session, admin_actor, in_location(session, admin_actor, BENGALURU))}
    booth = {row.user_id for row in live(session, admin_actor, in_space(session, admin_actor))}
    other_booth = live(session, admin_actor, in_space(session, admin_actor, OTHER_BOOTH))

    assert new_york == {ben, chloe}
    assert bengaluru == {diego}
    assert booth == {chloe}
    assert other_booth == []


def test_live_sessions_list_earliest_arrival_first(session: Session, admin_actor: Actor) -> None:
    ben, chloe = user_id(session, BEN), user_id(session, CHLOE)
    place = in_space(session, admin_actor)
    presence.record(session, admin_actor, place, PresenceInput(user_id=chloe, session_ttl=600))
    later = at(session, NOW + 5 * SECOND)
    presence.record(session, later, place, PresenceInput(user_id=ben, session_ttl=600))
    presence.record(session, at(session, NOW + 10 * SECOND), place, PresenceInput(user_id=chloe, session_ttl=600))

    assert [row.user_id for row in live(session, at(session, NOW + 10 * SECOND), place)] == [chloe, ben]


@pytest.mark.parametrize("place_of", [presence.space_place, presence.location_place])
def test_places_that_do_not_exist_are_not_found(session: Session, admin_actor: Actor, place_of: object) -> None:
    with pytest.raises(NotFound):
        place_of(session, admin_actor, 999_999)  # type: ignore[operator]  # one of the parametrized functions


def test_space_place_of_a_desk_is_not_found(session: Session, admin_actor: Actor) -> None:
    with pytest.raises(NotFound):
        presence.space_place(session, admin_actor, 1003)


# --- ending ----------------------------------------------------------------------------


def test_end_closes_the_live_session_at_the_actors_now(session: Session, admin_actor: Actor) -> None:
    ben = user_id(session, BEN)
    place = in_space(session, admin_actor)
    presence.record(session, admin_actor, place, PresenceInput(user_id=ben, session_ttl=600))
    later = at(session, NOW + 60 * SECOND)

    presence.end(session, later, place, PresenceInput(user_id=ben))

    assert live(session, later, place) == []
    assert presence.present_counts(session, later.organization_id, [BOOTH], later.now) == {}
    row = session.exec(select(Presence)).one()
    assert row.expires_at == NOW + 60 * SECOND


def test_end_without_a_live_session_is_not_found(session: Session, admin_actor: Actor) -> None:
    ben = user_id(session, BEN)
    place = in_space(session, admin_actor)

    with pytest.raises(NotFound):
        presence.end(session, admin_actor, place, PresenceInput(user_id=ben))
    presence.record(session, admin_actor, place, PresenceInput(user_id=ben))
    with pytest.raises(NotFound):
        presence.end(session, at(session, NOW + 30 * SECOND), place, PresenceInput(user_id=ben))
    presence.end(session, admin_actor, place, PresenceInput(user_id=ben))
    with pytest.raises(NotFound):
        presence.end(session, admin_actor, place, PresenceInput(user_id=ben))


def test_end_in_a_space_leaves_the_location_session_and_others(session: Session, admin_actor: Actor) -> None:
    ben, chloe = user_id(session, BEN), user_id(session, CHLOE)
    location = in_location(session, admin_actor)
    booth = in_space(session, admin_actor)
    presence.record(session, admin_actor, location, PresenceInput(user_id=ben))
    presence.record(session, admin_actor, booth, PresenceInput(user_id=ben))
    presence.record(session, admin_actor, booth, PresenceInput(user_id=chloe))

    presence.end(session, admin_actor, booth, PresenceInput(user_id=ben))

    assert [row.user_id for row in live(session, admin_actor, booth)] == [chloe]
    assert [(row.user_id, row.resource_id) for row in live(session, admin_actor, location)] == [
        (ben, None),
        (chloe, BOOTH),
    ]


def test_end_of_a_device_then_record_starts_afresh(session: Session, admin_actor: Actor) -> None:
    place = in_space(session, admin_actor)
    first, _ = presence.record(session, admin_actor, place, PresenceInput(device_id=42))
    presence.end(session, admin_actor, place, PresenceInput(device_id=42))

    second, created = presence.record(session, admin_actor, place, PresenceInput(device_id=42))

    assert created is True
    assert second.id != first.id


# --- counts, state and free/busy -------------------------------------------------------


def test_present_counts_people_and_devices_per_space(session: Session, admin_actor: Actor) -> None:
    ben, chloe, diego = (user_id(session, email) for email in (BEN, CHLOE, DIEGO))
    presence.record(session, admin_actor, in_space(session, admin_actor), PresenceInput(user_id=ben))
    presence.record(session, admin_actor, in_space(session, admin_actor), PresenceInput(device_id=9))
    presence.record(
        session, admin_actor, in_space(session, admin_actor, OTHER_BOOTH), PresenceInput(user_id=chloe, session_ttl=600)
    )
    presence.record(session, admin_actor, in_location(session, admin_actor), PresenceInput(user_id=diego, session_ttl=600))
    organization = admin_actor.organization_id

    now = presence.present_counts(session, organization, [BOOTH, OTHER_BOOTH, CUBBON], NOW)
    later = presence.present_counts(session, organization, [BOOTH, OTHER_BOOTH], NOW + 30 * SECOND)
    booth_only = presence.present_counts(session, organization, [BOOTH], NOW)

    assert now == {BOOTH: 2, OTHER_BOOTH: 1}
    assert later == {OTHER_BOOTH: 1}
    assert booth_only == {BOOTH: 2}
    assert presence.present_counts(session, organization, [], NOW) == {}


def test_space_state_is_in_use_while_someone_is_present(session: Session, admin_actor: Actor) -> None:
    presence.record(session, admin_actor, in_space(session, admin_actor), PresenceInput(user_id=user_id(session, BEN)))

    present = availability.space_state(session, admin_actor, BOOTH)
    gone = availability.space_state(session, at(session, NOW + 30 * SECOND), BOOTH)

    assert (present.availability, present.present) == ("in_use", 1)
    assert (gone.availability, gone.present) == ("available", 0)


def test_space_state_is_in_use_when_someone_is_present_during_a_booking(session: Session, admin_actor: Actor) -> None:
    events.create_event(
        session, admin_actor, BOOTH, EventInput(start=NOW, end=NOW + timedelta(hours=1), time_zone="America/New_York")
    )
    booked = availability.space_state(session, admin_actor, BOOTH)
    presence.record(session, admin_actor, in_space(session, admin_actor), PresenceInput(device_id=3))

    occupied = availability.space_state(session, admin_actor, BOOTH)

    assert (booked.availability, booked.present) == ("booked", 0)
    assert (occupied.availability, occupied.present) == ("in_use", 1)


def test_space_state_ignores_presence_at_the_location_or_next_door(session: Session, admin_actor: Actor) -> None:
    presence.record(session, admin_actor, in_location(session, admin_actor), PresenceInput(user_id=user_id(session, BEN)))
    presence.record(session, admin_actor, in_space(session, admin_actor, OTHER_BOOTH), PresenceInput(device_id=1))

    state = availability.space_state(session, admin_actor, BOOTH)

    assert (state.availability, state.present) == ("available", 0)


def test_free_busy_has_presence_follows_live_sessions(session: Session, admin_actor: Actor) -> None:
    presence.record(session, admin_actor, in_space(session, admin_actor), PresenceInput(user_id=user_id(session, BEN)))
    presence.record(session, admin_actor, in_location(session, admin_actor), PresenceInput(user_id=user_id(session, CHLOE)))

    def has_presence(actor: Actor) -> dict[int, bool]:
        query = FreeBusyQuery(lower=NOW, upper=NOW + timedelta(hours=1), space_ids=[BOOTH, OTHER_BOOTH])
        return {result.space.id or 0: result.has_presence for result in availability.free_busy(session, actor, query).items}

    assert has_presence(admin_actor) == {BOOTH: True, OTHER_BOOTH: False}
    assert has_presence(at(session, NOW + 30 * SECOND)) == {BOOTH: False, OTHER_BOOTH: False}


# --- a person named by slug or email; a person's sessions --------------------------------


@pytest.mark.parametrize("named", ["ben-carter", "Ben.Carter@meridian.example", "2"])
def test_record_takes_a_person_by_slug_email_or_digits(session: Session, admin_actor: Actor, named: str) -> None:
    row, created = presence.record(session, admin_actor, in_space(session, admin_actor), PresenceInput(user_id=named))

    assert (row.user_id, created) == (user_id(session, BEN), True)


@pytest.mark.parametrize("named", ["nobody", "", "nobody@meridian.example", "١٢"])
def test_record_refuses_a_slug_or_email_of_nobody_here(session: Session, admin_actor: Actor, named: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        presence.record(session, admin_actor, in_space(session, admin_actor), PresenceInput(user_id=named))

    assert [problem.field for problem in caught.value.problems] == ["user_id"]
    assert sessions_in_store(session) == 0


def test_sessions_of_a_person_are_their_live_ones_everywhere(session: Session, admin_actor: Actor) -> None:
    ben = session.get_one(User, user_id(session, BEN))
    presence.record(session, admin_actor, in_space(session, admin_actor), PresenceInput(user_id=ben.id, session_ttl=10))
    presence.record(session, admin_actor, in_location(session, admin_actor, BENGALURU), PresenceInput(user_id=ben.id))
    presence.record(session, admin_actor, in_space(session, admin_actor, CUBBON), PresenceInput(user_id=user_id(session, CHLOE)))
    later = at(session, NOW + 15 * SECOND)

    now_there = presence.sessions_of(session, admin_actor, ben, EVERYTHING).items
    later_there = presence.sessions_of(session, later, ben, EVERYTHING).items

    assert [(row.building_id, row.resource_id) for row in now_there] == [(NEW_YORK, BOOTH), (BENGALURU, None)]
    assert [(row.building_id, row.resource_id) for row in later_there] == [(BENGALURU, None)]
