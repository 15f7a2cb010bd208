"""What a ModelEndpoint costs: an expected monthly figure from the spec and its
traffic hints, and the running figure for status from the instances observed.

Pure: prices come in as a PriceTable. Every estimate carries the assumptions it
rests on, in words, so a reader can redo the arithmetic (docs/cost.md does).

The models below; each mode's profile (plan/builders/) names the one it is priced by:
- RealTime, MultiModel, Async without scale-to-zero: instance-hours at the floor
  autoscaling keeps (spec.instances.min, moved by scheduled floors over the week).
  Load above the floor is not sized from hints, so the ceiling (every instance at
  spec.instances.max) is given beside it. Models on a multi-model endpoint share
  its instances: the model count does not change the bill.
- Async with scale-to-zero: instance-hours only while the queue has work: calls a
  day x processing time / concurrent invocations per instance, plus the idle tail
  before target tracking scales in (15 one-minute datapoints below target).
- Serverless: calls a day x (duration x memory GB x the GB-second price + the
  request price), plus provisioned concurrency kept warm around the clock.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, replace

from typing import TYPE_CHECKING

from ..api.pricing import PriceTable
from ..api.resources import ObservedEndpoint
from ..api.spec import ModelEndpointSpec, ServerlessSpec, TrafficPattern
from ..api.status import CostStatus
from .cron_week import MINUTES_PER_WEEK, CronNotUnderstood, weekly_firings
from .decision import Decision
from .errors import PlanError

if TYPE_CHECKING:  # the blueprint's builders use the cost models below
    from .blueprint import Blueprint

HOURS_PER_DAY = 24
SECONDS_PER_HOUR = 3600
# Assumed durations when the spec gives no hint.
DEFAULT_SERVERLESS_SECONDS = 1.0
DEFAULT_ASYNC_SECONDS = 60.0
# Target tracking scales in after 15 one-minute datapoints below target: an async
# endpoint woken from zero idles this long after its queue empties.
SCALE_IN_TAIL_HOURS = 0.25


@dataclass(frozen=True)
class CostLine:
    what: str
    hourly_usd: float  # averaged over the month


@dataclass(frozen=True)
class CostEstimate:
    hourly_usd: float  # average over the month
    hours_per_month: float
    instances: float  # average instances running (0 for serverless)
    peak_instances: int  # every variant at its autoscaling maximum
    peak_hourly_usd: float
    instance_type: str | None
    lines: tuple[CostLine, ...]
    assumptions: tuple[str, ...]

    @property
    def daily_usd(self) -> float:
        return self.hourly_usd * HOURS_PER_DAY

    @property
    def monthly_usd(self) -> float:
        return self.hourly_usd * self.hours_per_month

    @property
    def peak_monthly_usd(self) -> float:
        return self.peak_hourly_usd * self.hours_per_month


def dollars(price: float) -> str:
    """A unit price without float noise or exponents: $0.0000002, $0.736."""
    return "$" + (f"{price:.10f}".rstrip("0").rstrip(".") or "0")


def one_per_model(spec: ModelEndpointSpec, prices: PriceTable, instance_type: str,
                  field: str = "spec.instances.type") -> CostEstimate:
    """The naive layout: every model on its own always-on real-time endpoint with one
    `instance_type` instance. `field` names where the type came from, for errors."""
    price = _instance_price(prices, spec.region, instance_type, field)
    count = len(spec.models)
    hourly = count * price
    return CostEstimate(
        hourly_usd=hourly, hours_per_month=prices.hours_per_month, instances=count, peak_instances=count,
        peak_hourly_usd=hourly, instance_type=instance_type,
        lines=(CostLine(f"{count} x {instance_type} at {dollars(price)}/h, one always-on endpoint per model", hourly),),
        assumptions=(f"one instance per model around the clock ({HOURS_PER_DAY} h a day, "
                     f"{prices.hours_per_month:g} h a month)",),
    )


def running_cost(spec: ModelEndpointSpec, bp: Blueprint, endpoint: ObservedEndpoint | None,
                 prices: PriceTable) -> CostStatus | None:
    """status.cost: the hourly rate at the instance count observed now (the desired
    count until the endpoint exists), and that rate over a month. None when the
    table has no price for it: the estimate is informational, never a failure."""
    observed = {v.name: v for v in endpoint.variants} if endpoint is not None else {}
    desired = {v.name: v for v in bp.config.variants}
    fallback_type = spec.instances.type if spec.instances else None
    hourly = 0.0
    instances = 0
    for name in [*desired, *(n for n in observed if n not in desired)]:
        variant, seen = desired.get(name), observed.get(name)
        if variant is not None and variant.serverless is not None:
            try:
                hourly += serverless_cost(spec, prices).hourly_usd
            except PlanError:
                return None
            continue
        count = _count(seen) if seen is not None else (variant.initial_instance_count or 0)
        instance_type = (variant.instance_type if variant is not None else None) or fallback_type
        price = prices.instance_hourly(spec.region, instance_type) if instance_type else None
        if price is None:
            return None
        hourly += count * price
        instances += count
    return CostStatus(hourly_usd=round(hourly, 4), monthly_usd=round(hourly * prices.hours_per_month, 2),
                      instances=instances)


def with_cost(decision: Decision, cost: CostStatus | None) -> Decision:
    """The decision with status.cost set (kept as it was when `cost` is None)."""
    if cost is None:
        return decision
    return replace(decision, status=decision.status.model_copy(update={"cost": cost}))


# ---- instance-backed ---------------------------------------------------------------------

def _count(variant) -> int:
    if variant.current_instances is not None:
        return variant.current_instances
    return variant.desired_instances or 0


def _instance_price(prices: PriceTable, region: str, instance_type: str, field: str) -> float:
    price = prices.instance_hourly(region, instance_type)
    if price is not None:
        return price
    if region not in prices.regions:
        raise PlanError("UnknownRegion", "spec.region",
                        f"spec.region: no prices for region {region} (known: {', '.join(sorted(prices.regions))}); "
                        "add it to a price file")
    raise PlanError("UnknownInstanceType", field,
                    f"{field}: no price for {instance_type} in {region}: the price table has no entry for it "
                    "(add it to a price file)")


def _instance_spec(spec: ModelEndpointSpec):
    if spec.instances is None:
        raise PlanError("InvalidSpec", "spec.instances", "spec.instances: an instance type is required for this mode")
    return spec.instances


def _autoscaled(spec: ModelEndpointSpec) -> bool:
    return spec.autoscaling is None or spec.autoscaling.enabled


def instance_floor_cost(spec: ModelEndpointSpec, prices: PriceTable, notes: Iterable[str] = ()) -> CostEstimate:
    """Instance-hours at the floor autoscaling keeps; `notes` are the mode's own
    assumptions, said after the floor's."""
    instances = _instance_spec(spec)
    price = _instance_price(prices, spec.region, instances.type, "spec.instances.type")
    start = max(instances.min, 1)
    assumptions = [f"{instances.type} at {dollars(price)} per instance-hour"]
    if _autoscaled(spec) and spec.autoscaling and spec.autoscaling.schedules:
        average, peak, notes = _scheduled_floor(spec, floor_min=1)
        assumptions += notes
        what = f"{instances.type} x {average:.2f} on average (scheduled floors over the week)"
    else:
        average, peak = float(start), (instances.max if _autoscaled(spec) else start)
        what = f"{start} x {instances.type} always on (spec.instances.min)"
    if peak > average:
        assumptions.append(f"autoscaling runs between the floor and {peak} instances; load above the floor is "
                           f"not sized from hints, so the estimate counts the floor and the ceiling counts {peak}")
    assumptions += notes
    hourly = average * price
    return CostEstimate(
        hourly_usd=hourly, hours_per_month=prices.hours_per_month, instances=average, peak_instances=peak,
        peak_hourly_usd=peak * price, instance_type=instances.type,
        lines=(CostLine(what, hourly),), assumptions=tuple(assumptions),
    )


