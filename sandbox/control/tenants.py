"""Tenants: organizations made by copying a template, to be reset to it and dropped.

A template is an organization as a snapshot holds it (the seed's, by default) or a preset's
workplace. A tenant is written in one transaction of table-to-table copies, `INSERT ... SELECT`
from the template's copy of each table, so that it costs a statement a table whatever the
workplace holds:

- each table's ids move by an offset of their own (the table's next id less the template's
  smallest), and every reference moves with the table it names, so that the rows keep their
  shape; the ids from the first to the last the tenant took are never handed out again (see
  `models._never_reuse_ids`), which lets a reset put the same rows back under the same ids;
- each ULID keeps its time and its last ten characters and takes the tenant's code in between,
  so a tenant's ids are its own and the same after every reset;
- the addresses of its people move to a domain of its own (`ada.okafor@meridian.example`
  becomes `ada.okafor@<slug>.meridian.example`), since an address names one person in the
  store; addresses of other domains (guests) are kept;
- credentials are never copied: it gets a new Robin access token for each of the template's,
  and a new Kadence API client for each of its clients, for the same people.

A reset copies back what the change log names as written since the tenant was made or last reset,
as a snapshot's restore does, and leaves its credentials alone: the clients a test suite holds
keep working. Whatever else the control plane keeps of it (fault rules, journal entries) goes when
it is dropped.
"""

import functools
import re
import secrets
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

from sqlalchemy import Column, Connection, MetaData, Select, Table, bindparam, select, text
from sqlalchemy.exc import IntegrityError
from sqlmodel import col

from sandbox.control import snapshots
from sandbox.control.snapshots import (
    CHANGED,
    Also,
    Refused,
    changed_ids,
    copy_name,
    defer_foreign_keys,
    last_change,
    last_ids,
    owned_by,
    quoted,
    set_sequences,
    snapshot_named,
    statement,
    tracked,
    workplace_tables,
    written_tables,
)
from sandbox.core.clock import Clock
from sandbox.core.errors import InvalidInput, NotFound
from sandbox.core.ids import row_id
from sandbox.store.engine import Store
from sandbox.store.models import (
    AccessToken,
    ApiClient,
    ExportChunk,
    ExportJob,
    FaultRule,
    JournalEntry,
    OAuthToken,
    Organization,
    StoreMeta,
    Tenant,
    User,
    table_of,
)

SLUG = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,46}[a-z0-9])?$")
"""A tenant's slug: a DNS label (its people's addresses are under it) of at most 48 characters."""
PRESETS = ("demo", "small", "large")
_CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
_ATTEMPTS = 5
"""Tries at a code no row of the template could collide with (a ULID's middle characters are random)."""

_NOT_COPIED = frozenset(
    {
        table_of(Organization).name,  # Written on its own: its slug, name and clock are the tenant's.
        table_of(AccessToken).name,  # Credentials: new ones, for the same people.
        table_of(ApiClient).name,
        table_of(OAuthToken).name,
        table_of(ExportJob).name,  # What was asked of the template is not the tenant's.
        table_of(ExportChunk).name,
        table_of(Tenant).name,
    }
)
_KEPT_BY_RESET = frozenset(
    {table_of(AccessToken).name, table_of(ApiClient).name, table_of(OAuthToken).name, table_of(Tenant).name}
)
_ADDRESSES = {
    "user": ("email",),
    "reservation": ("organizer_email", "creator_email"),
    "invitee": ("email",),
    "visitor": ("email",),
}
"""The columns holding people's addresses."""
_NAMED_BY_ULID = {"reservation": ("uid", "remote_event_id")}
"""Columns that hold their row's ULID in lower case (a calendar's event uid)."""


@dataclass(frozen=True)
class Template:
    """What a tenant is copied from: an organization of a snapshot, or a preset's workplace."""

    snapshot: str | None = None
    preset: str | None = None
    organization: str | None = None
    """The snapshot's organization by id, ULID or slug; None: its only one, or its first."""


ClockMode = Literal["template", "real", "frozen"]


@dataclass(frozen=True)
class Holder:
    """Whom a credential acts as."""

    id: int
    ulid: str
    email: str
    role: str


