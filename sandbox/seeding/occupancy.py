"""Booking generation: who books which desk or room, when, and what became of each booking.

Bookings fill the days either side of today in each office's own time zone, shaped like a
hybrid office's week: Tuesday to Thursday busiest, Monday and Friday lighter, next to nothing
on a Saturday the office opens, nothing on days it is closed; fewer bookings the further ahead
a day lies, as people book closer to the date. Desks are booked for the day, the morning or the
afternoon, mostly in the booker's home zone; meetings of 30 to 90 minutes fill rooms in working
hours, some as weekly series.

Nothing conflicts, by construction: a calendar of each desk's half-days, each room's minutes and
each person's desk days is kept as bookings are placed. Each booking's fate is drawn at once:
cancelled before it started; checked in (and perhaps out) once it started; or, once its
release window has passed, a no-show. Only what has happened by `now` is recorded.

Its length is one generator's: the calendars that keep bookings conflict-free and the draws that
place and settle them share one seeded random source and must be read together.
"""

import math
import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from itertools import accumulate
from zoneinfo import ZoneInfo

from faker import Faker

from sandbox.core import buildings, recurrence
from sandbox.core.bookings import METHODS
from sandbox.core.times import zone as named_zone
from sandbox.core.transitions import CHECK_IN_OPENS
from sandbox.seeding.presets import Preset
from sandbox.seeding.workplace import Workplace
from sandbox.store.models import Building, ReservationKind

WEEKDAY_DEMAND = (0.75, 1.0, 1.0, 0.95, 0.5, 0.06, 0.0)
"""Relative demand for desks, Monday first."""
ROOM_WEEKDAY_DEMAND = (0.8, 1.0, 1.0, 0.95, 0.6, 0.0, 0.0)
DESK_SHARE = 0.64
"""Of all bookings, the share that are desks; the rest are room bookings."""
SERIES_SHARE = 0.15
"""Of room bookings, the share that are occurrences of weekly series."""
KADENCE_SHARE = 0.35
"""Of bookings, the share made through the Kadence API rather than Robin."""
DESK_CANCELLED, ROOM_CANCELLED, INSTANCE_CANCELLED, SERIES_CANCELLED = 0.07, 0.09, 0.06, 0.03
DESK_SHOWS, ROOM_SHOWS = 0.8, 0.72
"""Of bookings that were not cancelled, the share checked in once they started."""
CHECKED_OUT = 0.4
"""Of checked-in desk bookings made through Kadence, the share checked out again."""
ADMIN = 0
"""The first person, an administrator (the demo token's), who now and then books or cancels for others."""
MORNING, AFTERNOON = 1, 2
DESK_PATTERNS = (
    ((8 * 60, 17 * 60), MORNING | AFTERNOON),
    ((8 * 60 + 30, 17 * 60 + 30), MORNING | AFTERNOON),
    ((9 * 60, 18 * 60), MORNING | AFTERNOON),
    ((8 * 60 + 30, 12 * 60 + 30), MORNING),
    ((9 * 60, 13 * 60), MORNING),
    ((13 * 60, 17 * 60 + 30), AFTERNOON),
    ((13 * 60 + 30, 18 * 60), AFTERNOON),
)
DESK_PATTERN_WEIGHTS = tuple(accumulate((22, 25, 15, 10, 8, 11, 9)))
SATURDAY_PATTERN = ((9 * 60, 13 * 60), MORNING)
MEETING_STARTS = tuple(range(8 * 60, 17 * 60 + 1, 30))
MEETING_START_WEIGHTS = tuple(accumulate((3, 6, 9, 10, 9, 8, 4, 3, 7, 9, 9, 8, 6, 5, 3, 2, 1, 1, 1)))
MEETING_LENGTHS = (30, 45, 60, 90)
MEETING_LENGTH_WEIGHTS = tuple(accumulate((35, 15, 35, 15)))
LAST_MEETING_END = 18 * 60 + 30
DESK_LEADS = tuple(accumulate((25, 30, 15, 8, 6, 5, 4, 3, 2, 2)))
"""How many days ahead desks are booked (0 to 9), relatively."""
TITLES = (
    "{department} weekly",
    "{department} sync",
    "Sprint planning",
    "Design review",
    "Pipeline review",
    "Quarterly planning",
    "Customer call: {company}",
    "Project {project} sync",
    "Hiring panel",
    "Retrospective",
    "Demo prep",
    "Budget review",
    "Interview: {job}",
    "Roadmap review",
    "Vendor call: {company}",
    "Architecture review",
    "{department} stand-up",
    "Project {project} kick-off",
    "Training: {project}",
    "Offsite planning",
)
SOLO_TITLES = ("Focus time", "Call with {company}", "Interview: {job}", "Candidate call", "Deep work", "Client call")
SERIES_TITLES = ("{department} weekly", "Project {project} weekly", "Team sync", "{department} planning", "1:1")


