"""SageMaker hosting: observe and apply in the shapes of api/resources.py.

Creates of an existing name raise AlreadyExists and deletes of a missing one raise
NotFound: the caller knows whether that means done.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..api.deployment import DeploymentSpec, Strategy, TrafficShifting
from ..api.resources import (
    AsyncConfig,
    ComputePerCopy,
    ContainerDef,
    DataCapture,
    EndpointConfig,
    EndpointSummary,
    InferenceComponent,
    ManagedInstanceScaling,
    ObservedComponent,
    ObservedConfig,
    ObservedEndpoint,
    ObservedVariant,
    ProductionVariant,
    SageMakerModel,
    ServerlessConfig,
    VariantProvisioning,
)
from .calls import ServiceGateway
from .errors import NotFound
from .swept import SweptEndpoints

PAGE_SIZE = 100  # the most SageMaker's List* calls return at once
TAGS_PAGE_SIZE = 50  # ListTags allows fewer


class SageMakerGateway(ServiceGateway):
    service = "sagemaker"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.swept = SweptEndpoints()

    # ---- observe ------------------------------------------------------------------------

    def list_endpoints(self, name_contains: str | None = None, *, priority: bool = False) -> list[EndpointSummary]:
        """Every endpoint (all pages), with the status and time that tell whether to describe.
        `priority`: the shared sweep, which may take the read reserve."""
        began = self.swept.clock()
        summaries = [
            EndpointSummary(
                name=row["EndpointName"],
                status=row["EndpointStatus"],
                last_modified=row.get("LastModifiedTime"),
                arn=row.get("EndpointArn"),
            )
            for page in self._pages("ListEndpoints", "read", priority=priority, **_listing(name_contains))
            for row in page.get("Endpoints", [])
        ]
        if name_contains is None:  # every endpoint of the account and region
            self.swept.listed(began, summaries)
        return summaries

    def describe_endpoint(self, name: str, include_tags: bool = False) -> ObservedEndpoint | None:
        try:
            found = self._call("DescribeEndpoint", "read", EndpointName=name)
        except NotFound:
            return None
        arn = found["EndpointArn"]
        return ObservedEndpoint(
            name=found["EndpointName"],
            arn=arn,
            status=found["EndpointStatus"],
            config_name=found.get("EndpointConfigName"),
            failure_reason=found.get("FailureReason"),
            last_modified=found.get("LastModifiedTime"),
            variants=tuple(_observed_variant(v) for v in found.get("ProductionVariants", [])),
            tags=self.tags_of(arn) if include_tags else {},
            deployment_stage=_deployment_stage(found.get("PendingDeploymentSummary")),
        )

    def list_models(self, name_prefix: str) -> list[str]:
        return self._names("ListModels", "Models", "ModelName", name_prefix)

    def list_endpoint_configs(self, name_prefix: str) -> list[str]:
        return self._names("ListEndpointConfigs", "EndpointConfigs", "EndpointConfigName", name_prefix)

    def describe_endpoint_config(self, name: str, include_tags: bool = False) -> ObservedConfig | None:
        try:
            found = self._call("DescribeEndpointConfig", "read", EndpointConfigName=name)
        except NotFound:
            return None
        return ObservedConfig(
            name=found["EndpointConfigName"],
            variant_models=tuple(v.get("ModelName", "") for v in found.get("ProductionVariants", [])),
            shadow_models=tuple(v.get("ModelName", "") for v in found.get("ShadowProductionVariants", [])),
            tags=self.tags_of(found["EndpointConfigArn"]) if include_tags else {},
            variants=tuple(_config_variant(v) for v in found.get("ProductionVariants", [])),
        )

    def model_data_url(self, name: str) -> str | None:
        """The ModelDataUrl of a model's primary container: the folder a multi-model
        container serves. None when the model is gone or names no artifact."""
        try:
            found = self._call("DescribeModel", "read", ModelName=name)
        except NotFound:
            return None
        return (found.get("PrimaryContainer") or {}).get("ModelDataUrl")

    def list_inference_components(self, endpoint_name: str) -> list[str]:
        """Names of the endpoint's inference components (all pages)."""
        return [
            row["InferenceComponentName"]
            for page in self._pages("ListInferenceComponents", "read", EndpointNameEquals=endpoint_name,
                                    SortBy="Name", SortOrder="Ascending", MaxResults=PAGE_SIZE)
            for row in page.get("InferenceComponents", [])
        ]

    def describe_inference_component(self, name: str) -> ObservedComponent | None:
        try:
            found = self._call("DescribeInferenceComponent", "read", InferenceComponentName=name)
        except NotFound:
            return None
        return observed_component(found)

    def tags_of(self, arn: str) -> dict[str, str]:
        return {
            tag["Key"]: tag["Value"]
            for page in self._pages("ListTags", "read", ResourceArn=arn, MaxResults=TAGS_PAGE_SIZE)
            for tag in page.get("Tags", [])
        }

    def list_resources(self, kind: str) -> list[tuple[str, str]]:
        """(name, ARN) of every resource of a kind ("inference-component", "endpoint",
        "endpoint-config", "model") in the region, all pages: what the orphan audit inspects."""
        operation, rows_key, name_key, arn_key = _LISTINGS[kind]
        return [
            (row[name_key], row[arn_key])
            for page in self._pages(operation, "read", **_listing(None))
            for row in page.get(rows_key, [])
        ]

    def resource_arn(self, kind: str, name: str) -> str | None:
        """The ARN of one inference component, endpoint, endpoint-config or model; None if it is gone."""
        operation, key = _DESCRIBES[kind]
        try:
            return self._call(operation, "read", **{key: name})[key.replace("Name", "Arn")]
        except NotFound:
            return None

    # ---- apply --------------------------------------------------------------------------

    def add_tags(self, arn: str, tags: Mapping[str, str]) -> None:
        self._call("AddTags", "mutation", ResourceArn=arn,
                   Tags=[{"Key": k, "Value": v} for k, v in sorted(tags.items())])

    def create_model(self, model: SageMakerModel) -> str:
        """Creates the model and returns its ARN."""
        response = self._call("CreateModel", "mutation", **model_request(model))
        return response["ModelArn"]

    def create_endpoint_config(self, config: EndpointConfig) -> str:
        """Creates the endpoint config and returns its ARN."""
        response = self._call("CreateEndpointConfig", "mutation", **endpoint_config_request(config))
        return response["EndpointConfigArn"]

    def create_endpoint(self, name: str, config_name: str, tags: dict[str, str]) -> str:
        """Starts creating the endpoint (it is Creating, not yet serving) and returns its ARN."""
        response = self._call(
            "CreateEndpoint", "mutation",
            EndpointName=name, EndpointConfigName=config_name, **tagged(tags),
        )
        self.swept.changed(name, "CreateEndpoint")
        return response["EndpointArn"]

    def update_endpoint(self, name: str, config_name: str, retain_instance_counts: bool = False,
                        deployment: DeploymentSpec | None = None) -> None:
        """Moves the endpoint to another config: a new fleet, the old one serves meanwhile.

        `retain_instance_counts` keeps each variant's current count (the autoscaler's)
        instead of the config's initial one; weights still come from the config."""
        retain = {"RetainAllVariantProperties": True, "ExcludeRetainedVariantProperties": [
            {"VariantPropertyType": "DesiredWeight"}]} if retain_instance_counts else {}
        guardrails = {"DeploymentConfig": deployment_request(deployment)} if deployment is not None else {}
        self._call("UpdateEndpoint", "mutation", EndpointName=name, EndpointConfigName=config_name, **retain, **guardrails)
        self.swept.changed(name, "UpdateEndpoint")

    def update_weights_and_capacities(
        self,
        name: str,
        weights: Mapping[str, float],
        capacities: Mapping[str, int] | None = None,
        serverless: Mapping[str, ServerlessConfig] | None = None,
    ) -> None:
        """Shifts traffic (and optionally instance counts) between running variants;
        `serverless` changes a serverless variant's concurrency in place (its memory
        is ignored: that takes a new config)."""
        self._call(
            "UpdateEndpointWeightsAndCapacities", "mutation",
            EndpointName=name,
            DesiredWeightsAndCapacities=weights_request(weights, capacities or {}, serverless or {}),
        )
        self.swept.changed(name, "UpdateEndpointWeightsAndCapacities")

    def create_inference_component(self, component: InferenceComponent) -> str:
        response = self._call(
            "CreateInferenceComponent", "mutation",
            InferenceComponentName=component.name, EndpointName=component.endpoint_name,
            VariantName=component.variant, Specification=component_specification(component),
            RuntimeConfig={"CopyCount": component.copies}, **tagged(component.tags),
        )
        return response["InferenceComponentArn"]

    def update_inference_component(self, component: InferenceComponent) -> None:
        """A new image, artifact, environment or compute, rolled out in batches: the old
        copies serve until the new ones do. The copy count is left to its autoscaling."""
        self._call("UpdateInferenceComponent", "mutation", InferenceComponentName=component.name,
                   Specification=component_specification(component), DeploymentConfig=ROLLING_UPDATE)

    def set_component_copies(self, name: str, copies: int) -> None:
        self._call("UpdateInferenceComponentRuntimeConfig", "mutation", InferenceComponentName=name,
                   DesiredRuntimeConfig={"CopyCount": copies})

    def delete_inference_component(self, name: str) -> None:
        self._call("DeleteInferenceComponent", "mutation", InferenceComponentName=name)

    def delete_endpoint(self, name: str) -> None:
        self._call("DeleteEndpoint", "mutation", EndpointName=name)
        self.swept.changed(name, "DeleteEndpoint")

    def delete_endpoint_config(self, name: str) -> None:
        self._call("DeleteEndpointConfig", "mutation", EndpointConfigName=name)

    def delete_model(self, name: str) -> None:
        self._call("DeleteModel", "mutation", ModelName=name)

    # ---- helpers ------------------------------------------------------------------------

    def _names(self, operation: str, rows_key: str, name_key: str, prefix: str) -> list[str]:
        # NameContains narrows on the server; only a prefix match is ours.
        return [
            row[name_key]
            for page in self._pages(operation, "read", **_listing(prefix))
            for row in page.get(rows_key, [])
            if row[name_key].startswith(prefix)
        ]


