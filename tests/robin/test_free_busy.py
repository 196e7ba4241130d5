"""Robin free/busy search through HTTP: scope, filters, bounds, busy blocks and best-fit order."""

from datetime import datetime
from typing import Any

import pytest

pytestmark = pytest.mark.wire

NEW_YORK = "America/New_York"
HEADQUARTERS_DEFAULT_SPACES = {48, 49, 50, 51, 52, 55, 56, 57, 59}
"""Location 10's reservable, enabled spaces of the default types (kitchen, lobby, fitness, ... left out)."""


def moment(date_time: str, time_zone: str = NEW_YORK) -> dict[str, str]:
    return {"date_time": date_time, "time_zone": time_zone}


def booked(client: Any, space_id: int, start: str, end: str, **fields: Any) -> dict[str, Any]:
    response = client.post(f"/spaces/{space_id}/events", json={"start": moment(start), "end": moment(end), **fields})
    assert response.status_code == 201, response.json()
    return response.json()["data"]


def search(
    client: Any,
    scope: dict[str, Any],
    *,
    start: str = "2027-01-04T15:00:00Z",
    end: str = "2027-01-04T17:00:00Z",
    filters: dict[str, Any] | None = None,
    bounds: dict[str, Any] | None = None,
    per_page: int = 50,
    **view_options: Any,
) -> Any:
    body: dict[str, Any] = {
        "scope": scope,
        "view_options": {"bounds": {"from": start, "to": end, **(bounds or {})}, **view_options},
        "paging_info": {"page": 1, "per_page": per_page},
    }
    if filters is not None:
        body["filters"] = filters
    return client.post("/free-busy/spaces", json=body)


def found(response: Any) -> list[dict[str, Any]]:
    assert response.status_code == 200, response.json()
    return response.json()["data"]


def space_ids(response: Any) -> list[int]:
    return [result["space"]["id"] for result in found(response)]


def busy_of(response: Any, space_id: int) -> list[dict[str, Any]]:
    return next(result["busy"] for result in found(response) if result["space"]["id"] == space_id)


def busy_event_ids(response: Any, space_id: int) -> list[str]:
    return [event["id"] for block in busy_of(response, space_id) for event in block["events"]]


def instant(text: str) -> datetime:
    return datetime.strptime(text, "%Y-%m-%dT%H:%M:%S%z")


def documented_example() -> dict[str, Any]:
    """The documented request, on the demo's space 50 and the day of its seeded pipeline review."""
    return {
        "scope": {"space_ids": [50], "location_ids": [10]},
        "filters": {"amenity_ids": [5], "include_unbookable": False, "min_capacity": 0, "max_capacity": 8},
        "view_options": {
            "bounds": {
                "from": "2026-03-04T15:30:00Z",
                "to": "2026-03-04T17:30:00Z",
                "recurrence": ["RRULE:FREQ=DAILY;INTERVAL=3;"],
                "time_zone": "America/New_York",
            },
            "prioritization_type": "flexible_time",
            "merge_threshold": "PT30M",
            "included_submodels": ["space.space_amenities"],
        },
        "paging_info": {"page": 1, "per_page": 20},
    }


# The documented request


def test_free_busy_answers_the_documented_example(robin):
    seeded = robin.get("/spaces/50/events", params={"after": "2026-03-04T00:00:00Z", "before": "2026-03-05T00:00:00Z"})
    assert seeded.status_code == 200
    (pipeline_review,) = seeded.json()["data"]

    response = robin.post("/free-busy/spaces", json=documented_example())

    assert response.status_code == 200
    document = response.json()
    assert document["meta"]["status"] == "OK"
    assert document["paging"] == {"page": 1, "per_page": 20, "has_next_page": False}
    (result,) = document["data"]
    assert result["has_presence"] is False
    assert result["space"]["id"] == 50
    assert result["space"]["name"] == "Liberty"
    assert "calendar" in result["space"]
    assert {(amenity["amenity_id"], amenity["name"]) for amenity in result["space"]["space_amenities"]} == {
        (5, "Video conferencing"),
        (1, "Whiteboard"),
        (3, "Phone"),
    }
    (block,) = result["busy"]
    assert (block["from"], block["to"]) == ("2026-03-04T16:00:00+0000", "2026-03-04T16:45:00+0000")
    (event,) = block["events"]
    assert event["id"] == pipeline_review["id"]
    assert event["series_id"] is None
    assert event["recurrence_id"] == "20260304T160000Z"
    assert event["uid"] == pipeline_review["uid"]
    assert event["space_id"] == 50
    assert event["start"]["time_zone"] == NEW_YORK
    assert instant(event["start"]["date_time"]) == instant("2026-03-04T16:00:00+0000")
    assert instant(event["end"]["date_time"]) == instant("2026-03-04T16:45:00+0000")
    assert event["started_at"] == event["start"]["date_time"]
    assert event["ended_at"] == event["end"]["date_time"]


