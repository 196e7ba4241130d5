"""`workplace-sandbox seed`, and `serve --preset --seed`, as a user runs them."""

import fcntl
import json
import os
import pty
import struct
import subprocess
import sys
import termios
from pathlib import Path

import httpx2 as httpx
import pytest
from sqlmodel import col, select

from sandbox.__main__ import main
from sandbox.control import snapshots
from sandbox.seeding import SEEDED_KEY
from sandbox.settings import FIXTURES_DIR, Settings
from sandbox.store.engine import Store
from sandbox.store.models import User
from tests.test_serve import ADMIN, _free_port, serving

# The default store: a SQLite file in the data directory.
pytestmark = [pytest.mark.backend("sqlite"), pytest.mark.slow]

BAD_FIXTURE = {
    "format": "workplace-sandbox-fixture/1",
    "created_at": "2025-01-06T09:00:00Z",
    "organizations": [
        {
            "slug": "acme",
            "name": "Acme",
            "buildings": [{"name": "HQ", "time_zone": "Mars/Olympus"}],
        }
    ],
}


def stored(data_dir: Path) -> Store:
    return Store(Settings(data_dir=data_dir).store_url())


def emails(store: Store) -> list[str]:
    with store.session() as session:
        return list(session.exec(select(User.email).order_by(col(User.id))))


def test_seed_replaces_the_store_with_the_preset_and_says_what_it_stored(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["seed", "--preset", "demo", "--data-dir", str(tmp_path), "--no-progress"]) == 0

    code = main(["seed", "--preset", "small", "--seed", "3", "--data-dir", str(tmp_path), "--no-progress"])

    out = capsys.readouterr().out
    store = stored(tmp_path)
    assert code == 0
    assert store.meta(SEEDED_KEY) == "small preset, seed 3"
    assert len(emails(store)) == 50
    assert not any(email.endswith("@meridian.example") for email in emails(store))
    assert [snapshot.name for snapshot in snapshots.listed(store)] == [snapshots.SEED]
    last = out.strip().splitlines()[-1]
    assert last.startswith("seeded small preset, seed 3 into sqlite:///")
    assert "1 organization, 2 buildings, 4 floors" in last
    assert "60 desks, 50 users" in last
    assert last.endswith(" s")
    store.dispose()


def test_the_same_seed_from_the_command_line_stores_the_same_workplace(tmp_path: Path) -> None:
    first, second = tmp_path / "first", tmp_path / "second"
    for directory in (first, second):
        assert main(["seed", "--preset", "small", "--seed", "9", "--data-dir", str(directory), "--no-progress"]) == 0

    assert emails(stored(first)) == emails(stored(second))


def test_a_bad_fixture_exits_2_naming_the_entry_and_field_and_keeps_the_store(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(BAD_FIXTURE), encoding="utf-8")
    data = tmp_path / "data"
    assert main(["seed", "--preset", "small", "--data-dir", str(data), "--no-progress"]) == 0
    capsys.readouterr()

    code = main(["seed", "--fixture", str(bad), "--data-dir", str(data), "--no-progress"])

    err = capsys.readouterr().err
    assert code == 2
    assert err.startswith(f"workplace-sandbox: {bad}: 1 problem(s)")
    assert "organizations[0] ('Acme').buildings[0] ('HQ').time_zone: 'Mars/Olympus' is not a valid IANA time zone" in err
    assert stored(data).meta(SEEDED_KEY) == "small preset, seed 0"


def test_a_fixture_giving_an_id_twice_exits_2_naming_it_without_a_traceback(tmp_path: Path) -> None:
    twice = json.loads((FIXTURES_DIR / "example-office.json").read_text(encoding="utf-8"))
    users = twice["organizations"][0]["users"]
    users[0]["id"] = users[1]["id"] = 7
    fixture = tmp_path / "twice.json"
    fixture.write_text(json.dumps(twice), encoding="utf-8")

    finished = subprocess.run(
        [sys.executable, "-m", "sandbox", "seed", "--fixture", str(fixture), "--data-dir", str(tmp_path / "data")],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )

    assert finished.returncode == 2
    assert finished.stderr.splitlines()[:2] == [
        f"workplace-sandbox: {fixture}: 1 problem(s)",
        (
            f"  organizations[0] ('Northwind Studio').users[1] ('{users[1]['name']}').id: 7 is already the id of user "
            f"organizations[0] ('Northwind Studio').users[0] ('{users[0]['name']}'): an id names one user only, "
            "give another or leave it out (the store then gives one)"
        ),
    ]
    assert "Traceback" not in finished.stderr


