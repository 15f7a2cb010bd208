"""What the instances of a multi-model variant hold: models load on their first call
and leave, least recently used first, when an instance's cache is full.

Developer guide, "Invoke a Multi-Model Endpoint": multi-model endpoints load target
models dynamically; "Set SageMaker AI multi-model endpoint model caching behavior":
"The cached models are unloaded and/or deleted from disk only when a container runs
out of memory or disk space to accommodate a newly targeted model." A model is held
by one instance; a call finds it wherever it is loaded.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass, field


@dataclass(frozen=True)
class ModelCalls:
    """One second of calls to a multi-model variant."""

    hits: float  # calls to a model already loaded (ModelCacheHit 1)
    misses: float  # calls that waited for a load (ModelCacheHit 0)
    waits: tuple[tuple[float, float], ...]  # (seconds waited for the load, calls)
    loads: tuple[str, ...]  # models whose load started this second
    evictions: tuple[str, ...]  # models unloaded to make room
    loaded: tuple[int, ...]  # models held per instance, after this second


@dataclass
class ModelCaches:
    capacity: int = 4  # models one instance holds
    load_seconds: float = 3.0  # download plus load, from the first call to serving
    caching: bool = True  # MultiModelConfig.ModelCacheSetting Disabled: no model stays loaded
    _held: list[OrderedDict[str, float]] = field(default_factory=list)  # per instance: model -> ready at
    _used: dict[str, float] = field(default_factory=dict)  # model -> the last second it was called

    def resize(self, instances: int) -> None:
        """Instances added start empty; instances removed take their models with them."""
        self._held = self._held[:instances] + [OrderedDict() for _ in range(instances - len(self._held))]

    def clear(self) -> None:
        """A new fleet (an update to another config) has loaded nothing."""
        self._held = [OrderedDict() for _ in self._held]

    def held(self) -> list[list[str]]:
        """The models each instance holds, least recently used first."""
        return [list(held) for held in self._held]

    def where(self, model: str) -> int | None:
        return next((i for i, held in enumerate(self._held) if model in held), None)

    def call(self, now: float, calls: Mapping[str, float]) -> ModelCalls:
        """Route one second of calls (model -> calls) at virtual second `now`."""
        hits = misses = 0.0
        waits: list[tuple[float, float]] = []
        loads: list[str] = []
        evictions: list[str] = []
        served: dict[str, float] = {}  # models already served this second -> the second they were used before
        # Calls of one second arrive interleaved: the busiest model is the most likely to be the
        # last one called, so the second's calls are applied in ascending order of their number.
        for model, count in sorted(calls.items(), key=lambda call: (call[1], call[0])):
            if count <= 0 or not self._held:
                continue
            instance = self.where(model)
            if instance is None:
                instance, evicted = self._place(calls, served)
                evictions.extend(evicted)
                self._held[instance][model] = now + self.load_seconds
                loads.append(model)
            held = self._held[instance]
            held.move_to_end(model)  # the most recently used
            served[model] = self._used.get(model, 0.0)
            self._used[model] = now
            remaining = held[model] - now
            if remaining > 0:
                misses += count
                waits.append((remaining, count))
            else:
                hits += count
            if not self.caching and remaining <= 0:
                del held[model]  # served and unloaded: the next call loads it again
        return ModelCalls(hits, misses, tuple(waits), tuple(loads), tuple(evictions),
                          tuple(len(h) for h in self._held))

    def _place(self, calls: Mapping[str, float], served: dict[str, float]) -> tuple[int, list[str]]:
        """The instance that loads a model: one with room, the emptiest first; else the one
        holding the least recently used model, which it unloads. Models still to be called in
        this second are spared; when every held model is called in it (more models than the
        cache holds), the one already served with the fewest calls, least recently used before,
        leaves: one eviction, not a cascade of reloads within the second."""
        roomy = [i for i, held in enumerate(self._held) if len(held) < self.capacity]
        if roomy:
            return min(roomy, key=lambda i: (len(self._held[i]), i)), []
        held = [(i, m) for i, models in enumerate(self._held) for m in models]
        idle = [(i, m) for i, m in held if m not in calls]
        if idle:
            instance, evicted = min(idle, key=lambda im: (self._used.get(im[1], 0.0), im[0]))
        else:
            done = [(i, m) for i, m in held if m in served] or held
            instance, evicted = min(done, key=lambda im: (calls.get(im[1], 0.0), served.get(im[1], 0.0), im[0]))
        del self._held[instance][evicted]
        return instance, [evicted]
