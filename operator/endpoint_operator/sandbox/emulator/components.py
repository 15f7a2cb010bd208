"""Inference components, which moto 5 lacks entirely (its SageMaker backend answers
CreateInferenceComponent with a 500): several models on one endpoint, each with its
compute per copy and its own copy count, placed on the endpoint's instances.

Statuses move on the endpoints' pace (lifecycle.py). Copies are placed when a
component reaches InService: those already placed keep their instance (a resident
model is never evicted for another one's new copies), the new ones go where they
fit, and managed instance scaling adds instances up to MaxInstanceCount, or releases
them down to MinInstanceCount. Copies that fit nowhere are not placed:
CurrentCopyCount stays below DesiredCopyCount.
"""

from __future__ import annotations

import copy
import itertools
import json
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from moto.cloudwatch.models import cloudwatch_backends
from moto.core.utils import utcnow
from moto.sagemaker.models import FakeEndpointConfig, SageMakerModelBackend
from moto.sagemaker.utils import arn_formatter

from .instance_capacity import capacity_of
from .lifecycle import EndpointLifecycle
from .responses import ApiError, HttpResponse, validation_error

CREATING, UPDATING, DELETING, IN_SERVICE, FAILED = "Creating", "Updating", "Deleting", "InService", "Failed"
DELETED = "Deleted"  # the end of Deleting: the component is gone, never reported
IN_FLIGHT = frozenset({CREATING, UPDATING, DELETING})
MAX_LIST_RESULTS = 100
# "Scale an endpoint to zero instances" (developer guide): "SageMaker AI emits this metric when an endpoint
# receives an inference request, but the endpoint has no active instances to serve the request."
NO_CAPACITY_METRIC = "NoCapacityInvocationFailures"

Params = dict[str, Any]
_order = itertools.count()


@dataclass
class EmulatedComponent:
    name: str
    arn: str
    endpoint_name: str
    endpoint_arn: str
    variant_name: str
    specification: dict[str, Any]  # what the copies run now
    desired_copies: int
    tags: list[dict[str, str]]
    status: str = CREATING
    lifecycle: EndpointLifecycle = field(default_factory=lambda: EndpointLifecycle(CREATING, IN_SERVICE))
    placed: int = 0  # CurrentCopyCount
    pending_spec: dict[str, Any] | None = None  # an update's specification, served once it completes
    pending_copies: int | None = None
    last_deployment: dict[str, Any] | None = None
    failure_reason: str | None = None
    order: int = field(default_factory=lambda: next(_order))  # older placements keep theirs
    created: Any = field(default_factory=utcnow)
    modified: Any = field(default_factory=utcnow)

    def begin(self, transient: str, outcome: str) -> None:
        self.lifecycle.begin(transient, outcome)
        self._enter(transient)

    def refresh(self) -> bool:
        """Enter a status that came due; True when the component reached a settled one."""
        status = self.lifecycle.status
        if status == self.status:
            return False
        self._enter(status)
        return True

    def _enter(self, status: str) -> None:
        if status == IN_SERVICE:
            # UpdateInferenceComponent with a rolling deployment: the old copies serve until the new ones do
            # (InferenceComponentRollingUpdatePolicy.MaximumBatchSize: "For each step, SageMaker AI provisions
            # capacity on the new endpoint fleet, routes traffic to that fleet, and terminates capacity on the
            # old endpoint fleet.")
            if self.pending_spec is not None:
                self.specification, self.pending_spec = self.pending_spec, None
            if self.pending_copies is not None:
                self.desired_copies, self.pending_copies = self.pending_copies, None
        self.status = status
        earliest = self.modified + timedelta(milliseconds=1)
        now = utcnow()
        self.modified = now if now >= earliest else earliest

    def requirements(self) -> tuple[int, float, float]:
        return _requirements(self.specification)

    def describe(self, instance_type: str | None) -> dict[str, Any]:
        runtime: dict[str, Any] = {
            # InferenceComponentRuntimeConfigSummary: DesiredCopyCount "The number of runtime copies of the model
            # container that you requested"; CurrentCopyCount "The number ... that are currently deployed."
            "DesiredCopyCount": self.pending_copies if self.pending_copies is not None else self.desired_copies,
            "CurrentCopyCount": self.placed,
        }
        if instance_type:
            runtime["PlacementStatus"] = [{"InstanceType": instance_type, "CurrentCopyCount": self.placed}]
        described: dict[str, Any] = {
            "InferenceComponentName": self.name,
            "InferenceComponentArn": self.arn,
            "EndpointName": self.endpoint_name,
            "EndpointArn": self.endpoint_arn,
            "VariantName": self.variant_name,
            "Specification": _summary(self.specification),
            "RuntimeConfig": runtime,
            "CreationTime": self.created,
            "LastModifiedTime": self.modified,
            "InferenceComponentStatus": self.status,
        }
        if self.failure_reason:
            described["FailureReason"] = self.failure_reason
        if self.last_deployment:
            described["LastDeploymentConfig"] = self.last_deployment
        return described

    def summary(self) -> dict[str, Any]:
        return {
            "InferenceComponentName": self.name, "InferenceComponentArn": self.arn,
            "EndpointName": self.endpoint_name, "EndpointArn": self.endpoint_arn,
            "VariantName": self.variant_name, "InferenceComponentStatus": self.status,
            "CreationTime": self.created, "LastModifiedTime": self.modified,
        }


