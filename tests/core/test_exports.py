"""Analytics exports: requests and their rate limit, readiness, claims and leases, CSV generation."""

import csv
import io
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlmodel import Session, col, func, select

from sandbox.core import export_rows, exports
from sandbox.core.access import Actor, actor_for_token
from sandbox.core.clock import Clock
from sandbox.core.errors import Forbidden, InvalidInput, NotFound
from sandbox.core.exports import (
    LEASE,
    MAX_ATTEMPTS,
    RATE_LIMIT,
    ExportRequest,
    RateLimited,
)
from sandbox.seeding.fixture import read_fixture
from sandbox.seeding.loader import load
from sandbox.settings import FIXTURES_DIR
from sandbox.store.engine import Store
from sandbox.store.models import (
    ExportChunk,
    ExportJob,
    ExportJobState,
    Organization,
    Reservation,
)
from tests.conftest import ADMIN_TOKEN, NOW, OTHER_TOKEN, Wall, actor_for, new_store

ORGANIZATION = 1
ADMIN = "ada.okafor@meridian.example"
NEW_YORK_HQ = 10
BENGALURU = 11
DESIGN_REVIEW = 2
FIRST_WEEK = (datetime(2026, 3, 2, tzinfo=UTC), datetime(2026, 3, 9, tzinfo=UTC))
"""Monday 2 to Monday 9 March 2026 (UTC): nine event occurrences and thirteen desk reservations start
in it, four reservations and nine days of shared desks' assignments."""
FIRST_WEEK_EVENTS = 9
FIRST_WEEK_EVENTS_IN_BENGALURU = 5
FIRST_WEEK_DESKS = 13
FIRST_WEEK_ASSIGNED_DAYS = 9
QUIET_RANGE = (datetime(2025, 1, 1, tzinfo=UTC), datetime(2025, 2, 1, tzinfo=UTC))
"""Before the demo store's first reservation."""
SECOND = timedelta(seconds=1)
PAST_LEASE = LEASE + SECOND
EVENT_FIELDS = export_rows.EventRow._fields
DESK_FIELDS = export_rows.DeskRow._fields
LAYOUT = export_rows.Layout(
    events=tuple((name, name) for name in EVENT_FIELDS), desk_reservations=tuple((name, name) for name in DESK_FIELDS)
)
"""Every field of the core's rows, titled by its own name, in the rows' order."""


class WorkerCrashed(BaseException):
    """The process died mid-export: nothing in the worker gets to handle it."""


def first_week(kind: str = "spaces", location_ids: list[int] | None = None) -> ExportRequest:
    return ExportRequest(kind=kind, start=FIRST_WEEK[0], end=FIRST_WEEK[1], location_ids=location_ids)


def admin_at(store: Store, now: datetime = NOW) -> Actor:
    with store.session() as session:
        return actor_for(session, ADMIN, now)


def request(store: Store, actor: Actor, export: ExportRequest | None = None, delay: timedelta = timedelta(0)) -> ExportJob:
    with store.session(write=True) as session:
        return exports.request_export(session, actor, ORGANIZATION, export or first_week(), delay)


def job_of(store: Store, job_id: str) -> ExportJob:
    with store.session() as session:
        job = session.get(ExportJob, job_id)
        assert job is not None
        return job


def csv_of(store: Store, job_id: str) -> str:
    with store.session() as session:
        return b"".join(exports.csv_bytes(session, job_id)).decode("utf-8")


def chunk_count(store: Store, job_id: str) -> int:
    with store.session() as session:
        return session.exec(select(func.count()).where(col(ExportChunk.job_id) == job_id)).one()


def parsed(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text, newline="")))


def ready(store: Store, job_id: str, actor: Actor) -> ExportJob:
    with store.session() as session:
        return exports.ready_export(session, actor, job_id)


def set_frozen_clock(store: Store, frozen_at: datetime | None) -> None:
    with store.session(write=True) as session:
        organization = session.get(Organization, ORGANIZATION)
        assert organization is not None
        organization.clock_frozen_at = frozen_at
        session.add(organization)
        session.commit()


def admin_on_clock(store: Store, clock: Clock) -> Actor:
    with store.session() as session:
        return actor_for_token(session, ADMIN_TOKEN, clock)


