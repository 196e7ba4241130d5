"""Pages of results: 1-based page numbers, a page size, and whether another page follows."""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from itertools import islice
from typing import Any, Generic, TypeVar

from sqlalchemy import func
from sqlmodel import Session, select
from sqlmodel.sql.expression import SelectOfScalar

from sandbox.core.errors import InvalidInput

T = TypeVar("T")
MAX_PER_PAGE = 1000
MAX_RESULT_DEPTH = 100_000
"""No page may reach past this many results: bounds the work behind any request."""


@dataclass(frozen=True)
class PageRequest:
    page: int = 1
    per_page: int = 10

    def __post_init__(self) -> None:
        if self.page < 1:
            raise InvalidInput.of("page", "must be 1 or more")
        if not 1 <= self.per_page <= MAX_PER_PAGE:
            raise InvalidInput.of("per_page", f"must be from 1 to {MAX_PER_PAGE}")
        if self.offset + self.per_page > MAX_RESULT_DEPTH:
            raise InvalidInput.of("page", f"pages reach at most {MAX_RESULT_DEPTH} results deep")

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.per_page


@dataclass(frozen=True)
class Page(Generic[T]):
    items: list[T]
    page: int
    per_page: int
    has_next: bool


def page_of(items: Iterable[T], request: PageRequest) -> Page[T]:
    """The requested page of an ordered iterable, consuming at most one item past it."""
    window = list(islice(items, request.offset, request.offset + request.per_page + 1))
    return Page(window[: request.per_page], request.page, request.per_page, len(window) > request.per_page)


def paginate(session: Session, statement: SelectOfScalar[Any], request: PageRequest) -> Page[Any]:
    rows = session.exec(statement.offset(request.offset).limit(request.per_page + 1)).all()
    return Page(list(rows[: request.per_page]), request.page, request.per_page, len(rows) > request.per_page)


@dataclass(frozen=True)
class Counted(Generic[T]):
    """One page of results out of `total`: the page a collection with a total count shows."""

    items: list[T]
    total: int
    page: int
    per_page: int


def counted(session: Session, statement: SelectOfScalar[T], page: int, per_page: int) -> Counted[T]:
    """Page `page` of `statement`'s rows, `per_page` to a page (0: none), and how many rows it has."""
    total = session.exec(select(func.count()).select_from(statement.order_by(None).subquery())).one()
    items = list(session.exec(statement.offset((page - 1) * per_page).limit(per_page))) if per_page else []
    return Counted(items, total, page, per_page)


def counted_list(items: Sequence[T], page: int, per_page: int) -> Counted[T]:
    """Page `page` of a list already in order, `per_page` to a page (0: none)."""
    return Counted(list(items[(page - 1) * per_page : page * per_page]), len(items), page, per_page)
