"""Domain errors: small classes with a code and a message. Each dialect renders them."""

from dataclasses import dataclass
from typing import Any


@dataclass
class FieldProblem:
    field: str
    message: str
    reason: str = "invalid"


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
    def of(cls, field_name: str, message: str, reason: str = "invalid") -> "InvalidInput":
        return cls([FieldProblem(field_name, message, reason)])

    def renamed(self, names: dict[str, str]) -> "InvalidInput":
        """The same problems, with fields named as a dialect's wire names them."""
        return InvalidInput([FieldProblem(names.get(p.field, p.field), p.message, p.reason) for p in self.problems])


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


class RateLimited(DomainError):
    """Too many requests: try again after `retry_after` seconds."""

    code = "rate_limited"

    def __init__(self, message: str, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = retry_after