@dataclass(frozen=True)
class Credentials:
    robin_tokens: list[tuple[str, Holder]]
    """Each token, and its holder."""
    kadence_clients: list[tuple[str, str, Holder]]
    """Each client's id and secret, and its holder."""


@dataclass(frozen=True)
class Made:
    organization: Organization
    tenant: Tenant
    credentials: Credentials


@dataclass(frozen=True)
class _Source:
    """Where a template's rows are: each table's copy, and the organization that owns them there."""

    store: Store
    snapshot_id: int | None
    preset: str | None
    organization_id: int

    def table(self, name: str) -> str:
        """The quoted name of the template's copy of a table."""
        return quoted(self.store, self.table_name(name))

    def table_name(self, name: str) -> str:
        if self.snapshot_id is not None:
            return f"snapshot_{self.snapshot_id}_{name}"
        return _staged_name(self.preset or "", name)

    def typed(self, table: Table) -> Table:
        """The template's copy of `table`, read with the live table's column types."""
        return _typed_copy(self.table_name(table.name), table)

    def organization(self, connection: Connection) -> Organization:
        """The template organization's row."""
        copy = self.typed(table_of(Organization))
        row = connection.execute(select(copy).where(copy.c.id == self.organization_id)).one()
        return Organization.model_validate(row._mapping)

    def slug(self, connection: Connection) -> str:
        """The template organization's slug."""
        found = connection.execute(_slug_in(self.typed(table_of(Organization))), {"organization": self.organization_id})
        return str(found.scalar_one())


def create(
    store: Store,
    clock: Clock,
    template: Template,
    *,
    slug: str | None = None,
    name: str | None = None,
    clock_mode: ClockMode = "template",
    frozen_at: datetime | None = None,
) -> Made:
    """A new organization copied from `template`, with credentials of its own."""
    if slug is not None and not SLUG.fullmatch(slug):
        raise InvalidInput.of(
            "slug", "must be 1 to 48 lower-case letters, digits or '-', starting and ending with a letter or digit"
        )
    if template.preset is not None:
        if template.preset not in PRESETS:
            raise InvalidInput.of("template.preset", f"must be one of {', '.join(PRESETS)}")
        if slug is not None and _slug_taken(store, slug):  # Before generating a workplace for nothing.
            raise _taken(slug)
        _stage_preset(store, clock, template.preset)
    for attempt in range(_ATTEMPTS):
        try:
            return _create(store, clock, template, slug, name, clock_mode, frozen_at)
        except IntegrityError:
            if slug is not None and _slug_taken(store, slug):
                raise _taken(slug) from None
            if attempt == _ATTEMPTS - 1:
                raise
    raise AssertionError("unreachable")


def _create(
    store: Store,
    clock: Clock,
    template: Template,
    slug: str | None,
    name: str | None,
    clock_mode: ClockMode,
    frozen_at: datetime | None,
) -> Made:
    code = "".join(secrets.choice(_CROCKFORD) for _ in range(6))
    with store.transaction(exclusive=True) as session:
        connection = session.connection()
        source = _source(store, connection, template)
        original = source.organization(connection)
        slug = slug or f"{original.slug[:41].rstrip('-')}-{code.lower()}"
        if _slug_taken_on(connection, slug):
            raise _taken(slug)
        now = clock.wall()
        frozen, offset = _clock(clock, clock_mode, frozen_at, original)
        organization = Organization(
            slug=slug,
            name=name or original.name,
            avatar=original.avatar,
            created_at=now,
            updated_at=now,
            clock_frozen_at=frozen,
            clock_offset_us=offset,
        )
        session.add(organization)
        session.flush()
        organization_id = organization.id or 0
        tables = _copied_tables()
        offsets = {"organization": organization_id - source.organization_id}
        sequences = last_ids(store, connection)
        spans = " UNION ALL ".join(
            f"SELECT '{table.name}', MIN(id), MAX(id) FROM {source.table(table.name)} WHERE {_owned(store, table, source)}"
            for table in tables
            if tracked(table)
        )
        for name, lowest, highest in connection.execute(text(spans), {"organization": source.organization_id}):
            if lowest is None:
                continue
            offsets[name] = sequences.get(name, 0) + 1 - lowest
            sequences[name] = highest + offsets[name]
        domains = {
            domain: f"{slug}.{domain}"
            for domain in connection.execute(
                text(
                    f"SELECT DISTINCT LOWER({_domain(store, 'email')}) FROM {source.table('user')} "
                    "WHERE organization_id = :organization"
                ),
                {"organization": source.organization_id},
            ).scalars()
            if domain
        }
        tenant = Tenant(
            organization_id=organization_id,
            code=code,
            template_snapshot_id=source.snapshot_id,
            template_preset=source.preset,
            template_organization_id=source.organization_id,
            offsets=offsets,
            domains=domains,
            clock_frozen_at=frozen,
            clock_offset_us=offset,
            created_at=now,
        )
        defer_foreign_keys(store, connection)
        for table in tables:
            _copy(store, connection, source, tenant, table, slugs=(original.slug, slug))
        set_sequences(store, connection, {table: sequences[table] for table in offsets if table in sequences})
        credentials = _credentials(store, connection, source, organization, tenant, now)
        tenant.position = last_change(connection)
        session.add(tenant)
        session.flush()
        session.commit()
    return Made(organization, tenant, credentials)


