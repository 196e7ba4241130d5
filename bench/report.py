"""The benchmark report: every figure with a target, each against a floor measured in the same run,
in one table. The machine is shared and noisy, so only ratios measured side by side mean anything.

    .venv/bin/python bench/report.py [--seconds 5] [--soak-minutes 10] [--rounds 30]
                                     [--only reads,writes,growth,soak,restore,cold-start,workers]

The sections, each run by the scripts beside it (their own output says more):

- reads: the reads that are not kept (bench/throughput.py) on the demo, against the read floor
  (bench/read_floor_app.py: one SELECT by id with sqlite3, measured before and after, the mean):
  single items at least 50 % of its requests per second, pages at least 25 %.
- writes: the booking writes (bench/writes.py) on the bench workplace (bench/workplace.py), against
  the write floor (bench/write_floor_app.py, before and after, the mean): at least 50 % of its
  requests per second, and a p99 at most 3 times its p99.
- growth: each of those reads and writes on the bench workplace holding 100 and 100,000
  reservations (added in bulk, past and future, clear of the slots the writes book), the two
  servers running at once and taking each case in turn: requests per second with 100 over those
  with 100,000 at most 1.3.
- soak: bench/soak.py's minutes of sandbox/testing/soak.py's mix at 8 clients on `serve --workers
  2` (SQLite): the last minute's p95 at most 1.2 times the first's; the memory flat after the
  first minute, which here means each worker process's resident memory (VmRSS) as the last minute
  ends at most 1.1 times its memory as the first minute ended. A soak shorter than two minutes has
  one minute only, its last and first the same.
- restore: what the plugin's `sandbox` fixture does before each test, the restore and the
  journal's mark (`Sandbox.restore_clean(mark=...)`, sandbox/testing/control.py), against a served
  demo, after a test booked and cancelled a desk through Kadence and a room through Robin
  (bench/tenants.py's test), in `store` isolation (the whole store's snapshot, one call) and in
  `tenant` isolation (the organization's reset), each one call that answers with the mark: the
  median of --rounds rounds at most 5 ms. An absolute target, the only one: there is no floor to a
  restore. Beside it, in turn, the same work as two calls (the restore, then the mark), and the
  median of as many calls of `GET /_sandbox/health` from the same client: the least a call to the
  control plane costs on the machine, before a restore does anything.
- cold-start: `serve` on a store already seeded with the demo, from process start to the first
  200, against the stack floor (bench/stack_floor_app.py) in alternating rounds
  (bench/cold_start.py), a third as many as --rounds (at least 2): the median at most 1.2 times the
  stack floor's.
- workers: `serve --workers 2` against one worker, each on a new demo store, both reading the
  single items that are not kept in turn: at least 1.6 times the requests per second, on SQLite
  and on PostgreSQL (a schema of its own at SANDBOX_TEST_POSTGRES_URL, else the local server;
  said and left out of the count where none answers). wrk runs one thread here (`-t1`), so that
  the load generator takes one of the machine's cores at most and leaves the other to the
  workers; elsewhere it runs two, as the scripts do. Two seconds of the same load come first,
  not counted: the first answer may come from one worker while the other is still starting.
  Each run also prints the processor time the server and the PostgreSQL server spent a request:
  where the two of them already keep most of the machine's cores busy with one worker, a second
  has little left to use.

wrk keeps 16 connections open throughout. Every request is checked: an answer other than the one
expected is an error, printed after the table, and a figure with errors is not met.
"""

import argparse
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import cold_start
import httpx2 as httpx
import soak
import sqlalchemy
import throughput
import writes
from harness import (
    Load,
    cpu_use,
    floor_command,
    free_port,
    request_line,
    require_wrk,
    sandbox_command,
    started,
    walk,
)
from tenants import Writer, a_test_writes, room_of, tenant_writer, timed
from workplace import bench_workplace, kadence_headers

from sandbox.testing.control import CLEAN_SNAPSHOT, KADENCE_CLIENT_ID, KADENCE_CLIENT_SECRET, ROBIN_TOKEN, TEST_BEGAN, Sandbox
from sandbox.testing.schemas import schema_of_its_own

