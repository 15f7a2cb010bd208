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
        for model, count in sorted(calls.items()):
            if count <= 0 or not self._held:
                continue
            instance = self.where(model)
            if instance is None:
                instance, evicted = self._place()
                evictions.extend(evicted)
                self._held[instance][model] = now + self.load_seconds
                loads.append(model)
            held = self._held[instance]
            held.move_to_end(model)  # the most recently used
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

    def _place(self) -> tuple[int, list[str]]:
        """The instance that loads a model: one with room, the emptiest first; else the
        one whose least recently used model is the oldest, which it unloads."""
        roomy = [i for i, held in enumerate(self._held) if len(held) < self.capacity]
        if roomy:
            return min(roomy, key=lambda i: (len(self._held[i]), i)), []
        instance = min(range(len(self._held)), key=lambda i: (self._used.get(next(iter(self._held[i])), 0.0), i))
        evicted, _ = self._held[instance].popitem(last=False)
        return instance, [evicted]
