"""InferenceComponents: several models on one endpoint, each an inference component
with its own compute per copy and copy range. A model with at least one copy stays
resident (pinned); one whose copies may fall to zero sleeps until a request wakes it.

The endpoint's config has one variant that names no model: its instance type, and
managed instance scaling (SageMaker's instance range, spec.instances.min/max) sizes
the fleet to the copies placed on it. The containers run with the config's
execution role. Components keep their names across changes of image, artifact or
compute: UpdateInferenceComponent changes them in place (plan/components.py).
"""

from __future__ import annotations

import dataclasses

from ...api.pricing import PriceTable
from ...api.resources import (
    ComputePerCopy,
    ContainerDef,
    InferenceComponent,
    ManagedInstanceScaling,
    ProductionVariant,
)
from ...api.scaling import COMPONENT_DIMENSION
from ...api.spec import ROLLOUT_NOT_FOR_COMPONENTS, Mode, ModelEndpointSpec, ModelSpec
from .. import naming
from ..cost import CostEstimate, CostLine, instance_floor_cost
from ..errors import invalid
from .common import PRIMARY, BuildContext, Parts, hashed_config, model_image
from .profile import EndpointKind, ModeProfile

# A model called at most this often (one call every ~2 minutes) sleeps by default: a
# resident copy would idle > 99 % of the time.
COLD_MAX_CALLS_PER_DAY = 800


def copy_range(spec: ModelEndpointSpec, model: ModelSpec) -> tuple[int, int]:
    """(min, max) copies: as declared, else from the traffic hint (a cold model may
    sleep when autoscaling can wake it; any other is pinned with one copy)."""
    declared = model.component.copies if model.component is not None else None
    if declared is not None:
        return declared.min, declared.max
    autoscaled = spec.autoscaling is None or spec.autoscaling.enabled
    cold = model.invocations_per_day is not None and model.invocations_per_day <= COLD_MAX_CALLS_PER_DAY
    low = 0 if cold and autoscaled else 1
    return low, 1


def pinned(spec: ModelEndpointSpec) -> list[str]:
    return [m.name for m in spec.models if copy_range(spec, m)[0] >= 1]


def scales_to_zero(spec: ModelEndpointSpec) -> bool:
    """Whether a component may sleep (and, with spec.instances.min 0, the fleet with it)."""
    return any(copy_range(spec, m)[0] == 0 for m in spec.models)


def _component(ctx: BuildContext, index: int) -> InferenceComponent:
    model = ctx.spec.models[index]
    if model.component is None:
        # Reachable through mode Auto: the schema requires components only for this mode.
        raise invalid(f"spec.models[{index}].component", "inference components need each model's compute per copy "
                                                          "(memoryMB, and cpuCores or accelerators)")
    low, high = copy_range(ctx.spec, model)
    return InferenceComponent(
        name=naming.component_name(ctx.endpoint_name, model.name),
        model=model.name,
        endpoint_name=ctx.endpoint_name,
        variant=PRIMARY,
        container=ContainerDef(image=model_image(ctx, index), model_data_url=model.model_data_url,
                               environment=model.environment or {}),
        compute=ComputePerCopy(memory_mb=model.component.memory_mb, cpu_cores=model.component.cpu_cores,
                               accelerators=model.component.accelerators),
        # A sleeper starts with one copy too: its model is loaded once at deploy, so a
        # broken artifact shows now, not at the first request after a sleep.
        copies=max(low, 1),
        min_copies=low,
        max_copies=high,
        tags=ctx.tags,
    )


def build(ctx: BuildContext) -> Parts:
    if ctx.spec.rollout is not None:  # the schema refuses it for the explicit mode; Auto reaches here
        raise invalid("spec.rollout", f"is not allowed on the InferenceComponents endpoint mode Auto chose here: "
                                      f"{ROLLOUT_NOT_FOR_COMPONENTS}")
    instances = ctx.spec.instances
    if instances is None:
        raise invalid("spec.instances", "inference components need an instance type and the managed instance range")
    variant = ProductionVariant(
        name=PRIMARY,
        instance_type=instances.type,
        initial_instance_count=max(instances.min, 1),
        managed_scaling=ManagedInstanceScaling(min_instances=instances.min, max_instances=instances.max),
    )
    config = hashed_config(ctx, (variant,), execution_role_arn=ctx.spec.execution_role_arn)
    components = tuple(_component(ctx, i) for i in range(len(ctx.spec.models)))
    return Parts(models=(), config=config, served_models=tuple(m.name for m in ctx.spec.models),
                 components=components, scale_to_zero=scales_to_zero(ctx.spec))


def cost(spec: ModelEndpointSpec, prices: PriceTable) -> CostEstimate:
    """Instances, not models: managed instance scaling keeps spec.instances.min (one at
    least while a component is pinned) and may grow to spec.instances.max."""
    resident = pinned(spec)
    notes = (f"{len(resident)} of the {len(spec.models)} components stay pinned (copies.min >= 1), the others load "
             "on demand; they share the endpoint's instances, which managed instance scaling keeps between "
             "spec.instances.min and spec.instances.max",)
    estimate = instance_floor_cost(spec, prices, notes)
    if resident or spec.instances is None or spec.instances.min > 0:
        return estimate
    asleep = "no instance while every component sleeps (spec.instances.min 0)"
    return dataclasses.replace(estimate, hourly_usd=0.0, instances=0.0, lines=(CostLine(asleep, 0.0),),
                               assumptions=estimate.assumptions + (asleep,))


PROFILE = ModeProfile(
    mode=Mode.INFERENCE_COMPONENTS,
    build=build,
    kind=EndpointKind.COMPONENTS,
    cost=cost,
    scale_to_zero=scales_to_zero,
    scaling_dimension=COMPONENT_DIMENSION,
    real_time_limits=True,
)
