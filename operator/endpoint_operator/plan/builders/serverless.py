"""Serverless: one model, no instances; SageMaker bills per request.

Max concurrency and the value of provisioned concurrency change in place
(UpdateEndpointWeightsAndCapacities with ServerlessUpdateConfig, see
plan/serverless.py), so they are left out of the config's hash: a change of either
keeps the config. Memory, and whether provisioned concurrency is on at all, need a
new config and UpdateEndpoint.
"""

from __future__ import annotations

from ...api.resources import EndpointConfig, ProductionVariant, ServerlessConfig
from ...api.spec import Mode, ServerlessSpec
from .. import naming
from ..errors import invalid
from ..cost import serverless_cost
from .common import PRIMARY, BuildContext, Parts, single_model
from .profile import EndpointKind, ModeProfile

# The developer guide's feature exclusions for Serverless Inference ("VPC configuration,
# network isolation, data capture"), and the settings of instances a serverless
# endpoint does not have. The schema refuses them with mode Serverless; mode Auto
# reaches here when it picks Serverless.
_INSTANCE_ONLY = (
    ("spec.network", lambda s: s.network is not None),
    ("spec.dataCapture", lambda s: s.data_capture is not None),
    ("spec.provisioning", lambda s: s.provisioning is not None),
    ("spec.encryption.volumeKmsKeyId", lambda s: s.encryption is not None and s.encryption.volume_kms_key_id is not None),
)


def serverless_config(settings: ServerlessSpec | None) -> ServerlessConfig:
    settings = settings or ServerlessSpec()
    return ServerlessConfig(
        memory_size_mb=settings.memory_size_mb,
        max_concurrency=settings.max_concurrency,
        provisioned_concurrency=settings.provisioned_concurrency,
    )


def build(ctx: BuildContext) -> Parts:
    for field, present in _INSTANCE_ONLY:
        if present(ctx.spec):
            raise invalid(field, "is not supported on a serverless endpoint, which mode Auto chose here; "
                                 "set spec.instances and spec.mode RealTime (or MultiModel, Async)")
    model = single_model(ctx)  # one model: the spec's rules (explicit mode) or resolve_mode (Auto)
    serverless = serverless_config(ctx.spec.serverless)
    variant = ProductionVariant(name=PRIMARY, model_name=model.name, weight=1.0, serverless=serverless)
    digest = naming.content_hash({
        "variants": (variant.model_copy(update={"serverless": None}),),
        "serverless": {"memory": serverless.memory_size_mb, "provisioned": serverless.provisioned_concurrency is not None},
    })
    config = EndpointConfig(name=naming.config_name(ctx.endpoint_name, digest), variants=(variant,), tags=ctx.tags)
    return Parts(models=(model,), config=config, served_models=(ctx.spec.models[0].name,))


PROFILE = ModeProfile(
    mode=Mode.SERVERLESS,
    build=build,
    kind=EndpointKind.SERVERLESS,
    cost=serverless_cost,
    scaling_dimension=None,  # SageMaker scales a serverless endpoint itself, per request
)