def components_of(backend: SageMakerModelBackend) -> dict[str, EmulatedComponent]:
    """The region's components, kept on moto's backend so a reset forgets them too."""
    table = getattr(backend, "_inference_components", None)
    if table is None:
        table = backend._inference_components = {}  # type: ignore[attr-defined]
    return table


def _requirements(spec: dict[str, Any]) -> tuple[int, float, float]:
    need = spec.get("ComputeResourceRequirements") or {}
    return (int(need.get("MinMemoryRequiredInMb", 0)), float(need.get("NumberOfCpuCoresRequired", 0)),
            float(need.get("NumberOfAcceleratorDevicesRequired", 0)))


def _summary(spec: dict[str, Any]) -> dict[str, Any]:
    """DescribeInferenceComponent's InferenceComponentSpecificationSummary: the container
    as deployed (its image and artifact), the rest as given."""
    summary = copy.deepcopy(spec)
    container = summary.pop("Container", None)
    if container:
        deployed = {"DeployedImage": {"SpecifiedImage": container.get("Image"), "ResolvedImage": container.get("Image")}}
        if container.get("ArtifactUrl"):
            deployed["ArtifactUrl"] = container["ArtifactUrl"]
        if container.get("Environment"):
            deployed["Environment"] = container["Environment"]
        summary["Container"] = deployed
    return summary


