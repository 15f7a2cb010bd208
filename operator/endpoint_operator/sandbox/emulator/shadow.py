"""Shadow variants (EndpointConfig ShadowProductionVariants), which moto drops: kept
on the config, described as AWS describes them, never answering a caller.

CreateEndpointConfigInput.ShadowProductionVariants (service model): "An array of
ProductionVariant objects, one for each model that you want to host at this endpoint
in shadow mode with production traffic replicated from the model specified on
ProductionVariants. If you use this field, you can only specify one variant for
ProductionVariants and one variant for ShadowProductionVariants."
"""

from __future__ import annotations

import copy
from typing import Any

from moto.sagemaker.models import FakeEndpointConfig, SageMakerModelBackend

from .multimodel import refuse_unhostable
from .responses import validation_error

ATTRIBUTE = "shadow_production_variants"  # set on moto's FakeEndpointConfig


def create_shadowed_config(backend: SageMakerModelBackend, params: dict[str, Any]) -> dict[str, Any] | None:
    """CreateEndpointConfig with shadow variants, answered here; None: none asked for (moto answers)."""
    shadows = params.get("ShadowProductionVariants")
    if not shadows:
        return None
    production = params.get("ProductionVariants") or []
    if len(production) != 1 or len(shadows) != 1:
        raise validation_error("If you use ShadowProductionVariants, you can only specify one variant for "
                               "ProductionVariants and one variant for ShadowProductionVariants.")
    if shadows[0].get("VariantName") == production[0].get("VariantName"):
        raise validation_error(f'The variant name "{shadows[0].get("VariantName")}" was non-unique within the request.')
    # Shadow test prerequisites (developer guide, "Create a shadow test"): endpoints using serverless or
    # asynchronous inference cannot host a shadow variant.
    if params.get("AsyncInferenceConfig") or any(v.get("ServerlessConfig") for v in production + shadows):
        raise validation_error("Shadow variants are not supported for serverless or asynchronous inference endpoints.")
    refuse_unhostable(backend._models, shadows)
    backend.validate_production_variants(shadows)
    config = backend.create_endpoint_config(
        endpoint_config_name=params.get("EndpointConfigName", ""), production_variants=production,
        data_capture_config=params.get("DataCaptureConfig"), async_inference_config=params.get("AsyncInferenceConfig"),
        tags=params.get("Tags"), kms_key_id=params.get("KmsKeyId"))
    setattr(config, ATTRIBUTE, copy.deepcopy(shadows))
    return {"EndpointConfigArn": config.endpoint_config_arn}


def shadows_of(config: FakeEndpointConfig | None) -> list[dict[str, Any]]:
    return list(getattr(config, ATTRIBUTE, None) or []) if config is not None else []


def described_config(config: FakeEndpointConfig) -> dict[str, Any] | None:
    """DescribeEndpointConfigOutput.ShadowProductionVariants added to moto's answer; None without shadows."""
    shadows = shadows_of(config)
    return {**config.response_object, "ShadowProductionVariants": copy.deepcopy(shadows)} if shadows else None


def shadow_summaries(config: FakeEndpointConfig | None) -> list[dict[str, Any]]:
    """DescribeEndpointOutput.ShadowProductionVariants: "An array of ProductionVariantSummary objects, one for each
    model that you want to host at this endpoint in shadow mode with production traffic replicated from the model
    specified on ProductionVariants." The shadow is never a ProductionVariants entry, so InvokeEndpoint never routes
    a caller to it (developer guide, "Shadow variants": it "does not return any responses")."""
    summaries = []
    for entry in shadows_of(config):
        weight = float(entry.get("InitialVariantWeight", 1.0))
        summary: dict[str, Any] = {"VariantName": entry["VariantName"], "CurrentWeight": weight, "DesiredWeight": weight}
        if entry.get("InitialInstanceCount") is not None:
            summary["CurrentInstanceCount"] = summary["DesiredInstanceCount"] = entry["InitialInstanceCount"]
        summaries.append(summary)
    return summaries
