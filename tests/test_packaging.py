"""What a pip install of the package carries: the fixture guide and the fixtures its help names,
at paths that exist where it is installed, and a `workplace-sandbox` command that serves from a
fresh virtual environment, as `pipx run` or `uvx` would run the built wheel."""

import json
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import httpx2 as httpx
import pytest

from sandbox.__main__ import main
from sandbox.settings import DEMO_FIXTURE, EXAMPLE_FIXTURE, FIXTURE_GUIDE
from tests.test_serve import ADMIN, serving

# The default store of a fresh install: a SQLite file in the data directory.
pytestmark = pytest.mark.backend("sqlite")

ROOT = Path(__file__).resolve().parent.parent
SHIPPED = {
    "sandbox/seeding/README.md": FIXTURE_GUIDE,
    "sandbox/seeding/example-office.json": EXAMPLE_FIXTURE,
    "sandbox/seeding/demo.json": DEMO_FIXTURE,
}
NETWORK_ERRORS = (
    "NewConnectionError",
    "ConnectTimeoutError",
    "Failed to establish a new connection",
    "Temporary failure in name resolution",
    "Name or service not known",
    "Network is unreachable",
    "ProxyError",
    "(from versions: none)",
)
"""What pip reports when it can't reach a package index: the connection's error where it retries,
and then, or alone, no version of a package at all, which an index it reached would have."""


def _named_paths(help_text: str) -> dict[str, Path]:
    """The fixture files a command's help names, by what they are."""
    named = re.findall(r"^  (the format|an example|the demo):\s+(\S.*)$", help_text, flags=re.MULTILINE)
    return {what: Path(path) for what, path in named}


def _help(capsys: pytest.CaptureFixture[str], command: str) -> str:
    with pytest.raises(SystemExit) as exited:
        main([command, "--help"])
    assert exited.value.code == 0
    return capsys.readouterr().out


@pytest.mark.parametrize("command", ["serve", "seed", "example-fixture"])
def test_help_names_the_fixture_guide_and_the_fixtures_where_they_are(capsys: pytest.CaptureFixture[str], command: str) -> None:
    named = _named_paths(_help(capsys, command))

    assert named == {"the format": FIXTURE_GUIDE, "an example": EXAMPLE_FIXTURE, "the demo": DEMO_FIXTURE}
    assert all(path.is_absolute() and path.is_file() for path in named.values())
    assert named["the format"].read_text(encoding="utf-8").startswith("# Fixtures")


def test_example_fixture_writes_the_example_office_that_seeds_a_store(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    assert main(["example-fixture"]) == 0
    written = capsys.readouterr().out
    mine = tmp_path / "my.json"
    mine.write_text(written, encoding="utf-8")

    assert main(["seed", "--fixture", str(mine), "--data-dir", str(tmp_path), "--no-progress"]) == 0

    assert json.loads(written) == json.loads(EXAMPLE_FIXTURE.read_text(encoding="utf-8"))
    assert capsys.readouterr().out.startswith("seeded my.json into ")


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The wheel `pip wheel` builds from a copy of the checkout (building leaves `build/` and an
    egg-info directory beside the sources, which the checkout is spared)."""
    source = tmp_path_factory.mktemp("source")
    for name in ("pyproject.toml", "README.md"):
        shutil.copy2(ROOT / name, source / name)
    shutil.copytree(ROOT / "sandbox", source / "sandbox", ignore=shutil.ignore_patterns("__pycache__", "*.py[co]"))
    out = tmp_path_factory.mktemp("wheels")
    built = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--wheel-dir", str(out), str(source)],
        check=False,
        capture_output=True,
        text=True,
        timeout=120,
    )
    _skip_without_an_index(built)
    assert built.returncode == 0, built.stdout + built.stderr
    (found,) = out.glob("workplace_sandbox-*.whl")
    return found


def _skip_without_an_index(finished: subprocess.CompletedProcess[str]) -> None:
    """Building in isolation and installing fetch from the package index (or pip's cache): a
    machine that reaches neither can't run the test, which says so rather than fail."""
    said = finished.stdout + finished.stderr
    if finished.returncode != 0 and any(error in said for error in NETWORK_ERRORS):
        reported = next(line.strip() for line in said.splitlines() if any(error in line for error in NETWORK_ERRORS))
        pytest.skip(f"pip can't reach a package index (pip: {reported})")


@pytest.mark.slow(seconds=10)
def test_the_wheel_carries_the_fixture_guide_and_the_fixtures(wheel: Path) -> None:
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
        missing = [name for name in SHIPPED if name not in names]
        assert missing == []
        assert all(archive.read(name) == path.read_bytes() for name, path in SHIPPED.items())


@pytest.mark.slow(seconds=50)
def test_the_wheel_installed_in_a_fresh_environment_serves(wheel: Path, tmp_path: Path) -> None:
    environment = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(environment)], check=True, capture_output=True, timeout=60)
    installed = subprocess.run(
        [environment / "bin" / "python", "-m", "pip", "install", "--retries", "1", "-c", ROOT / "constraints.txt", wheel],
        check=False,
        capture_output=True,
        text=True,
        timeout=240,
        cwd=tmp_path,
    )
    _skip_without_an_index(installed)
    assert installed.returncode == 0, installed.stdout + installed.stderr
    command = environment / "bin" / "workplace-sandbox"

    helped = subprocess.run([command, "serve", "--help"], check=True, capture_output=True, text=True, timeout=60, cwd=tmp_path)
    named = _named_paths(helped.stdout)
    assert set(named) == {"the format", "an example", "the demo"}
    assert all(path.is_file() and path.is_relative_to(environment.resolve()) for path in named.values())

    with serving("--data-dir", str(tmp_path / "data"), program=[str(command)]) as (base, _):
        health = httpx.get(f"{base}/_sandbox/health", timeout=10)
        me = httpx.get(f"{base}/v1.0/me", headers=ADMIN, timeout=10)

    assert health.status_code == 200
    assert me.status_code == 200
    assert me.json()["data"]["primary_email"]["email"] == "ada.okafor@meridian.example"