_DESCRIBES = {
    "inference-component": ("DescribeInferenceComponent", "InferenceComponentName"),
    "endpoint": ("DescribeEndpoint", "EndpointName"),
    "endpoint-config": ("DescribeEndpointConfig", "EndpointConfigName"),
    "model": ("DescribeModel", "ModelName"),
}

_LISTINGS = {
    "inference-component": ("ListInferenceComponents", "InferenceComponents", "InferenceComponentName",
                            "InferenceComponentArn"),
    "endpoint": ("ListEndpoints", "Endpoints", "EndpointName", "EndpointArn"),
    "endpoint-config": ("ListEndpointConfigs", "EndpointConfigs", "EndpointConfigName", "EndpointConfigArn"),
    "model": ("ListModels", "Models", "ModelName", "ModelArn"),
}


def _listing(name_contains: str | None) -> dict[str, Any]:
    # Sorted by name so a page boundary does not move while endpoints are created.
    params: dict[str, Any] = {"SortBy": "Name", "SortOrder": "Ascending", "MaxResults": PAGE_SIZE}
    if name_contains:
        params["NameContains"] = name_contains
    return params


# ---- request shapes (pure) -------------------------------------------------------------

def tagged(tags: Mapping[str, str]) -> dict[str, Any]:
    """The Tags parameter, left out when there are none."""
    if not tags:
        return {}
    return {"Tags": [{"Key": key, "Value": value} for key, value in sorted(tags.items())]}


