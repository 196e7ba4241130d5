"""The README's analytics-export example, kept as robin_export.py: the README shows it unchanged,
and it runs as written (only the port and the poll interval changed) against a sandbox serving
the demo workplace, printing the events of the week either side of now."""

import csv
import io
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.served import served_here

pytestmark = [pytest.mark.backend("sqlite"), pytest.mark.slow]

EXAMPLE = Path(__file__).with_name("robin_export.py")
README = Path(__file__).resolve().parents[2] / "README.md"


@pytest.fixture
def served(tmp_path: Path) -> Iterator[str]:
    with served_here(tmp_path, preset="demo", export_delay_seconds=1) as base:
        yield base


def test_the_readme_shows_the_export_example_unchanged() -> None:
    shown = re.findall(r"^```python\n(.*?)^```$", README.read_text(encoding="utf-8"), flags=re.DOTALL | re.MULTILINE)

    assert EXAMPLE.read_text(encoding="utf-8") in shown, "README.md must show tests/readme/robin_export.py byte for byte"


def test_the_export_example_prints_the_events_around_now(served: str) -> None:
    code = EXAMPLE.read_text(encoding="utf-8")
    assert "http://127.0.0.1:8000" in code
    assert "time.sleep(10)" in code
    code = code.replace("http://127.0.0.1:8000", served).replace("time.sleep(10)", "time.sleep(0.2)")

    ran = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=False)

    assert ran.returncode == 0, ran.stderr
    rows = list(csv.reader(io.StringIO(ran.stdout.strip())))
    assert len(rows) > 1, ran.stdout
    assert all(len(row) == len(rows[0]) for row in rows)
