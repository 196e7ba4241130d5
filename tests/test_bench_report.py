"""The benchmark report (bench/report.py), briefly: its cheap sections run against real servers and
print a line for every figure, each with its target and whether it is met, and every request
measured got the answer expected."""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = [pytest.mark.backend("sqlite"), pytest.mark.slow(seconds=60)]

REPORT = Path(__file__).parents[1] / "bench" / "report.py"
FIGURES = (
    "Robin GET /spaces/:id (each new)",
    "Robin GET /spaces/:id/state",
    "Kadence GET /bookings/:id",
    "Robin GET /spaces/:id/events (a week)",
    "Kadence GET /bookings (50, filtered)",
    "soak: p95 of the last minute",
    "soak: each worker's RSS at the end",
    "per-test restore, store isolation",
    "per-test restore, tenant isolation",
    "cold start, demo store already seeded",
)


@pytest.mark.skipif(shutil.which("wrk") is None, reason="wrk is not installed (apt-get install wrk)")
def test_the_report_gives_every_figure_against_its_target_with_no_request_answered_wrong() -> None:
    run = subprocess.run(
        [
            sys.executable,
            str(REPORT),
            "--seconds",
            "1",
            "--soak-minutes",
            "0.2",
            "--rounds",
            "2",
            "--only",
            "reads,soak,restore,cold-start",
        ],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    lines = run.stdout.splitlines()
    header = next(number for number, line in enumerate(lines) if line.startswith("figure "))
    rows = {
        cells[0]: cells
        for cells in ([cell.strip() for cell in line.split("|")] for line in lines[header + 2 :])
        if len(cells) == 6
    }
    assert [cell.strip() for cell in lines[header].split("|")] == ["figure", "measured", "against", "ratio", "target", "met"]
    assert sorted(rows) == sorted(FIGURES), run.stdout
    for name, (_, measured, against, ratio, target, met) in rows.items():
        assert measured, name
        assert against, name
        assert ratio != "-", name
        assert target.startswith(("<= ", ">= ")), name
        assert met in ("yes", "no"), name
    for isolation in ("store", "tenant"):
        # Beside the restore, what any call to the control plane costs on the machine.
        assert "a control-plane round trip " in rows[f"per-test restore, {isolation} isolation"][2], run.stdout
    assert f"of {len(FIGURES)} targets met" in run.stdout
    assert "every measured request answered as expected" in run.stdout, run.stdout
