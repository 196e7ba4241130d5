"""The generated presets: how big a workplace to generate, and over how many days of bookings.

`demo` is not here: it is the hand-written demo.json. A preset scales by one factor (people,
rooms, desks, floors and bookings alike, never below one of each per building), which lets
tests run the large preset's code path at a fraction of its size.
"""

from dataclasses import dataclass, replace


@dataclass(frozen=True)
class Preset:
    name: str
    buildings: int
    floors: int
    """Across all buildings, shared out evenly."""
    users: int
    rooms: int
    """Bookable spaces other than desks: meeting and conference rooms, phone pods, offices."""
    desks: int
    bookings: int
    """Bookings to aim for: each occurrence of a recurring meeting counts as one."""
    days: int
    """Bookings fall within this many days either side of today."""

    def scaled(self, factor: float) -> "Preset":
        """The same shape at `factor` of its size: what tests run instead of the full preset."""

        def part(count: int, least: int) -> int:
            return max(least, round(count * factor))

        return replace(
            self,
            floors=part(self.floors, self.buildings),
            users=part(self.users, 4 * self.buildings),
            rooms=part(self.rooms, self.buildings),
            desks=part(self.desks, self.buildings),
            bookings=part(self.bookings, 1),
        )


SMALL = Preset("small", buildings=2, floors=4, users=50, rooms=20, desks=60, bookings=400, days=14)
LARGE = Preset("large", buildings=5, floors=50, users=10_000, rooms=2_000, desks=5_000, bookings=200_000, days=90)
PRESETS = {preset.name: preset for preset in (SMALL, LARGE)}