def made_up_row(label: str) -> export_rows.EventRow:
    """A row of an events export as a test writes it: `label`, a hundred x's, nothing else."""
    return export_rows.EventRow(label, "x" * 100, *[""] * (len(EVENT_FIELDS) - 2))


def reference_csv(store: Store, export: ExportRequest | None = None) -> str:
    """The CSV of a job with the same parameters, generated without interference."""
    job = request(store, admin_at(store), export)
    assert exports.run_pending(store, Clock(Wall(NOW)), "reference", LAYOUT) == 1
    return csv_of(store, job.id)


# Requests: validation and access.


def test_request_export_stores_a_pending_job(session: Session, admin_actor: Actor) -> None:
    job = exports.request_export(session, admin_actor, ORGANIZATION, first_week("desks", [BENGALURU]), timedelta(seconds=30))

    stored = session.get(ExportJob, job.id)
    assert stored is not None
    assert (stored.state, stored.kind, stored.location_ids) == (ExportJobState.PENDING, "desks", [BENGALURU])
    assert (stored.range_start, stored.range_end) == FIRST_WEEK
    assert (stored.requested_at, stored.ready_at, stored.attempts) == (NOW, NOW + timedelta(seconds=30), 0)


def test_request_export_refuses_an_end_not_after_the_start(session: Session, admin_actor: Actor) -> None:
    for end in (FIRST_WEEK[0], FIRST_WEEK[0] - SECOND):
        with pytest.raises(InvalidInput) as refused:
            exports.request_export(session, admin_actor, ORGANIZATION, ExportRequest("spaces", FIRST_WEEK[0], end), timedelta(0))
        assert [problem.field for problem in refused.value.problems] == ["to"]


def test_request_export_refuses_a_range_over_366_days(session: Session, admin_actor: Actor) -> None:
    start = FIRST_WEEK[0]
    longest = exports.request_export(
        session, admin_actor, ORGANIZATION, ExportRequest("spaces", start, start + timedelta(days=366)), timedelta(0)
    )

    with pytest.raises(InvalidInput) as refused:
        exports.request_export(
            session,
            admin_actor,
            ORGANIZATION,
            ExportRequest("spaces", start, start + timedelta(days=366, microseconds=1)),
            timedelta(0),
        )

    assert longest.range_end - longest.range_start == timedelta(days=366)
    assert [problem.field for problem in refused.value.problems] == ["to"]


def test_request_export_refuses_an_unknown_location(session: Session, admin_actor: Actor) -> None:
    with pytest.raises(InvalidInput) as refused:
        exports.request_export(session, admin_actor, ORGANIZATION, first_week(location_ids=[NEW_YORK_HQ, 999_999]), timedelta(0))

    assert [problem.field for problem in refused.value.problems] == ["location_ids"]
    assert "999999" in refused.value.problems[0].message


def test_request_export_refuses_too_many_locations(session: Session, admin_actor: Actor) -> None:
    with pytest.raises(InvalidInput) as refused:
        exports.request_export(
            session,
            admin_actor,
            ORGANIZATION,
            first_week(location_ids=[NEW_YORK_HQ] * (exports.MAX_LOCATIONS + 1)),
            timedelta(0),
        )

    assert [problem.field for problem in refused.value.problems] == ["location_ids"]


def test_request_export_refuses_a_member(session: Session, member_actor: Actor) -> None:
    with pytest.raises(Forbidden):
        exports.request_export(session, member_actor, ORGANIZATION, first_week(), timedelta(0))

    assert session.exec(select(func.count()).select_from(ExportJob)).one() == 0


def test_request_export_refuses_a_location_of_another_organization(
    other_organization: dict[str, int], session: Session, admin_actor: Actor
) -> None:
    with pytest.raises(Forbidden):
        exports.request_export(
            session, admin_actor, ORGANIZATION, first_week(location_ids=[other_organization["location"]]), timedelta(0)
        )


def test_request_export_refuses_another_organization(
    other_organization: dict[str, int], session: Session, admin_actor: Actor
) -> None:
    with pytest.raises(Forbidden):
        exports.request_export(session, admin_actor, other_organization["organization"], first_week(), timedelta(0))