def run_on_a_terminal(arguments: list[str], rows: int, columns: int) -> tuple[int, str, str]:
    """Run the CLI with stderr on a pseudo-terminal of that size: (exit code, stdout, terminal)."""
    controller, terminal = pty.openpty()
    fcntl.ioctl(terminal, termios.TIOCSWINSZ, struct.pack("HHHH", rows, columns, 0, 0))
    process = subprocess.Popen(
        [sys.executable, "-m", "sandbox", *arguments],
        stdout=subprocess.PIPE,
        stderr=terminal,
        text=True,
    )
    os.close(terminal)
    shown = b""
    while True:
        try:
            chunk = os.read(controller, 4096)
        except OSError:
            break
        if not chunk:
            break
        shown += chunk
    os.close(controller)
    out, _ = process.communicate(timeout=60)
    return process.returncode, out, shown.decode(errors="replace")


@pytest.mark.parametrize(("rows", "columns"), [(40, 120), (0, 0)], ids=["sized terminal", "terminal without a size"])
def test_seed_shows_a_progress_bar_on_a_terminal(tmp_path: Path, rows: int, columns: int) -> None:
    code, out, shown = run_on_a_terminal(["seed", "--preset", "small", "--data-dir", str(tmp_path)], rows, columns)

    assert code == 0
    assert "seeding small:" in shown
    assert "100%|" in shown
    assert "entries/s" in shown
    assert out.startswith("seeded small preset, seed 0")


def test_no_progress_silences_the_bar(tmp_path: Path) -> None:
    code, out, shown = run_on_a_terminal(["seed", "--preset", "small", "--data-dir", str(tmp_path), "--no-progress"], 40, 120)

    assert code == 0
    assert "%|" not in shown
    assert "seeding" not in shown
    assert out.startswith("seeded small preset, seed 0")


def test_no_bar_when_stderr_is_not_a_terminal(tmp_path: Path) -> None:
    finished = subprocess.run(
        [sys.executable, "-m", "sandbox", "seed", "--preset", "small", "--data-dir", str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )

    assert finished.returncode == 0
    assert finished.stderr == ""


def test_serve_seeds_a_new_store_with_the_preset_and_seed_it_is_given(tmp_path: Path) -> None:
    with serving("--data-dir", str(tmp_path), "--preset", "small", "--seed", "3") as (base, _):
        ready = httpx.get(f"{base}/_sandbox/ready")
        me = httpx.get(f"{base}/v1.0/me", headers=ADMIN)

    assert ready.json()["seeded"] == "small preset, seed 3"
    assert me.status_code == 200
    assert me.json()["data"]["primary_email"]["email"] == emails(stored(tmp_path))[0]


def test_serve_refuses_a_store_seeded_from_another_preset_saying_how_to_reseed(tmp_path: Path) -> None:
    assert main(["seed", "--preset", "small", "--data-dir", str(tmp_path), "--no-progress"]) == 0

    refused = subprocess.run(
        [sys.executable, "-m", "sandbox", "serve", "--data-dir", str(tmp_path), "--port", str(_free_port())],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        env={**os.environ, "SANDBOX_PRESET": "demo"},
    )

    assert refused.returncode == 2, refused.stderr
    assert refused.stdout == ""
    assert refused.stderr.startswith(
        f"workplace-sandbox: the store at {Settings(data_dir=tmp_path).store_url()} was seeded from preset small, seed 0, "
        "not from the preset demo asked for. "
    )
    assert "`serve --reseed`" in refused.stderr
    assert stored(tmp_path).meta(SEEDED_KEY) == "small preset, seed 0"


def test_serve_reseed_replaces_what_the_store_holds_with_what_is_asked(tmp_path: Path) -> None:
    assert main(["seed", "--preset", "small", "--data-dir", str(tmp_path), "--no-progress"]) == 0

    with serving("--data-dir", str(tmp_path), "--preset", "demo", "--reseed") as (base, _):
        ready = httpx.get(f"{base}/_sandbox/ready")
        me = httpx.get(f"{base}/v1.0/me", headers=ADMIN)

    assert ready.json()["seeded"] == "demo.json"
    assert me.json()["data"]["primary_email"]["email"] == "ada.okafor@meridian.example"
    assert [snapshot.name for snapshot in snapshots.listed(stored(tmp_path))] == [snapshots.SEED]


def test_serve_serves_what_the_store_holds_unless_told_what_to_seed_and_the_same_fixture_again(tmp_path: Path) -> None:
    example = FIXTURES_DIR / "example-office.json"
    assert main(["seed", "--fixture", str(example), "--data-dir", str(tmp_path), "--no-progress"]) == 0

    with serving("--data-dir", str(tmp_path)) as (base, _):
        unasked = httpx.get(f"{base}/_sandbox/ready").json()["seeded"]
    with serving("--data-dir", str(tmp_path), "--fixture", str(example)) as (base, _):
        asked_again = httpx.get(f"{base}/_sandbox/ready").json()["seeded"]

    assert unasked == asked_again == "example-office.json"
