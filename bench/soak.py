"""The soak for minutes: `serve --workers 2` under the mix of sandbox/testing/soak.py (reads of
both APIs, refused and accepted bookings, Kadence tokens, profile changes, cancels), 8 clients
each on a keep-alive connection of its own, minute by minute.

    .venv/bin/python bench/soak.py [--minutes 10] [--backend sqlite|postgresql] [--clients 8] [--workers 2]

For each minute: the requests answered in it, the errors among them (a 5xx, no answer, a status
other than the step's), p50, p95 and the slowest answer, and the resident memory of each worker
process (VmRSS from /proc) as the minute ends. The first minute is the baseline: the last
minute's p95 is given against the first's, and each worker's memory against its first minute's.
Both should stay flat. The run ends with each step's requests and errors, the first unexpected
answer of each kind, and the exceptions in the server's log (`--log` keeps all of it).

The store is new: a SQLite file in a temporary directory, or a schema of its own on the
PostgreSQL server at --postgres-url (SANDBOX_TEST_POSTGRES_URL, else the local server), dropped
after; where no server answers, the run says so and stops. tests/test_soak.py runs the same mix
for a minute, asserting no error and no answer over 2 s.
"""

import argparse
import os
import re
import signal
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy
from harness import free_port, sandbox_command, started

from sandbox.testing import soak
from sandbox.testing.schemas import schema_of_its_own

