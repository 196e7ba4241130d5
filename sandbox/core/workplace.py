"""The workplace: organizations, buildings, floors, spaces, amenities and people."""

import re
import unicodedata
from dataclasses import dataclass, field
from datetime import datetime
from functools import cache
from typing import Any, Literal, TypeVar

from sqlalchemy import bindparam, func, or_
from sqlmodel import Session, col, select
from sqlmodel.sql.expression import SelectOfScalar

from sandbox.core.access import Actor
from sandbox.core.errors import AlreadyExists, FieldProblem, Forbidden, InvalidInput, NotFound
from sandbox.core.ids import MAX_ROW_ID, row_id
from sandbox.core.paging import Page, PageRequest, paginate
from sandbox.store.models import (
    Amenity,
    Area,
    Building,
    Floor,
    Organization,
    Reservation,
    Resource,
    ResourceAmenity,
    ResourceKind,
    User,
)

Row = TypeVar("Row", Organization, Building, Floor, Area, Resource, User, Reservation)
MAX_LISTED_IDS = 1000
"""The most ids one field of a request may list."""
SPACE_TYPES = (
    "breakout",
    "call",
    "conference",
    "meeting",
    "office",
    "study_room",
    "kitchen",
    "lobby",
    "lounge",
    "cafe",
    "fitness",
    "lactation",
    "other",
)


def fetch(session: Session, actor: Actor, model: type[Row], row_id: int) -> Row:
    """The row `row_id` of `model`, visible to `actor`: 404 when missing, 403 elsewhere."""
    if not 0 <= row_id <= MAX_ROW_ID:
        raise NotFound(f"no {model.__name__.lower()} {row_id}")
    row: Row | None = session.exec(_by_id(model), params={"row_id": row_id}).first()
    if row is None:
        raise NotFound(f"no {model.__name__.lower()} {row_id}")
    organization_id = row.id if isinstance(row, Organization) else row.organization_id
    actor.require_member_of(organization_id or 0)
    return row


def require_visible(
    session: Session,
    actor: Actor,
    model: type[Building] | type[Floor] | type[Resource],
    ids: list[int] | None,
    field: str,
    noun: str | None = None,
) -> None:
    """Refuse `ids` of `model` listed in `field`: more than MAX_LISTED_IDS of them, or one that does
    not exist (InvalidInput, naming it "{noun} {id}"); Forbidden for another organization's."""
    if not ids:
        return
    if len(ids) > MAX_LISTED_IDS:
        raise InvalidInput.of(field, f"at most {MAX_LISTED_IDS} ids")
    owners = dict(session.exec(select(model.id, model.organization_id).where(col(model.id).in_(ids))).all())
    for listed in ids:
        if listed not in owners:
            named = f"{noun} {listed}" if noun else str(listed)
            raise InvalidInput.of(field, f"{named} does not exist")
        actor.require_member_of(owners[listed])


def get_organization(session: Session, actor: Actor, id_or_slug: str) -> Organization:
    organization = keyed_organization(session, id_or_slug, by_ulid=False)
    if organization is None:
        raise NotFound("no such organization")
    actor.require_member_of(organization.id or 0)
    return organization


def keyed_organization(session: Session, key: str, *, by_ulid: bool = True, lock: bool = False) -> Organization | None:
    """The organization whose integer id (ASCII digits), ULID (when `by_ulid`) or slug `key` is."""
    by, value = organization_key(key, by_ulid=by_ulid)
    if value is None:
        return None
    return session.exec(_organization_by(by, lock), params={"key": value}).first()


def organization_key(key: str, *, by_ulid: bool = True) -> tuple[Literal["id", "ulid", "slug"], str | int | None]:
    """What `key` names an organization by: its integer id (ASCII digits; None where no row can
    have it), its ULID (when `by_ulid`) or its slug; and the value to look for."""
    if key.isascii() and key.isdigit():
        return "id", row_id(key)
    if by_ulid and len(key) == 26:
        return "ulid", key.upper()
    return "slug", key


@cache
def _organization_by(column: str, lock: bool) -> SelectOfScalar[Organization]:
    """The statement finding an organization by its `column`, built once."""
    statement = select(Organization).where(col(getattr(Organization, column)) == bindparam("key"))
    return statement.with_for_update() if lock else statement


def list_buildings(
    session: Session, actor: Actor, organization_id: int, page: PageRequest, query: str | None = None
) -> Page[Building]:
    """The organization's buildings, those whose name holds `query` (ignoring case) when given."""
    fetch(session, actor, Organization, organization_id)
    statement = select(Building).where(Building.organization_id == organization_id)
    if query:
        statement = statement.where(func.lower(Building.name).contains(query.lower(), autoescape=True))
    return paginate(session, statement.order_by(col(Building.id)), page)


