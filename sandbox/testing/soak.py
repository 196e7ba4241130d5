"""A soak of a served sandbox: several clients at once, each repeating for a while what
integrations do all day through both APIs, every answer checked and timed.

Each client goes round the same steps: reads (a Robin space and a day of its events, Kadence's
spaces and a page of its bookings), writes the sandbox must refuse (a Robin event on a slot that
is taken: 409; a Kadence booking of a desk that is taken: 422), writes it must accept (a Robin
event and a Kadence desk booking, each on a slot that client alone uses), a Kadence token, a
change to a Kadence user's profile, and the cancellation of the bookings it made before. Clients
begin their rounds at different steps, so that every kind of request meets every other.

    workplace = prepare("http://127.0.0.1:8000", clients=8)
    outcomes = soak("http://127.0.0.1:8000", workplace, seconds=60)
    print(summary(outcomes))

`prepare` finds what the clients book in the workplace served (the demo's, or any other with
bookable rooms and desks and the demo credentials) and takes the slots the refused writes aim
at; `soak` runs the clients and returns every outcome, each with the problem found, if any: a
5xx, no answer at all, or a status other than the one the step must get. What the soak books,
changes and cancels stays on the server.

It speaks HTTP through the standard library only, as `sandbox.testing.control` does, each client
on one keep-alive connection of its own.

Its length is one tool's: the steps, their checks and the timing report read together.
"""

import http.client
import json
import math
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlencode, urlsplit

from sandbox.testing.control import (
    KADENCE_CLIENT_ID,
    KADENCE_CLIENT_SECRET,
    ROBIN_TOKEN,
    SandboxError,
)

DEFAULT_SECONDS = 60
"""How long `soak` runs unless told otherwise."""
REQUEST_TIMEOUT = 60.0
"""How long a client waits for one answer before it counts the request as unanswered: twice the
longest wait inside the server (its writers give up after 30 s), so that a stall shows as the time
it took."""
ROBIN_DAY_AHEAD = timedelta(days=30)
"""How far ahead the Robin events are booked: clear of the seeded events, well within any horizon."""
DESK_HOURS = (4, 8)
"""The UTC hours of the desk bookings: within both demo buildings' opening hours on any day they
open (New York around the clock, Bengaluru from 09:00 to 14:00 local time at the least)."""
DESK_DAYS_AHEAD = range(1, 8)
"""The days tried for the desk bookings, the first on which every client finds a desk."""
SLOT = timedelta(minutes=30)
KADENCE_TIME = "%Y-%m-%dT%H:%M:%S"


class Problem:
    """What can be wrong with an answer."""

    SERVER_ERROR = "server error"
    NO_ANSWER = "no answer"
    UNEXPECTED = "unexpected status"


@dataclass(frozen=True)
class Outcome:
    """One request of a soak and its answer."""

    step: str
    status: int | None
    """None when no answer came (the connection failed or timed out)."""
    began: float
    """Seconds from the start of the soak to the request."""
    seconds: float
    """From sending the request to the end of its answer."""
    problem: str = ""
    """"" when the answer was the one the step must get; else one of Problem's kinds."""
    detail: str = ""
    """The start of the unexpected answer's body, or why no answer came."""


@dataclass(frozen=True)
class Interval:
    start: datetime
    end: datetime

    def robin(self) -> dict[str, Any]:
        return {
            "start": {"date_time": _robin_time(self.start), "time_zone": "UTC"},
            "end": {"date_time": _robin_time(self.end), "time_zone": "UTC"},
        }

    def kadence(self) -> dict[str, str]:
        return {"startDateTime": f"{self.start:{KADENCE_TIME}}", "endDateTime": f"{self.end:{KADENCE_TIME}}"}


@dataclass(frozen=True)
class Plan:
    """What one client books and changes, its own: nobody else books these slots."""

    person: str
    """ULID of the Kadence user the client books desks for and whose profile it changes."""
    desk: str
    """ULID of the desk it books."""
    desk_windows: tuple[Interval, ...]
    """The hours it books the desk for, in turn."""
    room_slots: tuple[tuple[int, Interval], ...]
    """The Robin rooms and half-hours it books, in turn."""