class NotATenant(NotFound):
    """The organization was seeded, not made as a tenant: it has no template to go back to."""


def reset(store: Store, organization_id: int, *, also: Also | None = None) -> None:
    """The tenant back to what it was made as: its rows written since put back, what it made
    since gone, its clock as it was made; its credentials kept. `also` runs in the same
    transaction, after (see `snapshots.Also`)."""
    with store.writing(exclusive=True) as connection:
        found = connection.execute(_TENANT, {"organization": organization_id}).first()
        if found is None:
            raise NotATenant(f"organization {organization_id} is not a tenant")
        tenant = Tenant.model_validate(found._mapping)
        source = _source_of(store, connection, tenant)
        defer_foreign_keys(store, connection)
        parameters = {"organization": organization_id, "position": tenant.position}
        written = written_tables(store, connection, tenant.position)
        for table in reversed(workplace_tables()):
            if table.name in _KEPT_BY_RESET or table.name == "organization" or table.name not in written:
                continue
            where = owned_by(store, table, lambda name: quoted(store, name))
            if tracked(table):
                where += f" AND id IN ({CHANGED})"
            connection.execute(
                statement(f"DELETE FROM {quoted(store, table.name)} WHERE {where}"), {**parameters, "table": table.name}
            )
        # Only a space's calendar address names its organization.
        slugs = ("", "")
        if "resource" in written:
            slugs = (source.slug(connection), _slug_of(connection, organization_id))
        for table in _copied_tables():
            if table.name in written:
                _copy(store, connection, source, tenant, table, slugs=slugs, changed_since=tenant.position)
        if "organization" in written:  # Its clock, the one thing of its own row a test changes.
            connection.execute(
                _CLOCK_BACK,
                {"organization": organization_id, "frozen_at": tenant.clock_frozen_at, "offset_us": tenant.clock_offset_us},
            )
        connection.execute(_MOVE_POSITION, {"organization": organization_id, "position": last_change(connection)})
        if also is not None:
            also(connection)


def drop(store: Store, organization_id: int) -> None:
    """The tenant and everything it owns, its credentials, fault rules and journal entries with it."""
    with store.transaction(exclusive=True) as session:
        connection = session.connection()
        if session.get(Tenant, organization_id) is None:
            raise Refused(
                f"organization {organization_id} was seeded, not made as a tenant: "
                "only tenants are dropped (POST /_sandbox/reset returns the store to its seed)"
            )
        defer_foreign_keys(store, connection)
        parameters = {"organization": organization_id}
        for table in reversed(workplace_tables()):
            where = owned_by(store, table, lambda name: quoted(store, name))
            connection.execute(text(f"DELETE FROM {quoted(store, table.name)} WHERE {where}"), parameters)
        connection.execute(table_of(FaultRule).delete().where(col(FaultRule.organization_id) == organization_id))
        connection.execute(table_of(JournalEntry).delete().where(col(JournalEntry.organization_id) == organization_id))
        session.commit()