class InferenceComponents:
    """The inference-component operations; SageMakerExtensions routes them here."""

    operations = ("CreateInferenceComponent", "DescribeInferenceComponent", "ListInferenceComponents",
                  "UpdateInferenceComponent", "UpdateInferenceComponentRuntimeConfig", "DeleteInferenceComponent")

    def handle(self, backend: SageMakerModelBackend, operation: str, params: Params) -> dict[str, Any]:
        handler = {
            "CreateInferenceComponent": self._create,
            "DescribeInferenceComponent": self._describe,
            "ListInferenceComponents": self._list,
            "UpdateInferenceComponent": self._update,
            "UpdateInferenceComponentRuntimeConfig": self._update_runtime,
            "DeleteInferenceComponent": self._delete,
        }[operation]
        return handler(backend, params)

    # ---- lifecycle ---------------------------------------------------------------

    @staticmethod
    def settle(backend: SageMakerModelBackend) -> None:
        """Apply due transitions; a component that settles (or goes) is placed anew."""
        table = components_of(backend)
        moved: set[str] = set()
        for name, component in list(table.items()):
            if component.refresh():
                moved.add(component.endpoint_name)
                if component.status == DELETED:
                    del table[name]
        for endpoint in sorted(moved):
            place(backend, endpoint)

    # ---- operations --------------------------------------------------------------

    def _create(self, backend: SageMakerModelBackend, params: Params) -> dict[str, Any]:
        table = components_of(backend)
        name = params.get("InferenceComponentName", "")
        if name in table:
            # CreateInferenceComponentInput.InferenceComponentName: "A unique name to assign to the inference
            # component." (the wording of SageMaker's other duplicate errors)
            raise validation_error(f'Cannot create already existing inference component "{_arn(backend, name)}".')
        endpoint_name = params.get("EndpointName", "")
        endpoint = backend.endpoints.get(endpoint_name)
        if endpoint is None:
            # EndpointName: "The name of an existing endpoint where you host the inference component."
            raise validation_error(f'Could not find endpoint "{arn_formatter("endpoint", endpoint_name, backend.account_id, backend.region_name)}".')
        if endpoint.endpoint_status != IN_SERVICE:
            # The reference is silent; the developer guide ("Deploy models for real-time inference") creates
            # components on an endpoint that is InService.
            raise validation_error(f"Endpoint {endpoint_name} is {endpoint.endpoint_status}; inference components "
                                   "can be created on an InService endpoint only.")
        variant = _component_variant(backend, endpoint, params.get("VariantName"))
        spec = copy.deepcopy(params.get("Specification") or {})
        _check_specification(backend, spec, variant)
        copies = int((params.get("RuntimeConfig") or {}).get("CopyCount", 1))
        component = EmulatedComponent(
            name=name, arn=_arn(backend, name), endpoint_name=endpoint_name, endpoint_arn=endpoint.arn,
            variant_name=variant["VariantName"], specification=spec, desired_copies=copies,
            tags=list(params.get("Tags") or []),
        )
        table[name] = component
        return {"InferenceComponentArn": component.arn}

    def _describe(self, backend: SageMakerModelBackend, params: Params) -> dict[str, Any]:
        component = self._component(backend, params.get("InferenceComponentName", ""))
        component.lifecycle.advance()  # counts describes for the manual pace
        self.settle(backend)
        component = self._component(backend, component.name)
        return component.describe(_instance_type(backend, component))

    def _list(self, backend: SageMakerModelBackend, params: Params) -> dict[str, Any]:
        rows = sorted(components_of(backend).values(), key=lambda c: (c.created, c.name))
        filters = [
            ("EndpointNameEquals", lambda c, v: c.endpoint_name == v),
            ("VariantNameEquals", lambda c, v: c.variant_name == v),
            ("StatusEquals", lambda c, v: c.status == v),
            ("NameContains", lambda c, v: v.lower() in c.name.lower()),
        ]
        for key, keep in filters:
            if params.get(key):
                rows = [c for c in rows if keep(c, params[key])]
        key = {"Name": lambda c: c.name, "Status": lambda c: c.status}.get(params.get("SortBy", ""), lambda c: c.created)
        # ListInferenceComponentsInput.SortOrder: "The sort order for results. The default is Descending."
        rows.sort(key=key, reverse=params.get("SortOrder", "Descending") == "Descending")
        start = int(params.get("NextToken") or 0)
        size = int(params.get("MaxResults") or MAX_LIST_RESULTS)
        page = rows[start:start + size]
        answer: dict[str, Any] = {"InferenceComponents": [c.summary() for c in page]}
        if start + size < len(rows):
            answer["NextToken"] = str(start + size)
        return answer

    def _update(self, backend: SageMakerModelBackend, params: Params) -> dict[str, Any]:
        component = self._updatable(backend, params.get("InferenceComponentName", ""))
        spec = params.get("Specification")
        if spec is not None:
            variant = _component_variant(backend, backend.endpoints[component.endpoint_name], component.variant_name)
            merged = {**component.specification, **copy.deepcopy(spec)}
            _check_specification(backend, merged, variant)
            component.pending_spec = merged
        runtime = params.get("RuntimeConfig")
        if runtime is not None:
            component.pending_copies = int(runtime.get("CopyCount", component.desired_copies))
        if params.get("DeploymentConfig"):
            _check_batch(params["DeploymentConfig"])
            # DescribeInferenceComponentOutput.LastDeploymentConfig: the deployment configuration of the last update.
            component.last_deployment = copy.deepcopy(params["DeploymentConfig"])
        # InferenceComponentStatus: Updating while the update runs, InService after.
        component.begin(UPDATING, IN_SERVICE)
        return {"InferenceComponentArn": component.arn}

    def _update_runtime(self, backend: SageMakerModelBackend, params: Params) -> dict[str, Any]:
        # UpdateInferenceComponentRuntimeConfig: "Runtime settings for a model that is deployed with an inference
        # component." Application Auto Scaling changes DesiredCopyCount through it.
        component = self._updatable(backend, params.get("InferenceComponentName", ""))
        component.pending_copies = int((params.get("DesiredRuntimeConfig") or {}).get("CopyCount", 0))
        component.begin(UPDATING, IN_SERVICE)
        return {"InferenceComponentArn": component.arn}

    def _delete(self, backend: SageMakerModelBackend, params: Params) -> dict[str, Any]:
        component = self._component(backend, params.get("InferenceComponentName", ""))
        if component.status in (CREATING, UPDATING):
            # Silent in the reference; refused as an in-progress endpoint's delete is (sagemaker.py).
            raise validation_error(f'Cannot delete in-progress inference component "{component.arn}".')
        if component.status != DELETING:
            component.begin(DELETING, DELETED)
        return {}

    # ---- lookups -----------------------------------------------------------------

    @staticmethod
    def _component(backend: SageMakerModelBackend, name: str) -> EmulatedComponent:
        component = components_of(backend).get(name)
        if component is None:
            # The wording of SageMaker's other "Could not find" errors (sagemaker.py).
            raise validation_error(f'Could not find inference component "{_arn(backend, name)}".')
        return component

    def _updatable(self, backend: SageMakerModelBackend, name: str) -> EmulatedComponent:
        component = self._component(backend, name)
        if component.status in IN_FLIGHT:
            raise validation_error(f'Cannot update in-progress inference component "{component.arn}".')
        return component


