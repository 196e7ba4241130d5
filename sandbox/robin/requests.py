"""Request bodies and query values Robin clients send, read into the core's terms."""

import json
import re
from datetime import datetime
from typing import Annotated, Any, ClassVar, Literal, overload
from urllib.parse import parse_qsl, quote, urlencode

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, PlainValidator
from pydantic.config import JsonDict
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from sandbox.core.availability import MERGE_THRESHOLD, FreeBusyQuery
from sandbox.core.desks import PersonRef
from sandbox.core.errors import FieldProblem, InvalidInput, NotFound
from sandbox.core.events import EventChanges, EventInput, InviteeInput
from sandbox.core.exports import ExportRequest
from sandbox.core.ids import MAX_ROW_ID, row_id
from sandbox.core.keys import OccurrenceKey
from sandbox.core.paging import PageRequest
from sandbox.core.presence import PresenceInput
from sandbox.core.seats import SeatReservationInput
from sandbox.core.times import format_duration, parse_duration, parse_instant, zone
from sandbox.core.workplace import Invitation, SpaceChanges, SpaceFilters
from sandbox.robin.ids import occurrence_key


def _not_a_boolean(value: Any) -> Any:
    """JSON true is not the number 1; numeric strings, which clients do send, still are numbers."""
    if isinstance(value, bool):
        raise ValueError("must be an integer, not a boolean")  # not TypeError: pydantic reports ValueError only
    return value


Integer = Annotated[int, BeforeValidator(_not_a_boolean)]
RowId = Annotated[int, Field(ge=0, le=MAX_ROW_ID), BeforeValidator(_not_a_boolean)]
"""The bounds come before the validator: after it, pydantic cannot express them in JSON Schema
and the documents would carry `ge`/`le`, which no client reads."""


def _lines(value: Any) -> Any:
    """Robin documents `recurrence` as a string holding an array: accept either."""
    return [value] if isinstance(value, str) else value


RecurrenceLines = Annotated[list[str] | None, BeforeValidator(_lines)]


def _number_or_text(value: Any) -> int | str:
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise ValueError("must be a number or a string")
    return value


NumberOrText = Annotated[int | str, PlainValidator(_number_or_text, json_schema_input_type=int | str)]
"""One validator rather than a union's two, so that a problem names the field itself."""
UserRef = NumberOrText
"""A user as Robin's Java SDK names one (`owner_ref`, `user_ref`): by id, a number or its digits,
or by slug (an email is read too)."""


INSTANT_PATTERN = (
    r"^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])"
    r"(T([01]\d|2[0-3]):[0-5]\d(:[0-5]\d)?(Z|[+-]([01]\d|2[0-3]):?[0-5]\d)?)?$"
)
"""The ISO-8601 date-times Robin's fields and windows take, as the OpenAPI documents state them:
a date, or a date and time without fractional seconds, with or without an offset."""


@overload
def query_instant(value: str, name: str) -> datetime: ...
@overload
def query_instant(value: None, name: str) -> None: ...
def query_instant(value: str | None, name: str) -> datetime | None:
    """A date-time from a query string, within the years requests may name (see parse_instant).
    Clients often leave a `+0100` offset unencoded, so it arrives as ` 0100`: read the space as
    the plus sign it was."""
    if value is None:
        return None
    return parse_instant(re.sub(r"(\d) (\d{2}:?\d{2})$", r"\1+\2", value.strip()), name)


def comma_list(values: list[str]) -> list[str]:
    """Words sent comma-separated, repeated, or both (as `k[]` too: see `php_lists`)."""
    return [part for value in values for piece in value.split(",") if (part := piece.strip())]


def id_list(name: str, values: list[str]) -> list[int]:
    """Ids sent comma-separated, repeated, or both; each ASCII digits (see row_id)."""
    ids = []
    for part in comma_list(values):
        number = row_id(part)
        if number is None:
            raise InvalidInput.of(name, f"'{part}' is not an id")
        ids.append(number)
    return ids


class Body(BaseModel):
    model_config = ConfigDict(extra="ignore")


class Moment(Body):
    date_time: str = Field(
        description="ISO-8601 date-time, with or without an offset",
        json_schema_extra={"pattern": INSTANT_PATTERN},
    )
    time_zone: str = Field(description="IANA time zone, such as America/New_York")

    def instant(self, name: str) -> Any:
        return parse_instant(self.date_time, f"{name}.date_time", local_zone=zone(self.time_zone, f"{name}.time_zone"))


