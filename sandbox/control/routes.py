"""The control plane's routes under /_sandbox: reset, snapshots, clocks, faults and the journal."""

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Annotated, Any, Literal

from fastapi import Header, Path, Query, Request, Response
from fastapi.responses import JSONResponse
from sqlalchemy import Connection, Delete
from sqlmodel import Session, col, select

from sandbox.control import faults, journal, snapshots, tenants
from sandbox.control.journal import Expectation, Filter
from sandbox.control.schemas import (
    AdvanceRequest,
    ClockState,
    FaultRequest,
    FaultState,
    FreezeRequest,
    Journal,
    JournalDetail,
    JournalMark,
    JournalSummary,
    KadenceAccess,
    KadenceCredential,
    NearMiss,
    OrganizationRef,
    OrganizationState,
    ResetState,
    RestoredSnapshot,
    RobinAccess,
    RobinCredential,
    SetRequest,
    SnapshotRequest,
    SnapshotState,
    TemplateRef,
    TenantRequest,
    TenantState,
    Verification,
    VerifyRequest,
    refusals,
)
from sandbox.core import clock as clocks
from sandbox.core import workplace
from sandbox.core.clock import Clock
from sandbox.core.errors import NotFound
from sandbox.core.ids import MAX_ROW_ID
from sandbox.core.times import parse_duration
from sandbox.routing import declaring
from sandbox.store.engine import Store
from sandbox.store.models import FaultRule, Organization, Tenant

TAG = "Sandbox control plane"
router = declaring(tags=[TAG])
RowId = Annotated[int, Path(ge=1, le=MAX_ROW_ID)]
OrganizationKey = Annotated[str, Path(description="The organization's integer id, ULID or slug", examples=["meridian"])]
OrganizationFilter = Annotated[str | None, Query(description="The organization's id, ULID or slug")]
SnapshotName = Annotated[
    str,
    Path(
        description="The snapshot's name (GET /_sandbox/snapshots lists them)",
        json_schema_extra={"pattern": snapshots.NAME.pattern},
    ),
]


Clearing = Annotated[
    list[Literal["faults", "journal"]],
    Query(
        description="Also clear, in the same call: `faults` (the fault rules) and `journal` (the request journal); "
        "after an organization's reset, only that organization's"
    ),
]
"""What a reset or restore clears besides the workplace: a test harness's per-test restore in one
round trip rather than three."""


def _store(request: Request) -> Store:
    store: Store = request.app.state.store
    return store


@dataclass
class _Besides:
    """What a reset or restore does besides, last in its own transaction (`snapshots.Also`): it
    clears what it was asked to, and reads where the journal stands, for the mark it answers with
    (`JournalMark`) without a transaction of its own."""

    clearing: list[Delete]
    newest_entry: int = 0

    def __call__(self, connection: Connection) -> None:
        for statement in self.clearing:
            connection.execute(statement)
        self.newest_entry = journal.newest_written(connection)

    def mark(self) -> JournalMark:
        """The journal as the reset ended: its newest entry then, and the time now, after it
        committed. A request another process writes later, that arrived before, is told apart
        by its arrival."""
        return JournalMark(after=self.newest_entry, since=datetime.now(UTC))


@contextmanager
def _besides(
    request: Request, clearing: list[Literal["faults", "journal"]], organization_id: int | None = None
) -> Iterator[_Besides]:
    """What the reset or restore run inside does besides, in its own transaction: it clears the
    fault rules and the journal as `clearing` says, every one or `organization_id`'s. If it
    fails, nothing is cleared."""
    statements = [faults.clearing(organization_id)] if "faults" in clearing else []
    if "journal" not in clearing:
        yield _Besides(statements)
        return
    with request.app.state.journal.clearing(organization_id) as clearing_journal:
        yield _Besides([*statements, clearing_journal])


Prefer = Annotated[
    str | None,
    Header(
        description="`return=representation` (RFC 7240): answer 200 with the journal's mark as the reset ended, "
        "rather than 204 without a body"
    ),
]
RESET_REPRESENTATION: dict[int | str, Any] = {200: {"model": ResetState, "description": "With `Prefer: return=representation`"}}


