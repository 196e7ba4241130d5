"""Domain errors: small classes with a code and a message. Each dialect renders them."""

import dataclasses
from dataclasses import dataclass
from enum import StrEnum
from typing import Any


@dataclass
class FieldProblem:
    """What is wrong with one input `field` (in the domain's words: `person`, `start`,
    `invitees[0].email`): `reason` names the rule, `params` its values, `message` says it."""

    field: str
    message: str
    reason: str = "invalid"
    params: dict[str, Any] = dataclasses.field(default_factory=dict)


class DomainError(Exception):
    code = "error"

    def __init__(self, message: str, *, details: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.details = details or {}


class Unauthenticated(DomainError):
    code = "unauthenticated"


class Forbidden(DomainError):
    code = "forbidden"


class NotFound(DomainError):
    code = "not_found"


class InvalidInput(DomainError):
    """Input that breaks a rule; `problems` name the offending fields."""

    code = "invalid_input"

    def __init__(self, problems: list[FieldProblem], message: str | None = None) -> None:
        super().__init__(message or "; ".join(f"{p.field}: {p.message}" for p in problems))
        self.problems = problems

    @classmethod
    def of(cls, field_name: str, message: str, reason: str = "invalid", **params: Any) -> "InvalidInput":
        return cls([FieldProblem(field_name, message, reason, params)])

    def renamed(self, names: dict[str, str]) -> "InvalidInput":
        """The same problems, with fields named as a dialect's wire names them."""
        return InvalidInput([FieldProblem(names.get(p.field, p.field), p.message, p.reason, p.params) for p in self.problems])


class RuleViolation(DomainError):
    """A well-formed request that a business rule refuses (too late, already confirmed, ...)."""

    code = "rule_violation"

    def __init__(
        self,
        reason: str,
        message: str,
        *,
        domain: str = "scheduling",
        details: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(message, details=details)
        self.reason = reason
        self.domain = domain


class Conflict(RuleViolation):
    """The interval collides with a live reservation of the same resource."""

    code = "conflict"

    def __init__(self, reason: str, message: str, *, collision: Any) -> None:
        super().__init__(reason, message)
        self.collision = collision


class AlreadyExists(RuleViolation):
    """What the request would create exists already (a person with that email)."""

    code = "already_exists"


class RateLimited(DomainError):
    """Too many requests: try again after `retry_after` seconds."""

    code = "rate_limited"

    def __init__(self, message: str, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class Rule(StrEnum):
    """A rule that refuses a well-formed request, in the domain's words."""

    RESOURCE_DISABLED = "resource_disabled"
    """The resource is disabled: nothing is reserved on it."""
    RESOURCE_NOT_RESERVABLE = "resource_not_reservable"
    """The resource is not one that is reserved."""
    OCCURRENCE_CHANGED_ALONE = "occurrence_changed_alone"
    """An occurrence of a series is changed only through its series."""
    CANCELLED_UNCHANGEABLE = "cancelled_unchangeable"
    """A cancelled reservation is not changed."""
    OCCURRENCE_REQUIRED = "occurrence_required"
    """A check-in is of one occurrence of a series, never of the series."""
    TYPE_NOT_ALLOWED = "type_not_allowed"
    """The desk does not take reservations of that type (from that person)."""
    LONGER_THAN_ALLOWED = "longer_than_allowed"
    """The reservation is longer than the desk's longest."""
    TOO_FAR_AHEAD = "too_far_ahead"
    """The reservation starts further ahead than the desk may be reserved."""
    NOT_SAME_DAY = "not_same_day"
    """A hot desk is reserved on the day the reservation starts, until that day's end."""
    NOT_AN_EXCLUDED_DAY = "not_an_excluded_day"
    """A reservation on top of exclusions falls only on days excluded from the desk's assignments."""
    NOT_SHARED = "not_shared"
    """Only a shared desk is assigned to people on weekdays."""
    NOT_AN_ASSIGNED_DAY = "not_an_assigned_day"
    """An exclusion frees one assigned day: one occurrence of an assignment."""
    NOT_A_SERIES = "not_a_series"
    """Only a series has occurrences to list: a single reservation, or one occurrence, has none."""


class Refused(RuleViolation):
    """A request a rule refuses: `rule` names it, `field` the input it is about, `params` the
    values a dialect words it with."""

    code = "refused"

    def __init__(self, rule: Rule, message: str, *, field: str, **params: Any) -> None:
        super().__init__(rule.value, message)
        self.rule = rule
        self.field = field
        self.params = params


class Overlap(StrEnum):
    """What a refused interval overlaps."""

    RESOURCE_TAKEN = "resource_taken"
    """A live reservation of the same resource."""
    HOLDER_BUSY = "holder_busy"
    """A live reservation of the same person, of a kind a person holds one of at a time."""


class Overlapping(Conflict):
    """An interval that overlaps a live reservation (`collision`): `overlap` says whose, `field`
    names the input it is about, `params` the values a dialect words it with."""

    def __init__(self, overlap: Overlap, message: str, *, collision: Any, field: str, **params: Any) -> None:
        super().__init__(overlap.value, message, collision=collision)
        self.overlap = overlap
        self.field = field
        self.params = params