def test_free_busy_lists_a_series_instance_with_its_series(robin):
    series = booked(robin, 59, "2027-01-04T15:00:00Z", "2027-01-04T16:00:00Z", recurrence=["RRULE:FREQ=DAILY;COUNT=3"])

    response = search(robin, {"space_ids": [59]}, start="2027-01-05T14:00:00Z", end="2027-01-05T18:00:00Z")

    (block,) = busy_of(response, 59)
    (event,) = block["events"]
    assert event["id"] == f"{series['id']}_20270105T150000Z"
    assert event["series_id"] == series["id"]
    assert event["recurrence_id"] == "20270105T150000Z"
    assert event["start"]["date_time"] == "2027-01-05T10:00:00-0500"


def test_free_busy_requires_authentication(anonymous):
    response = anonymous.post("/free-busy/spaces", json=documented_example())

    assert response.status_code == 401


# Scope


def test_free_busy_requires_location_or_space_ids(robin):
    for scope in ({}, {"location_ids": [], "space_ids": []}):
        response = search(robin, scope)
        assert response.status_code == 400
        assert response.json()["meta"]["status"] == "BAD_REQUEST"
        assert "scope" in [entry.get("field") for entry in response.json()["meta"]["errors"]]


def test_free_busy_requires_a_scope(robin):
    body = documented_example()
    del body["scope"]

    response = robin.post("/free-busy/spaces", json=body)

    assert response.status_code == 400
    assert "scope" in [entry.get("field") for entry in response.json()["meta"]["errors"]]


def test_free_busy_rejects_unknown_space_ids_naming_the_field(robin):
    response = search(robin, {"space_ids": [50, 999_999]})

    assert response.status_code == 400
    assert "scope.space_ids" in [entry.get("field") for entry in response.json()["meta"]["errors"]]


def test_free_busy_scope_of_another_organization_is_forbidden(robin, other_organization):
    response = search(robin, {"location_ids": [other_organization["location"]]})

    assert response.status_code == 403


def test_free_busy_scope_by_level(robin):
    third_floor = search(robin, {"level_ids": [103]})
    second_floor = search(robin, {"level_ids": [102]})

    assert set(space_ids(third_floor)) == {59}
    assert set(space_ids(second_floor)) == {55, 56, 57}


def test_free_busy_scope_joins_locations_and_spaces(robin):
    response = search(robin, {"location_ids": [11], "space_ids": [51]}, per_page=50)

    assert set(space_ids(response)) == {51, 70, 71, 72, 74, 75}


# Filters


def test_free_busy_leaves_out_specialty_types_by_default(robin):
    response = search(robin, {"location_ids": [10]})

    assert set(space_ids(response)) == HEADQUARTERS_DEFAULT_SPACES


def test_free_busy_includes_specialty_types_named_in_filters(robin):
    kitchen = search(robin, {"location_ids": [10]}, filters={"types": ["kitchen"]})
    kitchen_and_calls = search(robin, {"location_ids": [10]}, filters={"types": ["kitchen", "call"]})
    asked_by_space = search(robin, {"space_ids": [54]})

    assert space_ids(kitchen) == [54]
    assert set(space_ids(kitchen_and_calls)) == {51, 52, 54}
    assert space_ids(asked_by_space) == []


