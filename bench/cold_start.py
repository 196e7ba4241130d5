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
from pathlib import Path

from harness import floor_command, free_port, sandbox_command, started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    options = parser.parse_args()
    times: dict[str, list[float]] = {
        "floor": [],
        "stack floor": [],
        "demo, new store": [],
        "demo, seeded store": [],
        "seeded, 2 workers": [],
    }
    for _ in range(options.rounds):
        port = free_port()
        with started(floor_command(port), port) as floor:
            times["floor"].append(floor.seconds_to_first_200)
        with tempfile.TemporaryDirectory() as data_dir:
            port = free_port()
            environment = {"SANDBOX_STACK_FLOOR_DB": str(Path(data_dir) / "stack-floor.db")}
            with started(floor_command(port, "stack_floor_app"), port, env=environment) as stack_floor:
                times["stack floor"].append(stack_floor.seconds_to_first_200)
            port = free_port()
            with started(sandbox_command(port, Path(data_dir)), port) as fresh:
                times["demo, new store"].append(fresh.seconds_to_first_200)
            port = free_port()
            with started(sandbox_command(port, Path(data_dir)), port) as seeded:
                times["demo, seeded store"].append(seeded.seconds_to_first_200)
            port = free_port()
            with started(sandbox_command(port, Path(data_dir), "--workers", "2"), port) as two:
                times["seeded, 2 workers"].append(two.seconds_to_first_200)
    floor, stack_floor = statistics.median(times["floor"]), statistics.median(times["stack floor"])
    print(f"process start to the first 200 on /_sandbox/health, median of {options.rounds} rounds")
    for name, found in times.items():
        median = statistics.median(found)
        print(
            f"  {name:<22}{median * 1000:8.0f} ms   {median / floor:5.2f} x the floor   "
            f"{median / stack_floor:5.2f} x the stack floor   (min {min(found) * 1000:.0f}, max {max(found) * 1000:.0f})"
        )


if __name__ == "__main__":
    main()
