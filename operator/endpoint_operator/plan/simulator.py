"""A scaling simulator: a request-rate trace replayed through a model of target-tracking
autoscaling, to compare 60-second against 10-second metrics before deploying. It is a
planning aid, not a prediction; the model and its limits are in docs/scaling-simulator.md.

The model, second by second:
- Traffic is served by the load model (plan/load, the same code as the emulator's
  traffic engine): spread evenly over the instances in service, each an M/M/1 server
  of `capacity` requests/s; what they cannot serve queues up, and a request that
  would wait longer than SageMaker's 60-second invocation timeout times out.
- The tracked metric per instance: InvocationsPerInstance is requests per minute;
  ConcurrentRequestsPerModel is requests in the system (M/M/1's rho/(1-rho) plus its
  share of the queue); a custom metric is taken as requests/s per instance.
- Target tracking's scale-out alarm needs 3 datapoints in a row above the target; a
  datapoint is the metric's average over one period (60 s standard, 10 s high
  resolution). The scale-in alarm needs 15 one-minute datapoints below 90 % of the
  target, whatever the resolution (the 10-second metric speeds scale-out only).
- On an alarm, the new count is ceil(metric x instances / target), never beyond the
  range; during the scale-out cooldown the instances still starting count as added, so
  the count is sized on the instances in service; after it, on the whole count.
- A new instance serves `instance_start` seconds after the decision; scale-in is at once.
- p99 latency: the queue's wait plus the p99 of M/M/1's sojourn time (plan/load/latency.py).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from ..api.spec import AutoscalingSpec, ModelEndpointSpec, ScalingMetric
from .load import Latency, RealTimeFleet, RealTimeSecond, Trace, VariantLoad
from .load.fleet import INVOCATION_TIMEOUT  # noqa: F401  (re-exported: the model's constants)
from .load.latency import RHO_CAP  # noqa: F401
from .load.profiles import parse_trace  # noqa: F401  (the CLI reads traces through the simulator)
from .mode import resolve_mode
from .scaling import autoscaled

STANDARD_PERIOD = 60
HIGH_RESOLUTION_PERIOD = 10
SCALE_OUT_DATAPOINTS = 3
SCALE_IN_DATAPOINTS = 15
SCALE_IN_PERIOD = 60
SCALE_IN_FRACTION = 0.9


@dataclass(frozen=True)
class Policy:
    metric: ScalingMetric
    target: float
    scale_out_cooldown: int
    scale_in_cooldown: int
    min_instances: int
    max_instances: int
    autoscaled: bool = True

    @classmethod
    def from_spec(cls, spec: ModelEndpointSpec) -> Policy:
        settings = spec.autoscaling
        instances = spec.instances
        low = max(instances.min, 1) if instances else 1
        high = instances.max if instances else 1
        return cls(
            metric=(settings.metric if settings else None) or ScalingMetric.CONCURRENT_REQUESTS_HIGH_RESOLUTION,
            target=(settings or AutoscalingSpec()).target_value(
                (settings.metric if settings else None) or ScalingMetric.CONCURRENT_REQUESTS_HIGH_RESOLUTION),
            scale_out_cooldown=settings.scale_out_cooldown_seconds if settings else 60,
            scale_in_cooldown=settings.scale_in_cooldown_seconds if settings else 300,
            min_instances=low,
            max_instances=high,
            autoscaled=autoscaled(spec, resolve_mode(spec)[0]),
        )


@dataclass(frozen=True)
class Sample:
    time: int
    rate: float
    in_service: int
    desired: int
    queue: float
    p99_seconds: float


@dataclass
class Run:
    period: int
    samples: list[Sample] = field(default_factory=list)
    decisions: list[tuple[int, int, int]] = field(default_factory=list)  # (time, from, to)
    breach_onset: int | None = None  # first second the metric exceeded the target
    timed_out: float = 0.0  # requests that would have waited past the invocation timeout

    @property
    def first_scale_out(self) -> int | None:
        return next((t for t, before, after in self.decisions if after > before), None)

    @property
    def detection_seconds(self) -> int | None:
        if self.first_scale_out is None or self.breach_onset is None:
            return None
        return self.first_scale_out - self.breach_onset

    @property
    def instance_hours(self) -> float:
        """Billed from the decision: an instance starting is paid for."""
        return sum(s.desired for s in self.samples) / 3600

    @property
    def peak_p99(self) -> float:
        return max((s.p99_seconds for s in self.samples), default=0.0)

    def seconds_over(self, p99_limit: float) -> int:
        return sum(1 for s in self.samples if s.p99_seconds > p99_limit)


def p99_seconds(rate_per_instance: float, capacity: float, queue_wait: float) -> float:
    return Latency.mm1(capacity, rate_per_instance / capacity, queue_wait).quantile(0.99)


def metric_value(metric: ScalingMetric, second: RealTimeSecond) -> float:
    per_instance = second.arrivals / second.instances
    if metric == ScalingMetric.INVOCATIONS_PER_INSTANCE:
        return per_instance * 60
    if metric == ScalingMetric.CONCURRENT_REQUESTS_HIGH_RESOLUTION:
        return second.concurrency_per_instance
    if metric == ScalingMetric.APPROXIMATE_BACKLOG_SIZE_PER_INSTANCE:
        return second.queue / second.instances
    return per_instance


def simulate(trace: list[tuple[float, float]], policy: Policy, capacity: float, instance_start: int, period: int) -> Run:
    """Replays `trace` ((seconds, requests/s) rows) second by second."""
    if capacity <= 0:
        raise ValueError("capacity must be > 0 requests/s per instance")
    profile = Trace(tuple(trace))
    end = int(math.ceil(profile.end() or 0))
    run = Run(period=period)
    fleet = RealTimeFleet(VariantLoad(service_rate=capacity))
    in_service, desired = policy.min_instances, policy.min_instances
    starting: list[tuple[int, int]] = []  # (ready at, count)
    last_out: int | None = None
    last_in: int | None = None
    window: list[float] = []  # metric values of the current period
    coarse: list[float] = []  # of the current scale-in minute
    datapoints: list[float] = []
    minutes: list[float] = []
    for t in range(end + 1):
        in_service += sum(n for ready, n in starting if ready == t)
        starting = [(ready, n) for ready, n in starting if ready > t]
        rate = profile.rate(t)
        second = fleet.advance(rate, in_service)
        run.timed_out += second.timed_out
        run.samples.append(Sample(t, rate, in_service, desired, second.queue, second.p99_seconds))
        value = metric_value(policy.metric, second)
        if run.breach_onset is None and value > policy.target:
            run.breach_onset = t
        window.append(value)
        coarse.append(value)
        if not policy.autoscaled:
            continue
        if (t + 1) % period == 0:
            datapoints.append(sum(window) / len(window))
            window = []
            recent = datapoints[-SCALE_OUT_DATAPOINTS:]
            if len(recent) == SCALE_OUT_DATAPOINTS and all(v > policy.target for v in recent):
                cooling = last_out is not None and t + 1 - last_out < policy.scale_out_cooldown
                base = in_service if cooling else desired
                wanted = min(policy.max_instances, math.ceil(recent[-1] * base / policy.target))
                if wanted > desired:
                    run.decisions.append((t + 1, desired, wanted))
                    starting.append((t + 1 + instance_start, wanted - desired))
                    desired, last_out = wanted, t + 1
        if (t + 1) % SCALE_IN_PERIOD == 0:
            minutes.append(sum(coarse) / len(coarse))
            coarse = []
            recent = minutes[-SCALE_IN_DATAPOINTS:]
            quiet = len(recent) == SCALE_IN_DATAPOINTS and all(v < SCALE_IN_FRACTION * policy.target for v in recent)
            cooled = (last_in is None or t + 1 - last_in >= policy.scale_in_cooldown) and not starting
            if quiet and cooled:
                wanted = max(policy.min_instances, math.ceil(recent[-1] * in_service / policy.target))
                if wanted < desired:
                    run.decisions.append((t + 1, desired, wanted))
                    in_service = desired = wanted
                    last_in = t + 1
    return run


@dataclass(frozen=True)
class Comparison:
    policy: Policy
    standard: Run
    high_resolution: Run

    @property
    def speedup(self) -> float | None:
        slow, fast = self.standard.detection_seconds, self.high_resolution.detection_seconds
        if not slow or not fast:
            return None
        return slow / fast


def compare(trace: list[tuple[float, float]], policy: Policy, capacity: float, instance_start: int) -> Comparison:
    """The same policy with 60-second and with 10-second metric periods."""
    return Comparison(
        policy=policy,
        standard=simulate(trace, policy, capacity, instance_start, STANDARD_PERIOD),
        high_resolution=simulate(trace, policy, capacity, instance_start, HIGH_RESOLUTION_PERIOD),
    )


def report(comparison: Comparison, every: int = 60, p99_target_ms: int | None = None) -> str:
    """Instances over time, p99 and instance-hours for both resolutions, and the comparison."""
    std, fast = comparison.standard, comparison.high_resolution
    p = comparison.policy
    lines = [
        "Scaling simulation (a planning aid: a model, not a prediction; see docs/scaling-simulator.md)",
        f"policy: {p.metric.value} target {p.target:g}, instances {p.min_instances}-{p.max_instances}, "
        f"cooldowns out {p.scale_out_cooldown}s / in {p.scale_in_cooldown}s"
        + ("" if p.autoscaled else " (not autoscaled: a fixed count)"),
        "",
        f"{'time':>6} {'req/s':>8} | {'60s: serving/desired':>20} {'p99':>8} | {'10s: serving/desired':>20} {'p99':>8}",
    ]
    for a, b in zip(std.samples, fast.samples):
        if a.time % every == 0 or a.time == std.samples[-1].time:
            lines.append(
                f"{_clock(a.time):>6} {a.rate:>8g} | {f'{a.in_service}/{a.desired}':>20} {_latency(a.p99_seconds):>8} | "
                f"{f'{b.in_service}/{b.desired}':>20} {_latency(b.p99_seconds):>8}"
            )
    lines.append("")
    for label, run in (("60-second metric", std), ("10-second metric", fast)):
        detected = "no scale-out" if run.first_scale_out is None else (
            f"scale-out decided at {_clock(run.first_scale_out)}, {run.detection_seconds}s after the metric crossed the target")
        line = (f"{label}: {detected}; peak p99 {_latency(run.peak_p99)}; "
                f"{run.timed_out:.0f} requests timed out; {run.instance_hours:.2f} instance-hours")
        if p99_target_ms:
            line += f"; {run.seconds_over(p99_target_ms / 1000)}s over the {p99_target_ms} ms p99 target"
        lines.append(line)
    if comparison.speedup:
        lines.append(f"detection with 10-second metrics is {comparison.speedup:.1f}x faster "
                     f"({std.detection_seconds}s -> {fast.detection_seconds}s)")
    return "\n".join(lines)


def _clock(seconds: int) -> str:
    return f"{seconds // 60}:{seconds % 60:02d}"


def _latency(seconds: float) -> str:
    return f"{seconds * 1000:.0f}ms" if seconds < 10 else f"{seconds:.0f}s"