def test_free_busy_filters_by_query(robin):
    response = search(robin, {"location_ids": [10]}, filters={"query": "booth"})

    assert set(space_ids(response)) == {51, 52}


def test_free_busy_filters_by_capacity(robin):
    response = search(robin, {"location_ids": [10]}, filters={"min_capacity": 10, "max_capacity": 12})

    assert set(space_ids(response)) == {48, 56}


def test_free_busy_rejects_a_capacity_range_that_is_empty(robin):
    response = search(robin, {"location_ids": [10]}, filters={"min_capacity": 12, "max_capacity": 10})

    assert response.status_code == 400


def test_free_busy_amenity_filter_needs_every_amenity(robin):
    whiteboard_and_video = search(robin, {"location_ids": [10]}, filters={"amenity_ids": [1, 5]})
    phone_and_video = search(robin, {"location_ids": [10]}, filters={"amenity_ids": [3, 5]})

    assert set(space_ids(whiteboard_and_video)) == {48, 50, 55}
    assert set(space_ids(phone_and_video)) == {50}


def test_free_busy_includes_unbookable_spaces_only_when_asked(robin):
    types = ["lobby", "conference"]

    bookable = search(robin, {"location_ids": [10]}, filters={"types": types})
    everything = search(robin, {"location_ids": [10]}, filters={"types": types, "include_unbookable": True})
    by_id = search(robin, {"space_ids": [53, 62]}, filters={"types": types})
    by_id_with_unbookable = search(robin, {"space_ids": [53, 62]}, filters={"types": types, "include_unbookable": True})

    assert set(space_ids(bookable)) == {48, 55}
    assert set(space_ids(everything)) == {48, 53, 55, 62}
    assert space_ids(by_id) == []
    assert set(space_ids(by_id_with_unbookable)) == {53, 62}


def test_free_busy_includes_on_demand_spaces_only_when_asked(robin):
    default = search(robin, {"location_ids": [11]})
    with_on_demand = search(robin, {"location_ids": [11]}, filters={"include_in_demand": True})

    assert 76 not in space_ids(default)
    assert 76 in space_ids(with_on_demand)


# Bounds


def test_free_busy_expands_bounds_recurrence_in_the_time_zone_up_to_15_times(robin):
    fourth_window = booked(robin, 57, "2027-03-10T15:30:00Z", "2027-03-10T16:00:00Z")
    between_windows = booked(robin, 57, "2027-03-11T15:30:00Z", "2027-03-11T16:00:00Z")
    after_daylight_saving = booked(robin, 57, "2027-03-16T14:00:00Z", "2027-03-16T14:45:00Z")
    fifteenth_window = booked(robin, 57, "2027-04-12T14:30:00Z", "2027-04-12T15:00:00Z")
    would_be_sixteenth = booked(robin, 57, "2027-04-15T14:30:00Z", "2027-04-15T15:00:00Z")

    response = search(
        robin,
        {"space_ids": [57]},
        start="2027-03-01T15:00:00Z",
        end="2027-03-01T17:00:00Z",
        bounds={"recurrence": ["RRULE:FREQ=DAILY;INTERVAL=3;"], "time_zone": NEW_YORK},
    )

    busy = busy_event_ids(response, 57)
    assert busy == [fourth_window["id"], after_daylight_saving["id"], fifteenth_window["id"]]
    assert between_windows["id"] not in busy
    assert would_be_sixteenth["id"] not in busy
    assert [(block["from"], block["to"]) for block in busy_of(response, 57)] == [
        ("2027-03-10T15:30:00+0000", "2027-03-10T16:00:00+0000"),
        ("2027-03-16T14:00:00+0000", "2027-03-16T14:45:00+0000"),
        ("2027-04-12T14:30:00+0000", "2027-04-12T15:00:00+0000"),
    ]


def test_free_busy_without_recurrence_searches_one_window(robin):
    booked(robin, 57, "2027-03-04T15:30:00Z", "2027-03-04T16:00:00Z")

    response = search(robin, {"space_ids": [57]}, start="2027-03-01T15:00:00Z", end="2027-03-01T17:00:00Z")

    assert busy_of(response, 57) == []


