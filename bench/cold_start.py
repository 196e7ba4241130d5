"""Cold start: from process start to the first 200 on /_sandbox/health, for the framework floor
(bench/floor_app.py), the sandbox seeding a new store with the demo workplace, and the sandbox
opening a store already seeded. Rounds alternate, so each sees the same machine.

    .venv/bin/python bench/cold_start.py [--rounds 5]

Target (issue 8): the demo start at most 1.5 times the floor's. `serve --workers 2` on the seeded
store is timed too: its supervisor opens the store and each worker imports the app.

The stack floor (bench/stack_floor_app.py: the floor app with SQLModel imported and a SQLite
store opened) starts in the same rounds, and each start is reported against it too: what the
libraries a stateful app needs cost before any of the sandbox's own code.
"""

import argparse
import statistics
import tempfile
from collections.abc import Sequence
from pathlib import Path

from harness import floor_command, free_port, sandbox_command, started

STARTS = ("floor", "stack floor", "demo, new store", "demo, seeded store", "seeded, 2 workers")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    options = parser.parse_args()
    times = start_times(options.rounds)
    floor, stack_floor = statistics.median(times["floor"]), statistics.median(times["stack floor"])
    print(f"process start to the first 200 on /_sandbox/health, median of {options.rounds} rounds")
    for name, found in times.items():
        median = statistics.median(found)
        print(
            f"  {name:<22}{median * 1000:8.0f} ms   {median / floor:5.2f} x the floor   "
            f"{median / stack_floor:5.2f} x the stack floor   (min {min(found) * 1000:.0f}, max {max(found) * 1000:.0f})"
        )


def start_times(rounds: int, starts: Sequence[str] = STARTS) -> dict[str, list[float]]:
    """Seconds from process start to the first 200 of each of `starts` (of STARTS), in `rounds`
    rounds; the demo is seeded into each round's new store whether or not that start is asked for."""
    times: dict[str, list[float]] = {name: [] for name in starts}

    def start(name: str, command: list[str], port: int, env: dict[str, str] | None = None) -> None:
        with started(command, port, env=env) as server:
            if name in times:
                times[name].append(server.seconds_to_first_200)

    for _ in range(rounds):
        if "floor" in times:
            port = free_port()
            start("floor", floor_command(port), port)
        with tempfile.TemporaryDirectory() as data_dir:
            if "stack floor" in times:
                port = free_port()
                environment = {"SANDBOX_STACK_FLOOR_DB": str(Path(data_dir) / "stack-floor.db")}
                start("stack floor", floor_command(port, "stack_floor_app"), port, environment)
            port = free_port()
            start("demo, new store", sandbox_command(port, Path(data_dir)), port)
            if "demo, seeded store" in times:
                port = free_port()
                start("demo, seeded store", sandbox_command(port, Path(data_dir)), port)
            if "seeded, 2 workers" in times:
                port = free_port()
                start("seeded, 2 workers", sandbox_command(port, Path(data_dir), "--workers", "2"), port)
    return times


if __name__ == "__main__":
    main()