def list_floors(session: Session, actor: Actor, building_id: int, page: PageRequest) -> Page[Floor]:
    fetch(session, actor, Building, building_id)
    statement = select(Floor).where(Floor.building_id == building_id).order_by(col(Floor.level_number), col(Floor.id))
    return paginate(session, statement, page)


@cache
def _by_id(model: type[Row]) -> Any:
    """The statement reading one row of `model` by its id, built once: cheaper than the session's
    `get`, and like it, it writes nothing the session holds unwritten first."""
    return select(model).where(model.id == bindparam("row_id")).execution_options(autoflush=False)


def get_space(session: Session, actor: Actor, space_id: int) -> Resource:
    space = fetch(session, actor, Resource, space_id)
    if space.kind != ResourceKind.SPACE:
        raise NotFound(f"resource {space_id} is not a space")
    return space


def get_space_at(session: Session, actor: Actor, building_id: int, space_id: int) -> Resource:
    """The space `space_id` of the building `building_id`: NotFound for a space elsewhere."""
    fetch(session, actor, Building, building_id)
    space = get_space(session, actor, space_id)
    if space.building_id != building_id:
        raise NotFound(f"space {space_id} is not in building {building_id}")
    return space


def space_calendar(session: Session, actor: Actor, space_id: int) -> Resource:
    """The space `space_id`, for its calendar: NotFound for a space that has none (one that is
    never reserved has none)."""
    space = get_space(session, actor, space_id)
    if space.calendar_email is None:
        raise NotFound(f"space {space_id} has no calendar")
    return space


def spaces_holding_desks(session: Session, space_ids: list[int]) -> set[int]:
    """The spaces among `space_ids` that hold desks (any desk, disabled or not)."""
    if not space_ids:
        return set()
    return {parent_id for parent_id in session.exec(_HOLDING_DESKS, params={"space_ids": space_ids}) if parent_id is not None}


_HOLDING_DESKS = (
    select(Resource.parent_id)
    .where(Resource.kind == ResourceKind.DESK, col(Resource.parent_id).in_(bindparam("space_ids", expanding=True)))
    .distinct()
)


def buildings_of(session: Session, building_ids: set[int]) -> dict[int, Building]:
    if not building_ids:
        return {}
    return {row.id or 0: row for row in session.exec(select(Building).where(col(Building.id).in_(building_ids)))}


@dataclass(frozen=True)
class SpaceFilters:
    query: str | None = None
    types: list[str | None] | None = None
    level_id: int | None = None
    min_capacity: int | None = None
    max_capacity: int | None = None
    amenity_ids: list[int] = field(default_factory=list)
    include_disabled: bool = True


def space_conditions(filters: SpaceFilters) -> list[Any]:
    """SQL conditions on Resource for `filters` (shared by space lists and free/busy)."""
    conditions: list[Any] = [Resource.kind == ResourceKind.SPACE]
    if filters.query:
        conditions.append(func.lower(Resource.name).contains(filters.query.lower(), autoescape=True))
    if filters.types is not None:
        named = [kind for kind in filters.types if kind is not None]
        options = [col(Resource.type).in_(named)] if named else []
        if None in filters.types:
            options.append(col(Resource.type).is_(None))
        conditions.append(or_(*options) if options else False)
    if filters.level_id is not None:
        conditions.append(Resource.floor_id == filters.level_id)
    if filters.min_capacity is not None:
        conditions.append(col(Resource.capacity) >= filters.min_capacity)
    if filters.max_capacity is not None:
        conditions.append(col(Resource.capacity) <= filters.max_capacity)
    if not filters.include_disabled:
        conditions.append(col(Resource.is_disabled).is_(False))
    conditions.extend(
        col(Resource.id).in_(select(ResourceAmenity.resource_id).where(ResourceAmenity.amenity_id == amenity_id))
        for amenity_id in filters.amenity_ids
    )
    return conditions


MAX_CAPACITY = 100_000


def validate_capacity_range(filters: SpaceFilters) -> None:
    problems = [
        FieldProblem(name, f"must be from 0 to {MAX_CAPACITY}")
        for name in ("min_capacity", "max_capacity")
        if getattr(filters, name) is not None and not 0 <= getattr(filters, name) <= MAX_CAPACITY
    ]
    if problems:
        raise InvalidInput(problems)
    if filters.min_capacity is not None and filters.max_capacity is not None and filters.min_capacity > filters.max_capacity:
        raise InvalidInput.of("max_capacity", "must not be less than min_capacity")