@dataclass(frozen=True)
class Workplace:
    """What `prepare` found and booked for the clients."""

    taken_room: tuple[int, Interval]
    """A Robin event holds this room at this time: every client's event there is refused (409)."""
    taken_desk: tuple[str, Interval]
    """A Kadence booking holds this desk at this time: every client's booking of it is refused (422)."""
    robin_day: Interval
    """The day the clients' Robin events are on, whose events they read."""
    desk_day: Interval
    """The hours the clients' desk bookings are in, whose bookings they read."""
    plans: tuple[Plan, ...]


class Connection:
    """Requests to one sandbox on one keep-alive connection, opened again after a failure."""

    def __init__(self, base_url: str, timeout: float = REQUEST_TIMEOUT) -> None:
        parts = urlsplit(base_url)
        if parts.scheme != "http" or not parts.hostname:
            raise SandboxError(f"a soak needs an http:// base URL, not {base_url!r}")
        self.host, self.port, self.timeout = parts.hostname, parts.port or 80, timeout
        self.prefix = parts.path.rstrip("/")
        self._open: http.client.HTTPConnection | None = None

    def send(
        self,
        method: str,
        path: str,
        *,
        json_body: Any = None,
        form: dict[str, str] | None = None,
        headers: dict[str, str] | None = None,
        content_type: str = "application/json",
    ) -> tuple[int, bytes]:
        """The status and body of the answer; raises OSError or http.client's errors when none
        comes, after closing the connection (the next request opens a new one)."""
        headers = {"Accept": "*/*", **(headers or {})}
        body = None
        if json_body is not None:
            body, headers["Content-Type"] = json.dumps(json_body).encode(), content_type
        elif form is not None:
            body, headers["Content-Type"] = urlencode(form).encode(), "application/x-www-form-urlencoded"
        if self._open is None:
            self._open = http.client.HTTPConnection(self.host, self.port, timeout=self.timeout)
        try:
            self._open.request(method, self.prefix + path, body=body, headers=headers)
            with self._open.getresponse() as response:
                return response.status, response.read()
        except (OSError, http.client.HTTPException):
            self.close()
            raise

    def close(self) -> None:
        if self._open is not None:
            self._open.close()
            self._open = None


# Finding the workplace's rooms and desks


def prepare(base_url: str, *, clients: int) -> Workplace:
    """Find, in the workplace served at `base_url`, a Robin slot of its own for every client on a
    day ROBIN_DAY_AHEAD from now, and a desk, a person and hours of their own on the first day of
    DESK_DAYS_AHEAD where there are enough; book the slot and desk the refused writes aim at.
    Raises SandboxError, saying what is missing, where the workplace can't give that much."""
    if clients < 1:
        raise ValueError("a soak needs one client at least")
    setup = _Setup(Connection(base_url))
    try:
        now = setup.now()
        taken_room, robin_day, room_slots = _robin_slots(setup, now, clients)
        taken_desk, desk_day, desks = _desks(setup, now, clients)
    finally:
        setup.connection.close()
    windows = tuple(_intervals(desk_day, timedelta(hours=1)))
    plans = tuple(
        Plan(person=person, desk=desk, desk_windows=windows, room_slots=tuple(room_slots[number::clients]))
        for number, (person, desk) in enumerate(desks)
    )
    return Workplace(taken_room, (taken_desk, desk_day), robin_day, desk_day, plans)