def _reset_answer(besides: _Besides, prefer: str | None) -> Response:
    """204, or 200 with the journal's mark where the caller prefers a representation."""
    if not _prefers_representation(prefer):
        return Response(status_code=204)
    answer = ResetState(journal_mark=besides.mark())
    return JSONResponse(answer.model_dump(mode="json"), headers={"Preference-Applied": "return=representation"})


def _prefers_representation(prefer: str | None) -> bool:
    """Whether a Prefer header (RFC 7240: preferences separated by commas, each a token, an
    optional value and parameters after semicolons) holds `return=representation`."""
    for preference in (prefer or "").split(","):
        name, _, value = preference.split(";")[0].partition("=")
        if name.strip().lower() == "return" and value.strip().strip('"').lower() == "representation":
            return True
    return False


# Reset and snapshots


@router.post(
    "/reset",
    status_code=204,
    summary="Reset the whole store to its seed",
    responses={**RESET_REPRESENTATION, **refusals(422)},
)
def reset(request: Request, clear: Clearing = [], prefer: Prefer = None) -> Response:  # noqa: B006 - FastAPI copies a default for each request
    with _besides(request, clear) as besides:
        snapshots.reset(_store(request), also=besides)
    return _reset_answer(besides, prefer)


@router.post(
    "/organizations/{organization}/reset",
    status_code=204,
    summary="Reset one organization to its seed, leaving the others alone",
    responses={**RESET_REPRESENTATION, **refusals(404, 422)},
)
def reset_organization(
    request: Request,
    organization: OrganizationKey,
    clear: Clearing = [],  # noqa: B006 - FastAPI copies a default for each request
    prefer: Prefer = None,
) -> Response:
    """A tenant goes back to its template, keeping its credentials; an organization the store was
    seeded with, to the seed."""
    store = _store(request)
    organization_id = _reset_target(store, organization)
    with _besides(request, clear, organization_id) as besides:
        try:
            tenants.reset(store, organization_id, also=besides)
        except tenants.NotATenant:
            try:
                snapshots.reset_organization(store, organization_id, also=besides)
            except snapshots.UnknownOrganization:
                raise _no_organization(organization) from None
    return _reset_answer(besides, prefer)


def _reset_target(store: Store, key: str) -> int:
    """The id of the organization a reset is for. An id is taken as given, without a transaction
    of its own: the reset reads the organization in its own, and answers 404 where there is none
    (a tenant's per-test reset names it so). A ULID or a slug is looked up first."""
    by, value = workplace.organization_key(key)
    if by != "id":
        with store.session() as session:
            return organization_named(session, key).id or 0
    if value is None:
        raise _no_organization(key)
    return int(value)


@router.get("/snapshots", summary="List the snapshots")
def list_snapshots(request: Request) -> list[SnapshotState]:
    return [_snapshot(row) for row in snapshots.listed(_store(request))]


@router.post("/snapshots", status_code=201, summary="Save the workplace as a named snapshot", responses=refusals(400, 409, 422))
def save_snapshot(request: Request, body: SnapshotRequest) -> SnapshotState:
    return _snapshot(snapshots.save(_store(request), body.name, replace=body.replace))


@router.get("/snapshots/{name}", summary="One snapshot", responses=refusals(404, 422))
def get_snapshot(request: Request, name: SnapshotName) -> SnapshotState:
    return _snapshot(snapshots.find(_store(request), name))


@router.post(
    "/snapshots/{name}/restore",
    summary="Restore a snapshot: the workplace, its clocks and its next ids",
    response_model=RestoredSnapshot,
    responses=refusals(404, 422),
)
def restore_snapshot(
    request: Request,
    name: SnapshotName,
    clear: Clearing = [],  # noqa: B006 - FastAPI copies a default for each request
) -> Response:
    # Answered as it is made, not validated again as FastAPI validates what a route returns: a
    # suite restores before every test.
    with _besides(request, clear) as besides:
        restored = snapshots.restore(_store(request), name, also=besides)
    answer = RestoredSnapshot(name=restored.name, created_at=restored.created_at, rows=restored.rows, journal_mark=besides.mark())
    return JSONResponse(answer.model_dump(mode="json"))


@router.delete(
    "/snapshots/{name}", status_code=204, summary="Delete a snapshot (not the seed)", responses=refusals(404, 409, 422)
)
def delete_snapshot(request: Request, name: SnapshotName) -> Response:
    snapshots.delete(_store(request), name)
    return Response(status_code=204)