class InviteeBody(Body):
    email: str
    display_name: str | None = None


def _shown_without_null(schema: JsonDict) -> None:
    """Documents an optional field as it is sent when given: a null, which reads as absent, is not
    shown (one validator still reads both, so that a problem names the field itself)."""
    given = schema.pop("anyOf", [])
    options = [option for option in given if option != {"type": "null"}] if isinstance(given, list) else []
    if len(options) == 1 and isinstance(options[0], dict):
        schema.update(options[0])
    elif options:
        schema["anyOf"] = options


def _instant_field(moment: str) -> Any:
    def documented(schema: JsonDict) -> None:
        _shown_without_null(schema)
        schema["pattern"] = INSTANT_PATTERN

    return Field(
        default=None,
        description=f"Deprecated: ISO-8601, without an offset in UTC; read where `{moment}` is not given",
        json_schema_extra=documented,
    )


class EventTimes(Body):
    """An event's times as Robin's `start`/`end` objects, or as the deprecated `started_at` and
    `ended_at` Robin's Java SDK sends instead. Null reads as absent; the document shows them as
    they are meant to be sent."""

    start: Moment | None = Field(default=None, json_schema_extra=_shown_without_null)
    end: Moment | None = Field(default=None, json_schema_extra=_shown_without_null)
    started_at: str | None = _instant_field("start")
    ended_at: str | None = _instant_field("end")
    is_all_day: Literal[False] | None = Field(default=None, description="Only false: all-day events are not modelled")

    def instants(self) -> dict[str, Any]:
        """The bounds `start` and `end` give, by name."""
        return {name: moment.instant(name) for name, moment in (("start", self.start), ("end", self.end)) if moment is not None}

    def mirrored(self, names: tuple[str, ...] = ("start", "end")) -> dict[str, Any]:
        """The bounds of `names` that `started_at` and `ended_at` give, by the name of the bound each mirrors."""
        texts = (("start", "started_at", self.started_at), ("end", "ended_at", self.ended_at))
        return {name: parse_instant(text, field) for name, field, text in texts if text is not None and name in names}


class EventBody(EventTimes):
    model_config = ConfigDict(
        json_schema_extra={
            "allOf": [
                {"anyOf": [{"required": ["start"]}, {"required": ["started_at"]}]},
                {"anyOf": [{"required": ["end"]}, {"required": ["ended_at"]}]},
            ]
        }
    )

    title: str | None = None
    description: str | None = None
    owner_ref: UserRef | None = Field(
        default=None,
        description="The organizer, by user id or slug; the caller by default. Only an administrator books for someone else",
    )
    visibility: str | None = None
    recurrence: RecurrenceLines = None
    invitees: list[InviteeBody] | None = None

    WIRE_NAMES: ClassVar[dict[str, str]] = {"organizer": "owner_ref"}
    """Fields the core names in its words, as this body names them."""

    def to_input(self) -> EventInput:
        """`start` and `end` where given, else `started_at` and `ended_at`."""
        bounds = self.instants()
        bounds |= self.mirrored(tuple(name for name in ("start", "end") if name not in bounds))
        missing = [FieldProblem(name, "can't be blank", "required") for name in ("start", "end") if name not in bounds]
        if missing:
            raise InvalidInput(missing)
        return EventInput(
            start=bounds["start"],
            end=bounds["end"],
            time_zone=self.start.time_zone if self.start is not None else None,
            title=self.title,
            description=self.description,
            visibility=self.visibility,
            recurrence=self.recurrence,
            invitees=[InviteeInput(invitee.email, invitee.display_name) for invitee in self.invitees or []],
            organizer=self.owner_ref,
        )


class NewEventBody(EventBody):
    space_id: RowId


class EventPatch(EventTimes):
    """Any of an event's fields; the others of its answer, sent back as they were, are ignored."""

    title: str | None = None
    description: str | None = None
    visibility: str | None = None
    recurrence: RecurrenceLines = None
    invitees: list[InviteeBody] | None = None

    def to_changes(self) -> EventChanges:
        given: dict[str, Any] = {}
        for name in ("title", "description", "visibility", "recurrence"):
            if name in self.model_fields_set:
                given[name] = getattr(self, name)
        given |= self.instants()
        if self.start is not None:
            given["time_zone"] = self.start.time_zone
        if "invitees" in self.model_fields_set:
            given["invitees"] = [InviteeInput(item.email, item.display_name) for item in self.invitees or []]
        return EventChanges(given, self.mirrored())