def is_tenant(store: Store, organization_id: int) -> bool:
    with store.session() as session:
        return session.get(Tenant, organization_id) is not None


# Copying


@functools.lru_cache(maxsize=256)
def _typed_copy(name: str, table: Table) -> Table:
    """A copy of `table` named `name`, with its columns' types and none of its constraints: made
    once a name, so that statements on it compile once."""
    return Table(name, MetaData(), *(Column(column.name, column.type) for column in table.columns))


@functools.lru_cache(maxsize=256)
def _slug_in(organizations: Table) -> Select[Any]:
    return select(organizations.c.slug).where(organizations.c.id == bindparam("organization"))


@functools.cache
def _copied_tables() -> tuple[Table, ...]:
    return tuple(table for table in workplace_tables() if table.name not in _NOT_COPIED)


def _owned(store: Store, table: Table, source: _Source) -> str:
    return owned_by(store, table, source.table)


def _copy(
    store: Store,
    connection: Connection,
    source: _Source,
    tenant: Tenant,
    table: Table,
    *,
    slugs: tuple[str, str],
    changed_since: int | None = None,
) -> None:
    """The template's rows of `table`, as the tenant's: where `changed_since`, only those whose
    copy was written after that change. `slugs`: the template organization's and the tenant's."""
    parameters: dict[str, Any] = {
        "organization": source.organization_id,
        "table": table.name,
        "template_slug": slugs[0],
        "tenant_slug": slugs[1],
    }
    columns = [quoted(store, column.name) for column in table.columns]
    values = [_value(store, table, column, tenant, parameters) for column in table.columns]
    where = _owned(store, table, source)
    if changed_since is not None and tracked(table):
        # The template's ids of the rows written: its copy's index on id finds them.
        where += f" AND id IN ({changed_ids(less=tenant.offsets.get(table.name, 0))})"
        parameters["position"] = changed_since
    connection.execute(
        statement(
            f"INSERT INTO {quoted(store, table.name)} ({', '.join(columns)}) "
            f"SELECT {', '.join(values)} FROM {source.table(table.name)} WHERE {where}"
        ),
        parameters,
    )


def _value(store: Store, table: Table, column: Column[Any], tenant: Tenant, parameters: dict[str, Any]) -> str:
    """What the tenant's row holds in `column`, as SQL over the template's row."""
    name = quoted(store, column.name)
    if column.name == "id" and tracked(table):
        return f"{name} + {tenant.offsets.get(table.name, 0)}"
    for key in column.foreign_keys:
        target = key.column.table.name
        if target in tenant.offsets:
            return f"{name} + {tenant.offsets[target]}"
    if column.name == "ulid":
        return _tenant_ulid(name, tenant)
    if column.name in _ADDRESSES.get(table.name, ()):
        return _address(store, name, tenant, parameters)
    if column.name in _NAMED_BY_ULID.get(table.name, ()):
        return f"REPLACE({name}, LOWER(ulid), LOWER({_tenant_ulid('ulid', tenant)}))"
    if table.name == "resource" and column.name == "calendar_email":
        return _calendar_address(store, name, tenant, parameters)
    return name


def _tenant_ulid(name: str, tenant: Tenant) -> str:
    return f"SUBSTR({name}, 1, 10) || '{tenant.code}' || SUBSTR({name}, 17, 10)"


def _address(store: Store, name: str, tenant: Tenant, parameters: dict[str, Any]) -> str:
    if not tenant.domains:
        return name
    cases = []
    for number, (domain, moved) in enumerate(sorted(tenant.domains.items())):
        parameters[f"domain_{number}"] = domain
        parameters[f"moved_{number}"] = moved
        cases.append(
            f"WHEN LOWER({_domain(store, name)}) = :domain_{number} THEN {_local_part(store, name)} || '@' || :moved_{number}"
        )
    return f"CASE {' '.join(cases)} ELSE {name} END"