class _Setup:
    """The calls `prepare` makes, as the demo administrator and the demo API client; any answer
    but the expected one raises SandboxError."""

    def __init__(self, connection: Connection) -> None:
        self.connection = connection
        self.robin = _ROBIN_HEADERS
        status, body = connection.send("POST", "/oauth2/token", form=_TOKEN_FORM)
        self.kadence = {"Authorization": f"Bearer {_expect(status, body, 200, 'POST /oauth2/token')['access_token']}"}

    def now(self) -> datetime:
        """The demo organization's now, from the control plane (its clock may be set or frozen)."""
        organization = self.robin_get("/me/organizations")[0]["id"]
        path = f"/_sandbox/organizations/{organization}/clock"
        answer = _expect(*self.connection.send("GET", path), 200, f"GET {path}")
        return datetime.fromisoformat(answer["now"]).astimezone(UTC)

    def robin_get(self, path: str, **query: Any) -> Any:
        full = f"/v1.0{path}?{urlencode({'per_page': 100, **query})}"
        return _expect(*self.connection.send("GET", full, headers=self.robin), 200, f"GET {full}")["data"]

    def kadence_get(self, path: str, **query: Any) -> list[dict[str, Any]]:
        full = f"/v1/public{path}?{urlencode({'itemsPerPage': 200, **query})}"
        members: list[dict[str, Any]] = _expect(*self.connection.send("GET", full, headers=self.kadence), 200, f"GET {full}")[
            "hydra:member"
        ]
        return members

    def post(self, path: str, body: dict[str, Any], headers: dict[str, str], expected: int) -> Any:
        return _expect(*self.connection.send("POST", path, json_body=body, headers=headers), expected, f"POST {path}")


_ROBIN_HEADERS = {"Authorization": f"Access-Token {ROBIN_TOKEN}"}
_TOKEN_FORM = {"grant_type": "client_credentials", "client_id": KADENCE_CLIENT_ID, "client_secret": KADENCE_CLIENT_SECRET}


def _robin_slots(setup: _Setup, now: datetime, clients: int) -> tuple[tuple[int, Interval], Interval, list[tuple[int, Interval]]]:
    """The taken slot (booked here), the day, and the free half-hours of that day in every
    bookable room, two a client at the least."""
    start = (now + ROBIN_DAY_AHEAD).replace(hour=0, minute=0, second=0, microsecond=0)
    day = Interval(start, start + timedelta(days=1))
    window = {"after": _robin_time(day.start), "before": _robin_time(day.end)}
    free: list[tuple[int, Interval]] = []
    for organization in setup.robin_get("/me/organizations"):
        for location in setup.robin_get(f"/organizations/{organization['id']}/locations"):
            for space in setup.robin_get(f"/locations/{location['id']}/spaces"):
                if "scheduling" not in space.get("behaviors", ()) or space.get("is_disabled"):
                    continue
                busy = [
                    Interval(_instant(event["start"]["date_time"]), _instant(event["end"]["date_time"]))
                    for event in setup.robin_get(f"/spaces/{space['id']}/events", **window)
                ]
                free += [(space["id"], slot) for slot in _intervals(day, SLOT) if not any(_overlap(slot, held) for held in busy)]
    if len(free) < 1 + 2 * clients:
        raise SandboxError(
            f"a soak of {clients} clients needs {1 + 2 * clients} free half-hours in bookable Robin rooms on "
            f"{day.start:%Y-%m-%d}; the workplace has {len(free)}"
        )
    taken, *rest = free
    setup.post(f"/v1.0/spaces/{taken[0]}/events", {"title": "Soak: taken", **taken[1].robin()}, setup.robin, 201)
    return taken, day, rest


def _desks(setup: _Setup, now: datetime, clients: int) -> tuple[str, Interval, list[tuple[str, str]]]:
    """The taken desk (booked here for the day's hours), the hours, and a person and desk of its
    own for every client, from the first day ahead where there are enough."""
    people = [user["id"] for user in setup.kadence_get("/users") if not user.get("invitationPending")]
    floors = [floor["id"] for floor in setup.kadence_get("/floors")]
    found: list[tuple[str, str]] = []
    for ahead in DESK_DAYS_AHEAD:
        start = (now + timedelta(days=ahead)).replace(hour=DESK_HOURS[0], minute=0, second=0, microsecond=0)
        hours = Interval(start, start.replace(hour=DESK_HOURS[1]))
        found = _people_and_desks(setup, people, floors, hours, clients + 1)
        if len(found) == clients + 1:
            (taken_person, taken_desk), *rest = found
            setup.post(
                "/v1/public/bookings", {"userId": taken_person, "spaceId": taken_desk, **hours.kadence()}, setup.kadence, 201
            )
            return taken_desk, hours, rest
    raise SandboxError(
        f"a soak of {clients} clients needs {clients + 1} people who may book {clients + 1} different Kadence desks "
        f"from {DESK_HOURS[0]:02d}:00 to {DESK_HOURS[1]:02d}:00 UTC on one of the next {len(DESK_DAYS_AHEAD)} days; "
        f"the most found on one day was {len(found)}"
    )