@dataclass(slots=True)
class CheckIn:
    at: datetime
    person: int
    source: str
    method: str | None = None
    out_at: datetime | None = None


@dataclass(slots=True)
class Instance:
    """One occurrence of a booking: a single booking has one, a series one per repetition."""

    start: datetime
    check_in: CheckIn | None = None
    cancelled_at: datetime | None = None
    cancelled_by: int | None = None


@dataclass(slots=True)
class PlannedBooking:
    """A reservation to be written: of desk `place` (a seat reservation) or room `place` (an event)."""

    kind: str
    place: int
    organizer: int
    creator: int
    start: datetime
    end: datetime
    time_zone: str
    created_at: datetime
    source: str
    title: str = ""
    reservation_type: str | None = None
    recurrence: list[str] | None = None
    invitees: tuple[int, ...] = ()
    cancelled_at: datetime | None = None
    cancelled_by: int | None = None
    instances: list[Instance] = field(default_factory=list)


@dataclass(frozen=True)
class Office:
    """A building as booking generation sees it: its zone, today, and who and what is in it."""

    building: Building
    tz: ZoneInfo
    today: date
    people: list[int]
    attendance: list[float]
    rooms: list[int]
    desks: list[int]


class Occupancy:
    """The bookings of a generated workplace, in the order they are to be written (and given
    ids): weekly series first, then day by day, office by office."""

    def __init__(
        self,
        workplace: Workplace,
        offices: list[Building],
        room_windows: list[int | None],
        desk_windows: list[int | None],
        preset: Preset,
        seed: int,
        now: datetime,
    ) -> None:
        self.workplace = workplace
        self.preset = preset
        self.now = now
        self.random = random.Random(f"bookings:{preset.name}:{seed}")
        self.room_windows = room_windows
        self.desk_windows = desk_windows
        self.offices = [self._office(position, building) for position, building in enumerate(offices)]
        self.words = _Words(seed)
        self.room_minutes: dict[tuple[int, int], list[tuple[int, int]]] = {}
        self.desk_halves: dict[tuple[int, int], int] = {}
        self.seated: set[tuple[int, int]] = set()
        self.series_days: dict[tuple[int, int], int] = {}
        desks_wanted = round(preset.bookings * DESK_SHARE) if any(office.desks for office in self.offices) else 0
        rooms_wanted = preset.bookings - desks_wanted
        self.desk_targets = self._targets(desks_wanted, WEEKDAY_DEMAND, lambda office: len(office.desks))
        self.room_targets = self._targets(rooms_wanted, ROOM_WEEKDAY_DEMAND, lambda office: len(office.rooms))
        self.series = self._plan_series(round(rooms_wanted * SERIES_SHARE))
        self.total = (
            sum(len(booking.instances) for booking in self.series)
            + sum(self.desk_targets.values())
            + sum(max(0, wanted - self.series_days.get(key, 0)) for key, wanted in self.room_targets.items())
        )
        """How many bookings (occurrences) there will be, give or take the few that find no free place."""

    def _office(self, position: int, building: Building) -> Office:
        people = [index for index, person in enumerate(self.workplace.people) if person.building == position]
        bookable = [
            index for index, desk in enumerate(self.workplace.desks) if desk.building == position and desk.reservation_type
        ]
        tz = named_zone(building.time_zone, "time_zone")
        return Office(
            building,
            tz,
            self.now.astimezone(tz).date(),
            people,
            list(accumulate(self.workplace.people[index].attendance for index in people)),
            [index for index, room in enumerate(self.workplace.rooms) if room.building == position],
            bookable,
        )

    def bookings(self) -> Iterator[PlannedBooking]:
        """The bookings, drawn as they are asked for: ask once."""
        yield from self.series
        for offset in range(-self.preset.days, self.preset.days + 1):
            for position, office in enumerate(self.offices):
                day = office.today + timedelta(days=offset)
                yield from self._desk_day(office, day, self.desk_targets.get((position, offset), 0))
                singles = self.room_targets.get((position, offset), 0) - self.series_days.get((position, offset), 0)
                yield from self._room_day(office, day, max(0, singles))

    # How many bookings each day

    def _targets(self, wanted: int, demand: tuple[float, ...], size: Callable[[Office], int]) -> dict[tuple[int, int], int]:
        """`wanted` bookings shared out over (office, day offset) by size, weekday and distance ahead."""
        weights: dict[tuple[int, int], float] = {}
        for position, office in enumerate(self.offices):
            for offset in range(-self.preset.days, self.preset.days + 1):
                day = office.today + timedelta(days=offset)
                if size(office) and buildings.opening(office.building, day) is not None:
                    weights[position, offset] = size(office) * demand[day.weekday()] * _ahead(offset, self.preset.days)
        scale = wanted / (sum(weights.values()) or 1)
        targets = {}
        for key, weight in weights.items():
            share = weight * scale
            targets[key] = math.floor(share) + (1 if self.random.random() < share - math.floor(share) else 0)
        return targets

    # Desks

    def _desk_day(self, office: Office, day: date, wanted: int) -> Iterator[PlannedBooking]:
        if not wanted or not office.people or not office.desks:
            return
        ordinal = day.toordinal()
        picked = dict.fromkeys(self.random.choices(office.people, cum_weights=office.attendance, k=wanted * 2))
        for person in list(picked)[:wanted]:
            if (person, ordinal) in self.seated:
                continue
            (start, end), halves = self._desk_pattern(day)
            desk = self._free_desk(office, person, ordinal, halves, allow_hot=day < office.today)
            if desk is None:
                continue
            self.seated.add((person, ordinal))
            self.desk_halves[desk, ordinal] = self.desk_halves.get((desk, ordinal), 0) | halves
            yield self._desk_booking(office, person, desk, day, start, end)

    def _desk_pattern(self, day: date) -> tuple[tuple[int, int], int]:
        if day.weekday() == 5:
            return SATURDAY_PATTERN
        return self.random.choices(DESK_PATTERNS, cum_weights=DESK_PATTERN_WEIGHTS)[0]

    def _free_desk(self, office: Office, person: int, ordinal: int, halves: int, *, allow_hot: bool) -> int | None:
        """The person's assigned desk, else a free desk in their home zone, else one elsewhere in the office."""
        desks = self.workplace.desks

        def free(desk: int) -> bool:
            kind = desks[desk].reservation_type
            if kind == "assigned":
                return desks[desk].assignee == person and not self.desk_halves.get((desk, ordinal), 0) & halves
            return (kind == "hoteled" or (kind == "hot" and allow_hot)) and not self.desk_halves.get((desk, ordinal), 0) & halves

        home = self.workplace.zones[self.workplace.people[person].zone].desks if self.workplace.people[person].zone >= 0 else ()
        owned = [desk for desk in home if desks[desk].assignee == person]
        if owned and free(owned[0]):
            return owned[0]
        if home:
            first = self.random.randrange(len(home))
            for step in range(len(home)):
                desk = home[(first + step) % len(home)]
                if free(desk):
                    return desk
        for _ in range(12):
            desk = self.random.choice(office.desks)
            if free(desk):
                return desk
        return None

    def _desk_booking(
        self, office: Office, person: int, desk: int, day: date, start_minute: int, end_minute: int
    ) -> PlannedBooking:
        start, end = self._local(office, day, start_minute), self._local(office, day, end_minute)
        kind = self.workplace.desks[desk].reservation_type or "hoteled"
        source = "kadence" if self.random.random() < KADENCE_SHARE else "robin"
        creator = ADMIN if source == "robin" and self.random.random() < 0.04 else person
        if kind == "hot":
            created_at = start - timedelta(seconds=self.random.randint(10 * 60, 90 * 60))
        else:
            lead = self.random.choices(range(len(DESK_LEADS)), cum_weights=DESK_LEADS)[0]
            created_at = self._booked(office, day, start, lead)
        booking = PlannedBooking(
            ReservationKind.SEAT,
            desk,
            person,
            creator,
            start,
            end,
            office.tz.key,
            created_at,
            source,
            reservation_type=kind,
        )
        instance = Instance(start)
        self._decide(booking, instance, DESK_CANCELLED, DESK_SHOWS, self.desk_windows[desk], checks_out=source == "kadence")
        booking.instances.append(instance)
        return booking

    # Rooms

    def _room_day(self, office: Office, day: date, wanted: int) -> Iterator[PlannedBooking]:
        if not office.rooms or not office.people:
            return
        ordinal = day.toordinal()
        for _ in range(wanted):
            for _attempt in range(8):
                room = self.random.choice(office.rooms)
                length = self._meeting_length(room)
                start = self.random.choices(MEETING_STARTS, cum_weights=MEETING_START_WEIGHTS)[0]
                if start + length <= LAST_MEETING_END and self._room_free(room, ordinal, start, start + length):
                    self._take_room(room, ordinal, start, start + length)
                    yield self._meeting(office, room, day, start, start + length)
                    break

    def _meeting_length(self, room: int) -> int:
        if self.workplace.rooms[room].capacity <= 1:
            return self.random.choice((30, 30, 45, 60))
        return self.random.choices(MEETING_LENGTHS, cum_weights=MEETING_LENGTH_WEIGHTS)[0]

    def _room_free(self, room: int, ordinal: int, start: int, end: int) -> bool:
        return all(
            end <= taken_start or start >= taken_end for taken_start, taken_end in self.room_minutes.get((room, ordinal), ())
        )

    def _take_room(self, room: int, ordinal: int, start: int, end: int) -> None:
        self.room_minutes.setdefault((room, ordinal), []).append((start, end))

    def _meeting(self, office: Office, room: int, day: date, start_minute: int, end_minute: int) -> PlannedBooking:
        start, end = self._local(office, day, start_minute), self._local(office, day, end_minute)
        organizer = self._someone(office)
        capacity = self.workplace.rooms[room].capacity
        source = "kadence" if self.random.random() < KADENCE_SHARE else "robin"
        lead = min(30, int(self.random.expovariate(1 / 4)))
        booking = PlannedBooking(
            ReservationKind.EVENT,
            room,
            organizer,
            organizer,
            start,
            end,
            office.tz.key,
            self._booked(office, day, start, lead),
            source,
            title=self.words.title(SOLO_TITLES if capacity <= 1 else TITLES, self.workplace.people[organizer].department),
            invitees=self._invitees(office, organizer, capacity, source),
        )
        instance = Instance(start)
        self._decide(booking, instance, ROOM_CANCELLED, ROOM_SHOWS, self.room_windows[room], checks_out=False)
        booking.instances.append(instance)
        return booking

    def _someone(self, office: Office) -> int:
        return self.random.choices(office.people, cum_weights=office.attendance)[0]

    def _invitees(self, office: Office, organizer: int, capacity: int, source: str) -> tuple[int, ...]:
        """Colleagues from the same office; a Robin client lists the organizer too, first."""
        if capacity <= 1:
            return ()
        wanted = self.random.randint(1, min(capacity - 1, 7, len(office.people) - 1)) if len(office.people) > 1 else 0
        guests = [person for person in dict.fromkeys(self._someone(office) for _ in range(wanted)) if person != organizer]
        return tuple([organizer, *guests] if source == "robin" else guests)

    # Weekly series

    def _plan_series(self, wanted: int) -> list[PlannedBooking]:
        series: list[PlannedBooking] = []
        placed = 0
        attempts = 0
        while placed < wanted and attempts < wanted * 4 + 20:
            attempts += 1
            booking = self._one_series()
            if booking is not None:
                series.append(booking)
                placed += len(booking.instances)
        return series

    def _one_series(self) -> PlannedBooking | None:
        candidates = [position for position, office in enumerate(self.offices) if office.rooms and office.people]
        if not candidates or self.preset.days < 14:
            return None
        position = self.random.choice(candidates)
        office = self.offices[position]
        room = self.random.choice(office.rooms)
        count = self.random.randint(4, min(12, (2 * self.preset.days) // 7))
        weekday = self.random.choices(range(5), weights=(2, 3, 3, 3, 1))[0]
        earliest = -self.preset.days
        latest = self.preset.days - 7 * (count - 1)
        first = office.today + timedelta(days=self.random.randint(earliest, latest))
        first += timedelta(days=(weekday - first.weekday()) % 7)
        length = self.random.choice((30, 30, 45, 60))
        start_minute = self.random.choices(MEETING_STARTS, cum_weights=MEETING_START_WEIGHTS)[0]
        days = [first + timedelta(weeks=week) for week in range(count)]
        if (days[-1] - office.today).days > self.preset.days or start_minute + length > LAST_MEETING_END:
            return None
        for day in days:
            if buildings.opening(office.building, day) is None or not self._room_free(
                room, day.toordinal(), start_minute, start_minute + length
            ):
                return None
        for day in days:
            self._take_room(room, day.toordinal(), start_minute, start_minute + length)
            key = (position, (day - office.today).days)
            self.series_days[key] = self.series_days.get(key, 0) + 1
        return self._series(office, room, first, start_minute, length, count)

    def _series(self, office: Office, room: int, first: date, start_minute: int, length: int, count: int) -> PlannedBooking:
        """A weekly meeting booked through Robin (Kadence's API books no series), each
        occurrence with a fate of its own unless the whole series was called off."""
        start = self._local(office, first, start_minute)
        end = start + timedelta(minutes=length)
        organizer = self._someone(office)
        capacity = self.workplace.rooms[room].capacity
        source = "robin"
        lines = [f"RRULE:FREQ=WEEKLY;COUNT={count}"]
        booking = PlannedBooking(
            ReservationKind.EVENT,
            room,
            organizer,
            organizer,
            start,
            end,
            office.tz.key,
            self._booked(office, first, start, self.random.randint(1, 21)),
            source,
            title=self.words.title(SERIES_TITLES, self.workplace.people[organizer].department),
            recurrence=lines,
            invitees=self._invitees(office, organizer, capacity, source),
        )
        if self.random.random() < SERIES_CANCELLED:
            self._cancel(booking, start)
        for occurrence in recurrence.build(start, end, office.tz, lines).starts():
            instance = Instance(occurrence)
            if booking.cancelled_at is None:
                self._decide_instance(booking, instance, occurrence + (end - start), self.room_windows[room])
            booking.instances.append(instance)
        return booking

    def _decide_instance(self, booking: PlannedBooking, instance: Instance, end: datetime, window: int | None) -> None:
        if self.random.random() < INSTANCE_CANCELLED:
            latest = min(instance.start, self.now)
            if latest > booking.created_at:
                instance.cancelled_at = self._between(booking.created_at, latest)
                instance.cancelled_by = booking.organizer
                return
        if self.random.random() < ROOM_SHOWS:
            instance.check_in = self._check_in(booking, instance.start, end, window, checks_out=False)

    # Fates

    def _decide(
        self,
        booking: PlannedBooking,
        instance: Instance,
        cancel_rate: float,
        show_rate: float,
        window: int | None,
        *,
        checks_out: bool,
    ) -> None:
        if self.random.random() < cancel_rate and self._cancel(booking, instance.start):
            return
        if self.random.random() < show_rate:
            instance.check_in = self._check_in(booking, instance.start, booking.end, window, checks_out=checks_out)

    def _cancel(self, booking: PlannedBooking, start: datetime) -> bool:
        """Cancel the booking before it starts, by its organizer or now and then an administrator,
        if there was time to do so by now."""
        latest = min(start, self.now)
        if latest <= booking.created_at:
            return False
        booking.cancelled_at = self._between(booking.created_at, latest)
        booking.cancelled_by = ADMIN if self.random.random() < 0.1 else booking.organizer
        return True

    def _check_in(
        self, booking: PlannedBooking, start: datetime, end: datetime, window: int | None, *, checks_out: bool
    ) -> CheckIn | None:
        """A check-in from shortly before the start until the release window closes; None if
        that moment is still to come."""
        latest = min(20 * 60, (window or 3600) - 60, int((end - start).total_seconds()) - 60)
        earliest = -int(CHECK_IN_OPENS.total_seconds()) + 60
        latest = max(earliest, latest)
        at = start + timedelta(seconds=round(self.random.triangular(earliest, latest, min(60, latest))))
        if at > self.now:
            return None
        method = self.random.choice(METHODS) if booking.source == "kadence" and self.random.random() < 0.6 else None
        check_in = CheckIn(at, booking.organizer, booking.source, method)
        if checks_out and end <= self.now and self.random.random() < CHECKED_OUT:
            check_in.out_at = max(at + timedelta(minutes=5), end - timedelta(seconds=self.random.randint(0, 120 * 60)))
        return check_in

    # Times

    def _local(self, office: Office, day: date, minute: int) -> datetime:
        return datetime.combine(day, time(minute // 60, minute % 60), office.tz).astimezone(UTC)

    def _booked(self, office: Office, day: date, start: datetime, lead: int) -> datetime:
        """When a booking starting at `start` on `day` was made, `lead` days ahead (during working
        hours; the same day: shortly before it starts), and by now at the latest."""
        if lead == 0:
            made = start - timedelta(seconds=self.random.randint(10 * 60, 180 * 60))
        else:
            made = self._local(office, day - timedelta(days=lead), self.random.randint(7 * 60 + 30, 19 * 60))
        if made > self.now:
            made = self.now - timedelta(seconds=self.random.randint(60, 8 * 3600))
        return made.replace(microsecond=0)

    def _between(self, earliest: datetime, latest: datetime) -> datetime:
        span = int((latest - earliest).total_seconds())
        return earliest + timedelta(seconds=self.random.randint(1, span)) if span > 1 else latest


def _ahead(offset: int, days: int) -> float:
    """Demand for a day `offset` days from today: full up to a week ahead, thinning to a third
    at the far end, as people book closer to the date."""
    if offset <= 7:
        return 1.0
    return max(1 / 3, 1 - (offset - 7) / max(1, days - 7) * 2 / 3)


class _Words:
    """Meeting titles, filled from seeded Faker pools of companies, projects and jobs."""

    def __init__(self, seed: int) -> None:
        faker = Faker("en_US")
        faker.seed_instance(f"titles:{seed}")
        self.random = random.Random(f"titles:{seed}")
        self.companies = [faker.company() for _ in range(60)]
        self.projects = [faker.color_name() for _ in range(40)]
        self.jobs = [faker.job()[:80] for _ in range(40)]

    def title(self, templates: tuple[str, ...], department: str) -> str:
        return self.random.choice(templates).format(
            department=department,
            company=self.random.choice(self.companies),
            project=self.random.choice(self.projects),
            job=self.random.choice(self.jobs),
        )
