"""What the ORM costs a read beside SQLAlchemy Core, statement by statement: the same rows read
in one open session of the store (`Store.session`) on the demo, seeded into a SQLite file and into
a PostgreSQL schema of its own, three ways in turn:

- `orm`: the model, as the core reads it (`session.exec(select(Model)...)`);
- `core`: the table's columns through the session's connection, rows and no models;
- `core, models`: the same rows, each made into a model instance by the model's own class manager
  (what the ORM's loading does at the end, without its execution context and identity map).

For one space by id and for 50 reservations at once, medians of --reads reads each, in
microseconds and as a ratio against `core`, the baseline of the same run. What a request of the
report spends on the ORM, beside the rest of it (bench/in_process.py), is read from these.

    .venv/bin/python bench/entity_loads.py [--reads 3000]
"""

import argparse
import statistics
import time
from collections.abc import Callable
from typing import Any

from soak import POSTGRES
from sqlalchemy import bindparam
from sqlalchemy import select as core_select
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import attributes
from sqlmodel import Session, col, select
from store_sessions import demo_store

from sandbox.store.engine import Store
from sandbox.store.models import Reservation, Resource

SPACE = 48
PAGE = 50


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reads", type=int, default=3000)
    options = parser.parse_args()
    print(f"reads in one open session, {options.reads} of each (median microseconds; ratio against core)")
    for backend in ("sqlite", "postgresql"):
        try:
            with demo_store(backend) as url:
                _measure(backend, Store(url), options.reads)
        except OperationalError as error:
            print(f"  {backend:<11}skipped: no PostgreSQL at {POSTGRES} ({str(error).splitlines()[0][:60]})")


def _measure(backend: str, store: Store, reads: int) -> None:
    try:
        with store.session() as session:
            for name, model, where, parameters in (
                (f"space {SPACE} by id", Resource, lambda table: table.c.id == bindparam("row_id"), {"row_id": SPACE}),
                (f"{PAGE} reservations", Reservation, lambda table: table.c.id <= bindparam("row_id"), {"row_id": PAGE}),
            ):
                times = _compared(session, model, where, parameters, reads)
                line = ", ".join(f"{way} {median:6.1f} us ({median / times['core']:.2f} x)" for way, median in times.items())
                print(f"  {backend:<11}{name:<22}{line}")
    finally:
        store.dispose()


def _compared(
    session: Session, model: Any, where: Callable[[Any], Any], parameters: dict[str, int], reads: int
) -> dict[str, float]:
    table = model.__table__
    orm = select(model).where(where(table)).order_by(col(model.id)).execution_options(autoflush=False)
    core = core_select(*table.c).where(where(table)).order_by(table.c.id)
    manager = attributes.manager_of_class(model)

    def made(row: Any) -> Any:
        instance = manager.new_instance()
        instance.__dict__.update(row._mapping)
        return instance

    ways: dict[str, Callable[[], Any]] = {
        "orm": lambda: session.exec(orm, params=parameters).all(),
        "core": lambda: session.connection().execute(core, parameters).all(),
        "core, models": lambda: [made(row) for row in session.connection().execute(core, parameters)],
    }
    expected = [row.id for row in ways["orm"]()]
    for way, read in ways.items():
        found = read()
        assert [row.id for row in found] == expected, f"{way} read {len(found)} rows, not {len(expected)}"
    samples: dict[str, list[float]] = {way: [] for way in ways}
    for _ in range(reads):
        for way, read in ways.items():
            began = time.perf_counter()
            read()
            samples[way].append((time.perf_counter() - began) * 1e6)
    return {way: statistics.median(taken) for way, taken in samples.items()}


if __name__ == "__main__":
    main()