def _people_and_desks(
    setup: _Setup, people: Sequence[str], floors: Sequence[str], hours: Interval, wanted: int
) -> list[tuple[str, str]]:
    """Up to `wanted` pairs of a person and a desk, no two sharing either, where the person may
    book the desk for `hours`: the sandbox takes the booking (cancelled at once) to say so."""
    pairs: list[tuple[str, str]] = []
    for person in people:
        if len(pairs) == wanted:
            break
        taken = {desk for _, desk in pairs}
        for floor in floors:
            offered = setup.kadence_get("/bookable-spaces", floorId=floor, userId=person, **hours.kadence())
            desk = next((space["id"] for space in offered if space["id"] not in taken), None)
            if desk is None:
                continue
            body = {"userId": person, "spaceId": desk, **hours.kadence()}
            status, answer = setup.connection.send("POST", "/v1/public/bookings", json_body=body, headers=setup.kadence)
            if status == 201:
                setup.post(f"/v1/public/bookings/{json.loads(answer)['id']}/cancel", {}, setup.kadence, 201)
                pairs.append((person, desk))
            break
    return pairs


# The clients


@dataclass
class _Client:
    """One client of a soak: its connection, plan and state, and a step for each kind of request."""

    connection: Connection
    workplace: Workplace
    plan: Plan
    origin: float
    record: Callable[[Outcome], None]
    token: str = ""
    round: int = 0
    room_booking: str | None = None
    desk_booking: str | None = None

    def call(self, step: str, expected: int, method: str, path: str, *, api: str, **request: Any) -> dict[str, Any] | None:
        """Send one request with the credentials of `api` (robin, kadence or none), record its
        outcome; the answer's JSON when it had the expected status."""
        headers = {"robin": _ROBIN_HEADERS, "kadence": {"Authorization": f"Bearer {self.token}"}, "none": {}}[api]
        began = time.monotonic()
        try:
            status, body = self.connection.send(method, path, headers=headers, **request)
        except (OSError, http.client.HTTPException) as error:
            seconds = time.monotonic() - began
            self.record(Outcome(step, None, began - self.origin, seconds, Problem.NO_ANSWER, f"{type(error).__name__}: {error}"))
            return None
        seconds = time.monotonic() - began
        problem = "" if status == expected else Problem.SERVER_ERROR if status >= 500 else Problem.UNEXPECTED
        detail = body[:300].decode("utf-8", "replace") if problem else ""
        self.record(Outcome(step, status, began - self.origin, seconds, problem, detail))
        return json.loads(body) if not problem and body else None

    # Reads

    def robin_space(self) -> None:
        self.call("Robin GET space", 200, "GET", f"/v1.0/spaces/{self.plan.room_slots[0][0]}", api="robin")

    def robin_events(self) -> None:
        day = self.workplace.robin_day
        query = urlencode({"after": _robin_time(day.start), "before": _robin_time(day.end), "per_page": 50})
        self.call("Robin GET space events", 200, "GET", f"/v1.0/spaces/{self.plan.room_slots[0][0]}/events?{query}", api="robin")

    def kadence_spaces(self) -> None:
        query = urlencode({"itemsPerPage": 30, "page": self.round % 2 + 1})
        self.call("Kadence GET spaces", 200, "GET", f"/v1/public/spaces?{query}", api="kadence")

    def kadence_bookings(self) -> None:
        hours = self.workplace.desk_day
        query = urlencode(
            {
                "startDateTime[after]": f"{hours.start:{KADENCE_TIME}}",
                "startDateTime[before]": f"{hours.end:{KADENCE_TIME}}",
                "itemsPerPage": 30,
            }
        )
        self.call("Kadence GET bookings page", 200, "GET", f"/v1/public/bookings?{query}", api="kadence")

    # Writes it must refuse

    def robin_taken_slot(self) -> None:
        room, slot = self.workplace.taken_room
        self.call(
            "Robin POST event, slot taken (409)",
            409,
            "POST",
            f"/v1.0/spaces/{room}/events",
            api="robin",
            json_body={"title": "Soak: refused", **slot.robin()},
        )

    def kadence_taken_desk(self) -> None:
        desk, hours = self.workplace.taken_desk
        self.call(
            "Kadence POST booking, desk taken (422)",
            422,
            "POST",
            "/v1/public/bookings",
            api="kadence",
            json_body={"userId": self.plan.person, "spaceId": desk, **hours.kadence()},
        )

    # Tokens and profiles

    def mint_token(self) -> None:
        answer = self.call("Kadence POST oauth2/token", 200, "POST", "/oauth2/token", api="none", form=_TOKEN_FORM)
        if answer is not None:
            self.token = answer["access_token"]

    def change_profile(self) -> None:
        self.call(
            "Kadence PATCH user",
            200,
            "PATCH",
            f"/v1/public/users/{self.plan.person}",
            api="kadence",
            json_body={"jobTitle": f"Soak round {self.round}"},
            content_type="application/merge-patch+json",
        )

    # Writes it must accept, and their cancellation

    def book_room(self) -> None:
        room, slot = self.plan.room_slots[self.round % len(self.plan.room_slots)]
        answer = self.call(
            "Robin POST event",
            201,
            "POST",
            f"/v1.0/spaces/{room}/events",
            api="robin",
            json_body={"title": f"Soak round {self.round}", **slot.robin()},
        )
        if answer is not None:
            self.room_booking = str(answer["data"]["id"])

    def cancel_room(self) -> None:
        if self.room_booking is not None:
            event, self.room_booking = self.room_booking, None
            self.call("Robin DELETE event", 200, "DELETE", f"/v1.0/events/{event}", api="robin")

    def book_desk(self) -> None:
        hours = self.plan.desk_windows[self.round % len(self.plan.desk_windows)]
        answer = self.call(
            "Kadence POST booking",
            201,
            "POST",
            "/v1/public/bookings",
            api="kadence",
            json_body={"userId": self.plan.person, "spaceId": self.plan.desk, **hours.kadence()},
        )
        if answer is not None:
            self.desk_booking = str(answer["id"])

    def cancel_desk(self) -> None:
        if self.desk_booking is not None:
            booking, self.desk_booking = self.desk_booking, None
            self.call(
                "Kadence POST booking cancel", 201, "POST", f"/v1/public/bookings/{booking}/cancel", api="kadence", json_body={}
            )


