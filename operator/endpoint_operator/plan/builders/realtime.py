"""RealTime: one model in one container, one instance-backed variant."""

from __future__ import annotations

from ...api.resources import ContainerDef
from ...api.spec import Mode
from ..cost import instance_floor_cost
from .common import BuildContext, Parts, hashed_config, hashed_model, instance_variant, model_image
from .profile import EndpointKind, ModeProfile


def build(ctx: BuildContext) -> Parts:
    spec_model = ctx.spec.models[0]  # one model: the spec's rules (explicit mode) or resolve_mode (Auto)
    container = ContainerDef(
        image=model_image(ctx, 0),
        model_data_url=spec_model.model_data_url,
        mode="SingleModel",
        environment=spec_model.environment or {},
    )
    model = hashed_model(ctx, container)
    config = hashed_config(ctx, (instance_variant(ctx, model),))
    return Parts(models=(model,), config=config, served_models=(spec_model.name,))


PROFILE = ModeProfile(
    mode=Mode.REAL_TIME,
    build=build,
    kind=EndpointKind.INSTANCES,
    cost=instance_floor_cost,
    rollouts=True,
    real_time_limits=True,
)
