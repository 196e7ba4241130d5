"""One booking, three readers: random lifecycles driven through Robin and Kadence at random, and
after every step Robin, Kadence and the dashboard's timeline must tell the same story about every
occurrence made so far.

A Hypothesis state machine books desks (Robin seat reservations, Kadence desk bookings) and rooms
(Robin events, one-off or a daily series, and Kadence room bookings) in New York for a few demo
people, near the organization's clock; it cancels, checks in (Robin confirmations, Kadence
check-ins), checks out, withdraws Robin confirmations, reschedules one-off events (Robin PATCH),
assigns a shared desk to people on weekdays (Robin's shared schedule: each assigned day an
occurrence, midnight to midnight) and moves the clock forward, so that check-in windows open,
unconfirmed bookings are released and bookings end. Each step is sent through HTTP; the only
thing read from the store is which Kadence id a Robin id has (and back), and the demo's ids of
people and spaces.

Beside the three readers the machine keeps a model of what must be true: the times, who holds
it, the status each vendor's words give it (the architecture's table: Kadence `cancelled` with
`byUser` is Robin's cancelled event or a seat reservation that no longer exists; `noCheckIn` with
`autoSpaceRelease` is Robin's released one; a check-in is Robin's confirmation), who checked in
and out and when, who cancelled and when. Every answer to a step is predicted by the model too:
a refused step (a taken space, a Kadence booking starting in the past, a double cancel, a second
check-in, a check-in too early or too late) answers its refusal and changes nothing.

The space and desk picked are free of the demo's own bookings within reach of the clock (New York:
Queens, Phone Booth 1B and Focus Room; desks A-03, A-04 and A-05), so that the model knows every
booking that can collide. A-05 is made a shared desk that takes hoteled bookings on the days nobody
is assigned (["hoteled", "shared"]).
"""

import tempfile
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.configuration import set_hypothesis_home_dir
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule, run_state_machine_as_test
from sqlmodel import select

from sandbox.kadence.ids import occurrence_ulid
from sandbox.store.engine import Store
from sandbox.store.models import Reservation, Resource, User
from tests.conftest import ADMIN_TOKEN, BACKEND, DEMO_CLIENT, NOW, KadenceClient, RobinClient

# As tests/test_fuzz.py: what Hypothesis caches goes to the system's temporary directory.
set_hypothesis_home_dir(Path(tempfile.gettempdir()) / "workplace-sandbox-hypothesis")

NEW_YORK = 10
LOCAL = ZoneInfo("America/New_York")
ADA, BEN, CHLOE, FARAH = (
    "ada.okafor@meridian.example",
    "ben.carter@meridian.example",
    "chloe.martin@meridian.example",
    "farah.haddad@meridian.example",
)
PEOPLE = (ADA, BEN, CHLOE, FARAH)
ADMINISTRATORS = (ADA, FARAH)
"""Ada is the Robin admin token's user and the demo Kadence client's."""
DESKS = {1003: timedelta(minutes=60), 1004: timedelta(minutes=60), 1005: timedelta(minutes=60)}
"""A-03, A-04 and A-05 (their own 60-minute release window): hoteled desks the demo books nothing on."""
ROOMS = {56: timedelta(minutes=10), 52: timedelta(minutes=5), 57: None}
"""Queens (a room: 10 minutes), Phone Booth 1B (a pod: 5) and Focus Room (never released)."""
SHARED_DESK = 1005
"""A-05, made ["hoteled", "shared"]: assigned to people on weekdays, booked by others on the rest."""
WORKDAYS = ("MO", "TU", "WE", "TH", "FR")
WEEKDAY_CODES = (*WORKDAYS, "SA", "SU")
"""RFC 5545's weekdays, Monday first, as `date.weekday()` counts them."""
ASSIGNED_DAYS_SEEN = 10
"""The model follows an assignment's days this many days from the one it is made on: every booking
the machine makes, and every move of the clock, stays within them."""
BOOKING_TYPES = {1003: "desk", 1004: "desk", 1005: "desk", 56: "room", 52: "pod", 57: "room"}
"""The Kadence booking type of each."""
CHECK_IN_OPENS = timedelta(minutes=15)
OFFSETS = st.sampled_from([-60, -20, -5, 0, 10, 15, 30, 60, 120]).map(lambda minutes: timedelta(minutes=minutes))
"""Starts near the clock: under way already (check-in open, perhaps past the release window),
starting now, soon, later."""
LENGTHS = st.sampled_from([30, 60, 120, 240]).map(lambda minutes: timedelta(minutes=minutes))
ADVANCES = st.sampled_from([5, 10, 15, 30, 45, 60, 120, 240])
"""Minutes the clock moves: a step of the largest twenty times stays clear of New York's closure
day (11 March), on which Kadence books nothing."""
DIALECTS = st.sampled_from(["robin", "kadence"])
MAX_OCCURRENCES = 8
"""Steps book no more once this many occurrences are made: each is read three ways after every step."""
PICK = st.integers(min_value=0, max_value=1000)
"""Which of the occurrences made so far a step acts on (modulo their number)."""