def model_request(model: SageMakerModel) -> dict[str, Any]:
    request: dict[str, Any] = {
        "ModelName": model.name,
        "ExecutionRoleArn": model.execution_role_arn,
        "PrimaryContainer": container_request(model.container),
        **tagged(model.tags),
    }
    if model.vpc is not None:
        request["VpcConfig"] = {"SecurityGroupIds": list(model.vpc.security_group_ids), "Subnets": list(model.vpc.subnets)}
    if model.network_isolation:
        request["EnableNetworkIsolation"] = True
    return request


def container_request(container: ContainerDef) -> dict[str, Any]:
    request: dict[str, Any] = {"Image": container.image, "Mode": container.mode}
    if container.model_data_url:
        request["ModelDataUrl"] = container.model_data_url
    if container.environment:
        request["Environment"] = dict(container.environment)
    if container.mode == "MultiModel" and container.model_cache is not None:
        request["MultiModelConfig"] = {
            "ModelCacheSetting": "Enabled" if container.model_cache else "Disabled"
        }
    return request


def serverless_request(serverless: ServerlessConfig) -> dict[str, Any]:
    request = {"MemorySizeInMB": serverless.memory_size_mb, "MaxConcurrency": serverless.max_concurrency}
    if serverless.provisioned_concurrency is not None:
        request["ProvisionedConcurrency"] = serverless.provisioned_concurrency
    return request


