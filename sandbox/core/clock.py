"""Every "now" in the core comes from here.

Each organization has its own clock, kept in the store so that every worker process reads
the same time: real time, real time shifted by an offset, or frozen at an instant. The wall
source itself is injectable, so tests can pin real time too.
"""

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from sandbox.store.models import Organization


def system_time() -> datetime:
    return datetime.now(UTC)


class Clock:
    def __init__(self, wall: Callable[[], datetime] = system_time) -> None:
        self._wall = wall

    def wall(self) -> datetime:
        """Real time (as injected): for infrastructure such as job leases, not for the domain."""
        return self._wall()

    def now(self, organization: Organization) -> datetime:
        if organization.clock_frozen_at is not None:
            return organization.clock_frozen_at
        return self._wall() + timedelta(microseconds=organization.clock_offset_us)