def test_free_busy_reads_bounds_without_offset_in_the_time_zone(robin):
    morning = booked(robin, 57, "2027-01-04T15:30:00Z", "2027-01-04T16:00:00Z")

    local = search(
        robin,
        {"space_ids": [57]},
        start="2027-01-04T10:00:00",
        end="2027-01-04T12:00:00",
        bounds={"time_zone": NEW_YORK},
    )

    assert busy_event_ids(local, 57) == [morning["id"]]


def test_free_busy_rejects_bounds_that_end_before_they_start(robin):
    response = search(robin, {"space_ids": [57]}, start="2027-01-04T17:00:00Z", end="2027-01-04T15:00:00Z")

    assert response.status_code == 400
    assert "view_options.bounds.to" in [entry.get("field") for entry in response.json()["meta"]["errors"]]


def test_free_busy_rejects_an_unknown_bounds_time_zone(robin):
    response = search(robin, {"space_ids": [57]}, bounds={"time_zone": "Mars/Olympus_Mons"})

    assert response.status_code == 400
    assert "view_options.bounds.time_zone" in [entry.get("field") for entry in response.json()["meta"]["errors"]]


def test_free_busy_rejects_bounds_longer_than_31_days(robin):
    too_long = search(robin, {"space_ids": [57]}, start="2027-01-01T00:00:00Z", end="2027-02-01T00:00:01Z")
    a_month = search(robin, {"space_ids": [57]}, start="2027-01-01T00:00:00Z", end="2027-02-01T00:00:00Z")

    assert too_long.status_code == 400
    assert a_month.status_code == 200


def test_free_busy_rejects_missing_bounds(robin):
    response = robin.post("/free-busy/spaces", json={"scope": {"space_ids": [57]}, "view_options": {}})

    assert response.status_code == 400
    assert response.json()["meta"]["errors"]


# Busy blocks


def test_free_busy_merges_touching_events_into_one_block(robin):
    first = booked(robin, 59, "2027-01-04T15:00:00Z", "2027-01-04T16:00:00Z")
    second = booked(robin, 59, "2027-01-04T16:00:00Z", "2027-01-04T17:00:00Z")
    apart = booked(robin, 59, "2027-01-04T17:30:00Z", "2027-01-04T18:00:00Z")

    response = search(robin, {"space_ids": [59]}, start="2027-01-04T14:00:00Z", end="2027-01-04T19:00:00Z")

    blocks = busy_of(response, 59)
    assert [(block["from"], block["to"]) for block in blocks] == [
        ("2027-01-04T15:00:00+0000", "2027-01-04T17:00:00+0000"),
        ("2027-01-04T17:30:00+0000", "2027-01-04T18:00:00+0000"),
    ]
    assert [[event["id"] for event in block["events"]] for block in blocks] == [
        [first["id"], second["id"]],
        [apart["id"]],
    ]


def test_free_busy_merges_overlapping_events_and_lists_each(robin):
    # The far-future single event lies beyond the series' conflict-checked year, so both stand.
    single = booked(robin, 52, "2027-06-01T14:00:00Z", "2027-06-01T15:00:00Z")
    series = booked(robin, 52, "2026-03-10T14:30:00Z", "2026-03-10T15:30:00Z", recurrence=["RRULE:FREQ=WEEKLY"])

    response = search(robin, {"space_ids": [52]}, start="2027-06-01T13:00:00Z", end="2027-06-01T17:00:00Z")

    (block,) = busy_of(response, 52)
    assert (block["from"], block["to"]) == ("2027-06-01T14:00:00+0000", "2027-06-01T15:30:00+0000")
    assert [event["id"] for event in block["events"]] == [single["id"], f"{series['id']}_20270601T143000Z"]


def test_free_busy_leaves_out_cancelled_events(robin):
    kept = booked(robin, 59, "2027-01-04T15:00:00Z", "2027-01-04T15:30:00Z")
    cancelled = booked(robin, 59, "2027-01-04T16:00:00Z", "2027-01-04T16:30:00Z")
    assert robin.delete(f"/events/{cancelled['id']}").status_code == 200

    response = search(robin, {"space_ids": [59]})

    assert busy_event_ids(response, 59) == [kept["id"]]