def _calendar_address(store: Store, name: str, tenant: Tenant, parameters: dict[str, Any]) -> str:
    """A space's calendar named after its organization and id (as the loader names it) is named
    after the tenant's and the space's new id."""
    moved = f"CAST(id + {tenant.offsets.get('resource', 0)} AS VARCHAR(20))"
    return (
        f"REPLACE({name}, :template_slug || '-space-' || CAST(id AS VARCHAR(20)) || '@', "
        f":tenant_slug || '-space-' || {moved} || '@')"
    )


def _domain(store: Store, name: str) -> str:
    return f"SUBSTR({name}, {_at_sign(store, name)} + 1)"


def _local_part(store: Store, name: str) -> str:
    return f"SUBSTR({name}, 1, {_at_sign(store, name)} - 1)"


def _at_sign(store: Store, name: str) -> str:
    """SQL for where the '@' of an address is."""
    return f"INSTR({name}, '@')" if store.is_sqlite else f"STRPOS({name}, '@')"


def _credentials(
    store: Store, connection: Connection, source: _Source, organization: Organization, tenant: Tenant, now: datetime
) -> Credentials:
    """A new token for each of the template's Robin tokens, a new client for each Kadence client."""
    shift = tenant.offsets.get("user", 0)
    held = {
        "tokens": connection.execute(
            text(f"SELECT user_id FROM {source.table('access_token')} WHERE organization_id = :organization ORDER BY token"),
            {"organization": source.organization_id},
        )
        .scalars()
        .all(),
        "clients": connection.execute(
            text(f"SELECT user_id FROM {source.table('api_client')} WHERE organization_id = :organization ORDER BY client_id"),
            {"organization": source.organization_id},
        )
        .scalars()
        .all(),
    }
    wanted = {user_id + shift for user_id in (*held["tokens"], *held["clients"])}
    users = {
        row.id: Holder(row.id, row.ulid, row.email, row.role)
        for row in connection.execute(
            select(col(User.id), col(User.ulid), col(User.email), col(User.role)).where(col(User.id).in_(wanted))
        )
    }
    tokens = []
    for user_id in held["tokens"]:
        user = users[user_id + shift]
        token = secrets.token_hex(20)
        connection.execute(
            table_of(AccessToken).insert().values(token=token, user_id=user.id, organization_id=organization.id, created_at=now)
        )
        tokens.append((token, user))
    clients = []
    for number, user_id in enumerate(held["clients"]):
        user = users[user_id + shift]
        client_id = f"{organization.slug}-client" + (f"-{number + 1}" if number else "")
        secret = secrets.token_urlsafe(24)
        connection.execute(
            table_of(ApiClient)
            .insert()
            .values(client_id=client_id, client_secret=secret, organization_id=organization.id, user_id=user.id, created_at=now)
        )
        clients.append((client_id, secret, user))
    return Credentials(tokens, clients)


def _clock(clock: Clock, mode: ClockMode, frozen_at: datetime | None, original: Organization) -> tuple[datetime | None, int]:
    """The new organization's clock: the template's as it was, real time, or frozen (at `frozen_at`,
    else where the template's clock reads now)."""
    if mode == "real":
        return None, 0
    if mode == "frozen":
        return (frozen_at or clock.now(original)), 0
    return original.clock_frozen_at, original.clock_offset_us


# Where a template is


def _source(store: Store, connection: Connection, template: Template) -> _Source:
    if template.preset is not None:
        staged = _staged_name(template.preset, "organization")
        organization_id = connection.execute(text(f"SELECT MIN(id) FROM {quoted(store, staged)}")).scalar_one()
        return _Source(store, None, template.preset, int(organization_id))
    snapshot = snapshot_named(connection, template.snapshot or snapshots.SEED)
    copy = copy_name(store, snapshot.id or 0, "organization")
    key = template.organization
    if key is None:
        found = connection.execute(text(f"SELECT MIN(id) FROM {copy}")).scalar()
    elif key.isascii() and key.isdigit():
        found = connection.execute(text(f"SELECT id FROM {copy} WHERE id = :key"), {"key": row_id(key) or 0}).scalar()
    else:
        found = connection.execute(
            text(f"SELECT id FROM {copy} WHERE slug = :key OR ulid = :ulid"), {"key": key, "ulid": key.upper()}
        ).scalar()
    if found is None:
        raise NotFound(
            f"snapshot {snapshot.name!r} holds no organization {key!r}"
            if key
            else f"snapshot {snapshot.name!r} holds no organization"
        )
    return _Source(store, snapshot.id, None, int(found))


