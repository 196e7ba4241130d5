"""The workplace by ULID, as the Kadence API browses it: buildings, floors, neighborhoods,
spaces and people, with their filters, batch lookups by id, and profile changes."""

from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from typing import Any, TypeVar

import pycountry
from sqlalchemy import bindparam, func
from sqlmodel import Session, col, select

from sandbox.core.access import Actor
from sandbox.core.errors import FieldProblem, InvalidInput, NotFound
from sandbox.core.times import zone
from sandbox.store.models import (
    Area,
    Building,
    Floor,
    Resource,
    ResourceKind,
    User,
    UserPhoto,
)

MAX_TEXT = 255


Row = TypeVar("Row", Area, Building, Floor, User)


def rows_by_id(
    session: Session, model: type[Row], ids: Iterable[int | None], *, organization_id: int | None = None
) -> dict[int, Row]:
    """The rows of `model` with these ids (None left out), by id, in one query; with
    `organization_id`, only that organization's."""
    wanted = {value for value in ids if value is not None}
    if not wanted:
        return {}
    parameters = {"ids": list(wanted), "organization_id": organization_id}
    return {row.id or 0: row for row in session.exec(_by_ids(model, organization_id is not None), params=parameters)}


@cache
def _by_ids(model: type[Row], in_organization: bool) -> Any:
    """Built once for each model: a statement built again for every query costs more than the query."""
    statement = select(model).where(col(model.id).in_(bindparam("ids", expanding=True)))
    if in_organization:
        statement = statement.where(col(model.organization_id) == bindparam("organization_id"))
    return statement


def users_by_id(session: Session, actor: Actor, ids: Iterable[int | None]) -> dict[int, User]:
    """The users of the actor's organization with these ids, by id: the people a page of
    bookings or visits names."""
    return rows_by_id(session, User, ids, organization_id=actor.organization_id)


@dataclass(frozen=True)
class Places:
    """Where some spaces are: their floors and areas, by id."""

    floors: dict[int, Floor]
    areas: dict[int, Area]


def places(session: Session, resources: Iterable[Resource]) -> Places:
    """The floors and areas of `resources`, in one query."""
    wanted = {row.id for row in resources if row.floor_id is not None or row.area_id is not None}
    floors: dict[int, Floor] = {}
    areas: dict[int, Area] = {}
    if wanted:
        for floor, area in session.exec(_PLACES, params={"ids": list(wanted)}):
            if floor is not None:
                floors[floor.id or 0] = floor
            if area is not None:
                areas[area.id or 0] = area
    return Places(floors, areas)


_PLACES = (
    select(Floor, Area)
    .select_from(Resource)
    .outerjoin(Floor, col(Floor.id) == Resource.floor_id)
    .outerjoin(Area, col(Area.id) == Resource.area_id)
    .where(col(Resource.id).in_(bindparam("ids", expanding=True)))
)
"""Built once: the floor and the area of each space, either None where it has none."""


Owned = TypeVar("Owned", Area, Building, Floor, Resource, User)


@cache
def _by_ulid(model: type[Owned]) -> Any:
    return select(model).where(col(model.ulid) == bindparam("ulid"))


def in_organization(session: Session, actor: Actor, model: type[Owned], ulid: str | None) -> Owned | None:
    """The row of `model` with this ULID in the actor's organization; None for an unknown or
    malformed ULID and for another organization's rows, so that nothing leaks across tenants."""
    if not isinstance(ulid, str) or len(ulid) != 26:
        return None
    row = session.exec(_by_ulid(model), params={"ulid": ulid.upper()}).first()
    return row if row is not None and row.organization_id == actor.organization_id else None


def by_ulid(session: Session, actor: Actor, model: type[Owned], ulid: str) -> Owned:
    """The row of `model` with this ULID in the actor's organization, or 404."""
    row = in_organization(session, actor, model, ulid)
    if row is None:
        raise NotFound(f"no such {model.__name__.lower()}")
    return row