def test_request_export_of_an_unknown_organization_is_not_found(session: Session, admin_actor: Actor) -> None:
    with pytest.raises(NotFound):
        exports.request_export(session, admin_actor, 999_999, first_week(), timedelta(0))


def test_request_export_of_an_unknown_kind_is_not_found(session: Session, admin_actor: Actor) -> None:
    with pytest.raises(NotFound):
        exports.request_export(session, admin_actor, ORGANIZATION, first_week("parking"), timedelta(0))

    assert session.exec(select(func.count()).select_from(ExportJob)).one() == 0


# Requests: the rate limit.


def request_at(session: Session, now: datetime) -> ExportJob:
    return exports.request_export(session, actor_for(session, ADMIN, now), ORGANIZATION, first_week(), timedelta(0))


def test_the_31st_request_in_a_minute_is_rate_limited(session: Session) -> None:
    for _ in range(RATE_LIMIT):
        request_at(session, NOW)

    with pytest.raises(RateLimited) as refused:
        request_at(session, NOW)

    assert refused.value.retry_after == 60
    assert session.exec(select(func.count()).select_from(ExportJob)).one() == RATE_LIMIT


def test_retry_after_counts_until_the_oldest_of_the_last_30_leaves_the_window(session: Session) -> None:
    for second in range(RATE_LIMIT):
        request_at(session, NOW + second * SECOND)

    with pytest.raises(RateLimited) as half_a_minute_later:
        request_at(session, NOW + timedelta(seconds=30.75))
    with pytest.raises(RateLimited) as just_before:
        request_at(session, NOW + timedelta(seconds=59, microseconds=999_999))
    accepted = request_at(session, NOW + timedelta(seconds=60))
    with pytest.raises(RateLimited) as next_in_line:
        request_at(session, NOW + timedelta(seconds=60))

    assert half_a_minute_later.value.retry_after == 30  # 29.25 s until the first request is a minute old
    assert just_before.value.retry_after == 1
    assert accepted.requested_at == NOW + timedelta(seconds=60)
    assert next_in_line.value.retry_after == 1  # the second request, at NOW + 1 s, goes next


def test_retry_after_follows_the_requests_still_in_the_window(session: Session) -> None:
    half = RATE_LIMIT // 2
    for _ in range(half):
        request_at(session, NOW)
    for _ in range(half):
        request_at(session, NOW + timedelta(seconds=30))
    for _ in range(half):
        request_at(session, NOW + timedelta(seconds=61))

    with pytest.raises(RateLimited) as refused:
        request_at(session, NOW + timedelta(seconds=62))

    assert refused.value.retry_after == 28  # the batch at NOW + 30 s leaves at NOW + 90 s


def test_retry_after_counts_past_requests_made_before_the_clock_was_set_back(session: Session) -> None:
    for second in range(20):
        request_at(session, NOW + second * SECOND)
    for _ in range(20):
        request_at(session, NOW + timedelta(seconds=100))

    with pytest.raises(RateLimited) as refused:
        request_at(session, NOW + timedelta(seconds=50))

    # 40 requests in the window: below 30 only once the eleventh, at NOW + 10 s, is a minute old.
    assert refused.value.retry_after == 20


def test_refused_requests_do_not_count_against_the_rate_limit(session: Session) -> None:
    for _ in range(RATE_LIMIT):
        request_at(session, NOW)
    for _ in range(10):
        with pytest.raises(RateLimited):
            request_at(session, NOW + timedelta(seconds=30))
    with pytest.raises(InvalidInput):
        exports.request_export(
            session,
            actor_for(session, ADMIN, NOW + timedelta(seconds=30)),
            ORGANIZATION,
            ExportRequest("spaces", FIRST_WEEK[1], FIRST_WEEK[0]),
            timedelta(0),
        )

    for _ in range(RATE_LIMIT):
        request_at(session, NOW + timedelta(seconds=60))
    with pytest.raises(RateLimited) as refused:
        request_at(session, NOW + timedelta(seconds=60))

    assert refused.value.retry_after == 60
    assert session.exec(select(func.count()).select_from(ExportJob)).one() == 2 * RATE_LIMIT


