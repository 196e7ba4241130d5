"""What a read session costs the process on each backend: a session of the store (`Store.session`)
that reads one space by id, then one that reads it three times, on the demo seeded into a SQLite
file and into a PostgreSQL schema of its own; the wall time and the processor time of each. On
PostgreSQL each statement is a round trip to the server, and each session three more: BEGIN, the
pool's check that the connection is alive, and the ROLLBACK that ends it (`strace -f -c -e
trace=sendto -p PID` on a process running it counts 6 messages for a session of 3 reads).

    .venv/bin/python bench/store_sessions.py [--sessions 2000]

A served request reads through one such session, with one statement or more: what a statement
and a session cost on PostgreSQL beside SQLite is most of what a request costs more there
(docs/performance.md, "What bounds two PostgreSQL workers").
"""

import argparse
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager

from soak import POSTGRES
from sqlmodel import select

from sandbox.store.engine import Store
from sandbox.store.models import Resource
from sandbox.testing.schemas import schema_of_its_own

SPACE = 48


@contextmanager
def demo_store(backend: str) -> Iterator[str]:
    """The URL of a new store of `backend` seeded with the demo."""
    if backend == "sqlite":
        with tempfile.TemporaryDirectory() as scratch:
            url = f"sqlite:///{scratch}/sessions.db"
            subprocess.run([sys.executable, "-m", "sandbox", "seed", "--database-url", url], check=True, capture_output=True)
            yield url
        return
    with schema_of_its_own(POSTGRES, "bench_sessions") as url:
        subprocess.run([sys.executable, "-m", "sandbox", "seed", "--database-url", url], check=True, capture_output=True)
        yield url


def measure(store: Store, reads: int, sessions: int) -> tuple[float, float]:
    """Microseconds of wall and processor time a session of `reads` reads takes (after a warm-up)."""
    statement = select(Resource).where(Resource.id == SPACE)

    def session() -> None:
        with store.session() as opened:
            for _ in range(reads):
                opened.exec(statement).one()

    for _ in range(200):
        session()
    wall, processor = time.perf_counter(), time.process_time()
    for _ in range(sessions):
        session()
    return 1e6 * (time.perf_counter() - wall) / sessions, 1e6 * (time.process_time() - processor) / sessions


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", type=int, default=2000)
    options = parser.parse_args()
    print(f"a session of the store reading space {SPACE} by id, {options.sessions} sessions each")
    for backend in ("sqlite", "postgresql"):
        with demo_store(backend) as url:
            store = Store(url)
            try:
                for reads in (1, 3):
                    wall, processor = measure(store, reads, options.sessions)
                    print(f"  {backend:<11}{reads} read(s): {wall:7.0f} us wall, {processor:7.0f} us processor a session")
            finally:
                store.dispose()


if __name__ == "__main__":
    main()