def named_in(session: Session, actor: Actor, model: type[Owned], ulid: str, field: str) -> Owned:
    """The row a request's `field` names by ULID, or InvalidInput naming the field."""
    row = in_organization(session, actor, model, ulid)
    if row is None:
        raise InvalidInput.of(field, f"No {model.__name__.lower()} has the identifier '{ulid}'.", "not_found")
    return row


def id_of(session: Session, actor: Actor, model: type[Owned], ulid: str | None) -> int | None:
    """The id behind a ULID filter (None: no filter); one that names nothing gives -1, which
    matches nothing."""
    if ulid is None:
        return None
    row = in_organization(session, actor, model, ulid)
    return -1 if row is None else row.id


def buildings(
    actor: Actor,
    *,
    country_code: str | None = None,
    city: str | None = None,
    name: str | None = None,
    ulid: str | None = None,
) -> Any:
    statement = select(Building).where(Building.organization_id == actor.organization_id)
    if country_code:
        statement = statement.where(func.upper(Building.country_code) == country_code.upper())
    if city:
        statement = statement.where(func.lower(Building.city) == city.lower())
    if name:
        statement = statement.where(func.lower(Building.name).contains(name.lower(), autoescape=True))
    if ulid:
        statement = statement.where(Building.ulid == ulid.upper())
    return statement.order_by(col(Building.id))


def floors(session: Session, actor: Actor, *, building: str | None = None) -> Any:
    statement = select(Floor).where(Floor.organization_id == actor.organization_id)
    if building is not None:
        statement = statement.where(Floor.building_id == id_of(session, actor, Building, building))
    return statement.order_by(col(Floor.building_id), col(Floor.level_number), col(Floor.id))


def areas(session: Session, actor: Actor, *, building: str | None = None, floor: str | None = None) -> Any:
    statement = select(Area).where(Area.organization_id == actor.organization_id)
    if building is not None:
        statement = statement.where(Area.building_id == id_of(session, actor, Building, building))
    if floor is not None:
        statement = statement.where(Area.floor_id == id_of(session, actor, Floor, floor))
    return statement.order_by(col(Area.id))


def bookable_resources(actor: Actor) -> Any:
    """Desks and reservable spaces: what the Kadence API calls spaces."""
    return select(Resource).where(
        Resource.organization_id == actor.organization_id,
        col(Resource.kind).in_([ResourceKind.DESK, ResourceKind.SPACE]),
        col(Resource.is_reservable).is_(True),
    )


def spaces(
    session: Session, actor: Actor, *, area: str | None = None, floor: str | None = None, building: str | None = None
) -> Any:
    statement = bookable_resources(actor)
    if area is not None:
        statement = statement.where(Resource.area_id == id_of(session, actor, Area, area))
    if floor is not None:
        statement = statement.where(Resource.floor_id == id_of(session, actor, Floor, floor))
    if building is not None:
        statement = statement.where(Resource.building_id == id_of(session, actor, Building, building))
    return statement.order_by(col(Resource.id))


def get_space(session: Session, actor: Actor, ulid: str) -> Resource:
    resource = by_ulid(session, actor, Resource, ulid)
    if resource.kind not in (ResourceKind.DESK, ResourceKind.SPACE) or not resource.is_reservable:
        raise NotFound("no such bookable resource")
    return resource


def users(
    actor: Actor,
    *,
    email: str | None = None,
    email_exact: str | None = None,
    first_name: str | None = None,
    last_name: str | None = None,
    ulid: str | None = None,
) -> Any:
    statement = select(User).where(User.organization_id == actor.organization_id)
    if email:
        statement = statement.where(func.lower(User.email).contains(email.lower(), autoescape=True))
    if email_exact:
        statement = statement.where(func.lower(User.email) == email_exact.lower())
    if first_name:
        statement = statement.where(func.lower(User.given_name) == first_name.lower())
    if last_name:
        statement = statement.where(func.lower(User.family_name) == last_name.lower())
    if ulid:
        statement = statement.where(User.ulid == ulid.upper())
    return statement.order_by(col(User.id))


PROFILE = (
    "given_name",
    "family_name",
    "job_title",
    "biography",
    "time_zone",
    "location_country_code",
    "location_city",
    "location_latitude",
    "location_longitude",
)
"""The parts of a user's profile that may be changed."""