BOOKED, CHECKED_IN, CHECKED_OUT, COMPLETED, CANCELLED, NO_CHECK_IN = (
    "booked",
    "checkedIn",
    "checkedOut",
    "completed",
    "cancelled",
    "noCheckIn",
)
"""The model's statuses, in Kadence's words."""


def robin_time(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def kadence_time(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S")


def robin_moment(moment: datetime) -> dict[str, str]:
    return {"date_time": robin_time(moment), "time_zone": LOCAL.key}


def from_robin(text: str) -> datetime:
    """`2026-03-02T09:00:00-0500`, as Robin writes an instant."""
    return datetime.strptime(text, "%Y-%m-%dT%H:%M:%S%z").astimezone(UTC)


def from_php(value: dict[str, Any]) -> datetime:
    """A serialized PHP DateTime in UTC, as Robin writes a seat confirmation's time."""
    assert (value["timezone_type"], value["timezone"]) == (3, "UTC"), value
    return datetime.strptime(value["date"], "%Y-%m-%d %H:%M:%S.%f").replace(tzinfo=UTC)


def local_midnight(day: date) -> datetime:
    return datetime.combine(day, time(), LOCAL).astimezone(UTC)


def from_kadence(text: str | None) -> datetime | None:
    return None if text is None else datetime.fromisoformat(text).astimezone(UTC)


@dataclass
class Occurrence:
    """What must be true of one occurrence: of a one-off booking, or one instance of a series."""

    kind: str
    """event (a room) or seat (a desk)"""
    robin_id: str
    kadence_id: str
    reservation_id: int
    space: int
    holder: str
    creator: str
    start: datetime
    end: datetime
    created_at: datetime
    release_after: timedelta | None
    in_series: bool = False
    cancelled: tuple[datetime, str | None] | None = None
    """When, and by whom (None: by the sandbox, as an assignment published again ends the last)."""
    check_in: tuple[datetime, str] | None = None
    check_out: tuple[datetime, str] | None = None
    confirmed_through_release: bool = False
    """Checked in when its release window closed, though no longer."""
    assigned: bool = False
    """A day of an assignment of the shared desk."""

    @property
    def released_at(self) -> datetime | None:
        """When it is released unless checked in: its window after its start, if it was booked
        by then and not checked in then."""
        if self.check_in is not None or self.release_after is None or self.confirmed_through_release:
            return None
        release = self.start + self.release_after
        return release if self.created_at < release else None

    def status(self, now: datetime) -> str:
        """In Kadence's words (the timeline's too)."""
        if self.cancelled is not None:
            return CANCELLED
        released = self.released_at
        if released is not None and released <= now:
            return NO_CHECK_IN
        if self.check_out is not None:
            return CHECKED_OUT
        if now >= self.end:
            return COMPLETED
        return CHECKED_IN if self.check_in is not None else BOOKED

    def holds_time(self, now: datetime) -> bool:
        """Whether it still keeps its space (and its holder's seat) from others: neither cancelled
        nor released; ended and checked-out ones keep their time."""
        return self.status(now) not in (CANCELLED, NO_CHECK_IN)

    def overlaps(self, start: datetime, end: datetime) -> bool:
        return self.start < end and start < self.end


@dataclass
class Assignment:
    """A person's assignment of the shared desk: every week on `days` from `first` on, until
    `until` (the first day no longer assigned) if it was ended; the model follows its days up to
    ASSIGNED_DAYS_SEEN from the day it was made (`instances`), and knows the rest by its rule."""

    series_id: int
    days: frozenset[str]
    first: date
    instances: list[Occurrence]
    until: date | None = None

    def holds(self, day: date, cancelled_series: set[int], now: datetime) -> bool:
        """Whether the desk is assigned, and kept, on `day`."""
        if self.series_id in cancelled_series or day < self.first or WEEKDAY_CODES[day.weekday()] not in self.days:
            return False
        if self.until is not None and day >= self.until:
            return False
        followed = [item for item in self.instances if item.start == local_midnight(day)]
        return not followed or followed[0].holds_time(now)


@dataclass
class Directory:
    """The demo's ids: each person's Robin id and Kadence ULID, each space's Kadence ULID."""

    robin_ids: dict[str, int] = field(default_factory=dict)
    ulids: dict[str, str] = field(default_factory=dict)
    emails: dict[int, str] = field(default_factory=dict)
    spaces: dict[int, str] = field(default_factory=dict)

    @classmethod
    def read(cls, store: Store) -> "Directory":
        found = cls()
        with store.session() as session:
            for person in session.exec(select(User).where(User.organization_id == 1)):
                found.robin_ids[person.email] = person.id or 0
                found.ulids[person.email] = person.ulid
                found.emails[person.id or 0] = person.email
            for space in session.exec(select(Resource).where(Resource.building_id == NEW_YORK)):
                found.spaces[space.id or 0] = space.ulid
        return found

    def iri(self, email: str | None) -> str | None:
        return None if email is None else f"/v1/public/users/{self.ulids[email]}"


class Lifecycles(RuleBasedStateMachine):
    """See the module's docstring. `client`, `store` and `directory` are set by the test."""

    client: TestClient
    store: Store
    directory: Directory

    def __init__(self) -> None:
        super().__init__()
        response = self.client.post("/_sandbox/reset")
        assert response.status_code == 204, response.text
        response = self.client.post("/_sandbox/organizations/1/clock/freeze", json={"at": robin_time(NOW)})
        assert response.status_code == 200, response.text
        self.now = NOW
        self.robin = RobinClient(self.client, ADMIN_TOKEN)
        self.kadence = KadenceClient(self.client, DEMO_CLIENT)
        self.occurrences: list[Occurrence] = []
        self.series: list[list[Occurrence]] = []
        self.cancelled_series: set[int] = set()
        self.assignments: dict[str, Assignment] = {}
        """Each person's latest assignment of the shared desk."""
        response = self.robin.put(
            f"/seats/{SHARED_DESK}/settings/seat-reservation-types-allowed", json={"value": ["hoteled", "shared"]}
        )
        assert response.status_code == 200, response.text

    # What the store says of ids

    def kadence_id_of(self, reservation_id: int) -> str:
        with self.store.session() as session:
            reservation = session.get(Reservation, reservation_id)
            assert reservation is not None
            return reservation.ulid

    def robin_id_of(self, ulid: str) -> int:
        with self.store.session() as session:
            reservation = session.exec(select(Reservation).where(Reservation.ulid == ulid)).one()
            return reservation.id or 0

    # The model's rules

    def space_taken(self, space: int, start: datetime, end: datetime, ignoring: Occurrence | None = None) -> bool:
        return any(
            occurrence.space == space and occurrence.holds_time(self.now) and occurrence.overlaps(start, end)
            for occurrence in self.occurrences
            if occurrence is not ignoring
        )

    def seated(self, person: str, start: datetime, end: datetime) -> bool:
        return any(
            occurrence.kind == "seat"
            and occurrence.holder == person
            and occurrence.holds_time(self.now)
            and occurrence.overlaps(start, end)
            for occurrence in self.occurrences
        )

    def pick(self, index: int, *, kind: str | None = None) -> Occurrence | None:
        chosen = [occurrence for occurrence in self.occurrences if kind is None or occurrence.kind == kind]
        return chosen[index % len(chosen)] if chosen else None

    def release_passed(self, occurrence: Occurrence) -> bool:
        """Whether its release time has come, had it not been cancelled or checked in."""
        release = Occurrence(**{**occurrence.__dict__, "cancelled": None}).released_at
        return release is not None and release <= self.now

    def in_the_past(self, start: datetime) -> bool:
        """Whether Kadence refuses a booking starting then: more than a minute before the current
        minute (Robin books in the past)."""
        return start < self.now.replace(second=0, microsecond=0) - timedelta(minutes=1)

    def may_check_in(self, occurrence: Occurrence) -> bool:
        return occurrence.status(self.now) == BOOKED and self.now >= occurrence.start - CHECK_IN_OPENS

    # Steps: creating

    @precondition(lambda self: len(self.occurrences) < MAX_OCCURRENCES)
    @rule(dialect=DIALECTS, desk=st.sampled_from(sorted(DESKS)), person=st.sampled_from(PEOPLE), offset=OFFSETS, length=LENGTHS)
    def book_desk(self, dialect: str, desk: int, person: str, offset: timedelta, length: timedelta) -> None:
        start = self.now + offset
        end = start + length
        refused = self.space_taken(desk, start, end) or self.seated(person, start, end)
        if dialect == "robin":
            response = self.robin.post(
                f"/seats/{desk}/reservations",
                json={
                    "type": "hoteled",
                    "reservee": {"email": person},
                    "start": robin_moment(start),
                    "end": robin_moment(end),
                },
            )
            assert response.status_code == (409 if refused else 200), response.text
            if refused:
                return
            reservation_id = int(response.json()["data"]["id"])
            kadence_id = self.kadence_id_of(reservation_id)
            creator = ADA
        else:
            response = self.kadence.post(
                "/bookings",
                json={
                    "userId": self.directory.ulids[person],
                    "spaceId": self.directory.spaces[desk],
                    "startDateTime": kadence_time(start),
                    "endDateTime": kadence_time(end),
                },
            )
            refused = refused or self.in_the_past(start)
            assert response.status_code == (422 if refused else 201), response.text
            if refused:
                return
            kadence_id = response.json()["id"]
            reservation_id = self.robin_id_of(kadence_id)
            creator = person
        self.occurrences.append(
            Occurrence(
                kind="seat",
                robin_id=str(reservation_id),
                kadence_id=kadence_id,
                reservation_id=reservation_id,
                space=desk,
                holder=person,
                creator=creator,
                start=start,
                end=end,
                created_at=self.now,
                release_after=DESKS[desk],
            )
        )

    @precondition(lambda self: len(self.occurrences) < MAX_OCCURRENCES)
    @rule(dialect=DIALECTS, room=st.sampled_from(sorted(ROOMS)), person=st.sampled_from(PEOPLE), offset=OFFSETS, length=LENGTHS)
    def book_room(self, dialect: str, room: int, person: str, offset: timedelta, length: timedelta) -> None:
        start = self.now + offset
        end = start + length
        refused = self.space_taken(room, start, end)
        if dialect == "robin":
            # Robin books as the caller: the administrator's token, so Ada holds it.
            person = ADA
            response = self.robin.post(
                f"/spaces/{room}/events",
                json={"title": "Lifecycle", "start": robin_moment(start), "end": robin_moment(end)},
            )
            assert response.status_code == (409 if refused else 201), response.text
            if refused:
                return
            reservation_id = int(response.json()["data"]["id"])
            kadence_id = self.kadence_id_of(reservation_id)
        else:
            response = self.kadence.post(
                "/bookings",
                json={
                    "userId": self.directory.ulids[person],
                    "spaceId": self.directory.spaces[room],
                    "startDateTime": kadence_time(start),
                    "endDateTime": kadence_time(end),
                    "title": "Lifecycle",
                },
            )
            refused = refused or self.in_the_past(start)
            assert response.status_code == (422 if refused else 201), response.text
            if refused:
                return
            kadence_id = response.json()["id"]
            reservation_id = self.robin_id_of(kadence_id)
        self.occurrences.append(
            Occurrence(
                kind="event",
                robin_id=str(reservation_id),
                kadence_id=kadence_id,
                reservation_id=reservation_id,
                space=room,
                holder=person,
                creator=person,
                start=start,
                end=end,
                created_at=self.now,
                release_after=ROOMS[room],
            )
        )

    @precondition(lambda self: len(self.occurrences) < MAX_OCCURRENCES)
    @rule(
        place=st.sampled_from(sorted(ROOMS) + sorted(DESKS)),
        person=st.sampled_from(PEOPLE),
        offset=OFFSETS,
        length=LENGTHS,
        count=st.integers(min_value=2, max_value=3),
    )
    def book_daily_series(self, place: int, person: str, offset: timedelta, length: timedelta, count: int) -> None:
        """A Robin event or seat reservation repeating daily (in New York's days): each instance is
        an occurrence of its own."""
        first = (self.now + offset).astimezone(LOCAL)
        starts = [(first + timedelta(days=day)).astimezone(UTC) for day in range(count)]
        body = {
            "start": robin_moment(starts[0]),
            "end": robin_moment(starts[0] + length),
            "recurrence": [f"RRULE:FREQ=DAILY;COUNT={count}"],
        }
        release_after: timedelta | None
        if place in DESKS:
            kind, release_after = "seat", DESKS[place]
            refused = any(
                self.space_taken(place, moment, moment + length) or self.seated(person, moment, moment + length)
                for moment in starts
            )
            response = self.robin.post(
                f"/seats/{place}/reservations", json={"type": "hoteled", "reservee": {"email": person}, **body}
            )
            assert response.status_code == (409 if refused else 200), response.text
        else:
            # Robin books events as the caller: the administrator's token, so Ada holds it.
            kind, release_after, person = "event", ROOMS[place], ADA
            refused = any(self.space_taken(place, moment, moment + length) for moment in starts)
            response = self.robin.post(f"/spaces/{place}/events", json={"title": "Lifecycle daily", **body})
            assert response.status_code == (409 if refused else 201), response.text
        if refused:
            return
        series_id = int(response.json()["data"]["id"])
        instances = [
            Occurrence(
                kind=kind,
                robin_id=f"{series_id}_{moment.strftime('%Y%m%dT%H%M%SZ')}",
                kadence_id=occurrence_ulid(series_id, moment),
                reservation_id=series_id,
                space=place,
                holder=person,
                creator=ADA,
                start=moment,
                end=moment + length,
                created_at=self.now,
                release_after=release_after,
                in_series=True,
            )
            for moment in starts
        ]
        self.occurrences.extend(instances)
        self.series.append(instances)

    @precondition(lambda self: len(self.occurrences) < MAX_OCCURRENCES)
    @rule(person=st.sampled_from(PEOPLE), days=st.sets(st.sampled_from(WORKDAYS), min_size=1, max_size=2))
    def assign_shared_desk(self, person: str, days: set[str]) -> None:
        """Robin's shared schedule: the shared desk assigned to `person` on `days`, every week from
        today on, in place of what they were assigned before: an assignment that began before today
        keeps its days before today and loses the rest; one that begins today or later is
        cancelled. Refused where an assigned day meets another's assigned day or booking of the
        desk, or the person's booking of another desk."""
        today = self.now.astimezone(LOCAL).date()
        followed = [today + timedelta(days=offset) for offset in range(ASSIGNED_DAYS_SEEN)]
        followed = [day for day in followed if WEEKDAY_CODES[day.weekday()] in days]
        previous = self.assignments.get(person)
        refused = self.assigned_elsewhere(person, frozenset(days), followed[0]) or any(
            occurrence.holds_time(self.now)
            and not occurrence.assigned
            and (occurrence.space == SHARED_DESK or (occurrence.kind == "seat" and occurrence.holder == person))
            and occurrence.overlaps(local_midnight(day), local_midnight(day + timedelta(days=1)))
            for occurrence in self.occurrences
            for day in followed
        )
        rule = f"RRULE:FREQ=WEEKLY;BYDAY={','.join(code for code in WORKDAYS if code in days)};BYHOUR=0;BYMINUTE=0;BYSECOND=0"
        response = self.robin.post(
            f"/seats/{SHARED_DESK}/publish-shared-schedule", json={"reservee": {"email": person}, "recurrence": [rule]}
        )
        assert response.status_code == (409 if refused else 200), response.text
        if refused:
            return
        if previous is not None and previous.series_id not in self.cancelled_series:
            self.end_assignment(previous, today)
        series_id = int(response.json()["data"]["id"])
        instances = [
            Occurrence(
                kind="seat",
                robin_id=f"{series_id}_{local_midnight(day).strftime('%Y%m%dT%H%M%SZ')}",
                kadence_id=occurrence_ulid(series_id, local_midnight(day)),
                reservation_id=series_id,
                space=SHARED_DESK,
                holder=person,
                creator=ADA,
                start=local_midnight(day),
                end=local_midnight(day + timedelta(days=1)),
                created_at=self.now,
                release_after=None,
                in_series=True,
                assigned=True,
            )
            for day in followed
        ]
        self.occurrences.extend(instances)
        self.series.append(instances)
        self.assignments[person] = Assignment(series_id, frozenset(days), followed[0], instances)

    def assigned_elsewhere(self, person: str, days: frozenset[str], first: date) -> bool:
        """Whether another's assignment keeps the desk on a day of a new one of `person`'s (theirs
        ends today): its days are weekly, so three weeks from the later first day tell."""
        for holder, other in self.assignments.items():
            if holder == person:
                continue
            start = max(first, other.first)
            for offset in range(21):
                day = start + timedelta(days=offset)
                if WEEKDAY_CODES[day.weekday()] in days and other.holds(day, self.cancelled_series, self.now):
                    return True
        return False

    def end_assignment(self, assignment: Assignment, today: date) -> None:
        """What publishing a person's schedule again does to their last assignment."""
        if assignment.first >= today:
            # Begun today or later: cancelled whole, by nobody.
            self.cancelled_series.add(assignment.series_id)
            for occurrence in assignment.instances:
                if occurrence.status(self.now) not in (CANCELLED, NO_CHECK_IN):
                    occurrence.cancelled = (self.now, None)
            return
        # Begun before today: the days from today on are no longer assigned, and are no booking.
        assignment.until = today
        gone = [occurrence for occurrence in assignment.instances if occurrence.start >= local_midnight(today)]
        self.occurrences = [occurrence for occurrence in self.occurrences if occurrence not in gone]
        self.series = [kept for kept in ([item for item in instances if item not in gone] for instances in self.series) if kept]
        assignment.instances = [item for item in assignment.instances if item not in gone]

    # Steps: cancelling

    @precondition(lambda self: self.occurrences)
    @rule(dialect=DIALECTS, index=PICK, on_behalf=st.booleans())
    def cancel(self, dialect: str, index: int, on_behalf: bool) -> None:
        chosen = self.occurrences
        occurrence = chosen[index % len(chosen)]
        status = occurrence.status(self.now)
        if dialect == "robin":
            path = (
                f"/events/{occurrence.robin_id}" if occurrence.kind == "event" else f"/reservations/seats/{occurrence.robin_id}"
            )
            response = self.robin.delete(path)
            if occurrence.kind == "seat":
                # A cancelled or released seat reservation no longer exists.
                gone = status in (CANCELLED, NO_CHECK_IN)
                assert response.status_code == (404 if gone else 200), response.text
                if not gone:
                    occurrence.cancelled = (self.now, ADA)
                return
            # Cancelling an event answers 200 whatever its state, and cancelling it again changes nothing.
            assert response.status_code == 200, response.text
            assert response.json()["data"]["status"] == "cancelled", response.text
            if status not in (CANCELLED, NO_CHECK_IN):
                occurrence.cancelled = (self.now, ADA)
            return
        canceller = occurrence.holder if on_behalf else ADA
        body = {"userId": self.directory.ulids[canceller]} if on_behalf else {}
        response = self.kadence.post(f"/bookings/{occurrence.kadence_id}/cancel", json=body)
        allowed = canceller in ADMINISTRATORS or canceller in (occurrence.holder, occurrence.creator)
        if not allowed:
            assert response.status_code == 403, response.text
            return
        if status in (CANCELLED, NO_CHECK_IN, COMPLETED, CHECKED_OUT):
            assert response.status_code == 400, response.text
            return
        assert response.status_code == 201, response.text
        occurrence.cancelled = (self.now, canceller)

    @precondition(lambda self: self.series)
    @rule(index=PICK)
    def cancel_series(self, index: int) -> None:
        """Robin's DELETE of a series' id (an event's or a seat reservation's) cancels every one of
        its occurrences."""
        instances = self.series[index % len(self.series)]
        collection = "events" if instances[0].kind == "event" else "reservations/seats"
        series_id = instances[0].reservation_id
        response = self.robin.delete(f"/{collection}/{series_id}")
        # A cancelled seat reservation no longer exists; an event's cancel may be repeated.
        gone = instances[0].kind == "seat" and series_id in self.cancelled_series
        assert response.status_code == (404 if gone else 200), response.text
        self.cancelled_series.add(series_id)
        for occurrence in instances:
            if occurrence.status(self.now) not in (CANCELLED, NO_CHECK_IN):
                occurrence.cancelled = (self.now, ADA)

    # Steps: check-in, check-out

    @precondition(lambda self: self.occurrences)
    @rule(dialect=DIALECTS, index=PICK, person=st.sampled_from(PEOPLE))
    def check_in(self, dialect: str, index: int, person: str) -> None:
        chosen = self.occurrences
        occurrence = chosen[index % len(chosen)]
        allowed = self.may_check_in(occurrence)
        if dialect == "robin":
            path = (
                f"/events/{occurrence.robin_id}" if occurrence.kind == "event" else f"/reservations/seats/{occurrence.robin_id}"
            )
            response = self.robin.put(f"{path}/confirmation", json={"user_id": self.directory.robin_ids[person]})
            if allowed:
                assert response.status_code == 200, response.text
            elif occurrence.kind == "seat" and occurrence.cancelled is not None:
                assert response.status_code == 404, response.text
            else:
                assert response.status_code == 400, response.text
        else:
            response = self.kadence.post(
                f"/bookings/{occurrence.kadence_id}/check-in",
                json={"userId": self.directory.ulids[person], "method": "wifi"},
            )
            assert response.status_code == (201 if allowed else 400), response.text
        if allowed:
            occurrence.check_in = (self.now, person)

    @precondition(lambda self: self.occurrences)
    @rule(index=PICK, person=st.sampled_from(PEOPLE))
    def check_out(self, index: int, person: str) -> None:
        occurrence = self.pick(index)
        assert occurrence is not None
        allowed = occurrence.status(self.now) == CHECKED_IN
        response = self.kadence.post(
            f"/bookings/{occurrence.kadence_id}/check-out", json={"userId": self.directory.ulids[person]}
        )
        assert response.status_code == (201 if allowed else 400), response.text
        if allowed:
            occurrence.check_out = (self.now, person)

    @precondition(lambda self: any(occurrence.kind == "event" for occurrence in self.occurrences))
    @rule(index=PICK)
    def withdraw_confirmation(self, index: int) -> None:
        """Robin's DELETE of an event's confirmation: the check-in (and a check-out) are gone."""
        chosen = [item for item in self.occurrences if item.kind == "event"]
        occurrence = chosen[index % len(chosen)]
        response = self.robin.delete(f"/events/{occurrence.robin_id}/confirmation")
        if occurrence.check_in is None:
            assert response.status_code == 404, response.text
            return
        assert response.status_code == 200, response.text
        # Confirmed when its release window closed, it was not released then.
        occurrence.confirmed_through_release = occurrence.confirmed_through_release or (
            occurrence.release_after is not None and self.now >= occurrence.start + occurrence.release_after
        )
        occurrence.check_in = occurrence.check_out = None

    # Steps: rescheduling

    @precondition(lambda self: any(occurrence.kind == "event" and not occurrence.in_series for occurrence in self.occurrences))
    @rule(index=PICK, offset=OFFSETS, length=LENGTHS)
    def reschedule(self, index: int, offset: timedelta, length: timedelta) -> None:
        """Robin's PATCH of a one-off event's start and end."""
        events = [occurrence for occurrence in self.occurrences if occurrence.kind == "event" and not occurrence.in_series]
        if not events:
            return
        occurrence = events[index % len(events)]
        start = self.now + offset
        end = start + length
        response = self.robin.patch(
            f"/events/{occurrence.robin_id}", json={"start": robin_moment(start), "end": robin_moment(end)}
        )
        if occurrence.status(self.now) in (CANCELLED, NO_CHECK_IN):
            assert response.status_code == 400, response.text
            return
        if self.space_taken(occurrence.space, start, end, ignoring=occurrence):
            assert response.status_code == 409, response.text
            return
        assert response.status_code == 200, response.text
        if start != occurrence.start:
            # The confirmation was of the occurrence at its old start; one whose end alone moves keeps it.
            occurrence.check_in = occurrence.check_out = None
            occurrence.confirmed_through_release = False
        occurrence.start, occurrence.end = start, end

    # Steps: the clock

    @rule(minutes=ADVANCES)
    def advance_clock(self, minutes: int) -> None:
        response = self.client.post("/_sandbox/organizations/1/clock/advance", json={"by": f"PT{minutes}M"})
        assert response.status_code == 200, response.text
        self.now += timedelta(minutes=minutes)
        assert from_kadence(response.json()["now"]) == self.now
        # Kadence tokens last an hour of the organization's clock.
        self.kadence = KadenceClient(self.client, DEMO_CLIENT)

    # After every step: the three readers and the model agree

    @invariant()
    def every_reader_tells_the_same_story(self) -> None:
        days: dict[str, dict[str, Any]] = {}
        for occurrence in self.occurrences:
            status = occurrence.status(self.now)
            self.kadence_agrees(occurrence, status)
            self.robin_agrees(occurrence, status)
            day = occurrence.start.astimezone(LOCAL).date().isoformat()
            if day not in days:
                response = self.client.get("/_sandbox/timeline", params={"building_id": NEW_YORK, "day": day})
                assert response.status_code == 200, response.text
                days[day] = response.json()
            self.timeline_agrees(occurrence, status, days[day])

    def kadence_agrees(self, occurrence: Occurrence, status: str) -> None:
        response = self.kadence.get(f"/bookings/{occurrence.kadence_id}")
        assert response.status_code == 200, response.text
        booking = response.json()
        directory = self.directory
        released = occurrence.released_at if status == NO_CHECK_IN else None
        cancelled = occurrence.cancelled
        expected = {
            "startDate": occurrence.start,
            "endDate": occurrence.end,
            "status": status,
            "type": BOOKING_TYPES[occurrence.space],
            "userId": directory.iri(occurrence.holder),
            "bookingUserEmail": occurrence.holder,
            "cancellationReason": "byUser" if cancelled else "autoSpaceRelease" if released else None,
            "cancelledDate": cancelled[0] if cancelled else released,
            "cancelledUserId": directory.iri(cancelled[1]) if cancelled else None,
            "autoReleasedDate": released,
            "checkedInUserId": directory.iri(occurrence.check_in[1]) if occurrence.check_in else None,
            "checkedInDate": occurrence.check_in[0] if occurrence.check_in else None,
            "checkedOutUser": directory.iri(occurrence.check_out[1]) if occurrence.check_out else None,
            "checkedOutDate": occurrence.check_out[0] if occurrence.check_out else None,
        }
        told = {name: booking.get(name) for name in expected}
        for name in ("startDate", "endDate", "cancelledDate", "autoReleasedDate", "checkedInDate", "checkedOutDate"):
            told[name] = from_kadence(told[name])
        assert told == expected, f"Kadence on {occurrence.kadence_id} (Robin {occurrence.robin_id}) at {self.now}"

    def robin_agrees(self, occurrence: Occurrence, status: str) -> None:
        if occurrence.kind == "seat":
            response = self.robin.get(f"/reservations/seats/{occurrence.robin_id}")
            if status in (CANCELLED, NO_CHECK_IN):
                # A cancelled or released seat reservation no longer exists.
                assert response.status_code == 404, f"Robin on {occurrence.robin_id}: {response.text}"
                return
            assert response.status_code == 200, response.text
            reservation = response.json()["data"]
            confirmation = reservation["confirmation"]
            told = {
                "id": reservation["id"],
                "seat": reservation["seat_id"],
                "holder": reservation["reservee"]["email"],
                "start": from_robin(reservation["start"]["date_time"]),
                "end": from_robin(reservation["end"]["date_time"]),
                "check_in": (from_php(confirmation["confirmed_at"]), self.directory.emails[confirmation["user_id"]])
                if confirmation
                else None,
            }
            expected: dict[str, Any] = {
                "id": occurrence.robin_id,
                "seat": occurrence.space,
                "holder": occurrence.holder,
                "start": occurrence.start,
                "end": occurrence.end,
                "check_in": occurrence.check_in,
            }
        else:
            response = self.robin.get(f"/events/{occurrence.robin_id}")
            assert response.status_code == 200, response.text
            event = response.json()["data"]
            confirmation = event["confirmation"]
            told = {
                "id": event["id"],
                "space": event["space_id"],
                "holder": event["organizer_email"],
                "start": from_robin(event["start"]["date_time"]),
                "end": from_robin(event["end"]["date_time"]),
                "status": event["status"],
                "check_in": (from_robin(confirmation["confirmed_at"]), self.directory.emails[confirmation["user_id"]])
                if confirmation
                else None,
            }
            expected = {
                "id": occurrence.robin_id,
                "space": occurrence.space,
                "holder": occurrence.holder,
                "start": occurrence.start,
                "end": occurrence.end,
                # Robin's word for cancelled and for released alike.
                "status": "cancelled" if status in (CANCELLED, NO_CHECK_IN) else "confirmed",
                "check_in": occurrence.check_in,
            }
        assert told == expected, f"Robin on {occurrence.robin_id} (Kadence {occurrence.kadence_id}) at {self.now}"

    def timeline_agrees(self, occurrence: Occurrence, status: str, view: dict[str, Any]) -> None:
        space = next(item for item in view["spaces"] if item["id"] == occurrence.space)
        shown = [item for item in space["bookings"] if item["kadence_id"] == occurrence.kadence_id]
        assert len(shown) == 1, f"the timeline of {view['day']} on {occurrence.kadence_id}: {space['bookings']}"
        [item] = shown
        told = {
            "robin_id": item["robin_id"],
            "kind": item["kind"],
            "organizer": item["organizer"],
            "start": from_kadence(item["start"]),
            "end": from_kadence(item["end"]),
            "status": item["status"],
            "checked_in": item["checked_in"],
            "checked_out": item["checked_out"],
        }
        expected = {
            "robin_id": occurrence.robin_id,
            "kind": occurrence.kind,
            "organizer": occurrence.holder,
            "start": occurrence.start,
            "end": occurrence.end,
            "status": status,
            "checked_in": occurrence.check_in is not None,
            "checked_out": occurrence.check_out is not None,
        }
        assert told == expected, f"the timeline on {occurrence.kadence_id} (Robin {occurrence.robin_id}) at {self.now}"


MACHINE_SETTINGS = settings(
    # The same lifecycles on every run; fewer on PostgreSQL, where each request takes longer.
    max_examples=6 if BACKEND == "sqlite" else 2,
    stateful_step_count=15,
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)


@pytest.mark.slow(seconds=8)
def test_robin_kadence_and_the_timeline_agree_on_every_booking_through_its_lifecycle(
    app: FastAPI, client: TestClient, store: Store
) -> None:
    machine = type("BoundLifecycles", (Lifecycles,), {"client": client, "store": store, "directory": Directory.read(store)})
    run_state_machine_as_test(machine, settings=MACHINE_SETTINGS)
