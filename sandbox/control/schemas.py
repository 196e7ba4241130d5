"""Bodies of the control plane, as its OpenAPI document shows them."""

import re
from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, model_validator

from sandbox.control.faults import Api, Effect
from sandbox.control.snapshots import NAME as SNAPSHOT_NAME
from sandbox.control.tenants import SLUG as TENANT_SLUG
from sandbox.core.ids import MAX_ROW_ID


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


_NUMBER = re.compile(r"\s*[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?\s*")


def _iso_text(value: object) -> object:
    """An instant as ISO 8601 text: pydantic would read a number, or text of digits, as seconds
    since 1970."""
    if isinstance(value, datetime) or (isinstance(value, str) and not _NUMBER.fullmatch(value)):
        return value
    raise ValueError("must be an ISO 8601 date-time such as 2026-03-02T14:00:00Z, not a number")


Instant = Annotated[datetime, BeforeValidator(_iso_text)]


class OrganizationRef(BaseModel):
    id: int
    ulid: str
    slug: str
    name: str


class ClockState(BaseModel):
    organization: OrganizationRef
    now: datetime = Field(description="The organization's time: what both APIs use")
    mode: Literal["real", "shifted", "frozen"] = Field(
        description="real: real time; shifted: real time plus `offset_seconds`; frozen: stopped at `now`"
    )
    offset_seconds: float = Field(description="How far a running clock is ahead of real time (negative: behind)")
    real_time: datetime


class OrganizationState(OrganizationRef):
    clock: ClockState
    tenant: bool = Field(description="Made by POST /_sandbox/organizations: reset to its template, and dropped by DELETE")


class TemplateRequest(Strict):
    snapshot: str | None = Field(
        default=None,
        description="The snapshot holding the organization to copy; default `seed`, what the store was seeded with",
        json_schema_extra={"pattern": SNAPSHOT_NAME.pattern},
    )
    organization: str | None = Field(
        default=None, max_length=128, description="The snapshot's organization: its id, ULID or slug; default its first"
    )
    preset: Literal["demo", "small", "large"] | None = Field(
        default=None,
        description="A preset's workplace instead of a snapshot's organization: generated once, on first use, and kept",
    )

    @model_validator(mode="after")
    def _one_source(self) -> "TemplateRequest":
        if self.preset is not None and (self.snapshot is not None or self.organization is not None):
            raise ValueError("give a preset, or a snapshot and its organization, not both")
        if self.snapshot is not None and not SNAPSHOT_NAME.fullmatch(self.snapshot):
            raise ValueError("snapshot must be 1 to 64 letters, digits, '.', '_' or '-', starting with a letter or digit")
        return self


class TenantClock(Strict):
    mode: Literal["template", "real", "frozen"] = Field(
        default="template",
        description="template: as the template's clock is (frozen at the same instant, or as far from real time); "
        "real: real time; frozen: stopped at `at`, or where the template's clock reads now",
    )
    at: Instant | None = Field(default=None, description="frozen: where to stop the clock")

    @model_validator(mode="after")
    def _at_when_frozen(self) -> "TenantClock":
        if self.at is not None and self.mode != "frozen":
            raise ValueError("at applies to the frozen mode only")
        return self


class TenantRequest(Strict):
    template: TemplateRequest = Field(default_factory=TemplateRequest, description="What to copy")
    slug: str | None = Field(
        default=None,
        description="Its slug, which its people's addresses are under; default the template's with a code of its own",
        json_schema_extra={"pattern": TENANT_SLUG.pattern},
        examples=["worker-gw0"],
    )
    name: str | None = Field(default=None, min_length=1, max_length=200, description="Its name; default the template's")
    clock: TenantClock = Field(default_factory=TenantClock, description="Its clock")


class TemplateRef(BaseModel):
    snapshot: str | None = Field(description="The snapshot it was copied from (None for a preset)")
    preset: str | None = Field(description="The preset it was copied from (None for a snapshot)")
    organization_id: int = Field(description="The template organization's id, in the snapshot or the preset's workplace")


class RobinCredential(BaseModel):
    access_token: str = Field(description="For `Authorization: Access-Token <token>`")
    user_id: int
    email: str
    role: str


class KadenceCredential(BaseModel):
    client_id: str
    client_secret: str
    user_id: str = Field(description="The user the client acts as (Kadence's id, a ULID)")
    email: str
    role: str