# Ordering


def _two_windows(client: Any, **view_options: Any) -> Any:
    return search(
        client,
        {"space_ids": [51, 56, 57]},
        bounds={"recurrence": ["RRULE:FREQ=DAILY;COUNT=2"], "time_zone": NEW_YORK},
        **view_options,
    )


def _book_ranking_fixture(client: Any) -> None:
    # Focus Room (57): briefly busy in both windows. Phone Booth 1A (51): busy the whole first
    # window, free in the second. Queens (56): free throughout.
    booked(client, 57, "2027-01-04T15:00:00Z", "2027-01-04T15:15:00Z")
    booked(client, 57, "2027-01-05T15:00:00Z", "2027-01-05T15:15:00Z")
    booked(client, 51, "2027-01-04T15:00:00Z", "2027-01-04T17:00:00Z")


def test_free_busy_specific_time_puts_spaces_busy_in_fewer_windows_first(robin):
    _book_ranking_fixture(robin)

    response = _two_windows(robin, prioritization_type="specific_time")

    assert space_ids(response) == [56, 51, 57]


def test_free_busy_flexible_time_puts_spaces_with_room_in_every_window_first(robin):
    _book_ranking_fixture(robin)

    flexible = _two_windows(robin, prioritization_type="flexible_time", merge_threshold="PT30M")
    default = _two_windows(robin)

    assert space_ids(flexible) == [56, 57, 51]
    assert space_ids(default) == [56, 57, 51]


def test_free_busy_flexible_time_needs_a_gap_of_merge_threshold(robin):
    _book_ranking_fixture(robin)

    response = _two_windows(robin, prioritization_type="flexible_time", merge_threshold="PT2H")

    assert space_ids(response) == [56, 51, 57]


def test_free_busy_orders_spaces_free_alike_by_name(robin):
    response = search(robin, {"location_ids": [10]}, start="2027-01-04T15:00:00Z", end="2027-01-04T17:00:00Z")

    names = [result["space"]["name"] for result in found(response)]
    assert names == sorted(names, key=str.lower)
    assert names[0] == "Brooklyn"


def test_free_busy_rejects_unknown_prioritization(robin):
    response = search(robin, {"space_ids": [57]}, prioritization_type="random")

    assert response.status_code == 400
    assert "view_options.prioritization_type" in [entry.get("field") for entry in response.json()["meta"]["errors"]]


def test_free_busy_rejects_a_merge_threshold_that_is_not_a_duration(robin):
    response = search(robin, {"space_ids": [57]}, merge_threshold="half an hour")

    assert response.status_code == 400
    assert "view_options.merge_threshold" in [entry.get("field") for entry in response.json()["meta"]["errors"]]


# Paging and submodels


def test_free_busy_pages_results(robin):
    body = {
        "scope": {"location_ids": [10]},
        "view_options": {"bounds": {"from": "2027-01-04T15:00:00Z", "to": "2027-01-04T17:00:00Z"}},
    }
    pages = [robin.post("/free-busy/spaces", json={**body, "paging_info": {"page": page, "per_page": 4}}) for page in (1, 2, 3)]

    assert [response.status_code for response in pages] == [200, 200, 200]
    assert [response.json()["paging"] for response in pages] == [
        {"page": 1, "per_page": 4, "has_next_page": True},
        {"page": 2, "per_page": 4, "has_next_page": True},
        {"page": 3, "per_page": 4, "has_next_page": False},
    ]
    seen = [result["space"]["id"] for response in pages for result in response.json()["data"]]
    assert [len(response.json()["data"]) for response in pages] == [4, 4, 1]
    assert len(seen) == len(set(seen))
    assert set(seen) == HEADQUARTERS_DEFAULT_SPACES
    assert seen[:4] == [55, 49, 59, 57]