def list_spaces(session: Session, actor: Actor, building_id: int, filters: SpaceFilters, page: PageRequest) -> Page[Resource]:
    fetch(session, actor, Building, building_id)
    validate_capacity_range(filters)
    statement = select(Resource).where(Resource.building_id == building_id, *space_conditions(filters)).order_by(col(Resource.id))
    return paginate(session, statement, page)


@dataclass(frozen=True)
class SpaceChanges:
    """The fields of a space an administrator changes, with their new values."""

    values: dict[str, Any]


def update_space(session: Session, actor: Actor, space_id: int, changes: SpaceChanges) -> Resource:
    space = get_space(session, actor, space_id)
    actor.require_admin()
    values = changes.values
    problems = []
    if "name" in values and not (isinstance(values["name"], str) and values["name"].strip()):
        problems.append(FieldProblem("name", "can't be blank", "required"))
    if values.get("type") is not None and values["type"] not in SPACE_TYPES:
        problems.append(FieldProblem("type", f"must be one of {', '.join(SPACE_TYPES)}"))
    if values.get("capacity") is not None and not 0 <= values["capacity"] <= MAX_CAPACITY:
        problems.append(FieldProblem("capacity", f"must be from 0 to {MAX_CAPACITY}"))
    if problems:
        raise InvalidInput(problems)
    for name, value in values.items():
        setattr(space, name, value)
    if "is_disabled" in values:
        space.disabled_at = actor.now if values["is_disabled"] else None
    space.updated_at = actor.now
    session.add(space)
    session.commit()
    return space


def space_amenities(session: Session, actor: Actor, space_id: int) -> list[tuple[ResourceAmenity, Amenity]]:
    get_space(session, actor, space_id)
    return amenities_of(session, [space_id]).get(space_id, [])


def amenities_of(session: Session, space_ids: list[int]) -> dict[int, list[tuple[ResourceAmenity, Amenity]]]:
    if not space_ids:
        return {}
    rows = session.exec(
        select(ResourceAmenity, Amenity)
        .join(Amenity, col(Amenity.id) == ResourceAmenity.amenity_id)
        .where(col(ResourceAmenity.resource_id).in_(space_ids))
        .order_by(col(ResourceAmenity.id))
    ).all()
    grouped: dict[int, list[tuple[ResourceAmenity, Amenity]]] = {}
    for link, amenity in rows:
        grouped.setdefault(link.resource_id, []).append((link, amenity))
    return grouped


def list_amenities(session: Session, actor: Actor, organization_id: int, page: PageRequest) -> Page[Amenity]:
    fetch(session, actor, Organization, organization_id)
    statement = select(Amenity).where(Amenity.organization_id == organization_id).order_by(col(Amenity.id))
    return paginate(session, statement, page)


def list_users(
    session: Session,
    actor: Actor,
    organization_id: int,
    query: str | None,
    page: PageRequest,
    user_ids: list[int] | None = None,
) -> Page[User]:
    """The organization's people: those among `user_ids` when given, whose name or email holds
    `query` (ignoring case) when given."""
    fetch(session, actor, Organization, organization_id)
    statement = select(User).where(User.organization_id == organization_id)
    if user_ids is not None:
        if len(user_ids) > MAX_LISTED_IDS:
            raise InvalidInput.of("ids", f"at most {MAX_LISTED_IDS} ids")
        statement = statement.where(col(User.id).in_(user_ids))
    if query:
        needle = query.lower()
        statement = statement.where(
            or_(
                func.lower(User.name).contains(needle, autoescape=True),
                func.lower(User.email).contains(needle, autoescape=True),
            )
        )
    return paginate(session, statement.order_by(col(User.id)), page)


def get_user(session: Session, actor: Actor, key: str) -> User:
    """The user `key` names: digits (of any script: no email or slug is all digits) are an id,
    an address with "@" an email, anything else the slug of someone in the actor's organization."""
    if key.isdigit():
        number = row_id(key)
        if number is None:
            raise NotFound("no such person")
        return fetch(session, actor, User, number)
    if "@" in key:
        user = user_by_email(session, key)
    else:
        user = session.exec(select(User).where(User.organization_id == actor.organization_id, User.slug == key)).first()
    if user is None:
        raise NotFound("no such person")
    actor.require_member_of(user.organization_id)
    return user


_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
MAX_EMAIL = 320
MAX_NAME = 255


def is_email(text: str) -> bool:
    """Whether `text` reads as one email address (a local part, "@", a dotted domain)."""
    return len(text) <= MAX_EMAIL and _EMAIL.match(text) is not None


def get_member(session: Session, actor: Actor, organization_id: int, key: str) -> User:
    """The person `key` names (as `get_user` reads it) among the organization's: 404 for anyone
    else."""
    fetch(session, actor, Organization, organization_id)
    try:
        user = get_user(session, actor, key)
    except (NotFound, Forbidden):
        raise NotFound("no such person in this organization") from None
    if user.organization_id != organization_id:
        raise NotFound("no such person in this organization")
    return user


