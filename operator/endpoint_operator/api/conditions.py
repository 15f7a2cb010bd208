"""The KEP-1623 rule for lastTransitionTime: it moves only when a condition's status
flips. The planner computes conditions without it; the status writer
(kube/status_writer.py) stamps them with this rule as it writes them."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from .status import Condition


def merge_conditions(previous: Sequence[Condition] | None, computed: Sequence[Condition], now: datetime) -> list[Condition]:
    """Computed conditions with lastTransitionTime kept from `previous` unless the
    status flipped (or was never stamped). Previous conditions of other types (set
    by other parts of the operator) are kept as they were, after the computed ones."""
    before = {c.type: c for c in previous or ()}
    merged = []
    for cond in computed:
        old = before.get(cond.type)
        kept = old is not None and old.status == cond.status and old.last_transition_time is not None
        merged.append(cond.model_copy(update={"last_transition_time": old.last_transition_time if kept else now}))
    computed_types = {c.type for c in computed}
    merged.extend(c for c in previous or () if c.type not in computed_types)
    return merged
