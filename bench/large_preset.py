"""The large preset: how long `workplace-sandbox seed --preset large` takes, against the demo seed
through the same command in the same run, and the cold start (process start to the first 200 on
/_sandbox/health) of a sandbox whose store holds the large preset restored from its `seed`
snapshot, against the framework floor's (bench/floor_app.py) in alternating rounds.

    .venv/bin/python bench/large_preset.py [--rounds 3]

No target of its own yet; bench/cold_start.py holds the demo's cold start to 1.5 times the floor's.
"""

import argparse
import sqlite3
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

import httpx2 as httpx
from harness import PYTHON, floor_command, free_port, sandbox_command, started

from sandbox.control.snapshots import workplace_tables

ROBIN = {"Authorization": "Access-Token demo-robin-token"}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    options = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        demo, large = Path(scratch) / "demo", Path(scratch) / "large"
        seeding = {"demo": _seed(demo, "demo"), "large": _seed(large, "large")}
        print(
            "workplace-sandbox seed --preset P (process start to exit; rows of the workplace tables, "
            "which the seed snapshot then copies once more)"
        )
        for preset, seconds in seeding.items():
            rows = _workplace_rows(Path(scratch) / preset / "sandbox.db")
            print(
                f"  {preset:<8}{seconds:8.1f} s   {rows:>9,} rows   {rows / seconds:9,.0f} rows/s   "
                f"{seconds / seeding['demo']:6.1f} x the demo"
            )

        port = free_port()
        with started(sandbox_command(port, large), port) as sandbox:
            restore_ms = _restore_after_a_booking(sandbox.base)
        times: dict[str, list[float]] = {"floor": [], "large, restored": []}
        for _ in range(options.rounds):
            port = free_port()
            with started(floor_command(port), port) as floor:
                times["floor"].append(floor.seconds_to_first_200)
            port = free_port()
            with started(sandbox_command(port, large), port) as sandbox:
                times["large, restored"].append(sandbox.seconds_to_first_200)
    floor = statistics.median(times["floor"])
    print(
        f"process start to the first 200 on /_sandbox/health, median of {options.rounds} rounds "
        f"(the store restored to its seed snapshot in {restore_ms:.0f} ms)"
    )
    for name, found in times.items():
        median = statistics.median(found)
        print(
            f"  {name:<22}{median * 1000:8.0f} ms   {median / floor:5.2f} x the floor   "
            f"(min {min(found) * 1000:.0f}, max {max(found) * 1000:.0f})"
        )


def _seed(data_dir: Path, preset: str) -> float:
    began = time.perf_counter()
    subprocess.run(
        [PYTHON, "-m", "sandbox", "seed", "--preset", preset, "--data-dir", str(data_dir), "--no-progress"],
        check=True,
        stdout=subprocess.DEVNULL,
    )
    return time.perf_counter() - began


def _workplace_rows(database: Path) -> int:
    with sqlite3.connect(database) as connection:
        return sum(connection.execute(f'SELECT count(*) FROM "{table.name}"').fetchone()[0] for table in workplace_tables())


def _restore_after_a_booking(base: str) -> float:
    """Book a room, then restore the `seed` snapshot; how long the restore took, in ms."""
    with httpx.Client(base_url=base, timeout=60) as client:
        spaces = client.get("/v1.0/locations/1/spaces", params={"type": "meeting"}, headers=ROBIN).json()["data"]
        space = spaces[0]["id"]
        booked = client.post(
            f"/v1.0/spaces/{space}/events",
            headers=ROBIN,
            json={
                "title": "Changed before the restore",
                "start": {"date_time": "2030-01-07T15:00:00Z", "time_zone": "UTC"},
                "end": {"date_time": "2030-01-07T16:00:00Z", "time_zone": "UTC"},
            },
        )
        assert booked.status_code == 201, booked.text
        began = time.perf_counter()
        restored = client.post("/_sandbox/snapshots/seed/restore", headers={"X-Sandbox-Control": "1"})
        assert restored.status_code == 200, restored.text
        return (time.perf_counter() - began) * 1000


if __name__ == "__main__":
    main()
