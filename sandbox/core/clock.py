"""Every "now" in the core comes from here.

Each organization has its own clock, kept in the store so that every worker process reads
the same time: real time, real time shifted by an offset, or frozen at an instant. The wall
source itself is injectable, so tests can pin real time too.
"""

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from sandbox.core.errors import InvalidInput
from sandbox.core.times import LAST_YEAR
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

    def wall_at(self, organization: Organization, at: datetime) -> datetime | None:
        """The real time at which the organization's clock, as set now, will show `at`; None
        while it is frozen (it never will, unless it is changed)."""
        if organization.clock_frozen_at is not None:
            return None
        return at - timedelta(microseconds=organization.clock_offset_us)


Change = Callable[["Clock", Organization], None]
"""A change to an organization's clock setting, as the control plane makes it."""


EARLIEST = datetime(1970, 1, 1, tzinfo=UTC)
LATEST = datetime(LAST_YEAR, 1, 1, tzinfo=UTC)
"""An organization's clock stays between these (see times.LAST_YEAR)."""


def freeze(clock: Clock, organization: Organization, at: datetime | None = None) -> None:
    """Stop the organization's time at `at`, or where it is now."""
    organization.clock_frozen_at = within(at if at is not None else clock.now(organization), "at")


def set_to(clock: Clock, organization: Organization, at: datetime) -> None:
    """Jump to `at`: a frozen clock stays frozen there, a running one runs on from it."""
    within(at, "at")
    if organization.clock_frozen_at is not None:
        organization.clock_frozen_at = at
    else:
        organization.clock_offset_us = _microseconds(at - clock.wall())


def advance(clock: Clock, organization: Organization, by: timedelta) -> None:
    try:
        within(clock.now(organization) + by, "by")
    except OverflowError:
        within(LATEST, "by")
    if organization.clock_frozen_at is not None:
        organization.clock_frozen_at += by
    else:
        organization.clock_offset_us += _microseconds(by)


def resume(organization: Organization) -> None:
    """Back to real time."""
    organization.clock_frozen_at = None
    organization.clock_offset_us = 0


def within(at: datetime, field: str) -> datetime:
    """`at`, or a refusal naming `field` if it is outside the range a clock may show."""
    if not EARLIEST <= at < LATEST:
        raise InvalidInput.of(field, f"would put the clock at {at:%Y-%m-%d}: it must stay from {EARLIEST:%Y} to {LATEST:%Y}")
    return at


def _microseconds(delta: timedelta) -> int:
    return (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds
