"""The README's quick start, kept as quick_start.sh, runs as written (only the port changed) against
a sandbox serving the demo workplace: Kadence books, Robin sees it, Kadence cancels, Robin no
longer lists it. And the table of the demo's ids names the same thing through both APIs."""

import ast
import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import KadenceClient, RobinClient
from tests.served import run_readme_shell, served_here

SCRIPT = Path(__file__).with_name("quick_start.sh")
README = Path(__file__).resolve().parents[2] / "README.md"


@pytest.fixture
def served(tmp_path: Path) -> Iterator[str]:
    with served_here(tmp_path, preset="demo") as base:
        yield base


@pytest.mark.backend("sqlite")
def test_the_readme_shows_the_quick_start_unchanged() -> None:
    shown = re.findall(r"^```sh\n(.*?)^```$", README.read_text(encoding="utf-8"), flags=re.DOTALL | re.MULTILINE)

    assert SCRIPT.read_text(encoding="utf-8") in shown, "README.md must show tests/readme/quick_start.sh byte for byte"


@pytest.mark.backend("sqlite")
@pytest.mark.slow
def test_the_quick_start_books_through_kadence_and_robin_sees_it(served: str) -> None:
    for tool in ("bash", "curl", "python3"):
        if shutil.which(tool) is None:
            pytest.skip(f"the quick start needs {tool}, which this machine lacks")
    script = SCRIPT.read_text(encoding="utf-8")
    assert "localhost:8000" in script

    ran = run_readme_shell(script, served)

    assert ran.returncode == 0, ran.stderr
    booked, seen, cancelled, left = ran.stdout.strip().splitlines()
    desk = re.fullmatch(r"Kadence booked (\S+) for Ben: booking (\w{26})", booked)
    assert desk is not None, booked
    seats = ast.literal_eval(seen)  # the script prints a Python list of (seat id, start)
    assert len(seats) == 1
    assert (cancelled, left) == ("cancelled", "0")


def _ids() -> list[tuple[str, str, str, str, str]]:
    """The table's rows: (name, Robin kind, Robin id, Kadence kind, Kadence id)."""
    text = README.read_text(encoding="utf-8")
    section = text[text.index("### The same workplace through both APIs") : text.index("## Configuration")]
    rows = re.findall(r"^\| ([^|]+?) \| (\w+) `(\d+)` \| (\w+) `(\w{26})` \|$", section, flags=re.MULTILINE)
    assert len(rows) > 10
    return rows


ROBIN_PATHS = {
    "location": "/locations/{}",
    "level": "/levels/{}",
    "seat": "/seats/{}",
    "space": "/spaces/{}",
    "user": "/users/{}",
}
KADENCE_PATHS = {"building": "/buildings/{}", "floor": "/floors/{}", "space": "/spaces/{}", "user": "/users/{}"}


@pytest.mark.wire
@pytest.mark.parametrize(("name", "robin_kind", "robin_id", "kadence_kind", "kadence_id"), _ids())
def test_the_table_of_ids_names_one_thing_through_both_apis(
    robin: RobinClient, kadence: KadenceClient, name: str, robin_kind: str, robin_id: str, kadence_kind: str, kadence_id: str
) -> None:
    through_robin = robin.get(ROBIN_PATHS[robin_kind].format(robin_id))
    through_kadence = kadence.get(KADENCE_PATHS[kadence_kind].format(kadence_id))

    assert through_robin.status_code == 200, through_robin.text
    assert through_kadence.status_code == 200, through_kadence.text
    expected = name.split(" (")[0]
    assert _name(through_robin.json()["data"]) == expected
    assert _name(through_kadence.json()) == expected


def _name(item: dict[str, Any]) -> str:
    if "firstName" in item:
        return f"{item['firstName']} {item['lastName']}"
    return str(item["name"])