def test_a_frozen_organization_clock_keeps_refusing_until_it_moves(session: Session, wall: Wall) -> None:
    organization = session.get(Organization, ORGANIZATION)
    assert organization is not None
    organization.clock_frozen_at = NOW
    session.add(organization)
    session.commit()
    clock = Clock(wall)
    for _ in range(RATE_LIMIT):
        exports.request_export(session, actor_for_token(session, ADMIN_TOKEN, clock), ORGANIZATION, first_week(), timedelta(0))

    wall.advance(minutes=10)
    with pytest.raises(RateLimited) as refused:
        exports.request_export(session, actor_for_token(session, ADMIN_TOKEN, clock), ORGANIZATION, first_week(), timedelta(0))
    organization.clock_frozen_at = NOW + timedelta(seconds=60)
    session.add(organization)
    session.commit()
    accepted = exports.request_export(
        session, actor_for_token(session, ADMIN_TOKEN, clock), ORGANIZATION, first_week(), timedelta(0)
    )

    assert refused.value.retry_after == 60
    assert accepted.requested_at == NOW + timedelta(seconds=60)


# Readiness.


def test_ready_export_waits_for_generation_and_then_for_the_delay(store: Store) -> None:
    job = request(store, admin_at(store), delay=timedelta(seconds=30))
    an_hour_later = admin_at(store, NOW + timedelta(hours=1))

    with pytest.raises(NotFound):
        ready(store, job.id, an_hour_later)
    assert exports.claim(store, "worker", NOW) == job.id
    with pytest.raises(NotFound):
        ready(store, job.id, an_hour_later)
    assert exports.generate(store, job.id, "worker", Clock(Wall(NOW)), LAYOUT)
    with pytest.raises(NotFound):
        ready(store, job.id, admin_at(store, NOW + timedelta(seconds=29, microseconds=999_999)))
    served = ready(store, job.id, admin_at(store, NOW + timedelta(seconds=30)))

    assert (served.id, served.state, served.row_count) == (job.id, ExportJobState.READY, FIRST_WEEK_EVENTS)


def test_ready_export_is_held_back_by_a_frozen_organization_clock(store: Store, wall: Wall) -> None:
    clock = Clock(wall)
    set_frozen_clock(store, NOW)
    job = request(store, admin_on_clock(store, clock), delay=timedelta(seconds=30))
    assert exports.run_pending(store, clock, "worker", LAYOUT) == 1

    wall.advance(hours=1)
    with pytest.raises(NotFound):
        ready(store, job.id, admin_on_clock(store, clock))
    set_frozen_clock(store, NOW + timedelta(seconds=30))
    served = ready(store, job.id, admin_on_clock(store, clock))

    assert served.id == job.id
    assert job.ready_at == NOW + timedelta(seconds=30)


def test_ready_export_refuses_another_organization(other_organization: dict[str, int], store: Store) -> None:
    job = request(store, admin_at(store))
    exports.run_pending(store, Clock(Wall(NOW)), "worker", LAYOUT)

    with store.session() as session:
        stranger = actor_for_token(session, OTHER_TOKEN, Clock(Wall(NOW + timedelta(hours=1))))
    with pytest.raises(Forbidden):
        ready(store, job.id, stranger)


def test_ready_export_of_an_unknown_or_overlong_id_is_not_found(store: Store) -> None:
    job = request(store, admin_at(store))
    exports.run_pending(store, Clock(Wall(NOW)), "worker", LAYOUT)

    for export_id in ("00000000-0000-0000-0000-000000000000", job.id + "x" * 1000):
        with pytest.raises(NotFound):
            ready(store, export_id, admin_at(store, NOW + timedelta(hours=1)))


# Claiming and leases.


def test_claim_returns_each_pending_job_once_oldest_first(store: Store) -> None:
    older = request(store, admin_at(store))
    newer = request(store, admin_at(store, NOW + SECOND))

    first = exports.claim(store, "one", NOW)
    second = exports.claim(store, "two", NOW)
    third = exports.claim(store, "three", NOW)

    assert (first, second, third) == (older.id, newer.id, None)
    claimed = job_of(store, older.id)
    assert (claimed.state, claimed.claimed_by, claimed.claimed_at, claimed.attempts) == (ExportJobState.RUNNING, "one", NOW, 1)
    assert job_of(store, newer.id).claimed_by == "two"