class RobinAccess(BaseModel):
    base_url: str
    access_tokens: list[RobinCredential]


class KadenceAccess(BaseModel):
    base_url: str
    token_url: str
    clients: list[KadenceCredential]


class TenantState(OrganizationRef):
    template: TemplateRef
    clock: ClockState
    robin: RobinAccess = Field(description="A new token for each of the template's")
    kadence: KadenceAccess = Field(description="A new API client for each of the template's")


class FreezeRequest(Strict):
    at: Instant | None = Field(default=None, description="Where to stop the clock; default: where it is now")


class SetRequest(Strict):
    at: Instant = Field(description="The instant to jump to; a frozen clock stays frozen, a running one runs on from it")


class AdvanceRequest(Strict):
    by: str = Field(description="A positive ISO-8601 duration, such as PT15M, PT2H or P1DT12H", examples=["PT2H"])


class SnapshotRequest(Strict):
    name: str = Field(
        description="1 to 64 letters, digits, '.', '_' or '-', starting with a letter or digit",
        examples=["before-tests"],
        json_schema_extra={"pattern": SNAPSHOT_NAME.pattern},
    )
    replace: bool = Field(default=False, description="Overwrite a snapshot of the same name")


class SnapshotState(BaseModel):
    name: str
    created_at: datetime
    rows: int = Field(description="Rows of the workplace it holds")


class JournalMark(BaseModel):
    """Where the journal stood as an answer was made: given as `after` and `since` to
    `GET /_sandbox/journal` or `POST /_sandbox/journal/verify`, they count only the requests that
    arrive from then on, whichever server process writes them and when."""

    after: int = Field(description="The newest entry's id in the store as the answer was made, 0 for none")
    since: datetime = Field(description="The server's real time as the answer was made")


class ResetState(BaseModel):
    journal_mark: JournalMark = Field(
        description="The journal as the reset ended: a test that begins with the reset counts its requests from here "
        "without another call"
    )


class RestoredSnapshot(SnapshotState):
    journal_mark: JournalMark = Field(
        description="The journal as the restore ended: a test that begins with the restore counts its requests from here "
        "without another call"
    )


class FaultRequest(Strict):
    api: Api = "any"
    method: str = Field(
        default="*", pattern=r"^([A-Za-z]{1,16}|\*)$", description="An HTTP method, or * for any", examples=["POST"]
    )
    path: str = Field(
        default="*",
        max_length=512,
        description="A shell-style pattern of the request path (`*` matches across `/`), e.g. /v1.0/spaces/*/events",
    )
    effect: Effect
    latency_ms: int = Field(default=0, ge=0, le=60_000, description="Delay before answering (for every effect)")
    status: int | None = Field(default=None, ge=400, le=599, description="error: the status to answer with (default 500)")
    message: str | None = Field(default=None, max_length=1000, description="error, rate_limit: the message of the error body")
    retry_after: int | None = Field(default=None, ge=1, le=86_400, description="rate_limit: seconds for Retry-After (default 1)")
    probability: float = Field(default=1.0, gt=0, le=1, description="The chance that the rule fires on a matching request")
    times: int | None = Field(
        default=None, ge=1, le=1_000_000_000, description="Fire on the next N matching requests only; default: every one"
    )
    organization: str | None = Field(
        default=None,
        max_length=128,
        description=(
            "The organization's id, ULID or slug: the rule then applies only to requests whose credential is that "
            "organization's (a Robin access token, a Kadence bearer token), never to requests without a valid one, nor "
            "to the token endpoint (/oauth2/token), which takes client credentials; default: every request"
        ),
        examples=["meridian"],
    )

    @model_validator(mode="after")
    def _consistent(self) -> "FaultRequest":
        self.method = self.method.upper()
        if "\x00" in self.path + (self.message or ""):
            raise ValueError("path and message must not contain NUL characters")
        if self.effect == "latency" and not self.latency_ms:
            raise ValueError("a latency rule needs latency_ms")
        if self.status is not None and self.effect != "error":
            raise ValueError("status applies to error rules only")
        if self.retry_after is not None and self.effect != "rate_limit":
            raise ValueError("retry_after applies to rate_limit rules only")
        if self.effect == "error" and self.status is None:
            self.status = 500
        if self.effect == "rate_limit" and self.retry_after is None:
            self.retry_after = 1
        return self