# InferenceComponentRollingUpdatePolicy.MaximumBatchSize: "The value must be between 5% to 50% of the copy
# count of the inference component": half the copies at a time, the other half serving.
ROLLING_UPDATE = {"RollingUpdatePolicy": {"MaximumBatchSize": {"Type": "CAPACITY_PERCENT", "Value": 50},
                                          "WaitIntervalInSeconds": 0}}


def component_specification(component: InferenceComponent) -> dict[str, Any]:
    container: dict[str, Any] = {"Image": component.container.image}
    if component.container.model_data_url:
        container["ArtifactUrl"] = component.container.model_data_url
    if component.container.environment:
        container["Environment"] = dict(component.container.environment)
    compute: dict[str, Any] = {"MinMemoryRequiredInMb": component.compute.memory_mb}
    if component.compute.cpu_cores is not None:
        compute["NumberOfCpuCoresRequired"] = component.compute.cpu_cores
    if component.compute.accelerators is not None:
        compute["NumberOfAcceleratorDevicesRequired"] = component.compute.accelerators
    return {"Container": container, "ComputeResourceRequirements": compute}


def observed_component(row: Mapping[str, Any]) -> ObservedComponent:
    spec = row.get("Specification") or {}
    container = spec.get("Container") or {}
    image = (container.get("DeployedImage") or {}).get("SpecifiedImage") or container.get("Image")
    compute = spec.get("ComputeResourceRequirements")
    runtime = row.get("RuntimeConfig") or {}
    return ObservedComponent(
        name=row["InferenceComponentName"],
        status=row.get("InferenceComponentStatus", "Unknown"),
        endpoint_name=row.get("EndpointName"),
        variant=row.get("VariantName"),
        failure_reason=row.get("FailureReason"),
        image=image,
        artifact_url=container.get("ArtifactUrl"),
        environment=dict(container.get("Environment") or {}),
        compute=ComputePerCopy(
            memory_mb=compute["MinMemoryRequiredInMb"],
            cpu_cores=compute.get("NumberOfCpuCoresRequired"),
            accelerators=(int(compute["NumberOfAcceleratorDevicesRequired"])
                          if compute.get("NumberOfAcceleratorDevicesRequired") is not None else None),
        ) if compute else None,
        desired_copies=runtime.get("DesiredCopyCount"),
        current_copies=runtime.get("CurrentCopyCount"),
    )


def variant_request(variant: ProductionVariant) -> dict[str, Any]:
    request: dict[str, Any] = {"VariantName": variant.name, "InitialVariantWeight": variant.weight}
    if variant.model_name is not None:
        request["ModelName"] = variant.model_name
    if variant.managed_scaling is not None:
        request["ManagedInstanceScaling"] = {
            "Status": "ENABLED",
            "MinInstanceCount": variant.managed_scaling.min_instances,
            "MaxInstanceCount": variant.managed_scaling.max_instances,
        }
    if variant.serverless is not None:
        request["ServerlessConfig"] = serverless_request(variant.serverless)
    if variant.instance_type is not None:
        request["InstanceType"] = variant.instance_type
    if variant.initial_instance_count is not None:
        request["InitialInstanceCount"] = variant.initial_instance_count
    if variant.provisioning is not None:
        request.update(provisioning_request(variant.provisioning))
    return request