def test_claim_takes_over_a_job_whose_worker_went_quiet(store: Store) -> None:
    job = request(store, admin_at(store))
    assert exports.claim(store, "quiet", NOW) == job.id

    at_the_lease = exports.claim(store, "eager", NOW + LEASE)
    past_the_lease = exports.claim(store, "rescuer", NOW + LEASE + timedelta(microseconds=1))

    assert at_the_lease is None
    assert past_the_lease == job.id
    taken_over = job_of(store, job.id)
    assert (taken_over.claimed_by, taken_over.attempts, taken_over.claimed_at) == (
        "rescuer",
        2,
        NOW + LEASE + timedelta(microseconds=1),
    )


def test_a_taken_over_job_replaces_the_chunks_of_the_crashed_worker(
    store: Store, wall: Wall, monkeypatch: pytest.MonkeyPatch
) -> None:
    expected = reference_csv(store)
    job = request(store, admin_at(store))
    clock = Clock(wall)
    monkeypatch.setattr(exports, "CHUNK_BYTES", 64)
    real_rows = export_rows.rows

    def rows_then_crash(*_: object) -> Iterator[export_rows.EventRow]:
        for number in range(40):
            yield made_up_row(f"half-written row {number}")
        raise WorkerCrashed

    assert exports.claim(store, "crashed", wall()) == job.id
    monkeypatch.setattr(export_rows, "rows", rows_then_crash)
    with pytest.raises(WorkerCrashed):
        exports.generate(store, job.id, "crashed", clock, LAYOUT)
    left_behind = chunk_count(store, job.id)
    monkeypatch.setattr(export_rows, "rows", real_rows)

    wall.advance(seconds=PAST_LEASE.total_seconds())
    assert exports.run_pending(store, clock, "rescuer", LAYOUT) == 1

    assert left_behind > FIRST_WEEK_EVENTS + 2
    finished = job_of(store, job.id)
    assert (finished.state, finished.claimed_by, finished.attempts, finished.row_count) == (
        ExportJobState.READY,
        "rescuer",
        2,
        FIRST_WEEK_EVENTS,
    )
    assert csv_of(store, job.id) == expected
    assert chunk_count(store, job.id) < left_behind


def test_progress_keeps_a_claim_alive_past_the_lease(store: Store, wall: Wall, monkeypatch: pytest.MonkeyPatch) -> None:
    job = request(store, admin_at(store))
    clock = Clock(wall)
    monkeypatch.setattr(exports, "CHUNK_BYTES", 64)
    steals: list[str | None] = []

    def slow_rows(*_: object) -> Iterator[export_rows.EventRow]:
        for number in range(5):
            wall.advance(seconds=LEASE.total_seconds() * 0.75)
            steals.append(exports.claim(store, "eager", wall()))
            yield made_up_row(f"row {number}")

    monkeypatch.setattr(export_rows, "rows", slow_rows)
    assert exports.claim(store, "busy", wall()) == job.id

    assert exports.generate(store, job.id, "busy", clock, LAYOUT)
    assert steals == [None] * 5
    finished = job_of(store, job.id)
    assert (finished.state, finished.claimed_by, finished.attempts, finished.row_count) == (ExportJobState.READY, "busy", 1, 5)