STEPS: tuple[Callable[[_Client], None], ...] = (
    _Client.robin_space,
    _Client.book_room,
    _Client.kadence_taken_desk,
    _Client.mint_token,
    _Client.robin_events,
    _Client.cancel_room,
    _Client.kadence_spaces,
    _Client.book_desk,
    _Client.robin_taken_slot,
    _Client.change_profile,
    _Client.kadence_bookings,
    _Client.cancel_desk,
)
"""One round of a client, in order. Each booking is cancelled six steps after it was made; the next
round books the client's next slot (it cycles through its own), so no client ever refuses itself."""


def soak(
    base_url: str,
    workplace: Workplace,
    *,
    seconds: float = DEFAULT_SECONDS,
    record: Callable[[Outcome], None] | None = None,
    pause: float = 0.0,
) -> list[Outcome]:
    """Run one client per plan of `workplace` against `base_url` for `seconds`, all starting
    together, each from its own step of STEPS; every outcome in the order they ended. `record`,
    when given, also gets each outcome as it ends (from the clients' threads). A step begun before
    the time is up runs to its end. `pause`: the seconds each client waits after each step, as an
    integration does between the things it does (none: each sends its next request as soon as it
    has its answer, the heaviest load its clients can make)."""
    outcomes: list[Outcome] = []
    lock = threading.Lock()

    def keep(outcome: Outcome) -> None:
        with lock:
            outcomes.append(outcome)
        if record is not None:
            record(outcome)

    start = threading.Barrier(len(workplace.plans) + 1)
    origin: list[float] = []
    failures: list[BaseException] = []

    def client(number: int) -> None:
        start.wait()
        try:
            _run(base_url, workplace, number, origin[0], origin[0] + seconds, keep, pause)
        except BaseException as error:
            failures.append(error)

    threads = [
        threading.Thread(target=client, args=(number,), daemon=True, name=f"soak-client-{number}")
        for number in range(len(workplace.plans))
    ]
    for thread in threads:
        thread.start()
    origin.append(time.monotonic())
    start.wait()
    for thread in threads:
        thread.join()
    if failures:
        raise failures[0]
    return outcomes


