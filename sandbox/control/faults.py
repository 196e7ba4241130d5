"""Fault injection: rules that make matching requests to a vendor API slow, fail, or drop.

Rules live in the store, so a rule added through any worker process applies to requests served
by every one, and "the next N requests" counts down atomically across them. Rules apply in the
order they were added: latency adds up, and the first error, rate limit or drop that fires
answers the request.

A rule may name an organization: it then applies only to requests whose credential is of that
organization (as the dialect reads it: `Dialect.organization_of`), so that suites sharing one
sandbox, each with an organization of its own, fault only their own requests. The credential
is read before the route only when a rule that matches the request names one.
"""

import random
from dataclasses import dataclass
from datetime import UTC, datetime
from fnmatch import fnmatchcase
from typing import Literal

from sqlalchemy import Delete, or_, update
from sqlalchemy import select as sql_select
from sqlmodel import col, select

from sandbox.core.errors import NotFound
from sandbox.store.engine import Store, rows_changed
from sandbox.store.models import FaultRule, table_of

Api = Literal["robin", "kadence", "any"]
Effect = Literal["latency", "error", "rate_limit", "drop"]
TERMINAL = frozenset({"error", "rate_limit", "drop"})


@dataclass(frozen=True)
class Decision:
    """What the rules make of one request: a delay, then possibly an answer of their own."""

    delay_ms: int = 0
    outcome: FaultRule | None = None
    """The error, rate limit or drop to answer with; None: serve the request."""
    rule_id: int | None = None
    """The rule that changed the answer, or the last that delayed it."""


def add(store: Store, rule: FaultRule) -> FaultRule:
    """`rule`, added, as stored: read back in the transaction that adds it, since a clear (a
    per-test restore's, say) may remove it the moment it is committed."""
    rule.created_at = datetime.now(UTC)
    with store.session(write=True) as session:
        session.add(rule)
        session.flush()
        session.refresh(rule)
        session.commit()
    return rule


def listed(store: Store, organization_id: int | None = None) -> list[FaultRule]:
    """Every rule, or those naming `organization_id`, in the order they apply."""
    query = select(FaultRule).order_by(col(FaultRule.id))
    if organization_id is not None:
        query = query.where(FaultRule.organization_id == organization_id)
    with store.session() as session:
        return list(session.exec(query))


def find(store: Store, rule_id: int) -> FaultRule:
    with store.session() as session:
        rule = session.get(FaultRule, rule_id)
    if rule is None:
        raise NotFound(f"no fault rule {rule_id}")
    return rule


def remove(store: Store, rule_id: int) -> None:
    with store.session(write=True) as session:
        rule = session.get(FaultRule, rule_id)
        if rule is None:
            raise NotFound(f"no fault rule {rule_id}")
        session.delete(rule)
        session.commit()


def clear(store: Store, organization_id: int | None = None) -> int:
    """Remove every rule, or those naming `organization_id`; how many went."""
    with store.session(write=True) as session:
        removed = rows_changed(session.execute(clearing(organization_id)))
        session.commit()
    return removed


def clearing(organization_id: int | None = None) -> Delete:
    """The statement that removes every rule, or those naming `organization_id`: `clear`'s, or
    one run in a restore's transaction."""
    if organization_id is None:
        return _CLEAR_ALL
    return _CLEAR_ALL.where(col(FaultRule.organization_id) == organization_id)


_CLEAR_ALL = table_of(FaultRule).delete()


_LIVE = (
    sql_select(table_of(FaultRule))
    .where(or_(col(FaultRule.remaining).is_(None), col(FaultRule.remaining) > 0))
    .order_by(col(FaultRule.id))
)


def live(store: Store) -> list[FaultRule]:
    """The rules that may still fire, in the order they apply: one plain read (no ORM session),
    made again only when the store has changed (see `TrafficMiddleware`)."""
    with store.engine.connect() as connection:
        rows = connection.execute(_LIVE).all()
    return [FaultRule.model_validate(row._mapping) for row in rows]


def matching(rules: list[FaultRule], api: str, method: str, path: str) -> list[FaultRule]:
    """Those of `rules` that match a request by its API, method and path."""
    return [rule for rule in rules if rule.api in (api, "any") and rule.method in (method, "*") and fnmatchcase(path, rule.path)]


def name_an_organization(rules: list[FaultRule]) -> bool:
    """Whether any of `rules` applies to one organization's requests only."""
    return any(rule.organization_id is not None for rule in rules)


def applying_to(rules: list[FaultRule], organization_id: int | None) -> list[FaultRule]:
    """Those of `rules` that apply to a request whose credential is of `organization_id` (None:
    a request with no credential the API knows)."""
    return [rule for rule in rules if rule.organization_id in (None, organization_id)]


def decide(store: Store, rules: list[FaultRule], chance: random.Random | None = None) -> Decision:
    """Roll each rule's probability and take a use of the ones that fire."""
    chance = chance or random.Random()
    delay, last = 0, None
    for rule in rules:
        if rule.probability < 1 and chance.random() >= rule.probability:
            continue
        if not _take(store, rule):
            continue
        last = rule.id
        delay += rule.latency_ms
        if rule.effect in TERMINAL:
            return Decision(delay, rule, rule.id)
    return Decision(delay, None, last)


def _take(store: Store, rule: FaultRule) -> bool:
    """Count one use of `rule`; False when another request took its last use first."""
    statement = update(FaultRule).where(col(FaultRule.id) == rule.id).values(hits=col(FaultRule.hits) + 1)
    if rule.remaining is not None:
        statement = statement.where(col(FaultRule.remaining) > 0).values(remaining=col(FaultRule.remaining) - 1)
    with store.session(write=True) as session:
        taken = rows_changed(session.execute(statement))
        session.commit()
    return bool(taken)
