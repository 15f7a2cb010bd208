"""An asynchronous variant: requests queue (the backlog) and the instances drain it.

Developer guide, "Asynchronous inference": SageMaker "queues incoming requests and
processes them asynchronously"; the instance count may be zero, and then the backlog
only grows. The queue is first in, first out, kept as cohorts of one second.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field

from .fleet import VariantLoad
from .latency import Latency


@dataclass(frozen=True)
class AsyncSecond:
    arrivals: float
    processed: float
    server_errors: float
    client_errors: float
    instances: int
    backlog: float  # requests queued at the end of the second
    oldest_age: float  # seconds the oldest queued request has waited
    time_in_backlog: tuple[tuple[float, float], ...]  # (seconds waited, requests) of those processed
    latency: Latency  # the model's time per request: no queueing inside the container

    @property
    def backlog_without_capacity(self) -> bool:
        return self.backlog > 0 and self.instances == 0


@dataclass
class AsyncQueue:
    load: VariantLoad = field(default_factory=VariantLoad)
    _cohorts: deque[list[float]] = field(default_factory=deque)  # [arrived at, requests]

    @property
    def backlog(self) -> float:
        return sum(n for _, n in self._cohorts)

    def oldest_age(self, now: float) -> float:
        """Seconds the oldest queued request has waited at `now` (0 with none queued)."""
        return now - self._cohorts[0][0] if self._cohorts else 0.0

    def advance(self, now: float, arrivals: float, instances: int) -> AsyncSecond:
        if arrivals > 0:
            self._cohorts.append([now, arrivals])
        budget = max(instances, 0) * self.load.service_rate
        processed = 0.0
        waited: list[tuple[float, float]] = []
        while budget > 1e-12 and self._cohorts:
            cohort = self._cohorts[0]
            taken = min(cohort[1], budget)
            waited.append((now - cohort[0], taken))
            cohort[1] -= taken
            budget -= taken
            processed += taken
            if cohort[1] <= 1e-12:
                self._cohorts.popleft()
        oldest = self.oldest_age(now)
        return AsyncSecond(
            arrivals=arrivals, processed=processed,
            server_errors=processed * self.load.error_rate, client_errors=processed * self.load.client_error_rate,
            instances=max(instances, 0), backlog=self.backlog, oldest_age=oldest, time_in_backlog=tuple(waited),
            latency=Latency(0.0, self.load.service_rate),
        )
