"""The benchmarks that explain the report's figures, briefly: the in-process comparison
(bench/in_process.py) measures the read floor and the sandbox's own dispatch beside a read, each
request checked; the entity loads (bench/entity_loads.py) read the same rows through the ORM and
through Core, on both backends, and compare them against Core."""

import re
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = [pytest.mark.backend("sqlite"), pytest.mark.slow(seconds=20)]

SCRIPT = Path(__file__).parents[1] / "bench" / "in_process.py"
ENTITY_LOADS = Path(__file__).parents[1] / "bench" / "entity_loads.py"


def test_the_floor_and_the_dispatch_are_measured_beside_a_read() -> None:
    run = subprocess.run(
        [sys.executable, str(SCRIPT), "floor", "dispatch", "space", "--requests", "5"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    measured = dict(re.findall(r"^(\w+)\s+median\s+([\d.]+) ms", run.stdout, re.MULTILINE))
    assert sorted(measured) == ["dispatch", "floor", "space"], run.stdout
    assert all(float(median) > 0 for median in measured.values()), run.stdout


def test_an_unknown_kind_is_refused_naming_the_calibrating_ones() -> None:
    run = subprocess.run([sys.executable, str(SCRIPT), "nothing"], capture_output=True, text=True, timeout=60, check=False)
    assert run.returncode == 2
    assert "no such kind: nothing" in run.stderr
    assert "floor" in run.stderr
    assert "dispatch" in run.stderr


def test_the_entity_loads_read_the_same_rows_every_way_on_both_backends() -> None:
    run = subprocess.run(
        [sys.executable, str(ENTITY_LOADS), "--reads", "5"], capture_output=True, text=True, timeout=180, check=False
    )
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    lines = run.stdout.splitlines()[1:]
    sqlite = [line for line in lines if line.split()[0] == "sqlite"]
    assert len(sqlite) == 2, run.stdout
    for line in sqlite:
        ratios = re.findall(r"(orm|core|core, models) +[\d.]+ us \(([\d.]+) x\)", line)
        assert [way for way, _ in ratios] == ["orm", "core", "core, models"], line
        assert dict(ratios)["core"] == "1.00", line
    postgresql = [line for line in lines if line.split()[0] == "postgresql"]
    # Measured where a PostgreSQL server answers (as on CI), else said to be skipped, saying why.
    assert len(postgresql) == 2 or (len(postgresql) == 1 and "skipped: no PostgreSQL at" in postgresql[0]), run.stdout
