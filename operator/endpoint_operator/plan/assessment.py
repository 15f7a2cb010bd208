"""What one existing endpoint costs and does, from what `assess` read of it.

Pure: the inventory and the price table come in, figures come out. The mode column
is the operator's own Auto decision (plan/mode.py) on a spec that describes the
endpoint as it runs, with the measured traffic as its hints.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from ..api.hosting import accelerated
from ..api.inventory import ExistingEndpoint, ExistingVariant, Inventory
from ..api.pricing import PriceTable
from ..api.spec import InvalidSpec, validate_spec
from .errors import PlanError
from .mode import SPORADIC_MAX_CALLS_PER_DAY, resolve_mode

# Below this share of hours with any invocation, traffic counts as sporadic.
SPORADIC_ACTIVE_SHARE = 0.5
# A day's quietest hours: utilization "off-peak" is their average.
OFF_PEAK_HOURS = 8
MODEL_NAME_LEN = 40


@dataclass(frozen=True)
class Hints:
    """What CloudWatch cannot tell, declared by the team per endpoint (assess --hints)."""

    max_payload_mb: float | None = None
    max_processing_seconds: int | None = None
    p99_latency_target_ms: int | None = None


@dataclass(frozen=True)
class EndpointAssessment:
    endpoint: ExistingEndpoint
    variant: ExistingVariant | None  # the one variant of a one-model endpoint, else None
    instance_type: str | None
    instances: int
    monthly_usd: float | None  # None when the table has no price for it
    invocations_per_day: float
    active_share: float  # share of the window's hours with at least one invocation
    p99_latency_ms: float | None  # the highest hourly p99 ModelLatency of the window
    gpu_off_peak: float | None
    gpu_peak: float | None
    cpu_peak: float | None
    memory_peak: float | None
    autoscaled: bool
    auto_mode: str | None
    auto_reason: str
    hints: Hints
    hourly_load: tuple[float, ...]  # per hour: utilization x instances (GPU on accelerated types, else CPU)

    @property
    def name(self) -> str:
        return self.endpoint.name

    @property
    def accelerated(self) -> bool:
        return self.instance_type is not None and accelerated(self.instance_type)

    @property
    def sporadic(self) -> bool:
        return self.invocations_per_day <= SPORADIC_MAX_CALLS_PER_DAY or self.active_share < SPORADIC_ACTIVE_SHARE

    @property
    def image(self) -> str | None:
        return self.variant.model.image if self.variant and self.variant.model else None


def assess_endpoints(inventory: Inventory, prices: PriceTable,
                     hints: Mapping[str, Hints] | None = None) -> list[EndpointAssessment]:
    hints = hints or {}
    return [assess_endpoint(e, inventory.hours, prices, hints.get(e.name, Hints())) for e in inventory.endpoints]


def assess_endpoint(endpoint: ExistingEndpoint, hours: int, prices: PriceTable, hints: Hints) -> EndpointAssessment:
    instance_variants = [v for v in endpoint.variants if not v.serverless]
    monthly = 0.0
    for v in instance_variants:
        price = prices.instance_hourly(endpoint.region, v.instance_type) if v.instance_type else None
        if price is None:
            monthly = None
            break
        monthly += price * v.instance_count * prices.hours_per_month
    if endpoint.variants and not instance_variants:
        monthly = None  # serverless: billed per request, not priced from instances here
    invocations = _sum_series([v.metrics.invocations for v in endpoint.variants], hours)
    active = sum(1 for x in invocations if x > 0)
    one = endpoint.variants[0] if len(endpoint.variants) == 1 else None
    instance_type = instance_variants[0].instance_type if instance_variants else None
    gpu = accelerated(instance_type) if instance_type else False
    load = _sum_series([_scaled(v.metrics.gpu_utilization if gpu else v.metrics.cpu_utilization, v.instance_count)
                        for v in instance_variants], hours)
    gpu_by_hour = _average_series([v.metrics.gpu_utilization for v in instance_variants], hours)
    latency = [x for v in endpoint.variants for x in v.metrics.model_latency_p99_us if x is not None]
    partial = EndpointAssessment(
        endpoint=endpoint, variant=one, instance_type=instance_type,
        instances=sum(v.instance_count for v in instance_variants),
        monthly_usd=round(monthly, 2) if monthly is not None else None,
        invocations_per_day=sum(invocations) / (hours / 24),
        active_share=active / hours,
        p99_latency_ms=max(latency) / 1000 if latency else None,
        gpu_off_peak=_off_peak(gpu_by_hour) if gpu else None,
        gpu_peak=max(gpu_by_hour) if gpu and any(gpu_by_hour) else None,
        cpu_peak=_peak([v.metrics.cpu_utilization for v in instance_variants]),
        memory_peak=_peak([v.metrics.memory_utilization for v in instance_variants]),
        autoscaled=any(v.scaling is not None for v in endpoint.variants),
        auto_mode=None, auto_reason="", hints=hints, hourly_load=tuple(load),
    )
    mode, reason = auto_decision(partial)
    return _replace(partial, auto_mode=mode, auto_reason=reason)


def auto_decision(a: EndpointAssessment) -> tuple[str | None, str]:
    """What mode Auto chooses for this endpoint's model and measured traffic, and why."""
    if a.variant is None or a.variant.model is None:
        return None, f"{len(a.endpoint.variants)} variants: Auto judges one-model endpoints"
    spec = as_spec(a)
    if spec is None:
        return None, "its model cannot be described as a ModelEndpoint (no image or artifact)"
    try:
        mode, reason = resolve_mode(validate_spec(spec))
    except InvalidSpec as error:
        return None, str(error)
    except PlanError as error:
        return None, error.message
    return mode.value, reason