# ---- checks ---------------------------------------------------------------------------

def _check_batch(deployment: dict[str, Any]) -> None:
    # InferenceComponentRollingUpdatePolicy.MaximumBatchSize: "The value must be between 5% to 50% of the copy
    # count of the inference component." (checked where it is a percentage)
    batch = (deployment.get("RollingUpdatePolicy") or {}).get("MaximumBatchSize") or {}
    if batch.get("Type") == "CAPACITY_PERCENT" and not 5 <= int(batch.get("Value", 0)) <= 50:
        raise validation_error(f"MaximumBatchSize {batch.get('Value')}% must be between 5% and 50% of the copy count.")


def _component_variant(backend: SageMakerModelBackend, endpoint: Any, name: str | None) -> dict[str, Any]:
    """The endpoint's config entry for the variant: named, or the only one."""
    config: FakeEndpointConfig | None = backend.endpoint_configs.get(endpoint.endpoint_config_name)
    entries = list(config.production_variants) if config is not None else []
    if name is None and len(entries) == 1:
        name = entries[0]["VariantName"]
    for entry in entries:
        if entry["VariantName"] == name:
            if entry.get("ModelName"):
                # "Deploy models for real-time inference": an endpoint hosts inference components when its
                # config's variant names no model; the variant's own model would be the endpoint's only one.
                raise validation_error(f"Variant {name} of endpoint {endpoint.endpoint_name} hosts model "
                                       f"{entry['ModelName']}; inference components need a variant without a model.")
            return entry
    # VariantName: "The name of an existing production variant where you host the inference component."
    raise validation_error(f"Could not find variant {name} of endpoint {endpoint.endpoint_name}.")


def _check_specification(backend: SageMakerModelBackend, spec: dict[str, Any], variant: dict[str, Any]) -> None:
    if spec.get("BaseInferenceComponentName"):
        return  # an adapter shares its base component's copies
    if not spec.get("ModelName") and not (spec.get("Container") or {}).get("Image"):
        raise validation_error("Specification needs a ModelName or a Container with an Image.")
    if spec.get("ModelName") and spec["ModelName"] not in backend._models:
        raise validation_error(f'Could not find model "{arn_formatter("model", spec["ModelName"], backend.account_id, backend.region_name)}".')
    if not spec.get("ComputeResourceRequirements"):
        # InferenceComponentSpecification.ComputeResourceRequirements: "The compute resources allocated to run
        # the model, plus any adapter models, that you assign to the inference component." Required but for adapters.
        raise validation_error("Specification.ComputeResourceRequirements is required for an inference component "
                               "that is not an adapter.")
    capacity = capacity_of(variant.get("InstanceType", ""))
    if capacity is not None and not capacity.holds(*_requirements(spec)):
        memory, cpus, accelerators = _requirements(spec)
        # InferenceComponentComputeResourceRequirements: "The minimum MB of memory to allocate", "The number of
        # CPU cores to allocate", "The number of accelerators to allocate" -- per copy, on one instance.
        raise validation_error(
            f"A copy needs {memory} MB, {cpus:g} CPU cores and {accelerators:g} accelerators; instance type "
            f"{variant.get('InstanceType')} offers {capacity.memory_mb} MB, {capacity.cpus:g} cores and "
            f"{capacity.accelerators} accelerators.")


# ---- placement ------------------------------------------------------------------------

def place(backend: SageMakerModelBackend, endpoint_name: str) -> None:
    """Place the copies of every component of the endpoint and size its fleet."""
    endpoint = backend.endpoints.get(endpoint_name)
    config = backend.endpoint_configs.get(endpoint.endpoint_config_name) if endpoint is not None else None
    if endpoint is None or config is None:
        return
    components = [c for c in components_of(backend).values() if c.endpoint_name == endpoint_name]
    for entry in config.production_variants:
        if entry.get("ModelName"):
            continue
        hosted = sorted((c for c in components if c.variant_name == entry["VariantName"]), key=lambda c: c.order)
        count = _place_variant(entry, hosted, _live_count(endpoint, entry))
        for live in endpoint.production_variants:
            if live["VariantName"] == entry["VariantName"]:
                live["CurrentInstanceCount"] = live["DesiredInstanceCount"] = count


