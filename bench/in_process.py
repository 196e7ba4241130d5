"""Each request the report measures, sent one at a time through the app's own ASGI interface, with
no server and no load generator: what one request costs the process, steadier from run to run
than a served figure on a shared machine, for comparing two versions of the code side by side.

    .venv/bin/python bench/in_process.py [KIND ...] [--requests 150] [--profile]
                                         [--checkout PATH]

KIND is any of the names below (all the reads and writes by default; `floor` and `dispatch`, which
calibrate them, when named; see CALIBRATION). Reads run on the demo, writes on the bench
workplace (bench/workplace.py) holding 100 reservations, each kind on a fresh copy of its store;
every request is checked (a read 200, a write 201 or 200). `--checkout` imports the sandbox from
another checkout (a worktree of an earlier commit, say) instead of this one, so that running the
script once with it and once without compares the two on the same machine. `--profile` runs the
requests again under cProfile, the threads that run the writes included, and prints the sandbox's
functions that took the most time, and the call sites where building statements took the most
(cProfile inflates code of many small calls, SQLAlchemy's among them: read its figures as where
the time goes, not as how much).
"""

import argparse
import asyncio
import collections
import cProfile
import json
import os
import pstats
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

READS = ("space", "state", "booking", "week", "page")
CALIBRATION = ("floor", "dispatch")
"""Not requests the report measures: what a read costs at least, for reading the others against.
`floor` is the read floor (bench/read_floor_app.py) called the same way; `dispatch` is a route
added to the sandbox for the run, at a Robin path, that declares a space read's dependencies (the
caller, the store session, the includes) and answers a fixed body without reading the store:
what every Robin read of the sandbox costs before its own work."""
WRITES = ("event", "seat", "desk booking", "check-in", "cancel")
ROBIN = "Access-Token demo-robin-token"
DEMO_ROOM, DEMO_SERIES_ROOM = 48, 57
DISPATCH_PATH = "/v1.0/bench-dispatch"
DESKS = 5000
BUILDING = (
    "sqlalchemy/sql/",
    "sqlmodel/sql/",
    "sqlalchemy/orm/util.py",
)
"""Where SQLAlchemy builds statements: time spent there, called from the sandbox, is building."""

Call = Callable[[str, str, str, str | None], Awaitable[tuple[int, bytes]]]
Request = tuple[str, str, str, str | None]
"""Method, path and query, body, Authorization header."""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("kinds", nargs="*", metavar="KIND", help=", ".join([*READS, *WRITES]))
    parser.add_argument("--requests", type=int, default=150)
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--checkout", type=Path)
    options = parser.parse_args()
    unknown = set(options.kinds) - {*READS, *WRITES, *CALIBRATION}
    if unknown:
        parser.error(f"no such kind: {', '.join(sorted(unknown))} (the kinds: {', '.join([*READS, *WRITES, *CALIBRATION])})")
    sys.path.insert(0, str(Path(__file__).parent))
    if options.checkout is not None:
        sys.path.insert(0, str(options.checkout.resolve()))
    import sandbox

    print(f"the sandbox from {Path(sandbox.__file__).parent.parent}; {options.requests} requests of each kind, one at a time")
    with tempfile.TemporaryDirectory() as scratch:
        templates = _templates(Path(scratch))
        for kind in options.kinds or [*READS, *WRITES]:
            copy = Path(scratch) / f"run-{kind.replace(' ', '-')}"
            if kind == "floor":
                copy.mkdir()
                os.environ["SANDBOX_READ_FLOOR_DB"] = str(copy / "read-floor.db")
                asyncio.run(_measure_floor(options.requests))
                continue
            shutil.copytree(templates["demo" if kind in READS or kind in CALIBRATION else "bench"], copy)
            asyncio.run(_measure(kind, copy, options.requests, profile=options.profile))


def _templates(scratch: Path) -> dict[str, Path]:
    """The demo and the bench workplace, seeded once, each a data directory to copy."""
    from workplace import bench_workplace

    demo = scratch / "demo"
    asyncio.run(_seeded_demo(demo))
    bench_workplace(scratch / "bench", DESKS, 100)
    return {"demo": demo, "bench": scratch / "bench"}


async def _seeded_demo(data_dir: Path) -> None:
    from sandbox.app import create_app
    from sandbox.settings import Settings

    app = create_app(Settings(data_dir=data_dir, export_worker=False))
    async with app.router.lifespan_context(app):
        pass


async def _measure(kind: str, data_dir: Path, count: int, *, profile: bool) -> None:
    from sandbox.app import create_app
    from sandbox.settings import Settings

    app = create_app(Settings(data_dir=data_dir, export_worker=False))
    if kind == "dispatch":
        _add_dispatch_route(app)
    async with app.router.lifespan_context(app):
        call = _caller(app)
        requests = await _requests(kind, app, call, 2 * count + 20)
        await _timed(call, kind, requests[: 20 + count])
        if profile:
            await _profiled(call, kind, requests[20 + count :])