SECTIONS = ("reads", "writes", "growth", "soak", "restore", "cold-start", "workers")
CONNECTIONS = 16
DESKS = 5000
"""Desks and people of the bench workplace: the most bookings to check in to or cancel at once."""
WRITES_PER_SECOND = 2000
"""Distinct write requests listed for each second of wrk: more than any write here answers."""
GROWTH = (100, 100_000)
began = time.monotonic()


@dataclass
class Figure:
    """One line of the report."""

    name: str
    measured: str
    against: str
    ratio: float | None
    """None where the figure was not measured (`measured` says why)."""
    target: float
    at_most: bool
    unit: str = "x"
    """How the ratio and the target read: "x" (times), "%" (a share) or "ms" (absolute)."""
    errors: list[str] = field(default_factory=list)

    @property
    def met(self) -> bool | None:
        if self.ratio is None:
            return None
        within = self.ratio <= self.target if self.at_most else self.ratio >= self.target
        return within and not self.errors

    def shown(self, value: float) -> str:
        return f"{value:.0%}" if self.unit == "%" else f"{value:.1f} ms" if self.unit == "ms" else f"{value:.2f} x"

    def row(self) -> list[str]:
        target = f"{'<=' if self.at_most else '>='} {self.shown(self.target)}"
        ratio = "-" if self.ratio is None else self.shown(self.ratio)
        met = {True: "yes", False: "no", None: "skipped"}[self.met]
        return [self.name, self.measured, self.against, ratio, target, met]


def progress(text: str) -> None:
    print(f"[{time.monotonic() - began:6.0f} s] {text}", flush=True)


def errors_of(run: Load) -> list[str]:
    """What wrk saw go wrong: failed requests, and each status refused (bench/lua/walk.lua)."""
    return ([f"{run.errors} of {run.requests} requests failed"] if run.errors else []) + [
        f"answered {refusal}" for refusal in run.refusals
    ]


def mean_rate(runs: list[Load]) -> float:
    return sum(run.requests_per_second for run in runs) / len(runs)


def read_floor(scratch: Path, seconds: int) -> Load:
    """The read floor, reading its rows by id in turn."""
    port = free_port()
    environment = {"SANDBOX_READ_FLOOR_DB": str(scratch / "read-floor.db")}
    with started(floor_command(port, "read_floor_app"), port, env=environment) as floor:
        requests = [request_line("GET", f"/v1.0/spaces/{number}") for number in range(1, 1001)]
        return walk(floor.base, requests, seconds=seconds, connections=CONNECTIONS)


def reads(options: argparse.Namespace) -> list[Figure]:
    names = (*throughput.SINGLE_ITEMS, *throughput.PAGES)
    with tempfile.TemporaryDirectory() as scratch:
        floors = [read_floor(Path(scratch), options.seconds)]
        progress(f"read floor: {floors[0]}")
        port = free_port()
        with started(sandbox_command(port, Path(scratch) / "data"), port) as sandbox:
            targets = throughput.read_targets(sandbox.base, throughput.DEMO_ROOM, throughput.DEMO_SERIES_ROOM)
            results = []
            for name, run in throughput.read_cases(
                sandbox.base, targets, names, seconds=options.seconds, connections=CONNECTIONS
            ):
                progress(f"{name}: {run}")
                results.append((name, run))
        floors.append(read_floor(Path(scratch), options.seconds))
        progress(f"read floor: {floors[1]}")
    floor = mean_rate(floors)
    return [
        Figure(
            name,
            f"{run.requests_per_second:.0f} req/s",
            f"read floor {floor:.0f} req/s",
            run.requests_per_second / floor,
            0.5 if name in throughput.SINGLE_ITEMS else 0.25,
            at_most=False,
            unit="%",
            errors=errors_of(run) + errors_of(floors[0]) + errors_of(floors[1]),
        )
        for name, run in results
    ]