def is_country_code(code: object) -> bool:
    """Whether `code` is a country's ISO 3166-1 alpha-2 code, in either case."""
    return isinstance(code, str) and len(code) == 2 and pycountry.countries.get(alpha_2=code) is not None


def update_profile(session: Session, actor: Actor, ulid: str, changes: dict[str, Any]) -> User:
    """Change a user's profile (`changes` by the names in PROFILE); the names, when given, must not
    be blank."""
    user: User = by_ulid(session, actor, User, ulid)
    problems = [
        FieldProblem(name, "is required", "required")
        for name in ("given_name", "family_name")
        if name in changes and not (changes[name] or "").strip()
    ]
    problems.extend(
        FieldProblem(name, "is too long", "too_long")
        for name, value in changes.items()
        if isinstance(value, str) and len(value) > MAX_TEXT * (16 if name == "biography" else 1)
    )
    code = changes.get("location_country_code")
    if code is not None and not is_country_code(code):
        problems.append(FieldProblem("location_country_code", "is not a country code", "country"))
    for name, limit in (("location_latitude", 90), ("location_longitude", 180)):
        if changes.get(name) is not None and not -limit <= changes[name] <= limit:
            problems.append(FieldProblem(name, f"must be between -{limit} and {limit}", "between", {"limit": limit}))
    if changes.get("time_zone") is not None:
        try:
            zone(changes["time_zone"], "time_zone")
        except InvalidInput:
            problems.append(FieldProblem("time_zone", "is not a time zone", "time_zone"))
    if problems:
        raise InvalidInput(problems)
    for name, value in changes.items():
        stored = "UTC" if name == "time_zone" and value is None else value
        setattr(user, name, stored.upper() if name == "location_country_code" and stored else stored)
    if {"given_name", "family_name"} & changes.keys():
        user.name = f"{user.given_name or ''} {user.family_name or ''}".strip()
    user.updated_at = actor.now
    session.add(user)
    session.commit()
    return user


PHOTO_LIMIT = 5 * 1024 * 1024
"""The largest profile picture accepted, in bytes."""
_IMAGE_SIGNATURES = (
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"GIF87a", "image/gif"),
    (b"GIF89a", "image/gif"),
)


def image_type(data: bytes) -> str | None:
    """The media type of a PNG, JPEG, GIF or WebP image, read from its first bytes; else None."""
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    return next((kind for signature, kind in _IMAGE_SIGNATURES if data.startswith(signature)), None)


def set_photo(session: Session, actor: Actor, ulid: str, data: bytes | None) -> User:
    """Replace a user's profile picture with `data`, which must be an image of at most PHOTO_LIMIT bytes."""
    user: User = by_ulid(session, actor, User, ulid)
    if not data:
        raise InvalidInput.of("photo", "is required", "required")
    if len(data) > PHOTO_LIMIT:
        limit_mib = PHOTO_LIMIT // (1024 * 1024)
        raise InvalidInput.of("photo", f"must be at most {limit_mib} MiB", "file_too_large", limit_mib=limit_mib)
    kind = image_type(data)
    if kind is None:
        raise InvalidInput.of("photo", "This file is not a valid image (PNG, JPEG, GIF or WebP).")
    session.merge(UserPhoto(user_id=user.id or 0, content_type=kind, data=data, uploaded_at=actor.now))
    user.updated_at = actor.now
    session.add(user)
    session.commit()
    return user


def floor_plan(session: Session, ulid: str) -> tuple[Floor, list[Resource]]:
    """A floor and the spaces and desks drawn on its plan, by name. Floor plans are public, as
    the signed URLs of a real floor plan are."""
    floor = session.exec(select(Floor).where(Floor.ulid == ulid.upper())).first() if len(ulid) == 26 else None
    if floor is None:
        raise NotFound("no such floor")
    found = session.exec(
        select(Resource)
        .where(Resource.floor_id == floor.id, col(Resource.kind).in_([ResourceKind.SPACE, ResourceKind.DESK]))
        .order_by(col(Resource.kind).desc(), col(Resource.name), col(Resource.id))
    )
    return floor, list(found)