def _scheduled_floor(spec: ModelEndpointSpec, floor_min: int) -> tuple[float, int, list[str]]:
    """(average floor over a week, highest max, notes). A schedule's min and max hold
    from its firing until the next schedule fires; the week wraps around."""
    instances = _instance_spec(spec)
    notes: list[str] = []
    events: list[tuple[int, int, int | None, int | None]] = []
    peak = instances.max
    for order, schedule in enumerate(spec.autoscaling.schedules or ()):
        try:
            firings = weekly_firings(schedule.cron)
        except CronNotUnderstood as error:
            notes.append(f"schedule {schedule.name}: cron not understood ({error}); left out of the estimate")
            continue
        if firings.ignored_day_fields:
            notes.append(f"schedule {schedule.name}: day-of-month and month fields are counted as every day")
        events += [(minute, order, schedule.min, schedule.max) for minute in firings.minutes]
        peak = max(peak, schedule.max or 0)
    events.sort()
    low, high = instances.min, instances.max
    for _, _, new_min, new_max in events:  # the state the previous week ended in
        low, high = new_min if new_min is not None else low, new_max if new_max is not None else high
    total = 0.0
    previous = 0
    for minute, _, new_min, new_max in [*events, (MINUTES_PER_WEEK, -1, None, None)]:
        total += (minute - previous) * max(min(low, high), floor_min)
        previous = minute
        low, high = new_min if new_min is not None else low, new_max if new_max is not None else high
    notes.append("scheduled floors weighed by the hours they hold over a week (time zone does not change the average)")
    return total / MINUTES_PER_WEEK, peak, notes


