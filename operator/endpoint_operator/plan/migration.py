"""A change of mode across endpoint kinds: a second endpoint, then a cut-over.

SageMaker updates an endpoint in place (UpdateEndpoint) only within one kind:
instance-based real-time (RealTime, MultiModel), serverless, or asynchronous. It
refuses a real-time endpoint moving to a serverless config, and an asynchronous one
losing its AsyncInferenceConfig. So when the resolved mode changes kind, the new
blueprint is placed on the object's other endpoint name (its "slot": `<name>` and
`<name>-alt`), built there, and the old endpoint keeps serving until the new one is
InService on the desired config; only then is the old one deleted, with its configs
and models. status.endpoint names the endpoint being built; status.migration the
one being retired.

Where the blueprint goes is read from status alone (the mode last written, and the
endpoint it was written for), so it is pure and the same after a restart.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass

from ..api.spec import DeletionPolicy, Mode
from ..api.status import MigrationStatus, ModelEndpointStatus
from .blueprint import Blueprint
from .builders import PROFILES
from .components import components_serve
from .decision import Decision
from .finalize import finalize
from .naming import alternate_name, component_name, config_name, model_name
from .observed import Observed

def kind_of(mode: Mode | str | None) -> str | None:
    """The endpoint kind of a mode as status records it (None for none, or one this
    release does not know)."""
    try:
        profile = PROFILES.get(Mode(mode)) if mode is not None else None
    except ValueError:
        return None
    return profile.kind.value if profile is not None else None


def slots(base: str) -> tuple[str, str]:
    return base, alternate_name(base)


@dataclass(frozen=True)
class Placement:
    blueprint: Blueprint  # on the endpoint that should serve the spec
    retiring: str | None = None  # the other slot's endpoint, while a migration is in progress
    from_mode: str | None = None


def place(bp: Blueprint, previous: ModelEndpointStatus | None,
          rebuild: Callable[[str], Blueprint] | None = None) -> Placement:
    """Which slot serves `bp` (built for the spec's own endpoint name). `rebuild`
    builds the spec's blueprint on another endpoint name (build_blueprint with
    endpoint_name); without it, `bp` is renamed with rehome()."""
    base, other = slots(bp.endpoint_name)
    recorded = previous.endpoint.name if previous and previous.endpoint else None
    current = recorded if recorded in (base, other) else base
    migration = previous.migration if previous else None
    target, retiring = current, None
    from_mode = migration.from_mode if migration else None
    if migration is not None and migration.from_endpoint in (base, other):
        retiring = migration.from_endpoint
    previous_kind = kind_of(previous.mode) if previous else None
    if previous_kind is not None and previous_kind != kind_of(bp.mode):
        # The mode changed kind since status was last written: move to the other slot.
        target = other if current == base else base
        retiring, from_mode = current, previous.mode
    if retiring == target:
        retiring = None
    placed = bp if target == bp.endpoint_name else (rebuild or (lambda name: rehome(bp, name)))(target)
    return Placement(blueprint=placed, retiring=retiring, from_mode=from_mode if retiring else None)


def rehome(bp: Blueprint, endpoint: str) -> Blueprint:
    """`bp` on another endpoint name: every model and config name follows the endpoint
    (names are '<endpoint stem>-m|c-<content digest>'; the digests stay). Names
    derived otherwise (autoscaling's) need build_blueprint(endpoint_name=) instead."""
    if endpoint == bp.endpoint_name:
        return bp
    names = {m.name: model_name(endpoint, _digest(m.name)) for m in bp.models}
    models = tuple(m.model_copy(update={"name": names[m.name]}) for m in bp.models)
    variants = tuple(v.model_copy(update={"model_name": names.get(v.model_name, v.model_name)}) for v in bp.config.variants)
    config = bp.config.model_copy(update={"name": config_name(endpoint, _digest(bp.config.name)), "variants": variants})
    components = tuple(c.model_copy(update={"name": component_name(endpoint, c.model), "endpoint_name": endpoint})
                       for c in bp.components)
    return dataclasses.replace(bp, endpoint_name=endpoint, models=models, config=config, revision=config.name,
                               components=components)


def _digest(name: str) -> str:
    return name.rsplit("-", 1)[1]


def hand_over(decision: Decision, placement: Placement, retiring: Observed | None, generation: int) -> Decision:
    """The target's decision, plus the old endpoint's retirement once the target serves.

    `retiring` is what exists under the retiring slot (observed with tags, so an
    endpoint another owner made there is never deleted)."""
    bp = placement.blueprint
    if placement.retiring is None or retiring is None:
        return _with_migration(decision, None)
    migration = MigrationStatus(
        from_endpoint=placement.retiring,
        from_mode=placement.from_mode,
        to_endpoint=bp.endpoint_name,
        to_mode=bp.mode.value,
        reason=bp.mode_reason,
    )
    ep = decision.status.endpoint
    serving = (ep is not None and ep.status == "InService" and ep.config_name == bp.config.name
               and components_serve(decision.status.components))
    if not serving:
        message = (
            f"Moving from {placement.from_mode or 'the old'} endpoint {placement.retiring} to {bp.mode.value} endpoint "
            f"{bp.endpoint_name}; the old endpoint serves until the new one is InService"
        )
        return _with_migration(_progressing(decision, "MigratingMode", message), migration)
    retirement = finalize(placement.retiring, retiring, DeletionPolicy.DELETE, None, generation, owner=bp.owner)
    if retirement.done:
        return _with_migration(decision, None)
    message = f"Endpoint {bp.endpoint_name} serves as {bp.mode.value}; retiring {placement.retiring}: {retirement.conditions[1].message}"
    retiring_decision = dataclasses.replace(decision, actions=decision.actions + retirement.actions, in_flight=True)
    return _with_migration(_progressing(retiring_decision, "RetiringOldEndpoint", message), migration)


def _progressing(decision: Decision, reason: str, message: str) -> Decision:
    conditions = tuple(
        c.model_copy(update={"status": "True", "reason": reason, "message": message}) if c.type == "Progressing" else c
        for c in decision.conditions
    )
    return dataclasses.replace(decision, conditions=conditions, in_flight=True)


def _with_migration(decision: Decision, migration: MigrationStatus | None) -> Decision:
    return dataclasses.replace(decision, status=decision.status.model_copy(update={"migration": migration}))


def migration_event(previous: ModelEndpointStatus | None, decision: Decision) -> tuple[str, str] | None:
    """(reason, message) when a migration starts or ends: what moved and why."""
    before = previous.migration if previous else None
    after = decision.status.migration
    if after is not None and (before is None or before.to_endpoint != after.to_endpoint):
        return "MigratingMode", (
            f"Mode {after.from_mode} -> {after.to_mode} ({after.reason}): SageMaker cannot update a "
            f"{kind_of(after.from_mode) or 'different'} endpoint to a {kind_of(after.to_mode)} one, so endpoint "
            f"{after.to_endpoint} is built and {after.from_endpoint} keeps serving until it is InService"
        )
    if before is not None and after is None:
        return "MigratedMode", (
            f"Endpoint {before.to_endpoint} serves as {before.to_mode}; {before.from_endpoint} ({before.from_mode}) "
            "and its configs and models are deleted"
        )
    return None
