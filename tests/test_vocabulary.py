"""The core speaks the domain's words, not a vendor's: no field name, status, message or reason
code of either API's wire may appear under `sandbox/core/`. Each dialect maps the core's domain
values and typed errors to its own wire.

The words are still in the core in the places listed in STILL_THERE, which only shrinks. A vendor
word written anywhere else in the core fails this test. So does a listed place that now holds
fewer of its word than listed: lower its count, or drop the entry once it reaches none."""

from collections import Counter
from pathlib import Path

import sandbox.core

CORE = Path(sandbox.core.__file__).parent

VENDOR_WORDS = (
    # Kadence: camelCase fields and statuses, JSON-LD and Hydra, Symfony's validation messages.
    "startDateTime",
    "endDateTime",
    "spaceId",
    "buildingId",
    "userId",
    "floorId",
    "neighborhoodId",
    "publicApi",
    "autoSpaceRelease",
    "doorAccess",
    "byUser",
    "checkedIn",
    "checkedOut",
    "noCheckIn",
    "guestBooking",
    "hasGuests",
    "buildingClosure",
    "hydra",
    "@id",
    "@type",
    "This value should",
    "ConstraintViolation",
    "cancellationReason",
    "autoReleasedDate",
    "unavailabilityReason",
    "noCapacity",
    "openingHours",
    "bookingHorizon",
    "firstName",
    "locationTimezone",
    "visitStatus",
    # Robin: its not-found message, reason codes, messages, envelope and export column titles.
    "Object does not exist",
    "seat_booking_policy_violation",
    "seat_reservation_conflict",
    "reservee_already_seated",
    "event_conflict",
    "event_already_confirmed",
    "too_late_to_confirm_event",
    "space_disabled",
    "Cannot confirm desk",
    "Access-Token",
    "more_info",
    "Creator Robin ID",
    # Robin's occurrence ids (`96347456_20190521T143000Z`, `robin/ids.py`): the core names an
    # occurrence by its `OccurrenceKey`. Guarded by the pattern that reads the instance's stamp, the
    # names that wrote it, and Robin's field for the stamp alone, not by the strftime pattern
    # `%Y%m%dT%H%M%SZ`: RFC 5545 writes a rule's UNTIL with that same pattern
    # (`recurrence.py`, `assignments.py`), and the core rightly does.
    "[0-9]{8}T[0-9]{6}Z",
    "instance_key",
    "occurrence_id",
    "slot_id",
    "recurrence_id",
)

STILL_THERE: dict[tuple[str, str], int] = {}
"""(module under sandbox/core, word): how many times the word is still there."""


def vendor_words_in_core(core: Path = CORE) -> Counter[tuple[str, str]]:
    """How many times each vendor word is written in each module of the core, comments included."""
    found: Counter[tuple[str, str]] = Counter()
    for path in sorted(core.rglob("*.py")):
        text = path.read_text(encoding="utf-8")
        for word in VENDOR_WORDS:
            if count := text.count(word):
                found[(path.relative_to(core).as_posix(), word)] = count
    return found


def test_no_vendor_word_enters_the_core():
    found = vendor_words_in_core()
    grown = {place: count for place, count in found.items() if count > STILL_THERE.get(place, 0)}
    assert grown == {}, "vendor words the core must not hold (map them in the dialect instead)"


def test_the_words_still_in_the_core_are_counted_as_they_leave():
    found = vendor_words_in_core()
    shrunk = {place: (listed, found[place]) for place, listed in STILL_THERE.items() if found[place] < listed}
    assert shrunk == {}, "(listed, now): lower STILL_THERE to what is left"


def test_the_guard_sees_a_vendor_word_wherever_it_is_written(tmp_path: Path):
    (tmp_path / "policies").mkdir()
    (tmp_path / "policies" / "rule.py").write_text(
        'REFUSAL = "event_conflict"  # as Robin names it\nFIELDS = ("startDateTime", "start")\n', encoding="utf-8"
    )

    assert vendor_words_in_core(tmp_path) == Counter(
        {("policies/rule.py", "event_conflict"): 1, ("policies/rule.py", "startDateTime"): 1}
    )
