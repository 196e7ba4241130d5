"""The generated presets: reproducible from their seed, shaped like a real office's bookings,
free of conflicts, and seeded as `load_seed` is told."""

from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime, time, timedelta
from typing import Any

import pytest
from sqlalchemy import text
from sqlmodel import col, select

from sandbox.core import buildings, occurrences
from sandbox.core.clock import Clock
from sandbox.core.times import zone
from sandbox.seeding import SEEDED_KEY, load_seed
from sandbox.seeding.generator import seed_preset
from sandbox.seeding.loader import entry_count
from sandbox.seeding.presets import LARGE
from sandbox.seeding.workplace import generate_workplace
from sandbox.settings import FIXTURES_DIR, Settings
from sandbox.store.engine import Store
from sandbox.store.models import (
    AccessToken,
    ApiClient,
    Building,
    Occurrence,
    OccurrenceException,
    Reservation,
    ReservationKind,
    Resource,
    ResourceKind,
    User,
)
from tests.conftest import NOW, Wall, new_store
from tests.seeding.conftest import Sandbox, generated, sandbox_on

pytestmark = [
    pytest.mark.slow,  # Each test seeds whole generated workplaces: a second or two apiece.
    # The workplaces are generated in Python, the same whatever holds them: the SQLite pass runs
    # these; tests/seeding/test_postgres.py and test_bulk.py hold a preset's rows and answers on
    # PostgreSQL to SQLite's.
    pytest.mark.backend("sqlite"),
]

REDUCED_LARGE = LARGE.scaled(0.02)
AFTER, BEFORE = "2026-02-14T00:00:00Z", "2026-03-17T00:00:00Z"


def responses(sandbox: Sandbox) -> dict[str, bytes]:
    """A tour of both APIs: the workplace, calendars, seat reservations and bookings, as bytes."""
    window = {"after": AFTER, "before": BEFORE, "per_page": 1000}
    with sandbox.store.session() as session:
        rooms = session.exec(
            select(Resource.id)
            .where(Resource.kind == ResourceKind.SPACE, col(Resource.is_reservable).is_(True))
            .order_by(col(Resource.id))
            .limit(3)
        ).all()
    tour = {
        "robin me": sandbox.robin("/me"),
        "robin users": sandbox.robin("/organizations/1/users", per_page=100),
        "robin locations": sandbox.robin("/organizations/1/locations"),
        "robin spaces": sandbox.robin("/locations/1/spaces", per_page=100),
        "robin location events": sandbox.robin("/locations/1/events", **window),
        "robin seat reservations": sandbox.robin("/reservations/seats", **window),
        "kadence users": sandbox.kadence("/users", itemsPerPage=500),
        "kadence buildings": sandbox.kadence("/buildings"),
        "kadence spaces": sandbox.kadence("/spaces", itemsPerPage=500),
        "kadence bookings": sandbox.kadence("/bookings", itemsPerPage=500, **{"startDateTime[after]": AFTER}),
    }
    for room in rooms:
        tour[f"robin space {room} events"] = sandbox.robin(f"/spaces/{room}/events", **window)
    for name, response in tour.items():
        assert response.status_code == 200, f"{name}: {response.text}"
    return {name: response.content for name, response in tour.items()}


def test_same_preset_and_seed_give_identical_responses() -> None:
    first, second = generated(seed=3), generated(seed=3)

    answers = responses(sandbox_on(first)), responses(sandbox_on(second))

    assert answers[0] == answers[1]
    assert len(answers[0]["kadence bookings"]) > 10_000
    assert b'"hydra:member":[]' not in answers[0]["kadence bookings"]


def test_different_seeds_give_different_workplaces_and_bookings() -> None:
    three, four = responses(sandbox_on(generated(seed=3))), responses(sandbox_on(generated(seed=4)))

    different = {name for name in three if three[name] != four[name]}

    assert {"robin me", "robin users", "kadence users", "kadence bookings", "robin seat reservations"} <= different


