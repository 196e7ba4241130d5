"""What a start costs: what it loads, and the garbage collector it leaves behind."""

import gc
import subprocess
import sys
from pathlib import Path

import pytest

from sandbox.__main__ import _collector_paused

# The default store: a SQLite file in the data directory.
pytestmark = [pytest.mark.backend("sqlite"), pytest.mark.slow]


def test_seeding_the_demo_into_a_new_store_loads_no_generator(tmp_path: Path) -> None:
    script = (
        "import sys\n"
        "from sandbox.core.clock import Clock\n"
        "from sandbox.settings import Settings\n"
        "from sandbox.startup import open_store\n"
        f"open_store(Settings(data_dir={str(tmp_path)!r}, preset='demo'), Clock()).dispose()\n"
        "print([name for name in ('faker', 'sandbox.seeding.generator') if name in sys.modules])\n"
    )

    run = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=False)

    assert run.returncode == 0, run.stderr
    assert run.stdout.strip() == "[]"


def _import_a_missing_module_with_the_collector_paused() -> None:
    with _collector_paused():
        assert not gc.isenabled()
        import sandbox.no_such_module  # noqa: F401 - imported only to fail


def test_the_collector_is_back_on_after_the_imports_even_when_one_fails() -> None:
    try:
        with pytest.raises(ImportError):
            _import_a_missing_module_with_the_collector_paused()
        assert gc.isenabled()
        assert gc.get_freeze_count() > 0
    finally:
        gc.unfreeze()