_PROVISIONING = (
    ("volume_size_gb", "VolumeSizeInGB"),
    ("model_data_download_timeout_seconds", "ModelDataDownloadTimeoutInSeconds"),
    ("container_startup_health_check_timeout_seconds", "ContainerStartupHealthCheckTimeoutInSeconds"),
    ("inference_ami_version", "InferenceAmiVersion"),
)


def provisioning_request(provisioning: VariantProvisioning) -> dict[str, Any]:
    return {member: getattr(provisioning, field) for field, member in _PROVISIONING
            if getattr(provisioning, field) is not None}


def data_capture_request(capture: DataCapture) -> dict[str, Any]:
    request: dict[str, Any] = {
        "EnableCapture": capture.enabled,
        "InitialSamplingPercentage": capture.sampling_percentage,
        "DestinationS3Uri": capture.destination,
        "CaptureOptions": [{"CaptureMode": mode} for mode in capture.capture_modes],
    }
    if capture.kms_key_id:
        request["KmsKeyId"] = capture.kms_key_id
    header = {key: list(types) for key, types in (("CsvContentTypes", capture.csv_content_types),
                                                 ("JsonContentTypes", capture.json_content_types)) if types}
    if header:
        request["CaptureContentTypeHeader"] = header
    return request


def async_request(config: AsyncConfig) -> dict[str, Any]:
    output: dict[str, Any] = {"S3OutputPath": config.output_path}
    if config.failure_path:
        output["S3FailurePath"] = config.failure_path
    if config.kms_key_id:
        output["KmsKeyId"] = config.kms_key_id
    notification = {
        key: value
        for key, value in (("SuccessTopic", config.success_topic_arn), ("ErrorTopic", config.error_topic_arn))
        if value
    }
    if notification:
        output["NotificationConfig"] = notification
    request: dict[str, Any] = {"OutputConfig": output}
    if config.max_concurrent_invocations_per_instance is not None:
        request["ClientConfig"] = {
            "MaxConcurrentInvocationsPerInstance": config.max_concurrent_invocations_per_instance
        }
    return request


def endpoint_config_request(config: EndpointConfig) -> dict[str, Any]:
    request: dict[str, Any] = {
        "EndpointConfigName": config.name,
        "ProductionVariants": [variant_request(v) for v in config.variants],
        **tagged(config.tags),
    }
    if config.shadow_variants:
        request["ShadowProductionVariants"] = [variant_request(v) for v in config.shadow_variants]
    if config.async_config is not None:
        request["AsyncInferenceConfig"] = async_request(config.async_config)
    if config.kms_key_id:
        request["KmsKeyId"] = config.kms_key_id
    if config.data_capture is not None:
        request["DataCaptureConfig"] = data_capture_request(config.data_capture)
    if config.execution_role_arn is not None:
        request["ExecutionRoleArn"] = config.execution_role_arn
    return request


def _deployment_stage(pending: Mapping[str, Any] | None) -> str | None:
    """PendingDeploymentSummary's first variant status (ProductionVariantStatus: Status and StatusMessage)."""
    for variant in (pending or {}).get("ProductionVariants") or []:
        for status in variant.get("VariantStatus") or []:
            message = status.get("StatusMessage")
            return f"{status['Status']}: {message}" if message else status["Status"]
    return None


