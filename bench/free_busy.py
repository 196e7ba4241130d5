"""Robin POST /v1.0/free-busy/spaces over few and over ten times more spaces, on a store seeded with
the large preset, under wrk on loopback; each as a share of the framework floor (bench/floor_app.py)
measured in the same run, before and after, and the larger against the smaller.

    .venv/bin/python bench/free_busy.py [--seconds 5] [--connections 4] [--sizes 200 500 2000] [--data-dir DIR]

Without --data-dir the script seeds the large preset into a temporary directory first (about
40 s); with it, it serves DIR as it is (seed it once with `.venv/bin/python -m sandbox seed --preset
large --data-dir DIR`). Each request asks for the busiest weekday ahead (a Wednesday, UTC) over the
spaces of whole floors, the buildings taken in turn, until there are at least --sizes of them,
and gets the first page (10), best fit first. The large preset has 2,000 rooms on 50 floors, and
free/busy covers rooms (Robin spaces) only, never desks (Robin seats): 2,000 is the most a request
can cover. A request takes long enough that 4 connections keep the server busy; more would only
queue, and wrk leaves the requests still queued at the end out of its percentiles.
"""

import argparse
import itertools
import subprocess
import tempfile
import time
from collections import Counter, defaultdict
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx2 as httpx
from harness import (
    PYTHON,
    Load,
    floor_load,
    free_port,
    report,
    request_line,
    require_wrk,
    sandbox_command,
    started,
    walk,
)

ROBIN = {"Authorization": "Access-Token demo-robin-token", "Content-Type": "application/json"}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=5)
    parser.add_argument("--connections", type=int, default=4)
    parser.add_argument("--sizes", type=int, nargs="+", default=[200, 500, 2000], help="how many spaces, smallest first")
    parser.add_argument("--data-dir", type=Path, help="a store already seeded with the large preset")
    options = parser.parse_args()
    require_wrk()

    floors = [floor_load(seconds=options.seconds, connections=options.connections)]
    results: list[tuple[int, Load]] = []
    with tempfile.TemporaryDirectory() as scratch:
        data_dir = options.data_dir or Path(scratch)
        if options.data_dir is None:
            began = time.perf_counter()
            subprocess.run(
                [PYTHON, "-m", "sandbox", "seed", "--preset", "large", "--data-dir", str(data_dir), "--no-progress"],
                check=True,
                stdout=subprocess.DEVNULL,
            )
            print(f"seeded the large preset in {time.perf_counter() - began:.0f} s")
        port = free_port()
        with started(sandbox_command(port, data_dir), port) as sandbox:
            wednesday = _next_wednesday()
            levels = _levels_in_turn(sandbox.base, wednesday)
            for size in options.sizes:
                chosen = []
                while sum(rooms for _, rooms in chosen) < size:
                    chosen.append(levels[len(chosen)])
                body = _free_busy([level for level, _ in chosen], wednesday, timedelta(days=1))
                response = httpx.post(f"{sandbox.base}/v1.0/free-busy/spaces", json=body, headers=ROBIN, timeout=60)
                assert response.status_code == 200, response.text
                load = walk(
                    sandbox.base,
                    [request_line("POST", "/v1.0/free-busy/spaces", body)],
                    headers=ROBIN,
                    seconds=options.seconds,
                    connections=options.connections,
                )
                results.append((sum(rooms for _, rooms in chosen), load))
    floors.append(floor_load(seconds=options.seconds, connections=options.connections))

    report(
        floors,
        [(f"POST /free-busy/spaces, {size:,} spaces ({run.requests} requests)", run) for size, run in results],
        seconds=options.seconds,
        connections=options.connections,
    )
    (small, fewest), (large, most) = results[0], results[-1]
    print(
        f"{large:,} against {small:,} spaces ({large / small:.0f} x as many): "
        f"req/s {most.requests_per_second / fewest.requests_per_second:.2f} x, "
        f"p50 {most.p50_ms / fewest.p50_ms:.2f} x, p99 {most.p99_ms / fewest.p99_ms:.2f} x"
    )


def _next_wednesday() -> datetime:
    today = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    return today + timedelta(days=(2 - today.weekday()) % 7 or 7)


def _free_busy(levels: list[int], start: datetime, length: timedelta, page: int = 1, per_page: int = 10) -> dict[str, Any]:
    return {
        "scope": {"level_ids": levels},
        "view_options": {"bounds": {"from": f"{start:%Y-%m-%dT%H:%M:%SZ}", "to": f"{start + length:%Y-%m-%dT%H:%M:%SZ}"}},
        "paging_info": {"page": page, "per_page": per_page},
    }


def _levels_in_turn(base: str, day: datetime) -> list[tuple[int, int]]:
    """Every floor (Robin level) with the number of spaces free/busy covers on it: the first floor
    of each building, then the second of each, and so on."""
    rooms: dict[int, Counter[int]] = defaultdict(Counter)
    with httpx.Client(base_url=base, headers=ROBIN, timeout=60) as client:
        for building in client.get("/v1.0/organizations/1/locations").json()["data"]:
            levels = [
                level["id"]
                for level in client.get(f"/v1.0/locations/{building['id']}/levels", params={"per_page": 100}).json()["data"]
            ]
            for page_number in itertools.count(1):
                page = client.post(
                    "/v1.0/free-busy/spaces", json=_free_busy(levels, day, timedelta(hours=1), page_number, 1000)
                ).json()
                rooms[building["id"]].update(found["space"]["level_id"] for found in page["data"])
                if not page["paging"]["has_next_page"]:
                    break
    in_turn = itertools.zip_longest(*(sorted(counted.items()) for counted in rooms.values()))
    return [level for turn in in_turn for level in turn if level is not None]


if __name__ == "__main__":
    main()