def _snapshot(row: object) -> SnapshotState:
    return SnapshotState.model_validate(row, from_attributes=True)


# Organizations and their clocks


@router.get("/organizations", summary="The organizations, each with its clock")
def list_organizations(request: Request) -> list[OrganizationState]:
    clock: Clock = request.app.state.clock
    with _store(request).session() as session:
        rows = session.exec(select(Organization).order_by(col(Organization.id))).all()
        made = tenant_ids(session)
    return [
        OrganizationState(**organization_ref(row).model_dump(), clock=clock_state(clock, row), tenant=row.id in made)
        for row in rows
    ]


@router.post(
    "/organizations",
    status_code=201,
    summary="Make an organization by copying a template, with credentials of its own (a tenant)",
    responses=refusals(400, 404, 409, 422),
)
def create_organization(request: Request, body: TenantRequest | None = None) -> TenantState:
    body = body or TenantRequest()
    template = tenants.Template(
        snapshot=body.template.snapshot, preset=body.template.preset, organization=body.template.organization
    )
    clock: Clock = request.app.state.clock
    at = _utc(body.clock.at) if body.clock.at is not None else None
    made = tenants.create(
        _store(request), clock, template, slug=body.slug, name=body.name, clock_mode=body.clock.mode, frozen_at=at
    )
    base = request.app.state.settings.public_base_url()
    snapshot = None
    if made.tenant.template_snapshot_id is not None:
        snapshot = body.template.snapshot or snapshots.SEED
    return TenantState(
        **organization_ref(made.organization).model_dump(),
        template=TemplateRef(
            snapshot=snapshot, preset=made.tenant.template_preset, organization_id=made.tenant.template_organization_id
        ),
        clock=clock_state(clock, made.organization),
        robin=RobinAccess(
            base_url=f"{base}/v1.0",
            access_tokens=[
                RobinCredential(access_token=token, user_id=user.id, email=user.email, role=user.role)
                for token, user in made.credentials.robin_tokens
            ],
        ),
        kadence=KadenceAccess(
            base_url=f"{base}/v1/public",
            token_url=f"{base}/oauth2/token",
            clients=[
                KadenceCredential(client_id=client, client_secret=secret, user_id=user.ulid, email=user.email, role=user.role)
                for client, secret, user in made.credentials.kadence_clients
            ],
        ),
    )


@router.delete(
    "/organizations/{organization}",
    status_code=204,
    summary="Drop a tenant and everything it owns; its credentials stop working",
    responses=refusals(404, 409),
)
def delete_organization(request: Request, organization: OrganizationKey) -> Response:
    store = _store(request)
    with store.session() as session:
        found = organization_named(session, organization)
    # What this process journaled of the tenant and has not written yet would be written after
    # the drop, under an organization no longer there.
    request.app.state.journal.flush(store)
    tenants.drop(store, found.id or 0)
    return Response(status_code=204)


@router.get("/organizations/{organization}/clock", summary="Read an organization's clock", responses=refusals(404))
def read_clock(request: Request, organization: OrganizationKey) -> ClockState:
    with _store(request).session() as session:
        return clock_state(request.app.state.clock, organization_named(session, organization))


@router.post(
    "/organizations/{organization}/clock/freeze",
    summary="Stop an organization's clock, where it is or at a given instant",
    responses=refusals(400, 404, 422),
)
def freeze_clock(request: Request, organization: OrganizationKey, body: FreezeRequest | None = None) -> ClockState:
    at = body.at if body is not None else None
    return _change_clock(request, organization, lambda clock, row: clocks.freeze(clock, row, _utc(at) if at else None))


@router.post(
    "/organizations/{organization}/clock/set",
    summary="Move an organization's clock to an instant",
    responses=refusals(400, 404, 422),
)
def set_clock(request: Request, organization: OrganizationKey, body: SetRequest) -> ClockState:
    return _change_clock(request, organization, lambda clock, row: clocks.set_to(clock, row, _utc(body.at)))