async def _timed(call: Call, kind: str, requests: list[Request]) -> None:
    """The requests after the first 20, one at a time: their median and 90th percentile."""
    for request in requests[:20]:
        await _checked(call, kind, request)
    times = []
    for request in requests[20:]:
        began = time.perf_counter()
        await _checked(call, kind, request)
        times.append((time.perf_counter() - began) * 1000)
    times.sort()
    print(f"{kind:<14}median {statistics.median(times):6.2f} ms   p90 {times[int(len(times) * 0.9)]:6.2f} ms")


async def _measure_floor(count: int) -> None:
    """The read floor's app, in this process, on the store SANDBOX_READ_FLOOR_DB names."""
    import read_floor_app

    requests = [("GET", f"/v1.0/spaces/{1 + number % read_floor_app.ROWS}", "", None) for number in range(count + 20)]
    await _timed(_caller(read_floor_app.app), "floor", requests)


def _add_dispatch_route(app: Any) -> None:
    """A route at a Robin path, first among the app's, with a space read's dependencies and a
    fixed answer (see CALIBRATION)."""
    from fastapi.responses import JSONResponse

    from sandbox.robin.deps import ActorDep, IncludesDep, SessionDep
    from sandbox.robin.requests import RowId

    async def dispatched(space_id: RowId, actor: ActorDep, session: SessionDep, includes: IncludesDep) -> JSONResponse:
        return JSONResponse({"data": {"id": space_id, "organization_id": actor.organization_id}})

    app.router.add_api_route(DISPATCH_PATH + "/{space_id}", dispatched, methods=["GET"])
    app.router.routes.insert(0, app.router.routes.pop())


def _caller(app: Any) -> Call:
    async def call(method: str, target: str, body: str, authorization: str | None) -> tuple[int, bytes]:
        path, _, query = target.partition("?")
        headers = [(b"host", b"localhost:8000")]
        if authorization:
            headers.append((b"authorization", authorization.encode()))
        if body:
            kind = b"application/json" if body.startswith("{") else b"application/x-www-form-urlencoded"
            headers.append((b"content-type", kind))
        scope = {
            "type": "http",
            "asgi": {"version": "3.0"},
            "http_version": "1.1",
            "method": method,
            "scheme": "http",
            "path": path,
            "raw_path": path.encode(),
            "query_string": query.encode(),
            "root_path": "",
            "headers": headers,
            "client": ("127.0.0.1", 50000),
            "server": ("127.0.0.1", 8000),
            "state": {},
        }
        sent: list[dict[str, Any]] = []

        async def receive() -> dict[str, Any]:
            return {"type": "http.request", "body": body.encode(), "more_body": False}

        async def send(message: dict[str, Any]) -> None:
            sent.append(message)

        await app(scope, receive, send)
        return sent[0]["status"], b"".join(message.get("body", b"") for message in sent[1:])

    return call


async def _checked(call: Call, kind: str, request: Request) -> bytes:
    status, body = await call(*request)
    expected = (200,) if kind in READS or kind in CALIBRATION else (200, 201)
    if status not in expected:
        raise SystemExit(f"{kind}: {request[0]} {request[1]} answered {status}: {body[:300]!r}")
    return body


