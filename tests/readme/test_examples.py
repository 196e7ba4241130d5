"""Every shell example of the README's API and control-plane sections runs as written (only the
port changed), each section's blocks in one shell in the order the README gives them, as a
reader pasting them would: no command fails, no variable is left unset, and no answer is a
server error. The answers the examples expect (a 409, a 422, a 400) are theirs to show."""

import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.served import run_readme_shell, served_here

pytestmark = [pytest.mark.backend("sqlite"), pytest.mark.slow]

README = Path(__file__).resolve().parents[2] / "README.md"
SECTIONS = {
    "apis": ("## Point a client at it", "## The demo workplace"),
    "control plane": ("## Control plane", "## Dashboard"),
}


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with served_here(tmp_path_factory.mktemp("examples"), preset="demo", export_delay_seconds=0) as base:
        yield base


def _shell_examples(section: str) -> str:
    text = README.read_text(encoding="utf-8")
    start, end = SECTIONS[section]
    region = text[text.index(start) : text.index(end)]
    blocks = re.findall(r"^```sh\n(.*?)^```$", region, flags=re.DOTALL | re.MULTILINE)
    assert blocks, f"no shell example in {start!r}"
    return "\n".join(blocks)


@pytest.mark.parametrize("section", list(SECTIONS))
def test_the_readme_s_shell_examples_run_as_written(served: str, section: str) -> None:
    for tool in ("bash", "curl", "python3"):
        if shutil.which(tool) is None:
            pytest.skip(f"the examples need {tool}, which this machine lacks")
    ran = run_readme_shell(_shell_examples(section), served)

    assert ran.returncode == 0, ran.stderr
    assert "Internal Server Error" not in ran.stdout
    assert '"status_code":500' not in ran.stdout