def writes_section(options: argparse.Namespace) -> list[Figure]:
    enough = WRITES_PER_SECOND * options.seconds
    with tempfile.TemporaryDirectory() as scratch:
        floors = [writes.write_floor(Path(scratch), 2 * enough, 0, seconds=options.seconds, connections=CONNECTIONS)]
        progress(f"write floor: {floors[0]}")
        workplace = bench_workplace(Path(scratch) / "data", DESKS)
        port = free_port()
        results = []
        with started(sandbox_command(port, Path(scratch) / "data"), port) as sandbox:
            for name, run in writes.write_cases(
                sandbox.base, workplace, enough, seconds=options.seconds, connections=CONNECTIONS
            ):
                progress(f"{name}: {run}")
                results.append((name, run))
        floors.append(writes.write_floor(Path(scratch), 2 * enough, 1, seconds=options.seconds, connections=CONNECTIONS))
        progress(f"write floor: {floors[1]}")
    floor, floor_p99 = mean_rate(floors), statistics.mean(run.p99_ms for run in floors)
    floor_errors = errors_of(floors[0]) + errors_of(floors[1])
    figures = []
    for name, run in results:
        errors = errors_of(run) + floor_errors
        figures.append(
            Figure(
                name,
                f"{run.requests_per_second:.0f} req/s",
                f"write floor {floor:.0f} req/s",
                run.requests_per_second / floor,
                0.5,
                at_most=False,
                unit="%",
                errors=errors,
            )
        )
        figures.append(
            Figure(
                f"{name}, p99",
                f"{run.p99_ms:.1f} ms",
                f"write floor p99 {floor_p99:.1f} ms",
                run.p99_ms / floor_p99,
                3,
                at_most=True,
                errors=errors,
            )
        )
    return figures


def growth(options: argparse.Namespace) -> list[Figure]:
    enough = WRITES_PER_SECOND * options.seconds
    names = (*throughput.SINGLE_ITEMS, *throughput.PAGES)
    with tempfile.TemporaryDirectory() as scratch:
        workplaces = []
        for size in GROWTH:
            step = time.monotonic()
            workplaces.append(bench_workplace(Path(scratch) / str(size), DESKS, size))
            progress(f"bench workplace with {size} reservations stored in {time.monotonic() - step:.1f} s")
        ports = [free_port(), free_port()]
        with (
            started(sandbox_command(ports[0], Path(scratch) / str(GROWTH[0])), ports[0]) as small,
            started(sandbox_command(ports[1], Path(scratch) / str(GROWTH[1])), ports[1]) as large,
        ):
            servers = (small.base, large.base)
            rooms = [(workplace.rooms[0], workplace.rooms[1]) for workplace in workplaces]
            targets = [throughput.read_targets(base, *pair) for base, pair in zip(servers, rooms, strict=True)]
            cases = [
                zip(
                    *(
                        throughput.read_cases(base, found, names, seconds=options.seconds, connections=CONNECTIONS)
                        for base, found in zip(servers, targets, strict=True)
                    ),
                    strict=True,
                ),
                zip(
                    *(
                        writes.write_cases(base, workplace, enough, seconds=options.seconds, connections=CONNECTIONS)
                        for base, workplace in zip(servers, workplaces, strict=True)
                    ),
                    strict=True,
                ),
            ]
            figures = []
            for (name, few), (_, many) in (pair for kind in cases for pair in kind):
                progress(f"{name}: {GROWTH[0]}: {few}   {GROWTH[1]}: {many}")
                figures.append(
                    Figure(
                        f"growth: {name}",
                        f"{few.requests_per_second:.0f} vs {many.requests_per_second:.0f} req/s",
                        f"{GROWTH[0]} vs {GROWTH[1]:,} reservations",
                        few.requests_per_second / many.requests_per_second,
                        1.3,
                        at_most=True,
                        errors=errors_of(few) + errors_of(many),
                    )
                )
    return figures


def soak_section(options: argparse.Namespace) -> list[Figure]:
    run = soak.run_soak(None, minutes=options.soak_minutes, clients=8, workers=2)
    problems = [f"{outcome.step}: {outcome.problem}" for outcome in run.outcomes if outcome.problem]
    errors = [f"{len(problems)} of {len(run.outcomes)} answers unexpected, the first {problems[0]}"] if problems else []
    minutes = len(run.p95s)
    last = {pid: memory[-1] for pid, memory in run.rss.items()}
    first = {pid: memory[0] for pid, memory in run.rss.items()}
    return [
        Figure(
            "soak: p95 of the last minute",
            f"{run.p95s[-1]:.1f} ms (minute {minutes})",
            f"the first minute's {run.p95s[0]:.1f} ms",
            run.p95_growth(),
            1.2,
            at_most=True,
            errors=errors,
        ),
        Figure(
            "soak: each worker's RSS at the end",
            " ".join(f"{mib:.0f}" for mib in last.values()) + " MiB",
            "its RSS after minute 1: " + " ".join(f"{mib:.0f}" for mib in first.values()) + " MiB",
            run.rss_growth(),
            1.1,
            at_most=True,
            errors=errors,
        ),
    ]