def test_a_worker_that_lost_its_claim_mid_export_stops(store: Store, wall: Wall, monkeypatch: pytest.MonkeyPatch) -> None:
    expected = reference_csv(store)
    job = request(store, admin_at(store))
    clock = Clock(wall)
    monkeypatch.setattr(exports, "CHUNK_BYTES", 64)
    real_rows = export_rows.rows
    rescued: list[bool] = []

    def rows_while_taken_over(*_: object) -> Iterator[export_rows.EventRow]:
        # More chunks than the rescuer writes, so the stale worker's next chunk would not collide with its.
        for number in range(2 * FIRST_WEEK_EVENTS):
            yield made_up_row(f"stale row {number}")
        wall.advance(seconds=PAST_LEASE.total_seconds())
        monkeypatch.setattr(export_rows, "rows", real_rows)
        assert exports.claim(store, "rescuer", wall()) == job.id
        rescued.append(exports.generate(store, job.id, "rescuer", clock, LAYOUT))
        yield made_up_row("stale row after the takeover")
        yield made_up_row("another stale row")

    monkeypatch.setattr(export_rows, "rows", rows_while_taken_over)
    assert exports.claim(store, "slow", wall()) == job.id

    assert exports.generate(store, job.id, "slow", clock, LAYOUT) is False
    assert rescued == [True]
    finished = job_of(store, job.id)
    assert (finished.state, finished.claimed_by, finished.attempts, finished.row_count) == (
        ExportJobState.READY,
        "rescuer",
        2,
        FIRST_WEEK_EVENTS,
    )
    assert csv_of(store, job.id) == expected
    with store.session() as session:
        served_chunks = len(list(exports.csv_bytes(session, job.id)))
    assert chunk_count(store, job.id) == served_chunks


def test_a_worker_that_lost_its_claim_cannot_fail_the_new_claimants_export(
    store: Store, wall: Wall, monkeypatch: pytest.MonkeyPatch
) -> None:
    expected = reference_csv(store)
    job = request(store, admin_at(store))
    clock = Clock(wall)
    real_rows = export_rows.rows

    def rows_breaking_after_the_takeover(*_: object) -> Iterator[export_rows.EventRow]:
        yield made_up_row("stale row")
        wall.advance(seconds=PAST_LEASE.total_seconds())
        monkeypatch.setattr(export_rows, "rows", real_rows)
        assert exports.claim(store, "rescuer", wall()) == job.id
        assert exports.generate(store, job.id, "rescuer", clock, LAYOUT)
        raise RuntimeError("the stale worker's connection dropped")

    monkeypatch.setattr(export_rows, "rows", rows_breaking_after_the_takeover)
    assert exports.claim(store, "slow", wall()) == job.id

    assert exports.generate(store, job.id, "slow", clock, LAYOUT) is False
    finished = job_of(store, job.id)
    assert (finished.state, finished.claimed_by, finished.error) == (ExportJobState.READY, "rescuer", None)
    assert csv_of(store, job.id) == expected


def test_a_worker_that_lost_its_claim_before_starting_leaves_the_new_export_alone(store: Store, wall: Wall) -> None:
    expected = reference_csv(store)
    job = request(store, admin_at(store))
    clock = Clock(wall)
    assert exports.claim(store, "stalled", wall()) == job.id
    wall.advance(seconds=PAST_LEASE.total_seconds())
    assert exports.claim(store, "rescuer", wall()) == job.id
    assert exports.generate(store, job.id, "rescuer", clock, LAYOUT)

    assert exports.generate(store, job.id, "stalled", clock, LAYOUT) is False

    finished = job_of(store, job.id)
    assert (finished.state, finished.claimed_by, finished.row_count) == (ExportJobState.READY, "rescuer", FIRST_WEEK_EVENTS)
    assert csv_of(store, job.id) == expected


def claimed_repeatedly(store: Store, wall: Wall, job_id: str, times: int) -> str:
    """Claims the job `times` times, each claimant going quiet; the last claimant's name."""
    worker = ""
    for attempt in range(1, times + 1):
        worker = f"worker-{attempt}"
        assert exports.claim(store, worker, wall()) == job_id
        wall.advance(seconds=PAST_LEASE.total_seconds())
    return worker


def test_a_job_on_its_last_attempt_is_still_generated(store: Store, wall: Wall) -> None:
    job = request(store, admin_at(store))
    last = claimed_repeatedly(store, wall, job.id, MAX_ATTEMPTS)

    assert exports.generate(store, job.id, last, Clock(wall), LAYOUT)

    finished = job_of(store, job.id)
    assert (finished.state, finished.attempts) == (ExportJobState.READY, MAX_ATTEMPTS)


