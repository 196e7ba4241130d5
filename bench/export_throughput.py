"""Analytics export throughput: generate a CSV of N desk reservations and stream it back.

    .venv/bin/python bench/export_throughput.py [--rows 1000000]

Each measurement runs in a fresh process, so its peak memory (max RSS) is its own. The baseline,
measured in the same run, writes the same number of CSV rows of fixed text through the same
compressed chunking, with no store behind it: the figures are rows per second and peak memory,
each as a ratio to that baseline.
"""

import argparse
import csv
import io
import json
import resource
import subprocess
import sys
import tempfile
import time
import zlib
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import func, insert, select

from sandbox.core import exports
from sandbox.core.clock import Clock
from sandbox.robin.exports import LAYOUT
from sandbox.seeding.fixture import read_fixture
from sandbox.seeding.loader import load
from sandbox.settings import FIXTURES_DIR
from sandbox.store.engine import Store
from sandbox.store.models import ExportJob, Reservation, Resource

ORIGIN = datetime(2026, 1, 1, tzinfo=UTC)


def prepare(path: Path, rows: int) -> str:
    """A demo store holding `rows` desk reservations of 50 minutes within a year, and a job exporting them."""
    store = Store(f"sqlite:///{path}")
    store.prepare()
    load(store, read_fixture(FIXTURES_DIR / "demo.json"), Clock(), "demo.json")
    with store.session(write=True) as session:
        desks = [(desk.id, desk.building_id) for desk in session.exec(select(Resource).where(Resource.kind == "desk")).scalars()]
        users = range(1, 34)
        first = (session.scalar(select(func.max(Reservation.id))) or 0) + 1
        batch = []
        for offset in range(rows):
            desk, building = desks[offset % len(desks)]
            start = ORIGIN + timedelta(minutes=10 * (offset // len(desks)))  # all within the 366-day range
            batch.append(
                {
                    "id": first + offset,
                    "ulid": f"{first + offset:026d}",
                    "organization_id": 1,
                    "resource_id": desk,
                    "building_id": building,
                    "kind": "seat",
                    "reservation_type": "hoteled",
                    "status": "confirmed",
                    "title": "",
                    "visibility": "default",
                    "show_as": "busy",
                    "is_all_day": False,
                    "time_zone": "UTC",
                    "start": start,
                    "end": start + timedelta(minutes=50),
                    "series_end": start + timedelta(minutes=50),
                    "indexed_until": start,
                    "organizer_id": users[offset % len(users)],
                    "creator_id": users[(offset * 7) % len(users)],
                    "creation_type": "manual",
                    "source": "robin",
                    "created_at": ORIGIN,
                    "updated_at": ORIGIN,
                }
            )
            if len(batch) == 20_000:
                session.execute(insert(Reservation), batch)
                batch.clear()
        if batch:
            session.execute(insert(Reservation), batch)
        job = ExportJob(
            id="benchmark",
            organization_id=1,
            kind="desks",
            range_start=ORIGIN,
            range_end=ORIGIN + timedelta(days=366),
            requested_at=ORIGIN,
            ready_at=ORIGIN,
        )
        session.add(job)
        session.commit()
    store.dispose()
    return job.id


def child_generate(path: str, job_id: str) -> dict[str, float]:
    store = Store(f"sqlite:///{path}")
    clock = Clock()
    began = time.perf_counter()
    assert exports.claim(store, "benchmark", clock.wall()) == job_id
    assert exports.generate(store, job_id, "benchmark", clock, LAYOUT)
    generated = time.perf_counter() - began
    began = time.perf_counter()
    lines = 0
    with store.session() as session:
        for data in exports.csv_bytes(session, job_id):
            lines += data.count(b"\n")
    streamed = time.perf_counter() - began
    return {"rows": lines - 1, "generate_s": generated, "stream_s": streamed, "max_rss_kb": _max_rss()}


def child_baseline(rows: int) -> dict[str, float]:
    row = [
        "Meridian Robotics",
        "Meridian HQ New York",
        "Floor 2",
        "Pod A",
        1001,
        "A-01",
        "12345",
        "",
        "hoteled",
        "2026-01-01 00:00:00",
        "2026-01-01 00:50:00",
        "0.83",
        "",
        "",
        "",
        "Ada Okafor",
        "IT",
        "Admins, New York",
        "ada.okafor@meridian.example",
        "Ben Carter",
        "Engineering",
        "Engineering, New York",
        "ben.carter@meridian.example",
        "hoteled",
        "true",
    ]
    began = time.perf_counter()
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    chunks = 0
    for _ in range(rows):
        writer.writerow(row)
        if buffer.tell() >= exports.CHUNK_BYTES:
            zlib.compress(buffer.getvalue().encode())
            buffer.seek(0)
            buffer.truncate()
            chunks += 1
    zlib.compress(buffer.getvalue().encode())
    return {"rows": rows, "generate_s": time.perf_counter() - began, "stream_s": 0.0, "max_rss_kb": _max_rss()}


def _max_rss() -> float:
    """This process's peak resident memory in KiB. On Linux that is VmHWM: ru_maxrss would give
    the parent's peak, which a child started by subprocess inherits across exec."""
    status = Path("/proc/self/status")
    if status.exists():
        return float(next(line for line in status.read_text().splitlines() if line.startswith("VmHWM:")).split()[1])
    return float(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)


def _run_child(*arguments: str) -> dict[str, float]:
    output = subprocess.run([sys.executable, __file__, "--child", *arguments], check=True, capture_output=True, text=True).stdout
    return json.loads(output.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    arguments = parser.parse_args()
    if arguments.child:
        kind, *rest = arguments.child
        result = child_generate(rest[0], rest[1]) if kind == "generate" else child_baseline(int(rest[0]))
        print(json.dumps(result))
        return
    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / "sandbox.db"
        began = time.perf_counter()
        job_id = prepare(path, arguments.rows)
        print(f"seeded {arguments.rows:,} desk reservations in {time.perf_counter() - began:.1f} s")
        baseline = _run_child("baseline", str(arguments.rows))
        measured = _run_child("generate", str(path), job_id)
    assert measured["rows"] >= arguments.rows, measured
    rate = measured["rows"] / measured["generate_s"]
    base_rate = baseline["rows"] / baseline["generate_s"]
    print(
        f"baseline (CSV rows of fixed text, same chunking): {base_rate:,.0f} rows/s, "
        f"peak memory {baseline['max_rss_kb'] / 1024:.0f} MiB"
    )
    print(
        f"export generation: {rate:,.0f} rows/s ({rate / base_rate:.2f} of baseline), "
        f"peak memory {measured['max_rss_kb'] / 1024:.0f} MiB ({measured['max_rss_kb'] / baseline['max_rss_kb']:.2f} of baseline)"
    )
    print(f"streaming it back: {measured['rows'] / measured['stream_s']:,.0f} rows/s")


if __name__ == "__main__":
    main()
