"""One pass over an account: every endpoint, its config, models, scaling and metrics."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from ...api.inventory import ExistingEndpoint, ExistingVariant, Inventory, VariantMetrics
from ...api.scaling import variant_resource_id
from ..limiter import LimiterRegistry
from ..session import ClientFactory
from .gateways import MetricsInventory, ScalingInventory, SageMakerInventory

PERIOD = 3600  # one value an hour; a multiple of 60, 300 and 3600 s, so CloudWatch answers it at any age
SAGEMAKER = "AWS/SageMaker"
INSTANCE_METRICS = "/aws/sagemaker/Endpoints"
# (VariantMetrics field, namespace, metric, statistic), from the developer guide's
# "Amazon SageMaker AI metrics in Amazon CloudWatch": invocation metrics in AWS/SageMaker
# (ModelLatency in microseconds), instance metrics in /aws/sagemaker/Endpoints.
SERIES = (
    ("invocations", SAGEMAKER, "Invocations", "Sum"),
    ("model_latency_p99_us", SAGEMAKER, "ModelLatency", "p99"),
    ("cpu_utilization", INSTANCE_METRICS, "CPUUtilization", "Average"),
    ("gpu_utilization", INSTANCE_METRICS, "GPUUtilization", "Average"),
    ("memory_utilization", INSTANCE_METRICS, "MemoryUtilization", "Average"),
)


def read_inventory(clients: ClientFactory, limiters: LimiterRegistry, regions: Iterable[str],
                   start: datetime, end: datetime) -> Inventory:
    regions = tuple(regions)
    hours = max(1, round((end - start).total_seconds() / 3600))
    endpoints: list[ExistingEndpoint] = []
    for region in regions:
        sagemaker = SageMakerInventory(clients, limiters, region)
        scaling = ScalingInventory(clients, limiters, region)
        metrics = MetricsInventory(clients, limiters, region)
        found = [e for e in (_endpoint(sagemaker, region, name) for name in sagemaker.endpoint_names()) if e]
        targets = scaling.targets(variant_resource_id(e.name, v.name) for e in found for v in e.variants)
        keys = {(e.name, v.name): index for index, (e, v) in
                enumerate((e, v) for e in found for v in e.variants if not v.serverless)}
        queries = [_query(index, endpoint, variant, metric) for (endpoint, variant), index in keys.items()
                   for metric in SERIES]
        series = metrics.hourly(queries, start, end, hours) if queries else {}
        endpoints += [_with_measurements(e, targets, series, keys) for e in found]
    return Inventory(endpoints=tuple(endpoints), start=start, end=end, regions=regions)


def _endpoint(sagemaker: SageMakerInventory, region: str, name: str) -> ExistingEndpoint | None:
    described = sagemaker.endpoint(name)
    if described is None:
        return None
    config_name = described.get("EndpointConfigName")
    config = sagemaker.endpoint_config(config_name) if config_name else None
    rows = {row["VariantName"]: row for row in (config or {}).get("ProductionVariants", [])}
    variants = []
    for running in described.get("ProductionVariants", []) or [{"VariantName": n} for n in rows]:
        declared = rows.get(running["VariantName"], {})
        model = sagemaker.model(declared["ModelName"]) if declared.get("ModelName") else None
        serverless = "ServerlessConfig" in declared or "CurrentServerlessConfig" in running
        variants.append(ExistingVariant(
            name=running["VariantName"], model=model, instance_type=declared.get("InstanceType"),
            instance_count=int(running.get("CurrentInstanceCount", declared.get("InitialInstanceCount", 0)) or 0),
            serverless=serverless))
    return ExistingEndpoint(
        name=name, region=region, arn=described["EndpointArn"], status=described["EndpointStatus"],
        config_name=config_name, variants=tuple(variants), tags=sagemaker.tags(described["EndpointArn"]),
        asynchronous=bool((config or {}).get("AsyncInferenceConfig")))


def _key(index: int, field: str) -> str:
    """A query id: [a-z][a-zA-Z0-9_]*, unique per (variant of the region, metric)."""
    return f"v{index}_{field}"


def _query(index: int, endpoint: str, variant: str, metric: tuple[str, str, str, str]) -> dict[str, Any]:
    field, namespace, name, statistic = metric
    return {
        "Id": _key(index, field),
        "MetricStat": {
            "Metric": {"Namespace": namespace, "MetricName": name,
                       "Dimensions": [{"Name": "EndpointName", "Value": endpoint},
                                      {"Name": "VariantName", "Value": variant}]},
            "Period": PERIOD,
            "Stat": statistic,
        },
        "ReturnData": True,
    }


def _with_measurements(endpoint: ExistingEndpoint, targets: dict, series: dict,
                       keys: dict[tuple[str, str], int]) -> ExistingEndpoint:
    variants = []
    for v in endpoint.variants:
        index = keys.get((endpoint.name, v.name))
        measured = {field: tuple(series.get(_key(index, field), ()) if index is not None else ())
                    for field, *_ in SERIES}
        variants.append(ExistingVariant(
            name=v.name, model=v.model, instance_type=v.instance_type, instance_count=v.instance_count,
            serverless=v.serverless, scaling=targets.get(variant_resource_id(endpoint.name, v.name)),
            metrics=VariantMetrics(**measured)))
    return ExistingEndpoint(name=endpoint.name, region=endpoint.region, arn=endpoint.arn, status=endpoint.status,
                            config_name=endpoint.config_name, variants=tuple(variants), tags=endpoint.tags,
                            asynchronous=endpoint.asynchronous)