@dataclass(frozen=True)
class Invitation:
    """A person invited to join an organization, by email; their name defaults to the email's
    local part."""

    email: str
    name: str | None = None


def invite(session: Session, actor: Actor, organization_id: int, invitations: list[Invitation], now: datetime) -> list[User]:
    """New people of the organization, pending until they accept (administrators only). An email
    that already belongs to someone is refused (`already_a_member`), as one listed twice, and
    invitations to the organization are made one at a time."""
    fetch(session, actor, Organization, organization_id)
    actor.require_admin()
    # Invitations to one organization are made one at a time: the second of two for one email
    # finds the first's person.
    session.exec(select(Organization.id).where(Organization.id == organization_id).with_for_update()).one()
    if not invitations:
        raise InvalidInput.of("email", "can't be blank", "required")
    seen: set[str] = set()
    users = []
    for position, invitation in enumerate(invitations):
        field = "email" if len(invitations) == 1 else f"{position}.email"
        email = invitation.email.strip()
        if not email:
            raise InvalidInput.of(field, "can't be blank", "required")
        if not is_email(email):
            raise InvalidInput.of(field, f"'{email}' is not an email address")
        name = (invitation.name or "").strip() or email.split("@")[0]
        if len(name) > MAX_NAME:
            raise InvalidInput.of(field.replace("email", "name"), f"at most {MAX_NAME} characters")
        if email.lower() in seen or user_by_email(session, email) is not None:
            raise AlreadyExists("already_a_member", f"{email} already belongs to someone", domain="directory")
        seen.add(email.lower())
        user = User(
            organization_id=organization_id,
            email=email,
            name=name,
            slug=_free_slug(session, organization_id, name),
            is_pending=True,
            created_at=now,
            updated_at=now,
        )
        session.add(user)
        session.flush()
        users.append(user)
    session.commit()
    return users


def ascii_slug(text: str) -> str:
    """`text` as a slug: ASCII letters and digits in lower case, runs of anything else one "-"."""
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", plain.lower()).strip("-")


def _free_slug(session: Session, organization_id: int, name: str) -> str:
    """A slug for `name` that nobody of the organization holds yet."""
    base = ascii_slug(name)[:100] or "member"
    taken = set(session.exec(select(User.slug).where(User.organization_id == organization_id, col(User.slug).startswith(base))))
    slug, suffix = base, 1
    while slug in taken:
        suffix += 1
        slug = f"{base}-{suffix}"
    return slug


def member(session: Session, actor: Actor, user_id: int, field: str) -> User:
    """The user `user_id` of the actor's organization; InvalidInput on `field` for anyone else."""
    user = session.get(User, user_id) if 0 <= user_id <= MAX_ROW_ID else None
    if user is None or user.organization_id != actor.organization_id:
        raise InvalidInput.of(field, f"no user {user_id} in this organization")
    return user


MAX_USER_REF = 320
"""The longest reference to a person a request may hold: an email's longest."""


def member_named(session: Session, actor: Actor, ref: int | str, field: str) -> User:
    """The user of the actor's organization whom `ref` names, as `get_user` reads a key: an id (a
    number, or ASCII digits), an email (it holds "@"), else a slug. InvalidInput on `field` for
    anyone else."""
    if isinstance(ref, int):
        return member(session, actor, ref, field)
    key = ref.strip()
    if not key:
        raise InvalidInput.of(field, "can't be blank", "required")
    if len(key) > MAX_USER_REF:
        raise InvalidInput.of(field, f"must be at most {MAX_USER_REF} characters")
    if key.isascii() and key.isdigit():
        number = row_id(key)
        if number is None:
            raise InvalidInput.of(field, f"no user {key} in this organization")
        return member(session, actor, number, field)
    if "@" in key:
        user = user_by_email(session, key)
    else:
        user = session.exec(select(User).where(User.organization_id == actor.organization_id, User.slug == key)).first()
    if user is None or user.organization_id != actor.organization_id:
        raise InvalidInput.of(field, f"no user '{key}' in this organization")
    return user


def user_by_email(session: Session, email: str) -> User | None:
    return session.exec(select(User).where(func.lower(User.email) == email.strip().lower())).first()


def users_by_email(session: Session, organization_id: int, emails: list[str]) -> dict[str, User]:
    if not emails:
        return {}
    lowered = {email.lower() for email in emails}
    users = session.exec(select(User).where(User.organization_id == organization_id, func.lower(User.email).in_(lowered))).all()
    return {user.email.lower(): user for user in users}