POSTGRES = os.environ.get("SANDBOX_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
"""The PostgreSQL server the tests use: SANDBOX_TEST_POSTGRES_URL, else the local one."""
EXCEPTION = re.compile(r"^[\w.]+(Error|Exception|Disconnect|Timeout)\b")
"""The last line of a traceback in the server's log: the exception raised."""
MINUTE = 60.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=10)
    parser.add_argument("--backend", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--log", type=Path, help="keep the server's output in this file")
    parser.add_argument("--postgres-url", default=POSTGRES, help=f"the PostgreSQL server for --backend postgresql [{POSTGRES}]")
    options = parser.parse_args()

    with _store(options.backend, options.postgres_url) as database_url:
        run = run_soak(database_url, minutes=options.minutes, clients=options.clients, workers=options.workers, log=options.log)
    print(soak.summary(run.outcomes))
    if run.raised:
        print("exceptions in the server's log:")
        for line, count in run.raised.most_common(10):
            print(f"  {count:5d} x {line[:200]}")


@dataclass
class SoakRun:
    """What a soak measured."""

    outcomes: list[soak.Outcome]
    p95s: list[float]
    """The p95 latency of each minute, in ms."""
    rss: dict[int, list[float]]
    """Each worker process's resident memory (MiB) as each minute ended, 0 for a minute it was not there."""
    raised: Counter[str]
    """The exceptions in the server's log, by their last line."""

    def p95_growth(self) -> float:
        """The last minute's p95 against the first's."""
        return self.p95s[-1] / self.p95s[0] if self.p95s and self.p95s[0] else float("inf")

    def rss_growth(self) -> float:
        """The most any worker process of the first minute grew by the end: its memory as the last
        minute ended against its memory as the first did (infinite for one that is gone)."""
        first = [memory for memory in self.rss.values() if memory[0]]
        return max((memory[-1] / memory[0] if memory[-1] else float("inf") for memory in first), default=float("inf"))


def run_soak(database_url: str | None, *, minutes: float, clients: int, workers: int, log: Path | None = None) -> SoakRun:
    """`serve --workers N` on a SQLite store of its own (`database_url` None) or at `database_url`,
    soaked by `clients` for `minutes`, a line printed for each minute as it ends."""
    with tempfile.TemporaryDirectory() as scratch:
        port = free_port()
        log = log or Path(scratch) / "serve.log"
        extra = ["--workers", str(workers)] + (["--database-url", database_url] if database_url else [])
        command = sandbox_command(port, Path(scratch) / "data", *extra)
        with started(command, port, log=log) as sandbox:
            workplace = soak.prepare(sandbox.base, clients=clients)
            backend = "sqlite" if database_url is None else "postgresql"
            print(f"soak: {clients} clients, {workers} workers, {backend}, {minutes:g} min of sandbox/testing/soak.py's mix")
            run = _minute_by_minute(sandbox.base, workplace, sandbox.process.pid, workers, minutes * MINUTE)
            processes = _worker_processes(sandbox.process.pid, workers)
        _end_outliving(processes)
        run.raised.update(line for line in log.read_text(errors="replace").splitlines() if EXCEPTION.match(line))
    return run


@contextmanager
def _store(backend: str, server: str) -> Iterator[str | None]:
    """None for a SQLite file in the data directory; else the URL of a new schema on `server`."""
    if backend == "sqlite":
        yield None
        return
    try:
        with schema_of_its_own(server, "bench_soak") as url:
            yield url
    except sqlalchemy.exc.OperationalError as error:
        print(f"soak on postgresql skipped: no PostgreSQL server at {server}: {str(error).splitlines()[0]}")
        sys.exit(0)


def _minute_by_minute(base: str, workplace: soak.Workplace, server: int, workers: int, seconds: float) -> SoakRun:
    """Run the soak for `seconds`, printing a line for each minute as it ends (a request counts in
    the minute its answer came; the last minute also takes the answers of requests begun in it),
    then the last minute's p95 against the first's; what it measured."""
    answered: list[soak.Outcome] = []
    runner = threading.Thread(
        target=soak.soak, args=(base, workplace), kwargs={"seconds": seconds, "record": answered.append}, daemon=True
    )
    began = time.monotonic()
    runner.start()
    print(
        f"{'minute':>6} {'requests':>9} {'errors':>7} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>9}   "
        "RSS MiB of each worker process (against its first minute)"
    )
    p95s: list[float] = []
    rss: dict[int, list[float]] = {}
    while runner.is_alive():
        since, until = len(p95s) * MINUTE, (len(p95s) + 1) * MINUTE
        last = until >= seconds
        runner.join(timeout=None if last else max(0.0, began + until - time.monotonic()))
        memory = {pid: _rss_mib(pid) for pid in _worker_processes(server, workers)}
        for pid in memory:
            rss.setdefault(pid, [0.0] * (len(p95s)))
        for pid, minutes in rss.items():
            minutes.append(memory.get(pid, 0.0))
        ended = [o for o in list(answered) if since <= o.began + o.seconds < (float("inf") if last else until)]
        latencies = [o.seconds * 1000 for o in ended]
        p95s.append(soak.percentile(latencies, 95))
        columns = "  ".join(_rss_column(pid, rss[pid]) for pid in memory)
        print(
            f"{len(p95s):6d} {len(ended):9d} {sum(1 for o in ended if o.problem):7d} {soak.percentile(latencies, 50):8.1f} "
            f"{p95s[-1]:8.1f} {max(latencies, default=0):9.1f}   {columns}",
            flush=True,
        )
    run = SoakRun(answered, p95s, rss, Counter())
    print(f"p95 of the last minute against the first: {run.p95_growth():.2f} x")
    return run


def _rss_column(pid: int, minutes: list[float]) -> str:
    """A worker's memory as the last of `minutes` ended, against its first minute's; one that was
    not there the minute before (the server started it in place of one that died) is said to be new."""
    mib, first = minutes[-1], next((mib for mib in minutes if mib), 0.0)
    if len(minutes) > 1 and not any(minutes[:-1]):
        return f"{mib:6.1f} (new: pid {pid})"
    return f"{mib:6.1f} ({mib / first:4.2f} x)" if first else f"{mib:6.1f}"


def _worker_processes(server: int, count: int) -> list[int]:
    """The processes answering requests: the `count` worker processes `serve --workers N` started
    (not multiprocessing's resource tracker), or the server itself when it runs alone."""
    if count == 1:
        return [server]
    deadline = time.monotonic() + 10
    while True:
        children = []
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                parent = int(stat.read_text().rsplit(")", 1)[1].split()[1])
                command = (stat.parent / "cmdline").read_bytes()
            except OSError:
                continue
            if parent == server and b"spawn_main" in command:
                children.append(int(stat.parent.name))
        if len(children) >= count or time.monotonic() > deadline:
            return sorted(children)
        time.sleep(0.1)


def _end_outliving(workers: list[int]) -> None:
    """Kill the worker processes that outlived their server's stop: a worker stuck in a request
    would otherwise hold its store (and, on PostgreSQL, its locks) after the bench is done."""
    for pid in workers:
        try:
            if b"spawn_main" in Path(f"/proc/{pid}/cmdline").read_bytes():
                os.kill(pid, signal.SIGKILL)
                print(f"worker process {pid} outlived its server's stop (a request stuck in it?) and was killed")
        except OSError:
            pass


def _rss_mib(pid: int) -> float:
    """The process's resident memory (VmRSS), 0 once it is gone."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return 0.0
    return next((int(line.split()[1]) / 1024 for line in status.splitlines() if line.startswith("VmRSS:")), 0.0)


if __name__ == "__main__":
    if not Path("/proc/self/status").exists():
        sys.exit("bench/soak.py reads the workers' memory from /proc (Linux)")
    main()
