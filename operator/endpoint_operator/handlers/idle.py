"""Invocations of the endpoints watched for idleness, read in bulk: one GetMetricData
per account, region and idleAfter for all of them (up to 500 variants per call), every
`idle_check_seconds`, never a call per endpoint or per sync. The syncs read the last
readings from here to write the Idle condition (plan/idle.py)."""

from __future__ import annotations

import threading
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from ..api.duration import duration_seconds
from ..api.status import Condition, CostStatus
from ..api.units import INVOCATIONS_METRIC
from ..aws.cloudwatch import CloudWatchGateway, MetricQuery
from ..plan.conditions import READY
from ..plan.gates import NAMESPACE
from ..plan.idle import IDLE, InvocationReading, idle_condition
from ..plan.naming import PRIMARY
from ..plan.suspension import SUSPENDED

Key = tuple[str, str]


@dataclass(frozen=True)
class Watched:
    key: Key
    endpoint_name: str
    variants: tuple[str, ...]
    window: timedelta


class IdleReadings:
    """The last reading of each watched object, shared by the poller and the workers."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._readings: dict[Key, InvocationReading] = {}

    def get(self, key: Key) -> InvocationReading | None:
        with self._lock:
            return self._readings.get(key)

    def put(self, key: Key, reading: InvocationReading) -> None:
        with self._lock:
            self._readings[key] = reading

    def forget(self, key: Key) -> None:
        with self._lock:
            self._readings.pop(key, None)


def watched(key: Key, body: dict[str, Any]) -> Watched | None:
    """The object as the idle sweep reads it: declared idleAfter, serving, not suspended."""
    after = ((body.get("spec") or {}).get("costControls") or {}).get("idleAfter")
    status = body.get("status") or {}
    name = (status.get("endpoint") or {}).get("name")
    if not after or not name or _condition(body, READY).get("status") != "True" \
            or _condition(body, SUSPENDED).get("status") == "True":
        return None
    variants = tuple(v["name"] for v in status.get("variants") or [] if v.get("name")) or (PRIMARY,)
    return Watched(key, name, variants, timedelta(seconds=duration_seconds(after)))


def read_invocations(cloudwatch: CloudWatchGateway, objects: Iterable[Watched],
                     now: datetime) -> dict[Key, InvocationReading]:
    """The Sum of Invocations of each object's variants over its window ending `now`."""
    by_window: dict[timedelta, list[Watched]] = {}
    for item in objects:
        by_window.setdefault(item.window, []).append(item)
    readings: dict[Key, InvocationReading] = {}
    for window, items in sorted(by_window.items()):
        queries = [MetricQuery(key=f"i{index}x{j}", namespace=NAMESPACE, metric=INVOCATIONS_METRIC, statistic="Sum",
                               dimensions={"EndpointName": item.endpoint_name, "VariantName": variant})
                   for index, item in enumerate(items) for j, variant in enumerate(item.variants)]
        values = cloudwatch.metric_values(queries, now - window, now)
        for index, item in enumerate(items):
            total = sum(values.get(f"i{index}x{j}") or 0.0 for j in range(len(item.variants)))
            readings[item.key] = InvocationReading(invocations=total, start=now - window, end=now)
    return readings


def verdict_changes(body: dict[str, Any], item: Watched, reading: InvocationReading, now: datetime) -> bool:
    """Whether a sync would write another Idle condition than the object holds."""
    ready = _condition(body, READY)
    since = _time(ready.get("lastTransitionTime"))
    cost = (body.get("status") or {}).get("cost")
    generation = int((body.get("metadata") or {}).get("generation") or 0)
    new: Condition = idle_condition(item.window, reading, since, CostStatus.model_validate(cost) if cost else None,
                                    now, generation)
    old = _condition(body, IDLE)
    return (old.get("status"), old.get("reason")) != (new.status, new.reason)


def _condition(body: dict[str, Any], type_: str) -> dict[str, Any]:
    return next((c for c in (body.get("status") or {}).get("conditions") or [] if c.get("type") == type_), {})


def _time(text: str | None) -> datetime | None:
    return datetime.fromisoformat(text.replace("Z", "+00:00")) if text else None