class FaultState(BaseModel):
    id: int
    api: str
    method: str
    path: str
    effect: str
    latency_ms: int
    status: int | None
    message: str | None
    retry_after: int | None
    probability: float
    remaining: int | None = Field(description="Matching requests it still applies to; null: every one")
    hits: int = Field(description="Requests it has applied to")
    created_at: datetime
    organization: OrganizationRef | None = Field(
        description="The organization whose requests alone it applies to; null: every request"
    )


class JournalSummary(BaseModel):
    id: int
    at: datetime
    api: str
    method: str
    path: str
    query: str
    status: int | None = Field(description="null: the connection was dropped by a fault rule")
    duration_ms: float
    organization_id: int | None
    fault_id: int | None


class JournalDetail(JournalSummary):
    request_headers: dict[str, str] = Field(
        description="By lower-case name, repeated headers joined by ', '; credentials, cookies and secrets as [redacted]"
    )
    request_content_type: str | None
    request_body: str | None
    response_headers: dict[str, str]
    response_content_type: str | None
    response_body: str | None
    truncated: bool


class Journal(BaseModel):
    entries: list[JournalSummary]
    now: datetime = Field(
        description="The server's real time as it answered: `since` this counts only the requests that arrive from "
        "then on, whichever server process wrote them and when"
    )


class VerifyRequest(Strict):
    """Criteria a request must meet to be counted; a criterion left out (or null) meets any."""

    api: Literal["robin", "kadence"] | None = None
    method: str | None = Field(default=None, pattern=r"^[A-Za-z]{1,16}$", examples=["POST"])
    path: str | None = Field(
        default=None, max_length=512, description="A shell-style pattern of the path (`*` matches across `/`)"
    )
    organization: str | None = Field(default=None, max_length=128, description="The organization's id, ULID or slug")
    body: Any = Field(
        default=None,
        description=(
            "A JSON value the request body holds: an object, each of its members with their values, at any depth; an "
            "array, as many elements each holding its counterpart; anything else, equal. A form body is read as an "
            "object of its fields. Secret fields are kept as [redacted], and can only be matched so"
        ),
        examples=[{"title": "Design review"}],
    )
    after: int | None = Field(
        default=None, ge=0, le=MAX_ROW_ID, description="Only requests with a larger journal id: a mark taken before"
    )
    since: Instant | None = Field(
        default=None,
        description="Only requests that arrived at this real time or later (a journal listing's `now`): unlike `after`, "
        "it leaves out a request another server process served before it and wrote after it",
    )
    limit: int = Field(default=100, ge=1, le=1000, description="Entries and near misses answered, each at most")


class NearMiss(BaseModel):
    entry: JournalSummary
    criterion: Literal["api", "method", "path", "organization", "body"] = Field(description="The one criterion it misses")
    reason: str = Field(description="What differs, in a sentence", examples=['body.title is "Design", not "Design review"'])


class Verification(BaseModel):
    count: int = Field(description="Requests that meet every criterion")
    considered: int = Field(description="Requests after the mark, met or not")
    entries: list[JournalDetail] = Field(description="The newest of those counted, newest first")
    near_misses: list[NearMiss] = Field(description="The newest requests that meet every criterion but one, newest first")


class Health(BaseModel):
    status: Literal["ok", "starting"]


class Readiness(BaseModel):
    status: Literal["ready", "starting"]
    seeded: str | None = Field(description="What the store was seeded with")


class Problem(BaseModel):
    field: str = Field(description="The parameter or body field at fault, dotted; `body` for the body as a whole")
    message: str


class ControlError(BaseModel):
    """What the control plane answers a request it refuses (sandbox/control/errors.py)."""

    error: str = Field(description="What was wrong, in a sentence")
    problems: list[Problem] | None = Field(default=None, description="Each field at fault, where a body or a parameter was")


REFUSALS = {
    400: "The body is not JSON",
    404: "Nothing has the id, name or key given in the path or the query",
    409: "Refused in the store's present state (the error says why)",
    422: "A parameter or a field of the body is invalid (`problems` names each)",
}


def refusals(*statuses: int) -> dict[int | str, Any]:
    """A control-plane route's `responses`: the error body of each refusal it can answer."""
    return {status: {"model": ControlError, "description": REFUSALS[status]} for status in statuses}
