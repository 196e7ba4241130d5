"""Robin's occurrence ids: what each names, and the text that names nothing."""

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from sandbox.core.errors import NotFound
from sandbox.core.ids import MAX_ROW_ID
from sandbox.core.keys import OccurrenceKey
from sandbox.robin import ids

INSTANT = datetime(2019, 5, 21, 14, 30, tzinfo=UTC)
NEW_YORK = ZoneInfo("America/New_York")


def test_a_reservation_is_named_by_its_row_id() -> None:
    assert ids.occurrence_id(96347456, None) == "96347456"
    assert ids.occurrence_key("96347456") == OccurrenceKey(reservation_id=96347456)


def test_an_instance_adds_its_original_start_in_utc() -> None:
    in_new_york = INSTANT.astimezone(NEW_YORK)

    assert ids.occurrence_id(96347456, in_new_york) == "96347456_20190521T143000Z"
    assert ids.occurrence_key("96347456_20190521T143000Z") == OccurrenceKey(reservation_id=96347456, original_start=INSTANT)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "abc",
        "12_",
        "12_20190521T1430Z",
        "12_20190521t143000z",
        "12_20191321T143000Z",
        "12_20190230T143000Z",
        "12_18991231T235959Z",
        "12_99991231T235959Z",
        "١٢",
        f"{MAX_ROW_ID + 1}",
        f"{MAX_ROW_ID + 1}_20190521T143000Z",
        " 12",
        "12\n",
        "12_20190521T143000Z\n",
    ],
)
def test_text_that_names_no_occurrence_is_not_found(text: str) -> None:
    with pytest.raises(NotFound, match="no such occurrence"):
        ids.occurrence_key(text)


def test_the_largest_row_id_is_read() -> None:
    assert ids.occurrence_key(str(MAX_ROW_ID)).reservation_id == MAX_ROW_ID
