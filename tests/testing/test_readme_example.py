"""The example test of the README, kept as readme_example.py: it passes as written, and the
README shows it unchanged."""

import re
from pathlib import Path

import pytest

from tests.testing.project import configure_project

# The plugin's own temporary store: SQLite.
pytestmark = [pytest.mark.backend("sqlite"), pytest.mark.slow]

EXAMPLE = Path(__file__).with_name("readme_example.py")
README = Path(__file__).resolve().parents[2] / "README.md"


def test_the_readme_shows_the_example_unchanged() -> None:
    example = EXAMPLE.read_text(encoding="utf-8")
    shown = re.findall(r"^```python\n(.*?)^```$", README.read_text(encoding="utf-8"), flags=re.DOTALL | re.MULTILINE)

    if example not in shown:
        pytest.fail(
            "README.md must show tests/testing/readme_example.py byte for byte, as a ```python block in its "
            "'Testing with pytest' section: paste the file in (or, after changing the example, paste it again)",
            pytrace=False,
        )


def test_the_readme_example_passes_as_written(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> None:
    configure_project(pytester, monkeypatch)
    pytester.makepyfile(test_example=EXAMPLE.read_text(encoding="utf-8"))

    result = pytester.runpytest_subprocess()

    result.assert_outcomes(passed=4)
