"""Table models: one workplace model shared by every dialect.

organization → building → floor → area → resource (a space or a desk), people (users), and
reservations of resources over intervals. Robin sees the integer ids; Kadence sees the ULIDs
of the same rows.

Its length is the schema's: every table in one module, so that one metadata holds them and the
snapshots' table lists sit beside them.
"""

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Column,
    ForeignKey,
    Index,
    LargeBinary,
    Table,
    UniqueConstraint,
    text,
)
from sqlmodel import Field, SQLModel

from sandbox.store.types import UTCDateTime, new_ulid

SCHEMA_VERSION = 14


def table_of(model: type[Any]) -> Table:
    """A table model's table: SQLAlchemy sets `__table__` on each model as it is declared, and
    SQLModel's types do not declare it."""
    table: Table = model.__table__
    return table


def instant(*, nullable: bool = False, index: bool = False) -> Any:
    return Field(default=None, sa_type=UTCDateTime, nullable=nullable, index=index)


def json_list() -> Any:
    return Field(default_factory=list, sa_column=Column(JSON, nullable=False))


class StoreMeta(SQLModel, table=True):
    __tablename__ = "store_meta"
    key: str = Field(primary_key=True, max_length=64)
    value: str


class Organization(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    ulid: str = Field(default_factory=new_ulid, unique=True, max_length=26)
    slug: str = Field(unique=True, max_length=128)
    name: str
    avatar: str | None = None
    created_at: datetime = instant()
    updated_at: datetime = instant()
    # The organization's clock: frozen at an instant, or real time shifted by an offset.
    clock_frozen_at: datetime | None = instant(nullable=True)
    clock_offset_us: int = Field(default=0, sa_type=BigInteger)


class User(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    ulid: str = Field(default_factory=new_ulid, unique=True, max_length=26)
    organization_id: int = Field(foreign_key="organization.id", index=True)
    email: str = Field(unique=True, max_length=320)
    name: str
    given_name: str | None = None
    family_name: str | None = None
    slug: str = Field(max_length=128)
    avatar: str | None = None
    time_zone: str = "UTC"
    department: str | None = None
    groups: list[str] = json_list()
    role: str = "member"
    is_pending: bool = False
    job_title: str | None = None
    biography: str | None = None
    locale: str = "en-US"
    time_preference: str = "default"
    location_city: str | None = None
    location_country_code: str | None = None
    location_latitude: float | None = None
    location_longitude: float | None = None
    preferred_floor_id: int | None = Field(default=None, foreign_key="floor.id")
    created_at: datetime = instant()
    updated_at: datetime = instant()


class UserPhoto(SQLModel, table=True):
    """A user's profile picture, uploaded through the Kadence API."""

    __tablename__ = "user_photo"
    user_id: int = Field(foreign_key="user.id", primary_key=True)
    content_type: str = Field(max_length=64)
    data: bytes = Field(sa_type=LargeBinary)
    uploaded_at: datetime = instant()


class AccessToken(SQLModel, table=True):
    __tablename__ = "access_token"
    token: str = Field(primary_key=True, max_length=256)
    user_id: int = Field(foreign_key="user.id", index=True)
    organization_id: int = Field(foreign_key="organization.id")
    created_at: datetime = instant()


class Building(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    ulid: str = Field(default_factory=new_ulid, unique=True, max_length=26)
    organization_id: int = Field(foreign_key="organization.id", index=True)
    name: str
    description: str | None = None
    address: str | None = None
    address_line1: str | None = None
    address_line2: str | None = None
    city: str | None = None
    county: str | None = None
    country_code: str | None = None
    image: str | None = None
    latitude: float | None = None
    longitude: float | None = None
    time_zone: str
    opening_hours: dict[str, list[str]] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    """Local opening times per weekday, e.g. {"MO": ["08:00", "18:00"]} ("24:00": midnight at the day's
    end); a missing day is closed. Empty: open around the clock."""
    closures: list[str] = json_list()
    """Local dates (YYYY-MM-DD) the building is closed."""
    onsite_capacity: int | None = None
    """How many people may book to be onsite at once; None: no limit."""
    booking_horizon_days: int = 14
    """How many days ahead (today included) bookings may be made."""
    release_windows: dict[str, int] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    """Seconds after its start an unconfirmed booking is released, per booking type (desk, room, ...)."""
    created_at: datetime = instant()
    updated_at: datetime = instant()


class Floor(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    ulid: str = Field(default_factory=new_ulid, unique=True, max_length=26)
    organization_id: int = Field(foreign_key="organization.id", index=True)
    building_id: int = Field(foreign_key="building.id", index=True)
    name: str
    level_number: int = 0
    created_at: datetime = instant()
    updated_at: datetime = instant()


class Area(SQLModel, table=True):
    """A group of desks: a Robin zone, a Kadence neighborhood."""

    id: int | None = Field(default=None, primary_key=True)
    ulid: str = Field(default_factory=new_ulid, unique=True, max_length=26)
    organization_id: int = Field(foreign_key="organization.id", index=True)
    building_id: int = Field(foreign_key="building.id", index=True)
    floor_id: int = Field(foreign_key="floor.id", index=True)
    space_id: int | None = Field(default=None, foreign_key="resource.id", index=True)
    name: str
    type: str = "pod"
    created_at: datetime = instant()
    updated_at: datetime = instant()


class ResourceKind:
    SPACE = "space"
    DESK = "desk"
    ONSITE = "onsite"
    """A building's onsite passes: what an onsite booking reserves."""


class Resource(SQLModel, table=True):
    """Anything bookable: a Robin space (room, office, ...) or a desk (Robin seat)."""

    __table_args__ = (Index("ix_resource_organization_longest", "organization_id", "longest_booking_s"),)
    """An organization's longest booking, which bounds every overlap query of its own, read from
    the index's end rather than from each of its resources."""
    id: int | None = Field(default=None, primary_key=True)
    ulid: str = Field(default_factory=new_ulid, unique=True, max_length=26)
    organization_id: int = Field(foreign_key="organization.id", index=True)
    building_id: int = Field(foreign_key="building.id", index=True)
    floor_id: int | None = Field(default=None, foreign_key="floor.id", index=True)
    kind: str = Field(default=ResourceKind.SPACE, max_length=16)
    parent_id: int | None = Field(default=None, foreign_key="resource.id", index=True)
    area_id: int | None = Field(
        default=None,
        index=True,
        sa_column_args=[ForeignKey("area.id", deferrable=True, initially="DEFERRED")],
    )
    """Areas belong to spaces and desks to areas: the one reference checked at commit, so that a
    workplace can be copied back table by table."""
    name: str
    description: str | None = None
    image: str | None = None
    type: str | None = None
    capacity: int | None = None
    discovery_radius: float | None = None
    is_disabled: bool = False
    disabled_at: datetime | None = instant(nullable=True)
    is_accessible: bool = False
    is_reservable: bool = True
    on_demand: bool = False
    desk_type: list[str] = json_list()
    """A desk's type: the reservation types it takes, e.g. ["hoteled"] or ["assigned", "shared"]."""
    assignee_id: int | None = Field(default=None, foreign_key="user.id")
    shared_schedule: list[str] | None = Field(default=None, sa_column=Column(JSON(none_as_null=True), nullable=True))
    """The weekly RRULE of the days an assigned desk's assignee gives up to others."""
    max_reservation_length: str | None = None
    """ISO-8601 duration: the longest single reservation of this desk (None: no limit)."""
    advanced_booking_threshold: str | None = None
    """ISO-8601 duration: how far ahead this desk may be reserved (None: no limit)."""
    calendar_email: str | None = None
    release_after_s: int | None = None
    """Abandoned-meeting protection (a room) or check-in window (a desk): an occurrence nobody
    confirmed this many seconds after its start is released."""
    longest_booking_s: int = 0
    """Length of the longest live occurrence ever booked here: bounds the overlap query."""
    last_presence_at: datetime | None = instant(nullable=True)
    created_at: datetime = instant()
    updated_at: datetime = instant()


class Amenity(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    organization_id: int = Field(foreign_key="organization.id", index=True)
    name: str
    created_at: datetime = instant()
    updated_at: datetime = instant()


class ResourceAmenity(SQLModel, table=True):
    __tablename__ = "resource_amenity"
    __table_args__ = (UniqueConstraint("resource_id", "amenity_id"),)
    id: int | None = Field(default=None, primary_key=True)
    resource_id: int = Field(foreign_key="resource.id", index=True)
    amenity_id: int = Field(foreign_key="amenity.id", index=True)
    quantity: int = 1
    created_at: datetime = instant()
    updated_at: datetime = instant()


class ReservationKind:
    EVENT = "event"
    SEAT = "seat"
    ONSITE = "onsite"
    GUEST = "guest"
    """A visit: a host's guests booked into a building, on its onsite resource (taking none of
    its passes), with its visitors' attendances (`VisitAttendance`)."""


class ReservationStatus:
    CONFIRMED = "confirmed"
    CANCELLED = "cancelled"


_SERIES = text("recurrence IS NOT NULL")
_CANCELLED_SINGLE = text("status = 'cancelled' AND recurrence IS NULL")


class Reservation(SQLModel, table=True):
    """A booking of a resource over an interval, possibly recurring (a series master)."""

    __table_args__ = (
        # Series whose occurrences must be expanded past their indexed range, found per scope.
        Index("ix_reservation_series_resource", "resource_id", "indexed_until", sqlite_where=_SERIES, postgresql_where=_SERIES),
        Index("ix_reservation_series_building", "building_id", "indexed_until", sqlite_where=_SERIES, postgresql_where=_SERIES),
        Index(
            "ix_reservation_series_organization",
            "organization_id",
            "indexed_until",
            sqlite_where=_SERIES,
            postgresql_where=_SERIES,
        ),
        # An organization's series by start: listings read its cancelled series and the exceptions of
        # its live ones from these alone, however many single bookings it holds.
        Index(
            "ix_reservation_series_organization_start",
            "organization_id",
            "start",
            sqlite_where=_SERIES,
            postgresql_where=_SERIES,
        ),
        # An organization's cancelled single bookings in the order lists show them, counted from the
        # index alone.
        Index(
            "ix_reservation_cancelled_single",
            "organization_id",
            "start",
            "id",
            "end",
            sqlite_where=_CANCELLED_SINGLE,
            postgresql_where=_CANCELLED_SINGLE,
        ),
        Index("ix_reservation_organization_kind_start", "organization_id", "kind", "start"),
        # What one person holds (one person, one seat) and any other lookup by organizer. Three
        # equalities: on fewer, SQLite scans the organization's (organization_id, kind) range instead.
        Index("ix_reservation_organizer_organization_kind", "organizer_id", "organization_id", "kind"),
    )
    id: int | None = Field(default=None, primary_key=True)
    ulid: str = Field(default_factory=new_ulid, unique=True, max_length=26)
    organization_id: int = Field(foreign_key="organization.id", index=True)
    resource_id: int = Field(foreign_key="resource.id", index=True)
    building_id: int = Field(foreign_key="building.id", index=True)
    kind: str = Field(default=ReservationKind.EVENT, max_length=32)
    reservation_type: str | None = Field(default=None, max_length=32)
    """A seat reservation's type: hoteled, hot, assigned, shared or reverse_hoteled."""
    status: str = Field(default=ReservationStatus.CONFIRMED, max_length=16)
    title: str = ""
    description: str | None = None
    visibility: str = "default"
    show_as: str = "busy"
    is_all_day: bool = False
    time_zone: str
    start: datetime = instant()
    """Start of the first occurrence (the series' DTSTART)."""
    end: datetime = instant()
    recurrence: list[str] | None = Field(default=None, sa_column=Column(JSON(none_as_null=True), nullable=True))
    series_end: datetime | None = instant(nullable=True)
    """No earlier than the end of the last occurrence (its end, but where UNTIL or EXDATE ends the
    series: see `Series.last_end`), so that readers skip finished series; None for a series
    without end."""
    indexed_until: datetime = instant()
    """The occurrence index holds every occurrence starting before this instant."""
    release_after_s: int | None = None
    """The resource's release window when this was booked; see Resource.release_after_s."""
    organizer_id: int | None = Field(default=None, foreign_key="user.id")
    creator_id: int | None = Field(default=None, foreign_key="user.id")
    organizer_email: str | None = None
    creator_email: str | None = None
    remote_event_id: str | None = None
    remote_type: str | None = None
    creation_type: str = "manual"
    uid: str | None = None
    source: str = "robin"
    """Where it was made: the API it came through, by its name (robin, kadence), or fixture."""
    cancelled_at: datetime | None = instant(nullable=True)
    cancelled_by_id: int | None = Field(default=None, foreign_key="user.id")
    created_at: datetime = instant()
    updated_at: datetime = instant()


class Occurrence(SQLModel, table=True):
    """The indexed interval of one live occurrence: what conflict checks query."""

    __table_args__ = (
        Index("ix_occurrence_resource_start", "resource_id", "start"),
        Index("ix_occurrence_building_start", "building_id", "start"),
        # An organization's bookings in the order lists show them, counted from the index alone (by
        # status too: their release time is in it).
        Index("ix_occurrence_organization_start", "organization_id", "original_start", "reservation_id", "end", "release_at"),
        UniqueConstraint("reservation_id", "original_start"),
    )
    id: int | None = Field(default=None, primary_key=True)
    reservation_id: int = Field(foreign_key="reservation.id", index=True)
    organization_id: int = Field(foreign_key="organization.id")
    """Its reservation's, so that an organization's occurrences are read in order without it."""
    resource_id: int = Field(foreign_key="resource.id")
    building_id: int = Field(foreign_key="building.id")
    start: datetime = instant()
    end: datetime = instant()
    original_start: datetime = instant()
    """Where the series rule put this occurrence; the instance id is derived from it."""
    release_at: datetime | None = instant(nullable=True)
    """When this occurrence is released unless confirmed by then."""


class OccurrenceException(SQLModel, table=True):
    """An occurrence of a series cancelled on its own."""

    __tablename__ = "occurrence_exception"
    __table_args__ = (UniqueConstraint("reservation_id", "original_start"),)
    id: int | None = Field(default=None, primary_key=True)
    reservation_id: int = Field(foreign_key="reservation.id", index=True)
    original_start: datetime = instant()
    status: str = ReservationStatus.CANCELLED
    cancelled_by_id: int | None = Field(default=None, foreign_key="user.id")
    created_at: datetime = instant()


class CheckIn(SQLModel, table=True):
    """A confirmation (check-in) of one occurrence."""

    __tablename__ = "check_in"
    __table_args__ = (UniqueConstraint("reservation_id", "original_start"),)
    id: int | None = Field(default=None, primary_key=True)
    reservation_id: int = Field(foreign_key="reservation.id", index=True)
    original_start: datetime = instant()
    user_id: int | None = Field(default=None, foreign_key="user.id")
    device_id: int | None = None
    checked_in_at: datetime = instant()
    check_in_source: str = "robin"
    check_in_method: str | None = None
    checked_out_at: datetime | None = instant(nullable=True)
    checked_out_by_id: int | None = Field(default=None, foreign_key="user.id")
    check_out_source: str | None = None
    check_out_method: str | None = None
    withdrawn_at: datetime | None = instant(nullable=True)
    """When the confirmation was withdrawn, where it held the occurrence at its release time: the
    row stays, no check-in since, so that the occurrence is still not released (`release_kept`)."""
    release_kept: bool = False
    """The occurrence was checked in when its release time came, whatever became of the check-in."""


class Invitee(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    reservation_id: int = Field(foreign_key="reservation.id", index=True)
    user_id: int | None = Field(default=None, foreign_key="user.id", index=True)
    email: str
    display_name: str | None = None
    response_status: str = "not_responded"
    is_organizer: bool = False
    is_resource: bool = False
    created_at: datetime = instant()
    updated_at: datetime = instant()


class Presence(SQLModel, table=True):
    """A person or device seen in a space (or a whole location) until its session expires."""

    __table_args__ = (Index("ix_presence_building_expires", "building_id", "expires_at"),)
    id: int | None = Field(default=None, primary_key=True)
    organization_id: int = Field(foreign_key="organization.id", index=True)
    building_id: int = Field(foreign_key="building.id")
    resource_id: int | None = Field(default=None, foreign_key="resource.id", index=True)
    user_id: int | None = Field(default=None, foreign_key="user.id", index=True)
    device_id: int | None = None
    arrived_at: datetime = instant()
    last_seen_at: datetime = instant()
    session_ttl: int = 30
    expires_at: datetime = instant()


class ExportJobState:
    PENDING = "pending"
    RUNNING = "running"
    READY = "ready"
    FAILED = "failed"


class ExportJob(SQLModel, table=True):
    """An analytics export: requested through the API, generated once by a worker."""

    __tablename__ = "export_job"
    __table_args__ = (
        Index("ix_export_job_state", "state", "requested_at"),
        Index("ix_export_job_organization_requested", "organization_id", "requested_at"),
    )
    id: str = Field(primary_key=True, max_length=36)
    organization_id: int = Field(foreign_key="organization.id")
    kind: str = Field(max_length=16)
    range_start: datetime = instant()
    range_end: datetime = instant()
    location_ids: list[int] | None = Field(default=None, sa_column=Column(JSON(none_as_null=True), nullable=True))
    state: str = Field(default=ExportJobState.PENDING, max_length=16)
    requested_at: datetime = instant()
    """On the organization's clock."""
    ready_at: datetime = instant()
    """On the organization's clock: not served before, however early it was generated."""
    claimed_by: str | None = Field(default=None, max_length=64)
    claimed_at: datetime | None = instant(nullable=True)
    """Real time of the claim or the last progress: a stale claim may be taken over."""
    attempts: int = 0
    row_count: int | None = None
    finished_at: datetime | None = instant(nullable=True)
    error: str | None = None


class ExportChunk(SQLModel, table=True):
    """A piece of a generated CSV, compressed, in order."""

    __tablename__ = "export_chunk"
    job_id: str = Field(foreign_key="export_job.id", primary_key=True, max_length=36)
    seq: int = Field(primary_key=True)
    data: bytes = Field(sa_type=LargeBinary)


class ApiClient(SQLModel, table=True):
    """OAuth2 client credentials of an organization (Kadence)."""

    __tablename__ = "api_client"
    client_id: str = Field(primary_key=True, max_length=128)
    client_secret: str = Field(max_length=256)
    organization_id: int = Field(foreign_key="organization.id")
    user_id: int = Field(foreign_key="user.id")
    """Whose access the client's reads run with."""
    created_at: datetime = instant()


class OAuthToken(SQLModel, table=True):
    __tablename__ = "oauth_token"
    token: str = Field(primary_key=True, max_length=128)
    client_id: str = Field(foreign_key="api_client.client_id", index=True)
    organization_id: int = Field(foreign_key="organization.id")
    expires_at: datetime = instant()
    """On the organization's clock."""


class Visitor(SQLModel, table=True):
    """A person invited to visits: a guest, or a user of the organization."""

    id: int | None = Field(default=None, primary_key=True)
    ulid: str = Field(default_factory=new_ulid, unique=True, max_length=26)
    organization_id: int = Field(foreign_key="organization.id", index=True)
    email: str = Field(max_length=320)
    first_name: str | None = None
    last_name: str | None = None
    user_id: int | None = Field(default=None, foreign_key="user.id")
    created_at: datetime = instant()


class VisitAttendance(SQLModel, table=True):
    """A visitor's part in a visit: a guest booking (a reservation of kind GUEST), its host
    included (response `organizer`)."""

    __tablename__ = "visit_attendance"
    __table_args__ = (UniqueConstraint("reservation_id", "visitor_id"),)
    id: int | None = Field(default=None, primary_key=True)
    reservation_id: int = Field(foreign_key="reservation.id", index=True)
    visitor_id: int = Field(foreign_key="visitor.id", index=True)
    response: str = "not_responded"
    """none, organizer, tentatively_accepted, accepted, declined or not_responded."""
    checked_in_at: datetime | None = instant(nullable=True)
    checked_out_at: datetime | None = instant(nullable=True)


class Tenant(SQLModel, table=True):
    """An organization made by copying a template's (`POST /_sandbox/organizations`): what it was
    copied from and how, so that it can be reset to it. Its rows are the template's, each id moved
    by its table's offset (`offsets`) and each ULID marked with `code`."""

    organization_id: int = Field(foreign_key="organization.id", primary_key=True)
    code: str = Field(unique=True, max_length=6)
    """Six characters of Crockford's base 32 standing in its rows' ULIDs for the template's."""
    template_snapshot_id: int | None = None
    """The snapshot it was copied from (its organization `template_organization_id`), or None
    for a preset's workplace (`template_preset`)."""
    template_preset: str | None = Field(default=None, max_length=16)
    template_organization_id: int
    offsets: dict[str, int] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    """What each table's ids were moved by."""
    domains: dict[str, str] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    """Each e-mail domain of the template's people, and the domain it became."""
    position: int = 0
    """The change_log entry it was created or last reset at: rows logged after it are what a reset puts back."""
    clock_frozen_at: datetime | None = instant(nullable=True)
    """Its clock as it was made, which a reset returns to."""
    clock_offset_us: int = Field(default=0, sa_type=BigInteger)
    created_at: datetime = instant()
    """Real time."""


# The control plane's own tables: what every worker process must see alike. Snapshots and
# resets leave them alone.


class Snapshot(SQLModel, table=True):
    """A named copy of every workplace table, kept in the store as `snapshot_{id}_{table}`."""

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(unique=True, max_length=64)
    created_at: datetime = instant()
    """Real time."""
    rows: int = 0
    sequences: dict[str, int] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    """The next id of each table when it was taken, so that a restore hands out the same ids again."""
    position: int = 0
    """The last change_log entry when it was taken: rows logged after it are what a restore puts back."""


class ChangeLog(SQLModel, table=True):
    """Which rows of the workplace tables were written, in order: kept by triggers once the store
    has a snapshot, so that a restore copies back only what changed since."""

    __tablename__ = "change_log"
    __table_args__ = (Index("ix_change_log_table_id", "table_name", "id"),)
    id: int | None = Field(default=None, primary_key=True)
    table_name: str = Field(max_length=64)
    row_id: int


class StoreChange(SQLModel, table=True):
    """How many writes each topic's tables have had (`CHANGE_TOPICS`), counted by triggers, so
    that what a process keeps of a topic (a credential, the fault rules) stays good until one
    of its own tables is written, however busy the rest of the store is. The row EPOCH holds a
    number drawn when the store was created instead: the counts start again from zero only in
    a store created afresh, whose epoch differs. Never in a snapshot, so never set back."""

    __tablename__ = "store_change"
    topic: str = Field(primary_key=True, max_length=32)
    writes: int = Field(default=0, sa_type=BigInteger)


CREDENTIALS = "credentials"
FAULTS = "faults"
EPOCH = "epoch"
CHANGE_TOPICS: dict[str, tuple[str, ...]] = {
    CREDENTIALS: ("organization", "user", "access_token", "api_client", "oauth_token"),
    FAULTS: ("fault_rule",),
}
"""Each topic, and the tables whose writes it counts: what a caller's credential is read from,
and the fault rules."""


class FaultRule(SQLModel, table=True):
    __tablename__ = "fault_rule"
    id: int | None = Field(default=None, primary_key=True)
    api: str = Field(max_length=16)
    """robin, kadence or any."""
    method: str = Field(max_length=16)
    """An HTTP method, or * for any."""
    path: str = Field(max_length=512)
    """A shell-style pattern matched against the request path."""
    effect: str = Field(max_length=16)
    """latency, error, rate_limit or drop."""
    latency_ms: int = 0
    status: int | None = None
    message: str | None = None
    retry_after: int | None = None
    probability: float = 1.0
    remaining: int | None = None
    """How many more matching requests it applies to; None: every one."""
    hits: int = 0
    created_at: datetime = instant()
    organization_id: int | None = Field(default=None, index=True)
    """Whose requests it applies to: those whose credential is of this organization; None: every
    request. A plain id, as a journal entry's organization is: a restore of a snapshot taken
    before the organization was added takes it away, and must not fail for its rules."""


class JournalEntry(SQLModel, table=True):
    """One request to a vendor API, as it was received and answered."""

    __tablename__ = "journal_entry"
    id: int | None = Field(default=None, primary_key=True)
    at: datetime = instant(index=True)
    """Real time the request arrived."""
    api: str = Field(max_length=16)
    method: str = Field(max_length=16)
    path: str
    query: str = ""
    status: int | None = None
    """None: the connection was dropped without an answer."""
    duration_ms: float
    organization_id: int | None = Field(default=None, index=True)
    """Whose credential the request carried, when it carried a valid one."""
    fault_id: int | None = None
    """The fault rule that changed the answer, if one did."""
    request_headers: dict[str, str] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False, default=dict))
    """Each header by its lower-case name, repeated ones joined by ", ", secrets redacted."""
    request_content_type: str | None = None
    request_body: str | None = None
    response_headers: dict[str, str] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False, default=dict))
    response_content_type: str | None = None
    response_body: str | None = None
    truncated: bool = False
    """A body was longer than the journal keeps."""


CONTROL_TABLES = frozenset(
    {
        StoreMeta.__tablename__,
        Snapshot.__tablename__,
        ChangeLog.__tablename__,
        FaultRule.__tablename__,
        JournalEntry.__tablename__,
        StoreChange.__tablename__,
    }
)


def _never_reuse_ids() -> None:
    """SQLite hands a deleted largest id to the next row unless the table is AUTOINCREMENT; a
    reset of one organization restores that organization's rows under their old ids, which must
    not have gone to anyone else in the meantime. (PostgreSQL sequences never go back.)"""
    for table in SQLModel.metadata.tables.values():
        key = list(table.primary_key.columns)
        if len(key) == 1 and key[0].name == "id" and key[0].type.python_type is int:
            table.dialect_options["sqlite"]["autoincrement"] = True


_never_reuse_ids()


def _deferrable_references() -> None:
    """A restore puts changed rows back in place, a parent before its unchanged children exist
    again: PostgreSQL may check references at the end of that transaction (SET CONSTRAINTS ALL
    DEFERRED) while every other transaction still checks each statement."""
    from sqlalchemy import ForeignKeyConstraint

    for table in SQLModel.metadata.tables.values():
        for constraint in table.constraints:
            if isinstance(constraint, ForeignKeyConstraint) and not constraint.deferrable:
                constraint.deferrable = True


_deferrable_references()