def _run(
    base_url: str,
    workplace: Workplace,
    number: int,
    origin: float,
    deadline: float,
    record: Callable[[Outcome], None],
    pause: float,
) -> None:
    """Client `number` going round its steps, from its own first one, until `deadline`, waiting
    `pause` seconds after each."""
    connection = Connection(base_url)
    client = _Client(connection, workplace, workplace.plans[number], origin, record)
    first = number * len(STEPS) // len(workplace.plans)
    try:
        client.mint_token()
        taken = 0
        while time.monotonic() < deadline:
            client.round = taken // len(STEPS)
            STEPS[(first + taken) % len(STEPS)](client)
            taken += 1
            if pause:
                time.sleep(min(pause, max(0.0, deadline - time.monotonic())))
    finally:
        connection.close()


# Reading the outcomes


def summary(outcomes: Sequence[Outcome]) -> str:
    """Requests and problems of each step, the slowest answers, and the first unexpected answer of
    each step and kind, for a report or an assertion's message."""
    if not outcomes:
        return "no requests were made"
    lines = [f"{len(outcomes)} requests over {max(o.began + o.seconds for o in outcomes):.0f} s"]
    problems = Counter((o.step, o.problem) for o in outcomes if o.problem)
    for step, count in sorted(Counter(o.step for o in outcomes).items()):
        slowest = max(o.seconds for o in outcomes if o.step == step)
        found = ", ".join(f"{number} {kind}" for (name, kind), number in sorted(problems.items()) if name == step)
        lines.append(f"  {step:<42}{count:6d}   max {slowest:7.3f} s   {found or 'as expected'}")
    shown = set()
    for outcome in outcomes:
        if outcome.problem and (outcome.step, outcome.problem) not in shown:
            shown.add((outcome.step, outcome.problem))
            lines.append(
                f"  first {outcome.problem} at {outcome.began:.1f} s, {outcome.step}: {outcome.status} "
                f"after {outcome.seconds:.2f} s: {outcome.detail}"
            )
    lines.extend(
        f"  slow: {outcome.step} at {outcome.began:.1f} s took {outcome.seconds:.3f} s ({outcome.status})"
        for outcome in sorted(outcomes, key=lambda o: -o.seconds)[:5]
    )
    return "\n".join(lines)


def percentile(values: Sequence[float], share: float) -> float:
    """The `share` percentile (0 to 100) of `values`, nearest rank; 0 for none."""
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[max(0, math.ceil(share * len(ordered) / 100) - 1)]


# Times


def _intervals(within: Interval, length: timedelta) -> Iterator[Interval]:
    start = within.start
    while start + length <= within.end:
        yield Interval(start, start + length)
        start += length


def _overlap(one: Interval, other: Interval) -> bool:
    return one.start < other.end and other.start < one.end


def _robin_time(at: datetime) -> str:
    return f"{at.astimezone(UTC):%Y-%m-%dT%H:%M:%SZ}"


def _instant(value: str) -> datetime:
    """A Robin timestamp (`2026-03-02T14:00:00+0000`) as an aware datetime."""
    return datetime.fromisoformat(value).astimezone(UTC)


def _expect(status: int, body: bytes, expected: int, request: str) -> Any:
    if status != expected:
        raise SandboxError(f"{request} answered {status}, not {expected}: {body[:300].decode('utf-8', 'replace')}")
    return json.loads(body)