@router.post(
    "/organizations/{organization}/clock/advance",
    summary="Move an organization's clock forward by an ISO-8601 duration",
    responses=refusals(400, 404, 422),
)
def advance_clock(request: Request, organization: OrganizationKey, body: AdvanceRequest) -> ClockState:
    by = parse_duration(body.by, "by")
    return _change_clock(request, organization, lambda clock, row: clocks.advance(clock, row, by))


@router.post(
    "/organizations/{organization}/clock/resume",
    summary="Return an organization's clock to real time",
    responses=refusals(404),
)
def resume_clock(request: Request, organization: OrganizationKey) -> ClockState:
    return _change_clock(request, organization, lambda _clock, row: clocks.resume(row))


def _change_clock(request: Request, key: str, change: clocks.Change) -> ClockState:
    clock: Clock = request.app.state.clock
    with _store(request).session(write=True) as session:
        row = organization_named(session, key, lock=True)
        change(clock, row)
        session.add(row)
        session.commit()
        return clock_state(clock, row)


def clock_state(clock: Clock, row: Organization) -> ClockState:
    real = clock.wall()
    mode = "frozen" if row.clock_frozen_at is not None else ("shifted" if row.clock_offset_us else "real")
    return ClockState(
        organization=organization_ref(row),
        now=clock.now(row),
        mode=mode,
        offset_seconds=row.clock_offset_us / 1_000_000 if row.clock_frozen_at is None else 0.0,
        real_time=real,
    )


def tenant_ids(session: Session) -> set[int]:
    """The organizations made as tenants (POST /_sandbox/organizations)."""
    return set(session.exec(select(Tenant.organization_id)).all())


def organization_ref(row: Organization) -> OrganizationRef:
    return OrganizationRef(id=row.id or 0, ulid=row.ulid, slug=row.slug, name=row.name)


def organization_named(session: Session, key: str, *, lock: bool = False) -> Organization:
    found = workplace.keyed_organization(session, key, lock=lock)
    if found is None:
        raise _no_organization(key)
    return found


def _no_organization(key: str) -> NotFound:
    return NotFound(f"no organization {key!r}: give its id, ULID or slug (GET /_sandbox/organizations lists them)")


def _utc(at: datetime) -> datetime:
    """`at` in UTC (UTC when it names no offset); checked against the clock's range first, since
    converting an instant at the end of the calendar can overflow."""
    aware = at if at.tzinfo else at.replace(tzinfo=UTC)
    return clocks.within(aware, "at").astimezone(UTC)


# Faults


@router.get("/faults", summary="List the fault rules, of every organization or those naming one", responses=refusals(404, 422))
def list_faults(request: Request, organization: OrganizationFilter = None) -> list[FaultState]:
    store = _store(request)
    return _faults(store, faults.listed(store, _organization_id(store, organization)))


@router.post("/faults", status_code=201, summary="Add a fault rule", responses=refusals(400, 404, 422))
def add_fault(request: Request, body: FaultRequest) -> FaultState:
    store = _store(request)
    named = None
    if body.organization is not None:
        with store.session() as session:
            named = organization_named(session, body.organization)
    rule = FaultRule(
        api=body.api,
        method=body.method,
        path=body.path,
        effect=body.effect,
        latency_ms=body.latency_ms,
        status=body.status,
        message=body.message,
        retry_after=body.retry_after,
        probability=body.probability,
        remaining=body.times,
        organization_id=None if named is None else named.id,
    )
    return _fault(faults.add(store, rule), named)


@router.get("/faults/{rule_id}", summary="One fault rule", responses=refusals(404))
def get_fault(request: Request, rule_id: RowId) -> FaultState:
    store = _store(request)
    (found,) = _faults(store, [faults.find(store, rule_id)])
    return found


@router.delete("/faults/{rule_id}", status_code=204, summary="Remove a fault rule", responses=refusals(404))
def delete_fault(request: Request, rule_id: RowId) -> Response:
    faults.remove(_store(request), rule_id)
    return Response(status_code=204)


@router.delete(
    "/faults",
    status_code=204,
    summary="Remove every fault rule, or those naming one organization",
    responses=refusals(404, 422),
)
def clear_faults(request: Request, organization: OrganizationFilter = None) -> Response:
    store = _store(request)
    faults.clear(store, _organization_id(store, organization))
    return Response(status_code=204)