def test_every_preset_carries_the_demo_credentials(small: Sandbox) -> None:
    with small.store.session() as session:
        roles = {
            row.token: session.get(User, row.user_id).role  # type: ignore[union-attr]  # the seeded row is there
            for row in session.exec(select(AccessToken))
        }
        client = session.exec(select(ApiClient)).one()
        acting_for = session.get(User, client.user_id)

    assert roles == {"demo-robin-token": "admin", "demo-robin-member-token": "member"}
    assert (client.client_id, client.client_secret) == ("demo-client", "demo-secret")
    assert acting_for is not None
    assert acting_for.role == "admin"
    assert small.robin("/me").status_code == 200
    assert small.kadence("/buildings").status_code == 200


def test_small_preset_has_the_size_it_promises(small: Sandbox) -> None:
    with small.store.session() as session:
        rooms = session.exec(
            select(Resource.id).where(Resource.kind == ResourceKind.SPACE, col(Resource.is_reservable).is_(True))
        ).all()
        desks = session.exec(select(Resource.id).where(Resource.kind == ResourceKind.DESK)).all()
        users = session.exec(select(User.id)).all()
        offices = session.exec(select(Building)).all()
    bookings = small.bookings(**{"startDateTime[after]": "2026-01-01T00:00:00Z"})

    assert (len(users), len(rooms), len(desks)) == (50, 20, 60)
    assert len(offices) == 2
    assert len({office.time_zone for office in offices}) == 2
    assert 360 <= len(bookings) <= 420
    assert small.store.meta(SEEDED_KEY) == "small preset, seed 3"


def test_past_bookings_show_check_ins_no_shows_and_cancellations_through_kadence(small: Sandbox) -> None:
    past = small.bookings(**{"endDateTime[before]": "2026-03-02T13:00:00Z", "startDateTime[after]": "2026-01-01T00:00:00Z"})
    statuses = Counter(booking["status"] for booking in past)
    attended = statuses["completed"] + statuses["checkedOut"]
    released = [booking for booking in past if booking["status"] == "noCheckIn"]
    checked_in = sum(1 for booking in past if "checkedInDate" in booking)

    assert set(statuses) <= {"completed", "checkedOut", "noCheckIn", "cancelled"}
    assert statuses["checkedOut"] > 0
    assert 0.03 < statuses["cancelled"] / len(past) < 0.2
    assert 0.05 < len(released) / len(past) < 0.35
    assert 0.55 < checked_in / len(past) < 0.85
    assert attended > statuses["noCheckIn"] + statuses["cancelled"]
    assert all(booking["cancellationReason"] == "autoSpaceRelease" and "autoReleasedDate" in booking for booking in released)


def test_future_bookings_are_booked_or_cancelled_and_come_through_both_apis(small: Sandbox) -> None:
    future = small.bookings(**{"startDateTime[after]": "2026-03-03T00:00:00Z"})
    everything = small.bookings(**{"startDateTime[after]": "2026-01-01T00:00:00Z"})
    sources = Counter(booking["source"] for booking in everything)

    assert {booking["status"] for booking in future} == {"booked", "cancelled"}
    assert not any("checkedInDate" in booking for booking in future)
    assert 0.2 < sources["publicApi"] / len(everything) < 0.5
    assert sources["unknown"] > sources["publicApi"]


@pytest.fixture(scope="module")
def reduced_large() -> Iterator[tuple[Store, list[tuple[int, int]]]]:
    """The large preset at 2 % of its size, and the progress it reported."""
    reported: list[tuple[int, int]] = []
    store = new_store()
    seed_preset(store, REDUCED_LARGE, 1, Clock(Wall(NOW)), lambda done, total: reported.append((done, total)))
    yield store, reported
    store.dispose()


def occurrences_of(store: Store) -> list[tuple[Reservation, datetime, datetime]]:
    """Every booked occurrence, cancelled ones too: (reservation, start, end)."""
    with store.session() as session:
        reservations = session.exec(select(Reservation)).all()
    found = []
    for reservation in reservations:
        length = reservation.end - reservation.start
        found.extend((reservation, start, start + length) for start in occurrences.series_of(reservation).starts())
    return found


def local(moment: datetime, reservation: Reservation) -> datetime:
    return moment.astimezone(zone(reservation.time_zone, "time_zone"))