def restore(options: argparse.Namespace) -> list[Figure]:
    with tempfile.TemporaryDirectory() as scratch:
        port = free_port()
        with (
            started(sandbox_command(port, Path(scratch)), port) as sandbox,
            httpx.Client(base_url=sandbox.base, timeout=60) as client,
        ):
            whole = Sandbox(sandbox.base, in_process=False)
            whole.find_demo_organization()
            whole.save_snapshot(CLEAN_SNAPSHOT)
            kadence = kadence_headers(sandbox.base)
            user = client.get("/v1/public/users?itemsPerPage=1", headers=kadence).json()["hydra:member"][0]["id"]
            room = room_of(client, int(whole.organization), ROBIN_TOKEN)
            demo = Writer(KADENCE_CLIENT_ID, KADENCE_CLIENT_SECRET, user, ROBIN_TOKEN, room)
            figures = []
            # The tenant is made after the whole store's rounds, whose restores would take it away.
            for isolation in ("store", "tenant"):
                handle = whole.new_tenant() if isolation == "tenant" else whole
                writer = tenant_writer(client, handle.made) if handle.tenant else demo
                times: dict[bool, list[float]] = {True: [], False: []}
                for round_ in range(options.rounds):
                    # In turn with the restore and the mark as two calls, as the fixture made them
                    # before the restore answered with the mark: shown beside, not a floor.
                    for one_call in (True, False) if round_ % 2 else (False, True):
                        a_test_writes(client, writer)
                        times[one_call].append(timed(lambda: _restored(handle, one_call=one_call)))  # noqa: B023 - called at once
                median, apart = statistics.median(times[True]), statistics.median(times[False])
                # The least any call to the control plane costs here, from the same client: what the
                # machine takes of the restore's 5 ms before the restore does anything.
                trip = statistics.median(timed(lambda: handle.control("GET", "health")) for _ in range(options.rounds))  # noqa: B023 - called at once
                progress(
                    f"restore_clean(mark=...) in {isolation} isolation: median {median:.1f} ms of {options.rounds}; "
                    f"GET /_sandbox/health {trip:.1f} ms"
                )
                figures.append(
                    Figure(
                        f"per-test restore, {isolation} isolation",
                        f"{median:.1f} ms (median of {options.rounds})",
                        f"absolute (no floor); as two calls {apart:.1f} ms; a control-plane round trip {trip:.1f} ms",
                        median,
                        5,
                        at_most=True,
                        unit="ms",
                    )
                )
    return figures


def _restored(handle: Sandbox, *, one_call: bool) -> None:
    """What the `sandbox` fixture does before a test: the restore, the journal marked by its answer;
    or, not `one_call`, the restore and then a call for the mark."""
    if one_call:
        handle.restore_clean(mark=TEST_BEGAN)
    else:
        handle.restore_clean()
        handle.journal.mark(TEST_BEGAN)