def _faults(store: Store, rules: list[FaultRule]) -> list[FaultState]:
    """`rules` as the control plane shows them, each with the organization it names."""
    named = {rule.organization_id for rule in rules if rule.organization_id is not None}
    organizations: dict[int | None, Organization] = {}
    if named:
        with store.session() as session:
            organizations = {row.id: row for row in session.exec(select(Organization).where(col(Organization.id).in_(named)))}
    return [_fault(rule, organizations.get(rule.organization_id)) for rule in rules]


def _fault(rule: FaultRule, organization: Organization | None) -> FaultState:
    shown = None if organization is None else organization_ref(organization)
    return FaultState.model_validate({**rule.model_dump(), "organization": shown})


def _organization_id(store: Store, key: str | None) -> int | None:
    """The id of the organization `key` names (404 for none); None for no key."""
    if key is None:
        return None
    with store.session() as session:
        return organization_named(session, key).id


# The request journal


@router.get("/journal", summary="The latest requests to the vendor APIs, newest first", responses=refusals(404, 422))
def read_journal(
    request: Request,
    api: Annotated[str | None, Query(pattern="^(robin|kadence)$")] = None,
    method: Annotated[str | None, Query(pattern="^[A-Za-z]+$")] = None,
    status: Annotated[str | None, Query(pattern="^[1-5]([0-9]{2}|xx)$", description="A status, or a class such as 4xx")] = None,
    path: Annotated[str | None, Query(max_length=512, description="A shell-style pattern of the path")] = None,
    organization: OrganizationFilter = None,
    after: Annotated[int | None, Query(ge=0, le=MAX_ROW_ID, description="Only entries with a larger id (for polling)")] = None,
    since: Annotated[
        datetime | None, Query(description="Only requests that arrived at this real time or later (an earlier answer's `now`)")
    ] = None,
    limit: Annotated[int, Query(ge=1, le=100_000)] = 100,
) -> Journal:
    store = _store(request)
    organization_id = _organization_id(store, organization)
    where = Filter(
        api=api,
        method=method,
        path=path,
        organization_id=organization_id,
        after_id=after,
        since=_utc(since) if since is not None else None,
        limit=limit,
        status=int(status) if status and status.isdigit() else None,
        status_class=int(status[0]) if status and status.endswith("xx") else None,
    )
    now = datetime.now(UTC)
    entries = request.app.state.journal.entries(store, where)
    return Journal(entries=[JournalSummary.model_validate(entry, from_attributes=True) for entry in entries], now=now)


@router.post(
    "/journal/verify",
    summary="Count the requests that meet some criteria, and show those that miss one",
    responses=refusals(400, 404, 422),
)
def verify_journal(request: Request, body: VerifyRequest) -> Verification:
    """Reads the journal only: a POST for the JSON body its criteria need."""
    store = _store(request)
    organization_id = _organization_id(store, body.organization)
    expected = Expectation(
        api=body.api,
        method=body.method,
        path=body.path,
        organization_id=organization_id,
        body=body.body,
        after_id=body.after,
        since=_utc(body.since) if body.since is not None else None,
        limit=body.limit,
    )
    verdict = request.app.state.journal.verify(store, expected)
    return Verification(
        count=verdict.count,
        considered=verdict.considered,
        entries=[JournalDetail.model_validate(entry, from_attributes=True) for entry in verdict.matches],
        near_misses=[
            NearMiss(
                entry=JournalSummary.model_validate(miss.entry, from_attributes=True),
                criterion=miss.criterion,
                reason=miss.reason,
            )
            for miss in verdict.near_misses
        ],
    )


@router.get(
    "/journal/{entry_id}", summary="One request with its request and response headers and bodies", responses=refusals(404)
)
def read_journal_entry(request: Request, entry_id: RowId) -> JournalDetail:
    entry = request.app.state.journal.entry(_store(request), entry_id)
    return JournalDetail.model_validate(entry, from_attributes=True)


@router.delete(
    "/journal",
    status_code=204,
    summary="Empty the journal, or remove one organization's requests",
    responses=refusals(404, 422),
)
def clear_journal(request: Request, organization: OrganizationFilter = None) -> Response:
    store = _store(request)
    request.app.state.journal.clear(store, _organization_id(store, organization))
    return Response(status_code=204)