def test_large_preset_code_path_builds_five_offices_in_five_time_zones(reduced_large: tuple[Store, Any]) -> None:
    store, reported = reduced_large
    with store.session() as session:
        offices = session.exec(select(Building)).all()
        rooms = session.exec(
            select(Resource).where(Resource.kind == ResourceKind.SPACE, col(Resource.is_reservable).is_(True))
        ).all()
        desks = session.exec(select(Resource).where(Resource.kind == ResourceKind.DESK)).all()
        users = session.exec(select(User)).all()
    booked = occurrences_of(store)
    starts = [start for _, start, _ in booked]
    entries = entry_count(generate_workplace(REDUCED_LARGE, 1, NOW).fixture)

    assert len(offices) == 5
    assert len({office.time_zone for office in offices}) == 5
    assert (len(rooms), len(desks), len(users)) == (REDUCED_LARGE.rooms, REDUCED_LARGE.desks, REDUCED_LARGE.users)
    assert {user.locale for user in users} == {"en-US", "en-GB", "en-IN", "de-DE", "en-AU"}
    assert abs(len(booked) - REDUCED_LARGE.bookings) < REDUCED_LARGE.bookings * 0.03
    assert NOW - timedelta(days=91) < min(starts) < NOW - timedelta(days=85)
    assert NOW + timedelta(days=85) < max(starts) < NOW + timedelta(days=91)
    assert [done for done, _ in reported] == sorted(done for done, _ in reported)
    assert reported[-1] == (entries + len(booked), entries + len(booked))


def test_bookings_follow_a_hybrid_office_week(reduced_large: tuple[Store, Any]) -> None:
    store, _ = reduced_large
    weekdays = Counter(local(start, reservation).weekday() for reservation, start, _ in occurrences_of(store))
    monday, tuesday, wednesday, thursday, friday, saturday, sunday = (weekdays[day] for day in range(7))

    assert min(tuesday, wednesday, thursday) > monday > friday
    assert saturday < wednesday / 10
    assert sunday == 0


def test_desks_are_booked_for_days_mornings_and_afternoons_and_rooms_for_meetings(reduced_large: tuple[Store, Any]) -> None:
    store, _ = reduced_large
    desks: Counter[str] = Counter()
    meetings: Counter[float] = Counter()
    for reservation, start, end in occurrences_of(store):
        hours = (end - start).total_seconds() / 3600
        if reservation.kind == ReservationKind.SEAT:
            desks["day" if hours >= 8 else "morning" if local(start, reservation).hour < 12 else "afternoon"] += 1
        else:
            meetings[hours] += 1
            assert local(start, reservation).hour >= 8
            assert local(end, reservation).time() <= time(18, 30)

    assert desks["day"] > desks["morning"] > 0
    assert desks["afternoon"] > 0
    assert set(meetings) == {0.5, 0.75, 1.0, 1.5}
    assert meetings[1.0] > meetings[1.5]


def test_recurring_meetings_have_instances_cancelled_and_checked_in_on_their_own(reduced_large: tuple[Store, Any]) -> None:
    store, _ = reduced_large
    with store.session() as session:
        series = session.exec(select(Reservation).where(col(Reservation.recurrence).is_not(None))).all()
        exceptions = session.exec(select(OccurrenceException)).all()
        checked_in_instances = (
            session.connection()
            .execute(
                text(
                    "SELECT count(*) FROM check_in JOIN reservation ON reservation.id = check_in.reservation_id "
                    "WHERE reservation.recurrence IS NOT NULL"
                )
            )
            .scalar_one()
        )

    assert len(series) > 10
    assert all(row.kind == ReservationKind.EVENT and row.source == "robin" for row in series)
    assert exceptions
    assert all(row.cancelled_by_id is not None for row in exceptions)
    assert checked_in_instances > len(series)


def test_generated_bookings_never_conflict(reduced_large: tuple[Store, Any], small: Sandbox) -> None:
    overlapping_on_a_resource = text(
        "SELECT count(*) FROM occurrence a JOIN occurrence b ON a.resource_id = b.resource_id AND a.id < b.id "
        'AND a.start < b."end" AND b.start < a."end"'
    )
    one_person_two_desks = text(
        "SELECT count(*) FROM occurrence a JOIN reservation ra ON ra.id = a.reservation_id "
        'JOIN occurrence b ON a.id < b.id AND a.start < b."end" AND b.start < a."end" '
        "JOIN reservation rb ON rb.id = b.reservation_id "
        "WHERE ra.kind = 'seat' AND rb.kind = 'seat' AND ra.organizer_id = rb.organizer_id"
    )
    for store in (reduced_large[0], small.store):
        with store.session() as session:
            assert session.exec(select(Occurrence.id)).first() is not None
            assert session.connection().execute(overlapping_on_a_resource).scalar_one() == 0
            assert session.connection().execute(one_person_two_desks).scalar_one() == 0