def test_free_busy_defaults_to_ten_per_page(robin):
    response = robin.post(
        "/free-busy/spaces",
        json={
            "scope": {"location_ids": [10, 11]},
            "view_options": {"bounds": {"from": "2027-01-04T15:00:00Z", "to": "2027-01-04T17:00:00Z"}},
        },
    )

    assert response.status_code == 200
    assert len(response.json()["data"]) == 10
    assert response.json()["paging"] == {"page": 1, "per_page": 10, "has_next_page": True}


def test_free_busy_includes_space_amenities_only_when_asked(robin):
    plain = search(robin, {"space_ids": [48]})
    with_amenities = search(robin, {"space_ids": [48]}, included_submodels=["space.space_amenities"])

    assert "space_amenities" not in found(plain)[0]["space"]
    assert "calendar" in found(plain)[0]["space"]
    assert {amenity["name"] for amenity in found(with_amenities)[0]["space"]["space_amenities"]} == {
        "TV display",
        "Video conferencing",
        "Whiteboard",
    }
    assert all(amenity["space_id"] == 48 for amenity in found(with_amenities)[0]["space"]["space_amenities"])


def test_free_busy_includes_the_space_location_and_state_when_asked(robin):
    assert robin.post("/spaces/49/presence", json={"user_id": 2}).status_code == 201

    plain = search(robin, {"space_ids": [48, 49]})
    included = search(robin, {"space_ids": [48, 49]}, included_submodels=["space.location", "space.state", "space.colour"])

    assert all("location" not in result["space"] and "state" not in result["space"] for result in found(plain))
    spaces = {result["space"]["id"]: result["space"] for result in found(included)}
    location = robin.get("/locations/10").json()["data"]
    assert spaces[48]["location"] == spaces[49]["location"] == location
    assert spaces[48]["state"] == robin.get("/spaces/48/state").json()["data"]
    assert (spaces[49]["state"]["availability"], spaces[49]["state"]["present"]) == ("in_use", 1)
    assert all("colour" not in space for space in spaces.values())


# The deprecated GET


def test_legacy_free_busy_still_answers(robin):
    response = robin.get(
        "/free-busy/spaces",
        params={
            "location_ids": "10",
            "after": "2026-03-04T15:00:00Z",
            "before": "2026-03-04T18:00:00Z",
            "min_capacity": 8,
        },
    )

    assert response.status_code == 200
    results = {result["space"]["id"]: result for result in response.json()["data"]}
    assert set(results) == {48, 50, 55, 56}
    assert [(block["from"], block["to"]) for block in results[50]["busy"]] == [
        ("2026-03-04T16:00:00+0000", "2026-03-04T16:45:00+0000"),
    ]
    assert results[48]["busy"] == []
    assert "paging" in response.json()


@pytest.mark.parametrize("location_ids", ["location_ids[]=10", "location_ids[0]=10", "location_ids%5B%5D=10"])
def test_legacy_free_busy_reads_php_style_lists(robin, location_ids):
    window = "after=2026-03-04T15:00:00Z&before=2026-03-04T18:00:00Z&min_capacity=8"
    plain = robin.get(f"/free-busy/spaces?location_ids=10&{window}")

    response = robin.get(f"/free-busy/spaces?{location_ids}&{window}")

    assert response.status_code == 200, response.text
    assert response.json()["data"] == plain.json()["data"]


def test_legacy_free_busy_reads_empty_parameters_as_absent(robin):
    """A .NET client sends every parameter it has, `key=` for those it has no value for."""
    window = "after=2026-03-04T15:00:00Z&before=2026-03-04T18:00:00Z"
    plain = robin.get(f"/free-busy/spaces?location_ids=10&{window}&duration=30")

    response = robin.get(
        f"/free-busy/spaces?location_ids=10&space_ids=&{window}&duration=30&types=&amenity_ids=&query="
        "&min_capacity=&max_capacity=&page=1&per_page=10"
    )

    assert response.status_code == 200, response.text
    assert response.json()["data"] == plain.json()["data"]


def test_legacy_free_busy_requires_after(robin):
    response = robin.get("/free-busy/spaces", params={"location_ids": "10", "before": "2026-03-04T18:00:00Z"})

    assert response.status_code == 400
    assert "after" in [entry.get("field") for entry in response.json()["meta"]["errors"]]