def deployment_request(d: DeploymentSpec) -> dict[str, Any]:
    """UpdateEndpoint's DeploymentConfig (service model: BlueGreenUpdatePolicy or RollingUpdatePolicy, and
    AutoRollbackConfiguration); sizes as CAPACITY_PERCENT of the variant's instances."""
    def percent(value: int) -> dict[str, Any]:
        return {"Type": "CAPACITY_PERCENT", "Value": value}
    config: dict[str, Any] = {}
    if d.strategy == Strategy.ROLLING:
        config["RollingUpdatePolicy"] = {"MaximumBatchSize": percent(d.batch_percent), "WaitIntervalInSeconds": d.wait_seconds}
    else:
        routing: dict[str, Any] = {"Type": {TrafficShifting.ALL_AT_ONCE: "ALL_AT_ONCE", TrafficShifting.CANARY: "CANARY",
                                            TrafficShifting.LINEAR: "LINEAR"}[d.traffic_shifting],
                                   "WaitIntervalInSeconds": d.wait_seconds}
        if d.traffic_shifting == TrafficShifting.CANARY:
            routing["CanarySize"] = percent(d.canary_percent)
        elif d.traffic_shifting == TrafficShifting.LINEAR:
            routing["LinearStepSize"] = percent(d.linear_percent)
        config["BlueGreenUpdatePolicy"] = {"TrafficRoutingConfiguration": routing,
                                           "TerminationWaitInSeconds": d.termination_wait_seconds}
    if d.alarms:
        config["AutoRollbackConfiguration"] = {"Alarms": [{"AlarmName": name} for name in d.alarms]}
    return config


def weights_request(weights: Mapping[str, float], capacities: Mapping[str, int],
                    serverless: Mapping[str, ServerlessConfig] | None = None) -> list[dict[str, Any]]:
    serverless = serverless or {}
    rows = []
    for variant in sorted(set(weights) | set(capacities) | set(serverless)):
        row: dict[str, Any] = {"VariantName": variant}
        if variant in weights:
            row["DesiredWeight"] = float(weights[variant])
        if variant in capacities:
            row["DesiredInstanceCount"] = int(capacities[variant])
        if variant in serverless:
            update = {"MaxConcurrency": serverless[variant].max_concurrency}
            if serverless[variant].provisioned_concurrency is not None:
                update["ProvisionedConcurrency"] = serverless[variant].provisioned_concurrency
            row["ServerlessUpdateConfig"] = update
        rows.append(row)
    return rows


def _config_variant(row: Mapping[str, Any]) -> ProductionVariant:
    serverless = row.get("ServerlessConfig")
    managed = row.get("ManagedInstanceScaling") or {}
    return ProductionVariant(
        name=row["VariantName"],
        model_name=row.get("ModelName"),
        managed_scaling=ManagedInstanceScaling(
            min_instances=managed.get("MinInstanceCount", 0), max_instances=managed.get("MaxInstanceCount", 1),
        ) if managed.get("Status") == "ENABLED" else None,
        weight=float(row.get("InitialVariantWeight", 1.0)),
        instance_type=row.get("InstanceType"),
        initial_instance_count=row.get("InitialInstanceCount"),
        serverless=ServerlessConfig(
            memory_size_mb=serverless["MemorySizeInMB"],
            max_concurrency=serverless["MaxConcurrency"],
            provisioned_concurrency=serverless.get("ProvisionedConcurrency"),
        ) if serverless else None,
        provisioning=_config_provisioning(row),
    )


def _config_provisioning(row: Mapping[str, Any]) -> VariantProvisioning | None:
    """A described variant's per-instance settings: a canary keeps them on its primary."""
    found = {field: row[member] for field, member in _PROVISIONING if row.get(member) is not None}
    return VariantProvisioning(**found) if found else None


def _observed_variant(row: Mapping[str, Any]) -> ObservedVariant:
    # The current weight is what serves now; the desired one only while updating.
    weight = row.get("CurrentWeight", row.get("DesiredWeight"))
    serverless = row.get("CurrentServerlessConfig")
    return ObservedVariant(
        name=row["VariantName"],
        weight=weight,
        current_instances=row.get("CurrentInstanceCount"),
        desired_instances=row.get("DesiredInstanceCount"),
        current_serverless=ServerlessConfig(
            memory_size_mb=serverless["MemorySizeInMB"],
            max_concurrency=serverless["MaxConcurrency"],
            provisioned_concurrency=serverless.get("ProvisionedConcurrency"),
        ) if serverless else None,
    )
