"""Status and conditions of a ModelEndpoint, written in one place and one way: from
the planner's decision (plan/decision.py; a failure is a decision too, plan/failures.py).

A decision carries the status fields and the conditions the planner computed, without
lastTransitionTime; the writer stamps them (api/conditions.py) and sends a JSON merge
patch of what changed. A rollout's next state can be written ahead of the calls that
enact it (write_ahead)."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any, Protocol

from ..api.conditions import merge_conditions
from ..api.status import Condition, ModelEndpointStatus
from .client import Conflict, KubeGateway

log = logging.getLogger(__name__)


class Verdict(Protocol):
    """What the writer reads of a decision."""

    @property
    def status(self) -> ModelEndpointStatus | None: ...  # None: status stays, only the conditions change

    @property
    def conditions(self) -> Sequence[Condition]: ...


class StatusWriter:
    def __init__(self, kube: KubeGateway, clock: Callable[[], datetime]):
        self.kube = kube
        self.clock = clock

    def report(self, body: dict[str, Any], previous: ModelEndpointStatus | None, decision: Verdict) -> bool:
        """Status as the decision says. With a status, it is the whole status (previous
        conditions of other types are kept); without one, the decision's conditions
        replace those of their type and everything else stays as it is."""
        now = self.clock()
        old = previous.conditions if previous else None
        if decision.status is None:
            new = dict(body.get("status") or {})
            new["conditions"] = [c.to_wire() for c in merge_conditions(old, _overlay(old, decision.conditions), now)]
        else:
            conditions = merge_conditions(old, decision.conditions, now)
            new = decision.status.model_copy(update={"conditions": conditions}).to_wire()
        return self._write(body, new)

    def write_ahead(self, body: dict[str, Any], previous: ModelEndpointStatus | None, decision: Verdict) -> bool:
        """A rollout's next state is recorded before the calls that enact it: a process
        killed after SageMaker took a call but before status said so would otherwise
        resume from the state before it (start the canary again, or walk the steps
        twice). Replaying the recorded state is safe: every phase checks what SageMaker
        already did. False when the write did not land: then nothing is called."""
        before = previous.rollout if previous else None
        after = decision.status.rollout if decision.status is not None else before
        if after == before:
            return True
        status = dict(body.get("status") or {})
        if after is None:
            status.pop("rollout", None)
        else:
            status["rollout"] = after.to_wire()
        return self._write(body, status)

    def _write(self, body: dict[str, Any], new: dict[str, Any]) -> bool:
        """Patch status to `new`. The body then holds what was written, so a sync that
        runs before the watch delivers this write plans from it, not from the state
        before. False when the object changed or went away."""
        old = body.get("status") or {}
        if new == old:
            return True
        meta = body["metadata"]
        try:
            self.kube.patch_status(meta["namespace"], meta["name"], merge_patch(old, new))
        except Conflict:
            log.info("%s/%s changed or went away while syncing", meta["namespace"], meta["name"])
            return False
        body["status"] = new
        return True


def merge_patch(old: dict[str, Any], new: dict[str, Any]) -> dict[str, Any]:
    """The JSON merge patch (RFC 7386) that turns `old` into `new`: a field gone from a
    nested object is cleared with null, since a merge patch merges objects key by key
    (lists are replaced whole)."""
    patch: dict[str, Any] = {key: None for key in old if key not in new}
    for key, value in new.items():
        before = old.get(key)
        if isinstance(value, dict) and isinstance(before, dict):
            nested = merge_patch(before, value)
            if nested:
                patch[key] = nested
        elif key not in old or value != before:
            patch[key] = value
    return patch


def _overlay(previous: Sequence[Condition] | None, computed: Sequence[Condition]) -> list[Condition]:
    """Computed conditions replace those of the same type; the others stay."""
    by_type = {c.type: c for c in previous or []}
    by_type.update({c.type: c for c in computed})
    return list(by_type.values())