async def _requests(kind: str, app: Any, call: Call, count: int) -> list[Request]:
    """`count` requests of `kind`, each a new one where it writes."""
    import writes
    from sqlalchemy import text
    from workplace import Workplace

    minted = await _checked(
        call,
        "token",
        ("POST", "/oauth2/token", "grant_type=client_credentials&client_id=demo-client&client_secret=demo-secret", None),
    )
    kadence = "Bearer " + json.loads(minted)["access_token"]
    day = datetime.now(UTC).strftime("%Y-%m-%dT00:00:00")
    page = f"/v1/public/bookings?itemsPerPage=50&startDateTime%5Bafter%5D={day}"
    if kind == "space":
        return [("GET", f"/v1.0/spaces/{DEMO_ROOM}?n={number}", "", ROBIN) for number in range(count)]
    if kind == "dispatch":
        return [("GET", f"{DISPATCH_PATH}/{DEMO_ROOM}?n={number}", "", ROBIN) for number in range(count)]
    if kind == "state":
        return [("GET", f"/v1.0/spaces/{DEMO_ROOM}/state", "", ROBIN)] * count
    if kind == "page":
        return [("GET", page, "", kadence)] * count
    if kind == "booking":
        first = json.loads(await _checked(call, kind, ("GET", page, "", kadence)))["hydra:member"][0]["@id"]
        return [("GET", first, "", kadence)] * count
    if kind == "week":
        start = (datetime.now(UTC) + timedelta(days=1)).replace(hour=15, minute=0, second=0, microsecond=0)
        series = {
            "title": "Daily stand-up",
            "recurrence": ["RRULE:FREQ=DAILY;COUNT=60"],
            **writes.robin_times(start, start + timedelta(minutes=30), "America/New_York"),
        }
        await _checked(call, "event", ("POST", f"/v1.0/spaces/{DEMO_SERIES_ROOM}/events", json.dumps(series), ROBIN))
        after = start.replace(hour=0)
        week = f"after={after:%Y-%m-%dT%H:%M:%SZ}&before={after + timedelta(days=7):%Y-%m-%dT%H:%M:%SZ}"
        return [("GET", f"/v1.0/spaces/{DEMO_SERIES_ROOM}/events?{week}", "", ROBIN)] * count
    with app.state.store.engine.connect() as connection:
        desks = connection.execute(text("SELECT id, ulid FROM resource WHERE kind = 'desk' ORDER BY id")).all()
        people = connection.execute(text("SELECT id, ulid FROM user ORDER BY id")).all()
    workplace = Workplace(
        [], [row[0] for row in desks], [row[1] for row in desks], [row[0] for row in people], [row[1] for row in people]
    )
    listed = {
        "event": (writes._robin_events, ROBIN),
        "seat": (lambda wanted: writes._seat_reservations(workplace, wanted), ROBIN),
        "desk booking": (lambda wanted: writes._desk_bookings(workplace, wanted), kadence),
    }
    if kind in listed:
        make, authorization = listed[kind]
        return [(*_split(line), authorization) for line in make(count)]
    # A check-in or a cancel of a booking of its own, each booked beforehand.
    now = datetime.now(UTC).replace(second=0, microsecond=0)
    start = now if kind == "check-in" else now.replace(hour=9, minute=0) + timedelta(days=1)
    action = "check-in" if kind == "check-in" else "cancel"
    requests = []
    for number in range(count):
        person, desk = workplace.people_ulids[number], workplace.desk_ulids[number]
        booking = {
            "userId": person,
            "spaceId": desk,
            "startDateTime": f"{start:%Y-%m-%dT%H:%M:%S}",
            "endDateTime": f"{start + timedelta(hours=1):%Y-%m-%dT%H:%M:%S}",
        }
        booked = json.loads(await _checked(call, "desk booking", ("POST", "/v1/public/bookings", json.dumps(booking), kadence)))
        requests.append(("POST", f"/v1/public/bookings/{booked['id']}/{action}", json.dumps({"userId": person}), kadence))
    return requests


def _split(line: str) -> tuple[str, str, str]:
    method, path, body = line.split("\t")[:3]
    return method, path, body


async def _profiled(call: Call, kind: str, requests: list[Request]) -> None:
    """`requests` under cProfile, in the event loop and in the threads that run the writes."""
    import anyio.to_thread

    in_threads = cProfile.Profile()
    original = anyio.to_thread.run_sync

    async def profiled(function: Callable[..., Any], *args: Any, **options: Any) -> Any:
        def run(*given: Any) -> Any:
            in_threads.enable()
            try:
                return function(*given)
            finally:
                in_threads.disable()

        return await original(run, *args, **options)

    anyio.to_thread.run_sync = profiled  # type: ignore[assignment]  # the same signature, wrapped
    on_loop = cProfile.Profile()
    on_loop.enable()
    try:
        for request in requests:
            await _checked(call, kind, request)
    finally:
        on_loop.disable()
        anyio.to_thread.run_sync = original
    for name, profile in (("on the event loop", on_loop), ("in worker threads", in_threads)):
        _report(name, profile, len(requests))


def _report(name: str, profile: cProfile.Profile, count: int) -> None:
    try:
        stats = pstats.Stats(profile).stats  # type: ignore[attr-defined]  # pstats keeps them here
    except TypeError:  # Nothing ran there.
        return
    spent: list[tuple[float, float, str]] = []
    building: collections.Counter[str] = collections.Counter()
    for (file, line, function), (_, calls, _, cumulative, callers) in stats.items():
        if "/sandbox/" in file:
            spent.append((cumulative, calls, f"{file.split('/sandbox/')[1]}:{line} {function}"))
        if any(place in file for place in BUILDING):
            for (caller, caller_line, caller_function), (*_, caller_cumulative) in callers.items():
                if "/sandbox/" in caller:
                    building[f"{caller.split('/sandbox/')[1]}:{caller_line} {caller_function}"] += caller_cumulative
    print(f"  {name}, per request (profiled):")
    for cumulative, calls, where in sorted(spent, reverse=True)[:25]:
        print(f"    {cumulative / count * 1e6:8.0f} us  {calls / count:5.1f} calls   {where}")
    print("  building statements, by the sandbox's caller:")
    for where, seconds in building.most_common(10):
        print(f"    {seconds / count * 1e6:8.0f} us  {where}")


if __name__ == "__main__":
    main()