def _source_of(store: Store, connection: Connection, tenant: Tenant) -> _Source:
    if tenant.template_preset is not None:
        return _Source(store, None, tenant.template_preset, tenant.template_organization_id)
    exists = connection.execute(statement("SELECT 1 FROM snapshot WHERE id = :id"), {"id": tenant.template_snapshot_id}).scalar()
    if exists is None:
        raise Refused(f"organization {tenant.organization_id} was copied from a snapshot since deleted: it can't be reset")
    return _Source(store, tenant.template_snapshot_id, None, tenant.template_organization_id)


def _slug_of(connection: Connection, organization_id: int) -> str:
    return str(connection.execute(_SLUG, {"organization": organization_id}).scalar_one())


# A reset's statements, built once: building one costs about what running it does.
_TENANT = select(table_of(Tenant)).where(col(Tenant.organization_id) == bindparam("organization"))
_SLUG = select(col(Organization.slug)).where(col(Organization.id) == bindparam("organization"))
_CLOCK_BACK = (
    table_of(Organization)
    .update()
    .where(col(Organization.id) == bindparam("organization"))
    .values(clock_frozen_at=bindparam("frozen_at"), clock_offset_us=bindparam("offset_us"))
)
_MOVE_POSITION = (
    table_of(Tenant)
    .update()
    .where(col(Tenant.organization_id) == bindparam("organization"))
    .values(position=bindparam("position"))
)


def _taken(slug: str) -> Refused:
    return Refused(f"an organization with the slug {slug!r} exists already")


def _slug_taken(store: Store, slug: str) -> bool:
    with store.session() as session:
        return _slug_taken_on(session.connection(), slug)


def _slug_taken_on(connection: Connection, slug: str) -> bool:
    return connection.execute(select(col(Organization.id)).where(col(Organization.slug) == slug)).first() is not None


# Presets, staged once


def _staged_name(preset: str, table: str) -> str:
    return f"template_{preset}_{table}"


def _stage_key(preset: str) -> str:
    return f"template_{preset}"


def _stage_preset(store: Store, clock: Clock, preset: str) -> None:
    """Generate a preset's workplace once, in a store of its own, and keep a copy of its tables
    beside the live ones (`template_<preset>_<table>`) for tenants to be copied from; neither
    snapshots nor resets touch them."""
    if store.meta(_stage_key(preset)) is not None:
        return
    from sandbox.seeding import load_seed
    from sandbox.settings import Settings

    with tempfile.TemporaryDirectory(prefix="sandbox-template-") as scratch:
        settings = Settings(data_dir=Path(scratch), preset=preset, fixture=None, seed=None, database_url=None)
        generated = Store(settings.store_url())
        try:
            generated.prepare()
            load_seed(generated, settings, clock)
            rows = {}
            with generated.engine.connect() as reading:
                for table in workplace_tables():
                    rows[table.name] = [dict(row._mapping) for row in reading.execute(select(table))]
        finally:
            generated.dispose()
    with store.transaction(exclusive=True) as session:
        connection = session.connection()
        if connection.execute(select(col(StoreMeta.value)).where(col(StoreMeta.key) == _stage_key(preset))).first():
            return
        for table in workplace_tables():
            staged = _staged_name(preset, table.name)
            connection.exec_driver_sql(
                f"CREATE TABLE {quoted(store, staged)} AS SELECT * FROM {quoted(store, table.name)} WHERE 1 = 0"
            )
            if rows[table.name]:
                copy = Table(staged, MetaData(), *(Column(column.name, column.type) for column in table.columns))
                connection.execute(copy.insert(), rows[table.name])
        connection.execute(table_of(StoreMeta).insert().values(key=_stage_key(preset), value=datetime.now(UTC).isoformat()))
        session.commit()