def _live_count(endpoint: Any, entry: dict[str, Any]) -> int:
    for live in endpoint.production_variants:
        if live["VariantName"] == entry["VariantName"]:
            return int(live.get("CurrentInstanceCount") or 0)
    return int(entry.get("InitialInstanceCount") or 0)


def _place_variant(entry: dict[str, Any], hosted: list[EmulatedComponent], live_count: int) -> int:
    """Sets each component's placed copies; returns the variant's instance count."""
    scaling = entry.get("ManagedInstanceScaling") or {}
    managed = scaling.get("Status") == "ENABLED"
    # ProductionVariantManagedInstanceScaling: MaxInstanceCount "The maximum number of instances that the endpoint
    # can provision when it scales up"; MinInstanceCount "The minimum number of instances that the endpoint must
    # retain when it scales down".
    low = int(scaling.get("MinInstanceCount", 1)) if managed else live_count
    high = int(scaling.get("MaxInstanceCount", live_count)) if managed else live_count
    capacity = capacity_of(entry.get("InstanceType", ""))
    wanted = {c.name: (c.desired_copies if c.status == IN_SERVICE else c.placed) for c in hosted}
    if capacity is None:
        for c in hosted:
            c.placed = wanted[c.name]
        return max(low, min(high, live_count or 1)) if managed else live_count
    free: list[list[float]] = []

    def put(need: tuple[int, float, float]) -> bool:
        for room in free:
            if all(n <= r for n, r in zip(need, room)):
                for i, n in enumerate(need):
                    room[i] -= n
                return True
        if len(free) < high:
            free.append([capacity.memory_mb, capacity.cpus, capacity.accelerators])
            return put(need)
        return False

    placed = {c.name: 0 for c in hosted}
    # Copies already running keep their place first; new ones go where they fit.
    for c in hosted:
        for _ in range(min(c.placed, wanted[c.name])):
            if put(c.requirements()):
                placed[c.name] += 1
    for c in hosted:
        while placed[c.name] < wanted[c.name] and put(c.requirements()):
            placed[c.name] += 1
    for c in hosted:
        c.placed = placed[c.name]
    return max(len(free), low) if managed else live_count


def _instance_type(backend: SageMakerModelBackend, component: EmulatedComponent) -> str | None:
    endpoint = backend.endpoints.get(component.endpoint_name)
    config = backend.endpoint_configs.get(endpoint.endpoint_config_name) if endpoint is not None else None
    for entry in config.production_variants if config is not None else []:
        if entry["VariantName"] == component.variant_name:
            return entry.get("InstanceType")
    return None


# ---- invocations ----------------------------------------------------------------------

def invoke_component(backend: SageMakerModelBackend, name: str) -> HttpResponse:
    """InvokeEndpoint with InferenceComponentName: a copy answers, reporting the image
    and artifact it runs; with no copy placed the call fails and SageMaker counts a
    NoCapacityInvocationFailures datapoint for the component."""
    component = components_of(backend).get(name)
    if component is None:
        raise ApiError("ValidationError", f"Inference component {name} does not exist.")
    if component.placed == 0:
        cloudwatch_backends[backend.account_id][backend.region_name].put_metric_data(
            "AWS/SageMaker", [{"MetricName": NO_CAPACITY_METRIC, "Value": 1.0, "Unit": "Count",
                               "Dimensions": [{"Name": "InferenceComponentName", "Value": name}]}])
        # "Scale an endpoint to zero instances": "During that time, any attempts to invoke the endpoint will
        # produce an error." (the message is the emulator's)
        raise ApiError("ValidationError", f"Inference component {name} has no copies to serve the request; "
                       "it is scaling out from zero.")
    container = component.specification.get("Container") or {}
    body = json.dumps({"inferenceComponent": name, "image": container.get("Image"),
                       "artifact": container.get("ArtifactUrl"), "copies": component.placed}).encode()
    return HttpResponse(200, [("Content-Type", "application/json"), ("Content-Length", str(len(body)))], body)


def _arn(backend: SageMakerModelBackend, name: str) -> str:
    return arn_formatter("inference-component", name, backend.account_id, backend.region_name)
