"""A real-time variant's fleet, advanced one second at a time.

Each instance serves `service_rate` requests/s (an M/M/1 server); a multi-model
variant's models may each have their own rate. Arrivals beyond what the fleet can
serve wait in a queue, measured in seconds of work; a request that would wait longer
than SageMaker's 60-second invocation timeout times out instead of queuing. Load is
spread evenly over the instances (perfect balancing).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from .latency import RHO_CAP, Latency

INVOCATION_TIMEOUT = 60.0  # seconds: real-time invocations fail beyond it


@dataclass(frozen=True)
class VariantLoad:
    """How one variant serves: its parameters, set per endpoint and variant."""

    service_rate: float = 10.0  # requests/s one instance serves
    error_rate: float = 0.0  # share of answered requests that are 5xx
    client_error_rate: float = 0.0  # share that are 4xx
    overhead_seconds: float = 0.002  # SageMaker's own time per request (OverheadLatency)
    model_rates: Mapping[str, float] = field(default_factory=dict)  # multi-model: a model's own service rate

    def rate_of(self, model: str | None) -> float:
        return float(self.model_rates.get(model, self.service_rate)) if model else self.service_rate

    def __post_init__(self) -> None:
        if self.service_rate <= 0 or any(r <= 0 for r in self.model_rates.values()):
            raise ValueError("a service rate must be > 0 requests/s per instance")
        if not (0 <= self.error_rate <= 1 and 0 <= self.client_error_rate <= 1):
            raise ValueError("error rates are shares between 0 and 1")


@dataclass(frozen=True)
class RealTimeSecond:
    """What one second of load did to a variant."""

    arrivals: float
    answered: float  # arrivals that get an answer (timed-out requests do not)
    timed_out: float
    server_errors: float
    client_errors: float
    instances: int
    queue: float  # requests waiting at the end of the second
    utilisation: float  # arrivals' work over the fleet's capacity (may exceed 1)
    latencies: tuple[tuple[Latency, float], ...]  # (distribution, requests): one per model served
    concurrency_per_instance: float  # requests in the system per instance

    @property
    def p99_seconds(self) -> float:
        """The p99 of the slowest model's distribution (all of them on a single-model variant)."""
        return max((lat.quantile(0.99) for lat, _ in self.latencies), default=0.0)


@dataclass
class RealTimeFleet:
    load: VariantLoad = field(default_factory=VariantLoad)
    work_queued: float = 0.0  # seconds of one instance's work waiting
    timed_out: float = 0.0  # requests, since the start

    def advance(self, arrivals: float | Mapping[str | None, float], instances: int) -> RealTimeSecond:
        """Serve one second of arrivals (a rate, or a rate per model) on `instances` instances."""
        calls = {None: float(arrivals)} if isinstance(arrivals, (int, float)) else dict(arrivals)
        total = sum(calls.values())
        work = sum(n / self.load.rate_of(m) for m, n in calls.items())
        if instances <= 0:
            # Nothing serves: every request fails (a real-time variant never runs at zero on AWS).
            return RealTimeSecond(total, 0.0, total, 0.0, 0.0, 0, 0.0, 0.0, (), 0.0)
        self.work_queued = max(0.0, self.work_queued + work - instances)
        limit = instances * INVOCATION_TIMEOUT
        per_work = total / work if work else 0.0  # requests per second of work
        timed_out = 0.0
        if self.work_queued > limit:
            timed_out = (self.work_queued - limit) * per_work
            self.work_queued = limit
        self.timed_out += timed_out
        wait = self.work_queued / instances
        utilisation = work / instances
        latencies = tuple((Latency.mm1(self.load.rate_of(m), utilisation, wait), n) for m, n in calls.items())
        rho = min(utilisation, RHO_CAP)
        queue = self.work_queued * per_work
        answered = max(total - timed_out, 0.0)
        return RealTimeSecond(
            arrivals=total, answered=answered, timed_out=timed_out,
            server_errors=answered * self.load.error_rate, client_errors=answered * self.load.client_error_rate,
            instances=instances, queue=queue, utilisation=utilisation, latencies=latencies,
            concurrency_per_instance=rho / (1 - rho) + queue / instances,
        )
