"""What only the operator can judge about a spec ends as Ready=False, not a crash."""

from __future__ import annotations


class PlanError(Exception):
    """A spec the planner cannot build. `reason` is CamelCase for the condition,
    `field` the spec path at fault, `message` a sentence that names that field."""

    def __init__(self, reason: str, field: str, message: str):
        super().__init__(message)
        self.reason = reason
        self.field = field
        self.message = message

    def __repr__(self) -> str:
        return f"PlanError(reason={self.reason!r}, field={self.field!r}, message={self.message!r})"


def invalid(field: str, message: str) -> PlanError:
    return PlanError("InvalidSpec", field, f"{field}: {message}")