def test_bookings_fall_within_opening_hours_and_the_desks_they_may_use(reduced_large: tuple[Store, Any]) -> None:
    store, _ = reduced_large
    with store.session() as session:
        offices = {office.id: office for office in session.exec(select(Building))}
        desks = {desk.id: desk for desk in session.exec(select(Resource).where(Resource.kind == ResourceKind.DESK))}
    booked = occurrences_of(store)

    assert all(buildings.closed_reason(offices[row.building_id], start, end) is None for row, start, end in booked)
    for reservation, _, _ in booked:
        if reservation.kind == ReservationKind.SEAT:
            desk = desks[reservation.resource_id]
            assert reservation.reservation_type in desk.desk_type
            assert desk.assignee_id in (None, reservation.organizer_id)
            assert not desk.is_disabled
            assert desk.is_reservable
        assert reservation.created_at < reservation.start
        assert reservation.created_at <= NOW


def test_load_seed_prefers_a_fixture_file_to_the_preset() -> None:
    store = new_store()

    name = load_seed(store, Settings(fixture=FIXTURES_DIR / "example-office.json", preset="small"), Clock(Wall(NOW)))

    assert name == "example-office.json"
    assert store.meta(SEEDED_KEY) == "example-office.json"
    with store.session() as session:
        assert [user.email.split("@")[1] for user in session.exec(select(User))] == ["northwind.example"] * 5


def test_a_seed_changes_the_ulids_of_the_demo_workplace_but_not_its_robin_ids() -> None:
    plain, reseeded, again = (new_store() for _ in range(3))
    for store, seed in ((plain, None), (reseeded, 7), (again, 7)):
        load_seed(store, Settings(preset="demo", seed=seed), Clock(Wall(NOW)))

    def identities(store: Store) -> list[tuple[int | None, str, str]]:
        with store.session() as session:
            return [(user.id, user.email, user.ulid) for user in session.exec(select(User).order_by(col(User.id)))]

    assert reseeded.meta(SEEDED_KEY) == "demo.json, seed 7"
    assert identities(reseeded) == identities(again)
    assert [row[:2] for row in identities(plain)] == [row[:2] for row in identities(reseeded)]
    assert not {row[2] for row in identities(plain)} & {row[2] for row in identities(reseeded)}


def test_the_demo_preset_loaded_twice_gives_identical_bookings() -> None:
    """Its events and desk reservations are made through the core, which draws random ULIDs;
    the loader gives them ULIDs from the seed instead."""
    answers = []
    for _ in range(2):
        store = new_store()
        load_seed(store, Settings(preset="demo"), Clock(Wall(NOW)))
        sandbox = sandbox_on(store)
        answers.append(
            [
                sandbox.kadence("/bookings", itemsPerPage=500).content,
                sandbox.robin("/spaces/48/events").content,
                sandbox.robin("/reservations/seats", after=AFTER, before=BEFORE).content,
            ]
        )

    assert answers[0] == answers[1]
    assert b'"remote_event_id":"sandbox' in answers[0][1]


def test_a_generated_preset_without_a_seed_is_seed_zero() -> None:
    unseeded, zero = new_store(), generated(seed=0)

    name = load_seed(unseeded, Settings(preset="small"), Clock(Wall(NOW)))

    assert name == "small preset, seed 0"
    with unseeded.session() as first, zero.session() as second:
        assert first.exec(select(User.ulid, User.email)).all() == second.exec(select(User.ulid, User.email)).all()
        assert first.exec(select(Reservation.ulid)).all() == second.exec(select(Reservation.ulid)).all()


def test_bookings_are_placed_around_the_clocks_today() -> None:
    later = datetime(2026, 7, 15, 9, 0, tzinfo=UTC)
    store = generated(wall=Wall(later))
    with store.session() as session:
        starts = session.exec(select(Reservation.start)).all()

    assert later - timedelta(days=15) < min(starts)
    assert max(starts) < later + timedelta(days=15)