# ---- async scale-to-zero -----------------------------------------------------------------

def _calls_per_day(spec: ModelEndpointSpec) -> tuple[int, list[str]]:
    hinted = [m.invocations_per_day for m in spec.models if m.invocations_per_day is not None]
    if len(hinted) < len(spec.models):
        return sum(hinted), ["models without spec.models[].invocationsPerDay are counted as no calls"]
    return sum(hinted), []


def scale_to_zero_cost(spec: ModelEndpointSpec, prices: PriceTable) -> CostEstimate:
    instances = _instance_spec(spec)
    price = _instance_price(prices, spec.region, instances.type, "spec.instances.type")
    calls, assumptions = _calls_per_day(spec)
    traffic = spec.traffic
    seconds = float(traffic.max_processing_seconds) if traffic and traffic.max_processing_seconds else DEFAULT_ASYNC_SECONDS
    per_instance = (spec.async_.max_concurrent_invocations_per_instance if spec.async_ else None) or 1
    busy_hours = calls * seconds / per_instance / SECONDS_PER_HOUR
    scheduled = traffic is not None and traffic.pattern is TrafficPattern.SCHEDULED
    bursts = (1 if scheduled else min(calls, HOURS_PER_DAY)) if calls else 0
    if bursts == 0:
        awake = 0.0
    elif scheduled:
        awake = busy_hours + SCALE_IN_TAIL_HOURS
    else:
        per_burst = busy_hours / bursts
        awake = bursts * max(per_burst, min(1.0, per_burst + SCALE_IN_TAIL_HOURS))
    instance_hours = min(awake, HOURS_PER_DAY * instances.max)
    assumptions = [
        f"{instances.type} at {dollars(price)} per instance-hour",
        f"{calls} calls a day x {seconds:g} s each (spec.traffic.maxProcessingSeconds"
        f"{'' if traffic and traffic.max_processing_seconds else f' absent: assumed {DEFAULT_ASYNC_SECONDS:g} s'})"
        f" / {per_instance} at once per instance = {busy_hours:.2f} busy instance-hours a day",
        ("scheduled traffic arrives in one burst a day" if scheduled else
         f"traffic spread over the day wakes the endpoint in up to {HOURS_PER_DAY} hourly bursts")
        + f"; each burst idles {SCALE_IN_TAIL_HOURS * 60:g} min before scale-in",
        *assumptions,
        f"scale-to-zero: {instance_hours:.2f} instance-hours a day, none while the queue is empty",
    ]
    hourly = instance_hours * price / HOURS_PER_DAY
    return CostEstimate(
        hourly_usd=hourly, hours_per_month=prices.hours_per_month, instances=instance_hours / HOURS_PER_DAY,
        peak_instances=instances.max, peak_hourly_usd=instances.max * price, instance_type=instances.type,
        lines=(CostLine(f"{instance_hours:.2f} {instances.type} instance-hours a day (scale-to-zero)", hourly),),
        assumptions=tuple(assumptions),
    )


