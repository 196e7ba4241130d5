"""A newcomer's first minutes, end to end: a fresh clone of this repository, the venv `make serve`
builds (what serving needs, nothing more), the sandbox served from it, and the README's quick
start run as written against it (only the port changed)."""

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.served import run_readme_shell
from tests.test_packaging import _skip_without_an_index
from tests.test_serve import serving

pytestmark = pytest.mark.backend("sqlite")

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.slow(seconds=90)
def test_a_fresh_clone_serves_and_runs_the_quick_start(tmp_path: Path) -> None:
    for tool in ("git", "make", "bash", "curl"):
        if shutil.which(tool) is None:
            pytest.skip(f"the quick start needs {tool}, which this machine lacks")
    if not (ROOT / ".git").exists():
        pytest.skip(f"{ROOT} is not a git checkout, so there is nothing to clone")
    clone = tmp_path / "clone"
    subprocess.run(["git", "clone", "--quiet", str(ROOT), str(clone)], check=True, capture_output=True, timeout=120)

    built = subprocess.run(
        ["make", f"PYTHON={sys.executable}", ".venv/.installed-serving"],
        cwd=clone,
        check=False,
        capture_output=True,
        text=True,
        timeout=400,
    )
    _skip_without_an_index(built)
    assert built.returncode == 0, built.stdout + built.stderr
    assert not (clone / ".venv" / "bin" / "pytest").exists(), "serving installs no test tools"

    readme = (clone / "README.md").read_text(encoding="utf-8")
    quick_start = readme[readme.index("## Quick start") : readme.index("## Point a client at it")]
    (script,) = re.findall(r"^```sh\n(.*?)^```$", quick_start, flags=re.DOTALL | re.MULTILINE)
    with serving("--data-dir", str(tmp_path / "data"), program=[str(clone / ".venv" / "bin" / "workplace-sandbox")]) as (base, _):
        ran = run_readme_shell(script, base)

    assert ran.returncode == 0, ran.stderr
    booked, _, cancelled, left = ran.stdout.strip().splitlines()
    assert re.fullmatch(r"Kadence booked \S+ for Ben: booking \w{26}", booked), booked
    assert (cancelled, left) == ("cancelled", "0")