def as_spec(a: EndpointAssessment) -> dict[str, Any] | None:
    """A ModelEndpoint spec of the endpoint as it runs, with the measured traffic."""
    model = a.variant.model if a.variant else None
    if model is None or not model.image or not model.model_data_url or not model.execution_role_arn:
        return None
    spec: dict[str, Any] = {
        "region": a.endpoint.region,
        "executionRoleArn": model.execution_role_arn,
        "image": model.image,
        "models": [model_entry(a)],
        "traffic": traffic_hints(a),
    }
    if a.instance_type:
        spec["instances"] = {"type": a.instance_type, "min": max(1, a.instances), "max": max(1, a.instances)}
    return spec


def model_entry(a: EndpointAssessment) -> dict[str, Any]:
    model = a.variant.model
    return {"name": model_name(a.name), "modelDataUrl": model.model_data_url,
            "invocationsPerDay": round(a.invocations_per_day)}


def traffic_hints(a: EndpointAssessment) -> dict[str, Any]:
    traffic: dict[str, Any] = {"pattern": "Sporadic" if a.active_share < SPORADIC_ACTIVE_SHARE else "Steady"}
    if a.hints.max_payload_mb is not None:
        traffic["maxPayloadMB"] = a.hints.max_payload_mb
    seconds = a.hints.max_processing_seconds
    if seconds is None and a.p99_latency_ms is not None and a.p99_latency_ms >= 1000:
        seconds = math.ceil(a.p99_latency_ms / 1000)
    if seconds is not None:
        traffic["maxProcessingSeconds"] = min(3600, max(1, seconds))
    if a.hints.p99_latency_target_ms is not None:
        traffic["p99LatencyTargetMs"] = a.hints.p99_latency_target_ms
    if a.instance_type is not None:
        traffic["gpu"] = a.accelerated
    return traffic


def model_name(endpoint_name: str) -> str:
    """A spec model name (lower-case, digits and '-', at most 40) from an endpoint's."""
    cleaned = re.sub(r"[^a-z0-9-]+", "-", endpoint_name.lower()).strip("-")[:MODEL_NAME_LEN].rstrip("-")
    return cleaned or "model"


def _replace(a: EndpointAssessment, **changes: Any) -> EndpointAssessment:
    from dataclasses import replace
    return replace(a, **changes)


def _scaled(series: Sequence[float | None], factor: int) -> tuple[float | None, ...]:
    return tuple(None if x is None else x * factor for x in series)


def _sum_series(series: Sequence[Sequence[float | None]], hours: int) -> list[float]:
    total = [0.0] * hours
    for row in series:
        for index, value in enumerate(row[:hours]):
            total[index] += value or 0.0
    return total


def _average_series(series: Sequence[Sequence[float | None]], hours: int) -> list[float]:
    present = [row for row in series if any(x is not None for x in row)]
    if not present:
        return [0.0] * hours
    return [x / len(present) for x in _sum_series(present, hours)]


def _off_peak(by_hour: Sequence[float]) -> float | None:
    """The average over each day's OFF_PEAK_HOURS quietest hours."""
    values = [x for x in by_hour if x]
    if not values:
        return None
    days = [sorted(values[i:i + 24])[:OFF_PEAK_HOURS] for i in range(0, len(values), 24)]
    quiet = [x for day in days for x in day]
    return sum(quiet) / len(quiet)


def _peak(series: Sequence[Sequence[float | None]]) -> float | None:
    values = [x for row in series for x in row if x is not None]
    return max(values) if values else None