class SpacePatch(Body):
    model_config = ConfigDict(extra="ignore", strict=True)

    name: str | None = None
    description: str | None = None
    image: str | None = None
    type: str | None = None
    capacity: int | None = None
    discovery_radius: float | None = Field(default=None, strict=False, ge=0, le=1e6)
    is_disabled: bool | None = None
    is_accessible: bool | None = None

    def to_changes(self) -> SpaceChanges:
        values = {name: getattr(self, name) for name in self.model_fields_set}
        for flag in ("name", "is_disabled", "is_accessible"):
            if flag in values and values[flag] is None:
                raise InvalidInput.of(flag, "can't be null")
        return SpaceChanges(values)


class SignInBody(Body):
    organization: RowId | str | None = Field(default=None, description="The organization to sign in to: its id or slug")
    remember_me: bool | None = None


class InvitationBody(Body):
    email: str = Field(description="The address the invitation goes to")
    name: str | None = Field(default=None, description="Their name; the email's local part by default")

    def to_invitation(self) -> Invitation:
        return Invitation(self.email, self.name)


class ReserveeBody(Body):
    email: str | None = None
    user_id: RowId | None = None


class SeatReservationBody(Body):
    type: str = Field(description="hoteled, hot, assigned, shared or reverse_hoteled")
    start: Moment
    end: Moment
    reservee: ReserveeBody | None = None
    reserver_id: RowId | None = None
    recurrence: RecurrenceLines = None
    title: str | None = None

    def to_input(self) -> SeatReservationInput:
        reservee = self.reservee or ReserveeBody()
        return SeatReservationInput(
            type=self.type,
            start=self.start.instant("start"),
            end=self.end.instant("end"),
            time_zone=self.start.time_zone,
            reservee_user_id=reservee.user_id,
            reservee_email=reservee.email,
            reserver_id=self.reserver_id,
            recurrence=self.recurrence,
            title=self.title,
        )


class SettingBody(Body):
    value: str | list[str] | None


class SharedScheduleBody(Body):
    reservee: ReserveeBody = Field(description="The person the desk is assigned to")
    recurrence: RecurrenceLines = Field(
        default=None,
        description="RRULE:FREQ=WEEKLY;BYDAY=<the days assigned>;BYHOUR=0;BYMINUTE=0;BYSECOND=0; none ends the assignment",
    )

    def assignee(self) -> PersonRef:
        return PersonRef(self.reservee.user_id, self.reservee.email)


class PresenceBody(Body):
    user_id: RowId | None = None
    user_ref: UserRef | None = Field(default=None, description="The user by id or slug, in place of user_id")
    device_id: RowId | None = None
    session_ttl: Integer | None = Field(default=None, description="Seconds; default 30, at most 1200")

    def to_input(self) -> PresenceInput:
        if self.user_id is not None and self.user_ref is not None:
            raise InvalidInput.of("user_ref", "give user_id or user_ref, not both")
        return PresenceInput(self.user_id if self.user_ref is None else self.user_ref, self.device_id, self.session_ttl)

    def wire_names(self) -> dict[str, str]:
        """The person's field as this body named it."""
        return {"user_id": "user_ref"} if self.user_ref is not None else {}


class ConfirmationBody(Body):
    user_id: RowId | None = None
    device_id: RowId | None = None


class EventConfirmationBody(ConfirmationBody):
    """What PUT (or POST) /events/:id/confirmation may carry: Robin's Java SDK sends the whole
    confirmation, `event_id` and `confirmed_at` included; `confirmed_at` is the server's to set."""

    event_id: NumberOrText | None = Field(default=None, description="The event confirmed: the path's, if given")
    confirmed_at: str | None = Field(default=None, description="Ignored: a confirmation is made at the time it arrives")

    def require_names(self, key: OccurrenceKey) -> None:
        """Refuse an `event_id` that names another event or instance than the path's `key`."""
        if self.event_id is None:
            return
        try:
            named = occurrence_key(str(self.event_id))
        except NotFound:
            named = None
        if named != key:
            raise InvalidInput.of("event_id", f"'{self.event_id}' is not the event the path names")


class FreeBusyScope(Body):
    location_ids: list[RowId] = Field(default_factory=list)
    space_ids: list[RowId] = Field(default_factory=list)
    level_ids: list[RowId] = Field(default_factory=list)


