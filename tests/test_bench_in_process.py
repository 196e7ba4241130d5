"""The in-process comparison (bench/in_process.py), briefly: the read floor and the sandbox's own
dispatch, which calibrate the reads, are measured beside a read, each request checked."""

import re
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = [pytest.mark.backend("sqlite"), pytest.mark.slow(seconds=20)]

SCRIPT = Path(__file__).parents[1] / "bench" / "in_process.py"


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