def test_a_job_past_its_attempts_fails_and_is_never_ready(store: Store, wall: Wall) -> None:
    job = request(store, admin_at(store))
    last = claimed_repeatedly(store, wall, job.id, MAX_ATTEMPTS + 1)

    assert exports.generate(store, job.id, last, Clock(wall), LAYOUT) is False

    failed = job_of(store, job.id)
    assert (failed.state, failed.attempts, failed.row_count) == (ExportJobState.FAILED, MAX_ATTEMPTS + 1, None)
    assert failed.error
    assert failed.finished_at == wall()
    wall.advance(hours=1)
    assert exports.claim(store, "late", wall()) is None
    with pytest.raises(NotFound):
        ready(store, job.id, admin_at(store, NOW + timedelta(days=1)))


def test_a_job_whose_rows_break_fails_and_the_worker_moves_on(store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    broken = request(store, admin_at(store))
    sound = request(store, admin_at(store, NOW + SECOND), first_week("desks"))
    real_rows = export_rows.rows

    def rows_breaking_on_spaces(
        store_: Store, job: ExportJob, now: datetime
    ) -> Iterator[export_rows.EventRow | export_rows.DeskRow]:
        if job.kind == "spaces":
            raise RuntimeError("the reservations table went away")
        return real_rows(store_, job, now)

    monkeypatch.setattr(export_rows, "rows", rows_breaking_on_spaces)

    assert exports.run_pending(store, Clock(Wall(NOW)), "worker", LAYOUT) == 1

    failed = job_of(store, broken.id)
    assert failed.state == ExportJobState.FAILED
    assert failed.error is not None
    assert "the reservations table went away" in failed.error
    assert job_of(store, sound.id).state == ExportJobState.READY
    assert exports.claim(store, "worker", NOW + timedelta(hours=1)) is None
    with pytest.raises(NotFound):
        ready(store, broken.id, admin_at(store, NOW + timedelta(hours=1)))


def test_concurrent_workers_generate_each_job_exactly_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(exports, "CHUNK_BYTES", 256)
    store = new_store(tmp_path)
    load(store, read_fixture(FIXTURES_DIR / "demo.json"), Clock(Wall(NOW)), "demo.json")
    job_ids = [request(store, admin_at(store)).id for _ in range(20)]
    clock = Clock(Wall(NOW))
    workers = 6
    start_together = threading.Barrier(workers)

    def work(name: str) -> int:
        start_together.wait()
        return exports.run_pending(store, clock, name, LAYOUT)

    with ThreadPoolExecutor(max_workers=workers) as pool:
        generated = list(pool.map(work, [f"worker-{number}" for number in range(workers)]))

    assert sum(generated) == len(job_ids)
    for job_id in job_ids:
        job = job_of(store, job_id)
        assert (job.state, job.attempts, job.row_count) == (ExportJobState.READY, 1, FIRST_WEEK_EVENTS)
        assert len(parsed(csv_of(store, job_id))) == FIRST_WEEK_EVENTS + 1


# Generation.


def retitle_design_review(store: Store, title: str) -> None:
    with store.session(write=True) as session:
        reservation = session.get(Reservation, DESIGN_REVIEW)
        assert reservation is not None
        reservation.title = title
        session.add(reservation)
        session.commit()


def test_an_export_spanning_many_chunks_reassembles_the_exact_csv(store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    retitle_design_review(store, 'Design review, "final"')
    in_one_chunk = request(store, admin_at(store))
    exports.run_pending(store, Clock(Wall(NOW)), "worker", LAYOUT)
    monkeypatch.setattr(exports, "CHUNK_BYTES", 100)
    in_many_chunks = request(store, admin_at(store))
    exports.run_pending(store, Clock(Wall(NOW)), "worker", LAYOUT)

    text = csv_of(store, in_many_chunks.id)
    with store.session() as session:
        pieces = list(exports.csv_bytes(session, in_many_chunks.id))

    assert chunk_count(store, in_one_chunk.id) == 1
    assert len(pieces) == chunk_count(store, in_many_chunks.id) > FIRST_WEEK_EVENTS
    assert text == csv_of(store, in_one_chunk.id)
    assert text.startswith(",".join(EVENT_FIELDS) + "\r\n")
    assert text.endswith("\r\n")
    assert text.count("\r\n") == text.count("\n") == FIRST_WEEK_EVENTS + 1
    assert ',"Design review, ""final""",false,' in text
    rows = parsed(text)
    assert rows[0] == list(EVENT_FIELDS)
    assert len(rows) - 1 == job_of(store, in_many_chunks.id).row_count == FIRST_WEEK_EVENTS
    titles = [row[EVENT_FIELDS.index("title")] for row in rows[1:]]
    assert titles.count('Design review, "final"') == 1
    assert all(len(row) == len(EVENT_FIELDS) for row in rows)


def test_a_desk_export_lists_the_desk_reservations_in_range(store: Store) -> None:
    job = request(store, admin_at(store), first_week("desks"))
    exports.run_pending(store, Clock(Wall(NOW)), "worker", LAYOUT)

    rows = parsed(csv_of(store, job.id))

    assert rows[0] == list(DESK_FIELDS)
    kind = DESK_FIELDS.index("reservation_type")
    starts = [row[DESK_FIELDS.index("start")] for row in rows[1:] if row[kind] != "shared"]
    assert starts == ["2026-03-02 04:30:00", "2026-03-02 14:00:00", "2026-03-03 03:30:00", "2026-03-03 14:00:00"]
    assert len([row for row in rows[1:] if row[kind] == "shared"]) == FIRST_WEEK_ASSIGNED_DAYS
    assert job_of(store, job.id).row_count == FIRST_WEEK_DESKS


def test_an_export_of_some_locations_lists_only_theirs(store: Store) -> None:
    job = request(store, admin_at(store), first_week(location_ids=[BENGALURU]))
    exports.run_pending(store, Clock(Wall(NOW)), "worker", LAYOUT)

    rows = parsed(csv_of(store, job.id))[1:]

    buildings = {row[EVENT_FIELDS.index("building")] for row in rows}
    assert buildings == {"Meridian Bengaluru"}
    assert len(rows) == job_of(store, job.id).row_count == FIRST_WEEK_EVENTS_IN_BENGALURU


def named(row: export_rows.Row) -> str:
    """A column worked out from the row: its reservation, and its start in a series."""
    return f"{row.reservation_id}@{row.original_start or '-'}"


def test_an_export_is_laid_out_as_its_layout_titles_and_orders_the_fields(store: Store) -> None:
    layout = export_rows.Layout(
        events=(("When", "start"), ("What", "title"), ("Id", named), ("Again", "title"), ("Reservation", "reservation_id")),
        desk_reservations=(("Desk", lambda row: f"desk {row.resource}"),),
    )
    events = request(store, admin_at(store), first_week(location_ids=[BENGALURU]))
    desks = request(store, admin_at(store), first_week("desks"))
    exports.run_pending(store, Clock(Wall(NOW)), "worker", layout)

    event_rows = parsed(csv_of(store, events.id))
    desk_rows = parsed(csv_of(store, desks.id))

    assert event_rows[0] == ["When", "What", "Id", "Again", "Reservation"]
    assert len(event_rows) - 1 == FIRST_WEEK_EVENTS_IN_BENGALURU
    assert all(what == again and when.startswith("2026-03-0") for when, what, _, again, _ in event_rows[1:])
    assert all(identifier.startswith(f"{reservation}@") for _, _, identifier, _, reservation in event_rows[1:])
    assert {identifier.endswith("@-") for _, _, identifier, _, _ in event_rows[1:]} == {True, False}
    assert desk_rows[0] == ["Desk"]
    assert len(desk_rows) - 1 == FIRST_WEEK_DESKS
    assert all(desk.startswith("desk ") for (desk,) in desk_rows[1:])


def test_a_layout_refuses_a_field_the_rows_do_not_have() -> None:
    with pytest.raises(ValueError, match="Creator Robin ID"):
        export_rows.Layout(events=(("Creator", "Creator Robin ID"),), desk_reservations=(("Desk", "resource"),))


def test_an_export_of_an_empty_range_is_a_header_only_csv(store: Store) -> None:
    job = request(store, admin_at(store), ExportRequest("spaces", *QUIET_RANGE))
    exports.run_pending(store, Clock(Wall(NOW)), "worker", LAYOUT)

    assert csv_of(store, job.id) == ",".join(EVENT_FIELDS) + "\r\n"
    finished = job_of(store, job.id)
    assert (finished.state, finished.row_count) == (ExportJobState.READY, 0)