class FreeBusyFilters(Body):
    query: str | None = None
    min_capacity: Integer | None = None
    max_capacity: Integer | None = None
    types: list[str | None] | None = None
    amenity_ids: list[RowId] = Field(default_factory=list)
    include_in_demand: bool = False
    include_unbookable: bool = False


class FreeBusyBounds(Body):
    from_: str = Field(alias="from")
    to: str
    recurrence: RecurrenceLines = None
    time_zone: str | None = None


class FreeBusyView(Body):
    bounds: FreeBusyBounds
    prioritization_type: str = "flexible_time"
    merge_threshold: str = format_duration(MERGE_THRESHOLD)
    included_submodels: list[str] = Field(default_factory=list)

    def includes(self) -> frozenset[str]:
        return frozenset(name.removeprefix("space.") for name in self.included_submodels)


class FreeBusyPaging(Body):
    page: Integer = 1
    per_page: Integer = 10


class FreeBusyBody(Body):
    scope: FreeBusyScope
    filters: FreeBusyFilters = Field(default_factory=FreeBusyFilters)
    view_options: FreeBusyView
    paging_info: FreeBusyPaging = Field(default_factory=FreeBusyPaging)

    def to_query(self) -> FreeBusyQuery:
        """Field problems here and in the core name fields by their short names: see WIRE_NAMES."""
        bounds = self.view_options.bounds
        local = zone(bounds.time_zone, "time_zone") if bounds.time_zone else None
        return FreeBusyQuery(
            lower=parse_instant(bounds.from_, "from", local_zone=local),
            upper=parse_instant(bounds.to, "to", local_zone=local),
            location_ids=self.scope.location_ids,
            space_ids=self.scope.space_ids,
            level_ids=self.scope.level_ids,
            filters=SpaceFilters(
                query=self.filters.query,
                types=self.filters.types,
                min_capacity=self.filters.min_capacity,
                max_capacity=self.filters.max_capacity,
                amenity_ids=self.filters.amenity_ids,
            ),
            include_unbookable=self.filters.include_unbookable,
            include_on_demand=self.filters.include_in_demand,
            recurrence=bounds.recurrence,
            time_zone=bounds.time_zone,
            prioritization=self.view_options.prioritization_type,
            merge_threshold=parse_duration(self.view_options.merge_threshold, "merge_threshold"),
            page=PageRequest(self.paging_info.page, self.paging_info.per_page),
        )

    WIRE_NAMES: ClassVar[dict[str, str]] = {
        "from": "view_options.bounds.from",
        "to": "view_options.bounds.to",
        "recurrence": "view_options.bounds.recurrence",
        "time_zone": "view_options.bounds.time_zone",
        "prioritization_type": "view_options.prioritization_type",
        "merge_threshold": "view_options.merge_threshold",
        "location_ids": "scope.location_ids",
        "level_ids": "scope.level_ids",
        "space_ids": "scope.space_ids",
        "min_capacity": "filters.min_capacity",
        "max_capacity": "filters.max_capacity",
        "page": "paging_info.page",
        "per_page": "paging_info.per_page",
    }


class ExportBody(Body):
    from_: str = Field(
        alias="from", description="ISO-8601, e.g. 2022-12-05T00:00:00-04:00; without an offset, in UTC (a date: its midnight)"
    )
    to: str = Field(description="ISO-8601; without an offset, in UTC (a date: its midnight)")
    location_ids: list[RowId] | None = Field(default=None, description="Locations to cover; all by default")

    def to_request(self, kind: str) -> ExportRequest:
        return ExportRequest(
            kind=kind,
            start=parse_instant(self.from_, "from"),
            end=parse_instant(self.to, "to"),
            location_ids=self.location_ids,
        )


_BRACKETED = re.compile(r"^([^\[\]]+)(\[[^\[\]]*\])+$")
"""A PHP array parameter's name: `seat_ids[]`, `seat_ids[0]`, `filters[types][]`."""


_EMPTY_VALUE = re.compile(r"=(&|$)")


def php_lists(query: str) -> str | None:
    """`query` with each PHP-style array parameter (`k[]=1&k[]=2`, `k[0]=1`, brackets raw or
    percent-encoded) named plainly (`k=1&k=2`), as a list parameter repeated, and each parameter
    sent without a value (`k=`) left out, as the live API reads it (absent, not blank): None when
    there is neither. The live API is PHP, and many HTTP libraries send arrays so, or send every
    parameter they know of."""
    if "[" not in query and "%5b" not in query.lower() and not _EMPTY_VALUE.search(query):
        return None
    pairs = parse_qsl(query, keep_blank_values=True)
    plain = [((match.group(1) if (match := _BRACKETED.match(name)) else name), value) for name, value in pairs if value]
    return urlencode(plain, quote_via=quote)