# ---- serverless ----------------------------------------------------------------------------

def serverless_cost(spec: ModelEndpointSpec, prices: PriceTable) -> CostEstimate:
    table = prices.serverless(spec.region)
    if table is None:
        raise PlanError("UnknownRegion", "spec.region", f"spec.region: no serverless prices for region {spec.region}; add them to a price file")
    settings = spec.serverless or ServerlessSpec()
    memory_gb = settings.memory_size_mb / 1024
    calls, assumptions = _calls_per_day(spec)
    seconds, source = _serverless_seconds(spec)
    per_call = seconds * memory_gb * table.per_gb_second + table.per_request
    compute_daily = calls * per_call
    warm = settings.provisioned_concurrency or 0
    warm_daily = warm * memory_gb * HOURS_PER_DAY * SECONDS_PER_HOUR * table.provisioned_per_gb_second
    lines = [CostLine(f"{calls} calls a day x {seconds:g} s x {memory_gb:g} GB", compute_daily / HOURS_PER_DAY)]
    assumptions = [
        f"{dollars(table.per_gb_second)} per GB-second and {dollars(table.per_request)} per request",
        f"each call runs {seconds:g} s ({source}) on {settings.memory_size_mb} MB",
        *assumptions,
    ]
    if warm:
        lines.append(CostLine(f"{warm} provisioned concurrency x {memory_gb:g} GB kept warm", warm_daily / HOURS_PER_DAY))
        assumptions.append(f"provisioned concurrency at {dollars(table.provisioned_per_gb_second)} per GB-second, around the clock")
    hourly = (compute_daily + warm_daily) / HOURS_PER_DAY
    peak = hourly if calls == 0 else (warm_daily / HOURS_PER_DAY
                                      + settings.max_concurrency * memory_gb * SECONDS_PER_HOUR * table.per_gb_second)
    return CostEstimate(
        hourly_usd=hourly, hours_per_month=prices.hours_per_month, instances=0, peak_instances=0,
        peak_hourly_usd=max(peak, hourly), instance_type=None, lines=tuple(lines), assumptions=tuple(assumptions),
    )


def _serverless_seconds(spec: ModelEndpointSpec) -> tuple[float, str]:
    traffic = spec.traffic
    if traffic and traffic.p99_latency_target_ms:
        return traffic.p99_latency_target_ms / 1000, "spec.traffic.p99LatencyTargetMs, an upper bound"
    if traffic and traffic.max_processing_seconds:
        return float(traffic.max_processing_seconds), "spec.traffic.maxProcessingSeconds, an upper bound"
    return DEFAULT_SERVERLESS_SECONDS, f"no latency hint: assumed {DEFAULT_SERVERLESS_SECONDS:g} s"


def total(estimates: Iterable[CostEstimate]) -> float:
    """Sum of hourly averages."""
    return math.fsum(e.hourly_usd for e in estimates)
