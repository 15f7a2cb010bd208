"""Blueprint components x observed components -> actions (InferenceComponents).

While the endpoint serves the desired config: a missing component is created, one
whose image, artifact, environment or compute differs is updated in place (a rolling
deployment: its old copies serve until the new ones do, and the other components are
not touched), and one nothing autoscales is held at its copy count. A component no
longer in the spec goes once its scalable target is gone (scaling_step deregisters
it first: a target must not outlive what it scales). Nothing is sent to a component
SageMaker is still working on.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from ..api.resources import COMPONENT_IN_FLIGHT_STATUSES, InferenceComponent, ObservedComponent
from ..api.scaling import component_resource_id
from ..api.status import ComponentStatus
from .actions import Action, CreateInferenceComponent, DeleteInferenceComponent, SetComponentCopies, UpdateInferenceComponent
from .observed import Observed
from .scaling import VariantScaling

IN_SERVICE = "InService"
FAILED = "Failed"


@dataclass(frozen=True)
class ComponentPlan:
    actions: tuple[Action, ...] = ()  # creates, updates and copy counts, before scaling converges
    removals: tuple[Action, ...] = ()  # deletes, after scaling has deregistered their targets
    waiting: tuple[str, ...] = ()  # components SageMaker is still working on
    failures: tuple[str, ...] = ()  # components that failed, with SageMaker's reason
    status: list[ComponentStatus] | None = None
    pinned: str | None = None  # "3/11"

    @property
    def settled(self) -> bool:
        return not (self.actions or self.removals or self.waiting)

    def describe(self) -> str:
        work = [a.describe() for a in self.actions + self.removals] + list(self.waiting)
        return "; ".join(work)


def plan_components(components: Sequence[InferenceComponent], scaling: Sequence[VariantScaling],
                    observed: Observed, serving: bool) -> ComponentPlan:
    """`serving`: the endpoint is InService on the desired config."""
    seen: Mapping[str, ObservedComponent] = observed.components or {}
    if not components and not seen:
        return ComponentPlan()
    scaled = {s.target.resource_id for s in scaling}
    actions: list[Action] = []
    waiting: list[str] = []
    failures: list[str] = []
    for c in components:
        o = seen.get(c.name)
        if not serving:
            if o is None or o.status != IN_SERVICE:
                waiting.append(f"inference component {c.name} waits for endpoint {c.endpoint_name} to serve its config")
            continue
        if o is None:
            actions.append(CreateInferenceComponent(c))
        elif o.status == "Updating" and c.serves_as(o):
            continue  # its copy count moves (Application Auto Scaling's work): it serves as declared
        elif o.status in COMPONENT_IN_FLIGHT_STATUSES:
            waiting.append(f"inference component {c.name} (model {c.model}) is {o.status}")
        elif not c.serves_as(o):
            actions.append(UpdateInferenceComponent(c))  # a new specification may also mend a failed one
        elif o.status == FAILED:
            failures.append(f"inference component {c.name} (model {c.model}) failed: {o.failure_reason or 'no reason given'}")
        elif component_resource_id(c.name) not in scaled and o.desired_copies != c.copies:
            actions.append(SetComponentCopies(c.name, c.copies))
    removals: list[Action] = []
    wanted = {c.name for c in components}
    targets = {t.resource_id for t in observed.scaling.targets} if observed.scaling is not None else set()
    for name, o in sorted(seen.items()):
        if name in wanted:
            continue
        if o.status in COMPONENT_IN_FLIGHT_STATUSES:
            waiting.append(f"inference component {name} is {o.status}")
        elif component_resource_id(name) in targets or observed.scaling is None:
            waiting.append(f"inference component {name} goes once its scalable target is deregistered")
        elif serving:
            removals.append(DeleteInferenceComponent(name))
    return ComponentPlan(actions=tuple(actions), removals=tuple(removals), waiting=tuple(waiting),
                         failures=tuple(failures), status=_status(components, seen), pinned=_pinned(components))


def scaling_in_reach(components: Sequence[InferenceComponent], scaling: Sequence[VariantScaling],
                     observed: Observed) -> tuple[VariantScaling, ...]:
    """The desired scaling of components Application Auto Scaling can register now:
    those that exist past Creating, or whose target is registered already (it is
    kept while its component updates)."""
    if not components:
        return tuple(scaling)
    seen = observed.components or {}
    targets = {t.resource_id for t in observed.scaling.targets} if observed.scaling is not None else set()
    by_resource = {component_resource_id(c.name): c for c in components}
    kept = []
    for s in scaling:
        c = by_resource.get(s.target.resource_id)
        o = seen.get(c.name) if c is not None else None
        if s.target.resource_id in targets or (o is not None and o.status not in ("Creating", "Deleting")):
            kept.append(s)
    return tuple(kept)


def components_serve(status: list[ComponentStatus] | None) -> bool:
    """Every component is InService (a sleeping one with no copy serves too: a request wakes it)."""
    return all(c.status == IN_SERVICE for c in status or [])


def _status(components: Sequence[InferenceComponent], seen: Mapping[str, ObservedComponent]) -> list[ComponentStatus]:
    rows = []
    for c in components:
        o = seen.get(c.name)
        rows.append(ComponentStatus(
            name=c.name, model=c.model, status=o.status if o else None,
            current_copies=o.current_copies if o else None, desired_copies=o.desired_copies if o else None,
            min_copies=c.min_copies, max_copies=c.max_copies, failure_reason=o.failure_reason if o else None,
        ))
    wanted = {c.name for c in components}
    rows += [ComponentStatus(name=n, status=o.status, current_copies=o.current_copies, desired_copies=o.desired_copies)
             for n, o in sorted(seen.items()) if n not in wanted]
    return rows


def _pinned(components: Sequence[InferenceComponent]) -> str | None:
    if not components:
        return None
    return f"{sum(1 for c in components if c.min_copies >= 1)}/{len(components)}"