def cold(options: argparse.Namespace) -> list[Figure]:
    rounds = max(2, options.rounds // 3)
    times = cold_start.start_times(rounds, ("stack floor", "demo, seeded store"))
    floor, seeded = statistics.median(times["stack floor"]), statistics.median(times["demo, seeded store"])
    progress(f"cold start: stack floor {floor * 1000:.0f} ms, seeded demo {seeded * 1000:.0f} ms (medians of {rounds})")
    return [
        Figure(
            "cold start, demo store already seeded",
            f"{seeded * 1000:.0f} ms (median of {rounds})",
            f"stack floor {floor * 1000:.0f} ms",
            seeded / floor,
            1.2,
            at_most=True,
        )
    ]


@contextmanager
def _demo_store(backend: str, scratch: Path) -> Iterator[list[str]]:
    """`serve`'s options for a new store: a SQLite file in `scratch`, or a schema of its own on
    the PostgreSQL server (sqlalchemy's OperationalError where none answers)."""
    if backend == "sqlite":
        yield []
        return
    with schema_of_its_own(soak.POSTGRES, "bench_report") as url:
        yield ["--database-url", url]


def workers(options: argparse.Namespace) -> list[Figure]:
    figures = []
    for backend in ("sqlite", "postgresql"):
        runs: dict[int, Load] = {}
        try:
            for count in (1, 2):
                with tempfile.TemporaryDirectory() as scratch, _demo_store(backend, Path(scratch)) as database:
                    port = free_port()
                    command = sandbox_command(port, Path(scratch) / "data", "--workers", str(count), *database)
                    with started(command, port) as sandbox:
                        targets = throughput.read_targets(sandbox.base, throughput.DEMO_ROOM, throughput.DEMO_SERIES_ROOM)
                        # The first answer may come from one worker while the other still starts:
                        # two seconds of the same load first, not counted, so that both serve.
                        walk(sandbox.base, throughput.single_item_mix(targets), seconds=2, connections=CONNECTIONS, threads=1)
                        with cpu_use(sandbox.process.pid) as used:
                            runs[count] = walk(
                                sandbox.base,
                                throughput.single_item_mix(targets),
                                seconds=options.seconds,
                                connections=CONNECTIONS,
                                threads=1,
                            )
                progress(f"{backend}, {count} worker(s), single-item reads in turn: {runs[count]}")
                progress(f"  processor time: {used.per_request_ms(runs[count])}")
        except sqlalchemy.exc.OperationalError as error:
            reason = f"skipped: no PostgreSQL at {soak.POSTGRES} ({str(error).splitlines()[0][:60]})"
            progress(reason)
            figures.append(Figure(f"2 workers, {backend}", reason, "1 worker", None, 1.6, at_most=False))
            continue
        one, two = runs[1].requests_per_second, runs[2].requests_per_second
        figures.append(
            Figure(
                f"2 workers, {backend}",
                f"{two:.0f} req/s",
                f"1 worker {one:.0f} req/s",
                two / one,
                1.6,
                at_most=False,
                errors=errors_of(runs[1]) + errors_of(runs[2]),
            )
        )
    return figures


RUNS: dict[str, Callable[[argparse.Namespace], list[Figure]]] = {
    "reads": reads,
    "writes": writes_section,
    "growth": growth,
    "soak": soak_section,
    "restore": restore,
    "cold-start": cold,
    "workers": workers,
}


def table(figures: list[Figure]) -> str:
    rows = [["figure", "measured", "against", "ratio", "target", "met"], *(figure.row() for figure in figures)]
    widths = [max(len(row[column]) for row in rows) for column in range(len(rows[0]))]
    lines = [" | ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip() for row in rows]
    lines.insert(1, "-+-".join("-" * width for width in widths))
    counted = [figure for figure in figures if figure.met is not None]
    lines.append(f"{sum(1 for figure in counted if figure.met)} of {len(counted)} targets met")
    errors = [(figure.name, error) for figure in figures for error in figure.errors]
    if errors:
        lines.append("errors (a figure with errors is not met):")
        lines += [f"  {name}: {error}" for name, error in dict.fromkeys(errors)]
    else:
        lines.append("every measured request answered as expected")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=5, help="wrk's run for each case")
    parser.add_argument("--soak-minutes", type=float, default=10)
    parser.add_argument("--rounds", type=int, default=30, help="restore rounds; cold start runs a third as many (at least 2)")
    parser.add_argument("--only", default=",".join(SECTIONS), help=f"the sections to run, of {','.join(SECTIONS)}")
    options = parser.parse_args()
    sections = options.only.split(",")
    unknown = set(sections) - set(SECTIONS)
    if unknown:
        parser.error(f"no section {', '.join(sorted(unknown))}: the sections are {', '.join(SECTIONS)}")
    require_wrk()
    figures = []
    for section in sections:
        progress(f"{section} ...")
        figures += RUNS[section](options)
    print()
    print(f"wrk -c{CONNECTIONS} -d{options.seconds}s on loopback; soak {options.soak_minutes:g} min; {options.rounds} rounds")
    print(table(figures))


if __name__ == "__main__":
    if not Path("/proc/self/status").exists():
        sys.exit("bench/report.py reads the soak's workers' memory from /proc (Linux)")
    main()
