"""What only the operator can judge about a spec ends as Ready=False, not a crash."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager


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


PLANNING_FAILED = "PlanningFailed"


@contextmanager
def planning_field(field: str) -> Iterator[None]:
    """Blames `field` for an unexpected error raised while it is planned, so the
    condition that reports the error can name it (the innermost field wins)."""
    try:
        yield
    except PlanError:
        raise
    except Exception as error:
        if getattr(error, "spec_field", None) is None:
            error.spec_field = field  # type: ignore[attr-defined]
        raise


def planning_failure(error: Exception) -> PlanError:
    """An unexpected error while planning an accepted spec, as a condition can say it:
    the field being planned when it is known, and what went wrong."""
    field = getattr(error, "spec_field", None) or "spec"
    what = f"{type(error).__name__}: {error}" if str(error) else type(error).__name__
    return PlanError(PLANNING_FAILED, field, f"{field}: could not be planned ({what}); retrying with backoff")
