"""Hostile input against every route: how many answers are 5xx, or no answer at all.

Starts `workplace-sandbox serve` on the demo workplace (a SQLite file, or a schema of its own on
PostgreSQL) and drives every operation of openapi/robin.json, kadence.json and sandbox.json with
hostile values in each path parameter, each query parameter and each string of a valid JSON body
(a lone surrogate, non-ASCII digits, years 1 and 9999, ids past any column, crafted Kadence
instance ids), and with a body nested 50,000 deep. Every request goes over one keep-alive
connection, so a 500 that closes it shows as the next request's failure too.

    .venv/bin/python bench/hostile_fuzz.py [--backend sqlite|postgresql] [--verbose]

Prints the requests sent, the 5xx answers and the transport failures, each 5xx with the
request that drew it (--verbose: the server's log lines too).
"""

import argparse
import base64
import json
import os
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx2 as httpx
from ulid import ULID

sys.path.insert(0, str(Path(__file__).resolve().parent))
from harness import PYTHON, free_port

from sandbox.testing.schemas import schema_of_its_own

ROOT = Path(__file__).resolve().parent.parent
POSTGRES = os.environ.get("SANDBOX_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
ROBIN = {"Authorization": "Access-Token demo-robin-token"}
JSON_WRITE = {"Content-Type": "application/json", "X-Requested-With": "fuzz"}

NOW = "2031-01-05T12:00:00Z"
_INSTANCE_MARK = 0xB00C


def instance_id(milliseconds: int, reservation_id: int) -> str:
    """A Kadence id shaped like an occurrence's: the start as the ULID's time, the series behind the mark."""
    payload = (_INSTANCE_MARK << 64) | reservation_id
    return str(ULID.from_bytes(milliseconds.to_bytes(6, "big") + payload.to_bytes(10, "big")))


CRAFTED_INSTANCES = [
    instance_id(2**48 - 1, 1),  # year 10889
    instance_id(253402300800000, 1),  # 10000-01-01
    instance_id(1_900_000_000_000, 2**63 + 5),
    instance_id(1_900_000_000_000, 2**64 - 1),
    instance_id(1_900_000_000_000, 2**31 + 5),
    instance_id(1_900_000_000_000, 2**32 + 1),
]
DIGITS = ["²", "١٢", "𝟙", "१", "①", "½"]
BIG = ["99999999999999999999999", "-1", "2147483648", "9223372036854775808"]
YEARS = [
    "0001-01-01T00:00:00Z",
    "9999-12-31T23:59:59Z",
    "0001-01-01T00:00:00",
    "9999-12-31T23:59:59",
    "0001-01-01",
    "9999-12-31",
    "0001-01-01T00:00:00+14:00",
    "9999-12-31T23:59:59-12:00",
]
SURROGATES = ["\ud800", "a\udfffb"]
PATH_VALUES = DIGITS + BIG + YEARS[:2] + CRAFTED_INSTANCES + ["%ED%A0%80"]
QUERY_VALUES = DIGITS + BIG + YEARS + CRAFTED_INSTANCES + ["\ud800"]
STRING_VALUES = SURROGATES + DIGITS + BIG[:2] + YEARS
DEEP = 50_000


def deep_bodies() -> list[bytes]:
    return [
        b"[" * DEEP + b"]" * DEEP,
        b'{"a":' * DEEP + b"1" + b"}" * DEEP,
        b'{"firstName":' + b'{"a":' * DEEP + b"1" + b"}" * DEEP + b"}",
    ]


@dataclass
class Served:
    base: str
    log: Path
    """The server's output."""


@contextmanager
def served(backend: str) -> Iterator[Served]:
    """The sandbox on the demo workplace, in a data directory or a PostgreSQL schema of its own."""
    with tempfile.TemporaryDirectory() as directory, _store_url(backend) as url:
        port = free_port()
        log = Path(directory) / "server.log"
        command = [PYTHON, "-m", "sandbox", "serve", "--port", str(port), "--data-dir", directory, "--log-level", "warning"]
        with log.open("w") as output:
            process = subprocess.Popen(
                [*command, *(["--database-url", url] if url else [])], cwd=ROOT, stdout=output, stderr=subprocess.STDOUT
            )
        try:
            base = f"http://127.0.0.1:{port}"
            _wait_for_health(base, process)
            yield Served(base, log)
        finally:
            process.terminate()
            process.wait(timeout=30)


@contextmanager
def _store_url(backend: str) -> Iterator[str | None]:
    """None for the data directory's SQLite file; else the URL of a new PostgreSQL schema, dropped after."""
    if backend != "postgresql":
        yield None
        return
    with schema_of_its_own(POSTGRES, "fuzz") as url:
        yield url


def _wait_for_health(base: str, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 300
    while True:
        try:
            if httpx.get(f"{base}/_sandbox/health", timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        if process.poll() is not None or time.monotonic() > deadline:
            raise RuntimeError("the server did not start")
        time.sleep(0.1)


class Retrying:
    """The client, sending once more what met a connection the server had closed (after a 500)."""

    def __init__(self, client: httpx.Client) -> None:
        self.client = client

    def request(self, method: str, url: str, **arguments: Any) -> httpx.Response:
        try:
            return self.client.request(method, url, **arguments)
        except httpx.TransportError:
            return self.client.request(method, url, **arguments)

    def get(self, url: str, **arguments: Any) -> httpx.Response:
        return self.request("GET", url, **arguments)

    def post(self, url: str, **arguments: Any) -> httpx.Response:
        return self.request("POST", url, **arguments)

    def delete(self, url: str, **arguments: Any) -> httpx.Response:
        return self.request("DELETE", url, **arguments)


class Workplace:
    """Ids of the demo workplace and of rows made for the run, by path-parameter name and API."""

    def __init__(self, client: httpx.Client) -> None:
        self.client = client
        self.values: dict[tuple[str, str], str] = {}
        self.kadence: dict[str, str] = {}
        self.series_instance = self.ben = self.desk_id = ""

    def prepare(self) -> None:
        """The seed, a fresh token and a row of each kind an operation names."""
        c = Retrying(self.client)
        assert c.post("/_sandbox/reset", headers=JSON_WRITE, content=b"{}").status_code == 204
        c.delete("/_sandbox/faults", headers=JSON_WRITE)
        self.freeze()
        token = c.post(
            "/oauth2/token", data={"grant_type": "client_credentials", "client_id": "demo-client", "client_secret": "demo-secret"}
        )
        self.kadence = {"Authorization": f"Bearer {token.json()['access_token']}"}
        event = c.post(
            "/v1.0/spaces/48/events",
            headers=ROBIN,
            json={
                "title": "fuzz",
                "start": {"date_time": "2031-01-06T10:00:00Z", "time_zone": "UTC"},
                "end": {"date_time": "2031-01-06T11:00:00Z", "time_zone": "UTC"},
            },
        ).json()["data"]
        series = c.post(
            "/v1.0/spaces/49/events",
            headers=ROBIN,
            json={
                "title": "fuzz series",
                "start": {"date_time": "2031-01-06T10:00:00Z", "time_zone": "UTC"},
                "end": {"date_time": "2031-01-06T11:00:00Z", "time_zone": "UTC"},
                "recurrence": ["RRULE:FREQ=WEEKLY;COUNT=20"],
            },
        ).json()["data"]
        seat = c.post(
            "/v1.0/seats/1001/reservations",
            headers=ROBIN,
            json={
                "type": "hoteled",
                "start": {"date_time": "2031-01-07T09:00:00Z", "time_zone": "UTC"},
                "end": {"date_time": "2031-01-07T17:00:00Z", "time_zone": "UTC"},
                "reservee": {"user_id": 1},
            },
        ).json()["data"]
        export = c.post(
            "/v1.0/insights/exports/organizations/1/spaces",
            headers=ROBIN,
            json={"from": "2026-01-01T00:00:00+00:00", "to": "2026-02-01T00:00:00+00:00"},
        ).json()["data"]
        robin = {
            "id_or_slug": "1",
            "organization_id": "1",
            "id_or_slug_or_email": "1",
            "user_id": "1",
            "location_id": "10",
            "level_id": "101",
            "space_id": "48",
            "zone_id": "1",
            "seat_id": "1001",
            "slug": "seat-reservation-types-allowed",
            "event_id": str(event["id"]),
            "reservation_id": str(seat["id"]),
            "export_id": str(export["export_id"]),
        }
        self.series_instance = f"{series['id']}_20310113T100000Z"
        self.values = {("robin", name): value for name, value in robin.items()}

        def members(path: str) -> list[dict[str, Any]]:
            answer = c.get(f"/v1/public/{path}", headers=self.kadence, params={"itemsPerPage": 500})
            return answer.json()["hydra:member"]  # type: ignore[no-any-return]  # decoded JSON

        self.desk_id = next(item["id"] for item in members("spaces") if item["name"] == "A-03")
        self.ben = next(item["id"] for item in members("users") if item["email"] == "ben.carter@meridian.example")
        booking = c.post(
            "/v1/public/bookings",
            headers=self.kadence,
            json={
                "userId": self.ben,
                "spaceId": self.desk_id,
                "startDateTime": "2031-01-08T09:00:00",
                "endDateTime": "2031-01-08T17:00:00",
            },
        ).json()
        kadence = {
            "booking_id": booking["id"],
            "building_id": members("buildings")[0]["id"],
            "floor_id": members("floors")[0]["id"],
            "neighborhood_id": members("neighborhoods")[0]["id"],
            "space_id": self.desk_id,
            "user_id": self.ben,
            "visit_id": members("visits")[0]["id"],
            "visitor_id": members("visitors")[0]["id"],
            "day_id": "x",
            "name": "Booking",
        }
        self.values |= {("kadence", name): value for name, value in kadence.items()}
        assert c.post("/_sandbox/snapshots", headers=JSON_WRITE, json={"name": "fuzz", "replace": True}).status_code == 201
        rule = c.post(
            "/_sandbox/faults", headers=JSON_WRITE, json={"path": "/nowhere", "effect": "latency", "latency_ms": 1}
        ).json()
        c.get("/v1.0/me", headers=ROBIN)
        time.sleep(0.3)  # the journal is written behind the answers
        entry = c.get("/_sandbox/journal").json()["entries"][0]["id"]
        sandbox = {
            "floor_id": "101",
            "organization": "meridian",
            "name": "fuzz",
            "rule_id": str(rule["id"]),
            "entry_id": str(entry),
            "export_id": robin["export_id"],
        }
        self.values |= {("sandbox", name): value for name, value in sandbox.items()}

    def freeze(self) -> None:
        """The demo's clock stopped a few days before the rows made for the run."""
        answer = Retrying(self.client).post("/_sandbox/organizations/meridian/clock/freeze", headers=JSON_WRITE, json={"at": NOW})
        assert answer.status_code == 200, answer.text

    def headers(self, api: str) -> dict[str, str]:
        return {"robin": ROBIN, "kadence": self.kadence, "sandbox": {}}[api]


def bodies(api: str, method: str, path: str, workplace: Workplace) -> dict[str, Any] | None:
    """A valid body for the operation, or None for one that takes none."""
    moment = lambda at: {"date_time": at, "time_zone": "America/New_York"}  # noqa: E731 - a one-line shape, named where it is used
    event = {
        "title": "t",
        "description": "d",
        "start": moment("2031-02-03T10:00:00"),
        "end": moment("2031-02-03T11:00:00"),
        "visibility": "public",
        "invitees": [{"email": "x@example.com", "display_name": "X"}],
    }
    known: dict[tuple[str, str], Any] = {
        ("PATCH", "/v1.0/spaces/{space_id}"): {"name": "n", "description": "d", "image": "i", "type": "meeting"},
        ("POST", "/v1.0/spaces/{space_id}/events"): event,
        ("POST", "/v1.0/events"): {**event, "space_id": 50},
        ("PATCH", "/v1.0/events/{event_id}"): {
            "title": "t2",
            "start": moment("2031-02-04T10:00:00"),
            "end": moment("2031-02-04T11:00:00"),
        },
        ("PUT", "/v1.0/events/{event_id}/confirmation"): {"user_id": 1},
        ("POST", "/v1.0/free-busy/spaces"): {
            "scope": {"location_ids": [10]},
            "filters": {"query": "h", "types": ["meeting"]},
            "view_options": {
                "bounds": {
                    "from": "2031-01-06T09:00:00",
                    "to": "2031-01-06T18:00:00",
                    "time_zone": "America/New_York",
                    "recurrence": ["RRULE:FREQ=DAILY;COUNT=3"],
                },
                "prioritization_type": "flexible_time",
                "merge_threshold": "PT15M",
                "included_submodels": ["space"],
            },
        },
        ("PUT", "/v1.0/seats/{seat_id}/settings/{slug}"): {"value": ["hoteled", "shared"]},
        ("POST", "/v1.0/seats/{seat_id}/publish-shared-schedule"): {
            "reservee": {"email": "ben.carter@meridian.example"},
            "recurrence": ["RRULE:FREQ=WEEKLY;BYDAY=MO;BYHOUR=0;BYMINUTE=0;BYSECOND=0"],
        },
        ("POST", "/v1.0/seats/{seat_id}/reservations"): {
            "type": "hoteled",
            "title": "t",
            "start": moment("2031-02-05T09:00:00"),
            "end": moment("2031-02-05T17:00:00"),
            "reservee": {"email": "ben.carter@meridian.example"},
        },
        ("PUT", "/v1.0/reservations/seats/{reservation_id}/confirmation"): {"user_id": 1},
        ("POST", "/v1.0/spaces/{space_id}/presence"): {"user_id": 1},
        ("DELETE", "/v1.0/spaces/{space_id}/presence"): {"user_id": 1},
        ("POST", "/v1.0/locations/{location_id}/presence"): {"user_id": 1},
        ("DELETE", "/v1.0/locations/{location_id}/presence"): {"user_id": 1},
        ("POST", "/v1.0/insights/exports/organizations/{organization_id}/spaces"): {
            "from": "2026-01-01T00:00:00+00:00",
            "to": "2026-02-01T00:00:00+00:00",
        },
        ("POST", "/v1.0/insights/exports/organizations/{organization_id}/desks"): {
            "from": "2026-01-01T00:00:00+00:00",
            "to": "2026-02-01T00:00:00+00:00",
        },
        ("POST", "/v1/public/bookings"): {
            "userId": workplace.ben,
            "spaceId": workplace.desk_id,
            "startDateTime": "2031-02-06T09:00:00",
            "endDateTime": "2031-02-06T17:00:00",
            "title": "t",
            "description": "d",
            "attendees": [{"emailAddress": "x@example.com", "displayName": "X"}],
        },
        ("POST", "/v1/public/bookings/{booking_id}/cancel"): {"userId": workplace.ben},
        ("POST", "/v1/public/bookings/{booking_id}/check-in"): {"userId": workplace.ben, "method": "wifi"},
        ("POST", "/v1/public/bookings/{booking_id}/check-out"): {"userId": workplace.ben, "method": "wifi"},
        ("PATCH", "/v1/public/users/{user_id}"): {
            "firstName": "f",
            "lastName": "l",
            "jobTitle": "j",
            "biography": "b",
            "locationTimezone": "Europe/Paris",
            "locationCountryCode": "FR",
            "locationCityName": "c",
        },
        ("POST", "/oauth2/token"): {
            "grant_type": "client_credentials",
            "client_id": "demo-client",
            "client_secret": "demo-secret",
            "scope": "public",
        },
        ("POST", "/_sandbox/snapshots"): {"name": "other", "replace": True},
        ("POST", "/_sandbox/organizations/{organization}/clock/freeze"): {"at": "2026-03-02T14:00:00Z"},
        ("POST", "/_sandbox/organizations/{organization}/clock/set"): {"at": "2026-03-02T14:00:00Z"},
        ("POST", "/_sandbox/organizations/{organization}/clock/advance"): {"by": "PT1H"},
        ("POST", "/_sandbox/faults"): {"path": "/nowhere", "effect": "latency", "latency_ms": 1, "message": "m"},
    }
    return known.get((method, path))


PAIRS = [("after", "before"), ("startDateTime", "endDateTime")]
BODY_PAIRS = [
    (("start", "date_time"), ("end", "date_time")),
    (("view_options", "bounds", "from"), ("view_options", "bounds", "to")),
    (("from",), ("to",)),
    (("startDateTime",), ("endDateTime",)),
]
EXTREME_INTERVALS = [
    ("0001-01-01T00:00:00", "0001-01-01T01:00:00"),
    ("9999-12-31T22:00:00", "9999-12-31T23:00:00"),
    ("0001-01-01T00:00:00Z", "0001-01-08T01:00:00Z"),
    ("9999-12-24T22:00:00Z", "9999-12-31T23:00:00Z"),
    ("0001-01-01T00:00:00+00:00", "9999-12-31T23:00:00+00:00"),
]
DIGIT_SWAPS = {
    "superscript": str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹"),
    "arabic-indic": str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩"),
}


def _at(document: Any, where: tuple[Any, ...]) -> Any:
    for step in where:
        document = document[step]
    return document


def _holds(document: Any, where: tuple[Any, ...]) -> bool:
    try:
        _at(document, where)
    except (KeyError, IndexError, TypeError):
        return False
    return True


def strings(document: Any, where: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    """Where each string of a document is."""
    if isinstance(document, str):
        yield where
    elif isinstance(document, dict):
        for key, value in document.items():
            yield from strings(value, (*where, key))
    elif isinstance(document, list):
        for index, value in enumerate(document):
            yield from strings(value, (*where, index))


def replaced(document: Any, where: tuple[Any, ...], value: Any) -> Any:
    if not where:
        return value
    copy = json.loads(json.dumps(document))
    holder = copy
    for step in where[:-1]:
        holder = holder[step]
    holder[where[-1]] = value
    return copy


def operations() -> Iterator[tuple[str, str, str, list[dict[str, Any]]]]:
    for api in ("robin", "kadence", "sandbox"):
        document = json.loads((ROOT / "openapi" / f"{api}.json").read_text())
        for path, item in document["paths"].items():
            for method, operation in item.items():
                if method in ("get", "post", "put", "patch", "delete"):
                    yield api, method.upper(), path, operation.get("parameters", [])


def _quoted(value: str) -> str:
    from urllib.parse import quote

    return value if value.startswith("%") else quote(value, safe="", errors="surrogatepass")


def requests_of(
    api: str, method: str, path: str, parameters: list[dict[str, Any]], workplace: Workplace
) -> Iterator[tuple[str, dict[str, Any]]]:
    """(what, httpx request arguments) for each hostile request of one operation."""
    names = [p["name"] for p in parameters if p["in"] == "path"]
    valid = {name: workplace.values.get((api, name), "1") for name in names}

    def url(values: dict[str, str]) -> str:
        built = path
        for name, value in values.items():
            built = built.replace("{" + name + "}", _quoted(value))
        return built

    body = bodies(api, method, path, workplace)
    headers = workplace.headers(api)
    base = {"method": method, "headers": headers}
    if body is not None:
        base["content"] = json.dumps(body).encode()
        base["headers"] = {**headers, **JSON_WRITE}
    for name in names:
        for value in PATH_VALUES:
            yield f"path {name}={value!r}", {**base, "url": url({**valid, name: value})}
    if "event_id" in names:
        series = workplace.series_instance.split("_")[0]
        for value in (
            workplace.series_instance,
            f"{series}_99991231T235959Z",
            f"{series}_00010101T000000Z",
            f"{series}_١٢٣٤٠١٠١T000000Z",
            "99999999999999999999_20310113T100000Z",
            "١٢",
            f"{series}_20310113T١٠0000Z",
        ):
            yield f"path event_id={value!r}", {**base, "url": url({**valid, "event_id": value})}
    for parameter in (p for p in parameters if p["in"] == "query"):
        for value in QUERY_VALUES:
            query = f"{_quoted(parameter['name'])}={_quoted(value)}"
            yield f"query {parameter['name']}={value!r}", {**base, "url": f"{url(valid)}?{query}"}
    parameters_named = {p["name"] for p in parameters if p["in"] == "query"}
    for lower, upper in PAIRS:
        if lower in parameters_named and upper in parameters_named:
            for first, last in EXTREME_INTERVALS:
                query = f"{_quoted(lower)}={_quoted(first)}&{_quoted(upper)}={_quoted(last)}"
                yield f"query {lower}={first!r} {upper}={last!r}", {**base, "url": f"{url(valid)}?{query}"}
    if body is not None:
        for pair in BODY_PAIRS:
            if all(_holds(body, where) for where in pair):
                for first, last in EXTREME_INTERVALS:
                    content = json.dumps(replaced(replaced(body, pair[0], first), pair[1], last)).encode()
                    yield f"body {pair[0][0]}..={first!r}..{last!r}", {**base, "url": url(valid), "content": content}
        for where in strings(body):
            original = _at(body, where)
            variants = [original.translate(DIGIT_SWAPS[swap]) for swap in DIGIT_SWAPS if any(c.isdigit() for c in original)]
            for value in [*STRING_VALUES, *variants]:
                content = json.dumps(replaced(body, where, value)).encode()
                yield f"body {'.'.join(map(str, where))}={value!r}", {**base, "url": url(valid), "content": content}
        for key in ("\ud800", "²"):
            content = json.dumps({**body, key: "x"}).encode()
            yield f"body key {key!r}", {**base, "url": url(valid), "content": content}
    if method in ("POST", "PUT", "PATCH"):
        for index, deep in enumerate(deep_bodies()):
            kind = "application/merge-patch+json" if api == "kadence" and method == "PATCH" else "application/json"
            yield (
                f"deep body {index}",
                {**base, "url": url(valid), "content": deep, "headers": {**headers, **JSON_WRITE, "Content-Type": kind}},
            )
    if path == "/oauth2/token":
        form = "grant_type=client_credentials&client_id=demo-client&client_secret=demo-secret"
        for value in STRING_VALUES:
            encoded = _quoted(value)
            for field in ("grant_type", "client_id", "client_secret", "scope"):
                yield (
                    f"form {field}={value!r}",
                    {
                        **base,
                        "url": url(valid),
                        "content": f"{form}&{field}={encoded}".encode(),
                        "headers": {"Content-Type": "application/x-www-form-urlencoded"},
                    },
                )
        for credentials in ("\ud800:demo-secret", "demo-client:\ud800"):
            encoded = base64.b64encode(credentials.encode("utf-8", "surrogatepass")).decode()
            yield (
                f"basic {credentials!r}",
                {
                    **base,
                    "url": url(valid),
                    "content": b"grant_type=client_credentials",
                    "headers": {"Content-Type": "application/x-www-form-urlencoded", "Authorization": f"Basic {encoded}"},
                },
            )


def run(backend: str, verbose: bool) -> tuple[int, int, int]:
    """Requests sent, 5xx answers, transport failures."""
    sent, failures = 0, 0
    errors: Counter[str] = Counter()
    with served(backend) as server, httpx.Client(base_url=server.base, timeout=60) as client:
        workplace = Workplace(client)
        workplace.prepare()
        for api, method, path, parameters in operations():
            if method != "GET":
                workplace.prepare()
            for what, arguments in requests_of(api, method, path, parameters, workplace):
                sent += 1
                try:
                    response = client.request(**arguments)
                except httpx.TransportError as error:
                    # The connection a 500 closed: the request is sent again on a new one.
                    failures += 1
                    print(f"  no answer: {method} {path} {what}: {type(error).__name__}")
                    response = client.request(**arguments)
                if response.status_code >= 500:
                    errors[f"{method} {path}"] += 1
                    print(f"  {response.status_code}: {method} {path} {what}")
                if path == "/_sandbox/faults" and method == "POST":
                    Retrying(client).delete("/_sandbox/faults", headers=JSON_WRITE)
                if "clock" in path:
                    workplace.freeze()
        if verbose:
            print(server.log.read_text())
    print(f"{backend}: {sent} requests, {sum(errors.values())} x 5xx, {failures} without an answer")
    for operation, count in errors.most_common():
        print(f"  {count:4d}  {operation}")
    return sent, sum(errors.values()), failures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backend", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--verbose", action="store_true")
    arguments = parser.parse_args()
    run(arguments.backend, arguments.verbose)


if __name__ == "__main__":
    main()
