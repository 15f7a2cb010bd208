"""A serverless variant: containers start on demand (a cold start), serve one request
at a time, stay warm while used, and never exceed the variant's MaxConcurrency.

ServerlessConfig.MaxConcurrency (service model): "The maximum number of concurrent
invocations your serverless endpoint can process." ProvisionedConcurrency: "The amount
of provisioned concurrency to allocate for the serverless endpoint": those containers
are always warm. Requests beyond MaxConcurrency are refused (throttled).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from .fleet import VariantLoad
from .latency import Latency


@dataclass(frozen=True)
class ServerlessSecond:
    arrivals: float
    accepted: float
    throttled: float  # refused: beyond MaxConcurrency
    server_errors: float
    client_errors: float
    warm_served: float  # accepted requests a warm container took at once
    cold_waits: tuple[tuple[float, float], ...]  # (seconds of cold start waited, requests)
    cold_starts: int  # containers launched this second
    setup_seconds: float  # a cold start's length (ModelSetupTime)
    concurrency: float  # concurrent executions (Little's law: accepted x time in the model)
    max_concurrency: int
    latency: Latency


@dataclass
class ServerlessFleet:
    load: VariantLoad = field(default_factory=VariantLoad)
    max_concurrency: int = 20
    provisioned: int = 0
    cold_start_seconds: float = 5.0
    idle_seconds: float = 300.0  # a container unused this long is reclaimed (provisioned ones stay)
    _containers: list[list[float]] = field(default_factory=list)  # [ready at, last used]

    def advance(self, now: float, arrivals: float) -> ServerlessSecond:
        self._reclaim(now)
        while len(self._containers) < self.provisioned:
            self._containers.append([now - self.cold_start_seconds, now])
        mu = self.load.service_rate  # requests/s one container serves
        wanted = min(math.ceil(arrivals / mu - 1e-9), self.max_concurrency) if arrivals > 0 else 0
        started = max(wanted - len(self._containers), 0)
        self._containers.extend([now + self.cold_start_seconds, now] for _ in range(started))
        capacity = min(len(self._containers), self.max_concurrency) * mu
        accepted = min(arrivals, capacity)
        throttled = arrivals - accepted
        ready = sorted(c for c in self._containers if c[0] <= now)
        warm_served = min(accepted, len(ready) * mu)
        waits: list[tuple[float, float]] = []
        rest = accepted - warm_served
        for container in sorted((c for c in self._containers if c[0] > now), key=lambda c: c[0]):
            if rest <= 1e-12:
                break
            taken = min(rest, mu)
            waits.append((container[0] - now, taken))
            rest -= taken
        busy = math.ceil(accepted / mu - 1e-9) if accepted > 0 else 0
        for container in sorted(self._containers, key=lambda c: c[0])[:busy]:
            container[1] = now
        utilisation = accepted / (len(self._containers) * mu) if self._containers else 0.0
        return ServerlessSecond(
            arrivals=arrivals, accepted=accepted, throttled=throttled,
            server_errors=accepted * self.load.error_rate, client_errors=accepted * self.load.client_error_rate,
            warm_served=warm_served, cold_waits=tuple(waits), cold_starts=started,
            setup_seconds=self.cold_start_seconds, concurrency=accepted / mu,
            max_concurrency=self.max_concurrency, latency=Latency.mm1(mu, utilisation),
        )

    def _reclaim(self, now: float) -> None:
        """Containers idle past `idle_seconds` go; `advance` tops the provisioned ones up, warm."""
        self._containers = [c for c in self._containers if now - c[1] < self.idle_seconds or c[0] > now]
