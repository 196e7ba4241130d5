"""Fixtures of the core's tests."""

from typing import Any

import pytest
from dateutil import rrule


@pytest.fixture
def stepped_days(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """How many days dateutil steps through (the periods of a daily rule), counted as it goes:
    the work a series costs, whatever else the machine is doing."""
    stepped = [0]
    day_set = rrule._iterinfo.ddayset

    def counted(self: Any, *day: int) -> Any:
        stepped[0] += 1
        return day_set(self, *day)

    monkeypatch.setattr(rrule._iterinfo, "ddayset", counted)
    return stepped