class PhpListsMiddleware:
    """Names the array parameters of requests under `prefix` plainly (see `php_lists`) before
    any route reads them; what the client sent stays in the journal."""

    def __init__(self, app: ASGIApp, prefix: str) -> None:
        self.app = app
        self.prefix = prefix

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["path"].startswith(self.prefix) and scope.get("query_string"):
            rewritten = php_lists(scope["query_string"].decode("latin-1"))
            if rewritten is not None:
                scope = {**scope, "query_string": rewritten.encode("latin-1")}
        await self.app(scope, receive, send)


FORM = "application/x-www-form-urlencoded"
_SEGMENT = re.compile(r"\[([^\[\]]*)\]")


def php_form(text: str) -> dict[str, Any]:
    """A form body as PHP reads one: `a=1`, `a[]=1&a[]=2` (a list), `a[b]=1` (an object),
    `a[0]=1` (a list, by index). A name whose place is taken by a value of another kind is
    dropped, as PHP drops it."""
    document: dict[str, Any] = {}
    for name, value in parse_qsl(text, keep_blank_values=True):
        match = _BRACKETED.match(name)
        keys = [match.group(1), *_SEGMENT.findall(name[len(match.group(1)) :])] if match else [name]
        _place(document, keys, value)
    listed: dict[str, Any] = _listed(document)
    return listed


def _place(document: dict[str, Any], keys: list[str], value: str) -> None:
    """Put `value` at the path `keys` names: each "" appends to a list, kept meanwhile under the
    key "" of an object (`_listed` makes it a list)."""
    node = document
    for key in keys[:-1]:
        if key == "":
            appended = node.setdefault("", [])
            if not isinstance(appended, list):
                return
            child: dict[str, Any] = {}
            appended.append(child)
        else:
            child = node.setdefault(key, {})
            if not isinstance(child, dict):
                return
        node = child
    last = keys[-1]
    if last == "":
        appended = node.setdefault("", [])
        if isinstance(appended, list):
            appended.append(value)
    else:
        node[last] = value


def _listed(node: Any) -> Any:
    """Objects whose keys are all "" (appended) or digits (indexed) as the lists they stand for."""
    if not isinstance(node, dict):
        return node
    if set(node) == {""}:
        return [_listed(item) for item in node[""]]
    if node and all(key.isascii() and key.isdigit() for key in node):
        return [_listed(node[key]) for key in sorted(node, key=int)]
    return {key: _listed(value) for key, value in node.items()}


class FormBodiesMiddleware:
    """Reads a form-encoded body sent to a path under `prefix` as the JSON object it stands for
    (see `php_form`), as the live API, which is PHP, reads one: routes see JSON."""

    def __init__(self, app: ASGIApp, prefix: str) -> None:
        self.app = app
        self.prefix = prefix

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not scope["path"].startswith(self.prefix) or not _form_sent(scope):
            await self.app(scope, receive, send)
            return
        chunks = []
        while True:
            message = await receive()
            if message["type"] != "http.request":
                await self.app(scope, _replay([message]), send)
                return
            chunks.append(message.get("body", b""))
            if not message.get("more_body", False):
                break
        raw = b"".join(chunks)
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            await self.app(scope, _replay([{"type": "http.request", "body": raw, "more_body": False}]), send)
            return
        body = json.dumps(php_form(text)).encode()
        headers = [(name, value) for name, value in scope["headers"] if name not in (b"content-type", b"content-length")] + [
            (b"content-type", b"application/json"),
            (b"content-length", str(len(body)).encode()),
        ]
        await self.app({**scope, "headers": headers}, _replay([{"type": "http.request", "body": body, "more_body": False}]), send)


def _form_sent(scope: Scope) -> bool:
    for name, value in scope["headers"]:
        if name == b"content-type":
            return bool(value.split(b";")[0].strip().lower() == FORM.encode())
    return False


def _replay(messages: list[Message]) -> Receive:
    """`receive` for a body already read: its messages, then a disconnect."""
    queue = list(messages)

    async def receive() -> Message:
        return queue.pop(0) if queue else {"type": "http.disconnect"}

    return receive
