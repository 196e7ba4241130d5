"""The report's growth of the page of bookings alone (bench/report.py, growth: Kadence GET /bookings,
50 a page, from a day on), in rounds, for this checkout and, given `--checkout`, another one beside
it: a steadier comparison of two versions of the listing than two runs of the report.

    .venv/bin/python bench/page_growth.py [--checkout PATH] [--rounds 3] [--seconds 5]

Each checkout serves the bench workplace (bench/workplace.py) holding 100 and 100,000
reservations; every server runs at once, and each round measures them all in turn (wrk, 16
connections), in an order reversed every other round. Prints each checkout's requests per second
with 100 and with 100,000 (medians of the rounds) and their ratio, whose target is at most 1.3.
"""

import argparse
import shutil
import statistics
import tempfile
from contextlib import ExitStack
from pathlib import Path

import throughput
from harness import free_port, sandbox_command, started
from report import CONNECTIONS, DESKS, GROWTH
from workplace import bench_workplace


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--checkout", type=Path, help="another checkout to serve beside this one (a worktree of an earlier commit)"
    )
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seconds", type=int, default=5)
    options = parser.parse_args()
    checkouts = {
        "this checkout": {},
        **({str(options.checkout): {"PYTHONPATH": str(options.checkout.resolve())}} if options.checkout else {}),
    }
    rates: dict[tuple[str, int], list[float]] = {}
    with tempfile.TemporaryDirectory() as scratch, ExitStack() as servers:
        workplaces = {size: bench_workplace(Path(scratch) / str(size), DESKS, size) for size in GROWTH}
        served = {}
        for name, env in checkouts.items():
            for size, workplace in workplaces.items():
                data = Path(scratch) / f"served-{len(served)}"
                shutil.copytree(Path(scratch) / str(size), data)
                port = free_port()
                server = servers.enter_context(started(sandbox_command(port, data), port, env=env))
                served[(name, size)] = (server.base, throughput.read_targets(server.base, *workplace.rooms[:2]))
        for round_ in range(options.rounds):
            for key in sorted(served, reverse=bool(round_ % 2)):
                base, targets = served[key]
                ((_, load),) = throughput.read_cases(
                    base, targets, (throughput.PAGES[1],), seconds=options.seconds, connections=CONNECTIONS
                )
                rates.setdefault(key, []).append(load.requests_per_second)
                print(f"round {round_ + 1}: {key[0]}, {key[1]:,} reservations: {load.requests_per_second:.1f} req/s", flush=True)
    for name in checkouts:
        few, many = (statistics.median(rates[(name, size)]) for size in GROWTH)
        print(
            f"{name}: {GROWTH[0]}: {few:.0f} req/s, {GROWTH[1]:,}: {many:.0f} req/s, "
            f"growth {few / many:.2f} x (medians of {options.rounds}; target <= 1.30 x)"
        )


if __name__ == "__main__":
    main()
